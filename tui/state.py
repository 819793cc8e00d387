"""Small user state kept between runs (where the reader was in each article), and the keymap.

Positions are a plain JSON file in ``paths.state_dir()``; the keymap is read from
``paths.config_dir()``. It is written atomically (temporary file,
fsync, rename), so a crash mid-write leaves the previous file intact. A damaged or
unreadable file is never fatal: positions simply start empty and ``problem`` says why.
No textual or rich here.
"""

from __future__ import annotations

import contextlib
import json
from datetime import datetime
from pathlib import Path

POSITIONS_FILE = "positions.json"
KEYMAP_FILE = "keymap.json"
_FORMAT_VERSION = 1


class ReadingPositions:
    """Character offsets into each article's body, keyed by article id."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.problem: str | None = None
        self._offsets: dict[str, int] = {}
        self._dirty = False
        self._load()

    @classmethod
    def in_dir(cls, state_dir: Path) -> ReadingPositions:
        return cls(state_dir / POSITIONS_FILE)

    def _load(self) -> None:
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            return
        except OSError as error:
            self.problem = f"cannot read reading positions {self.path}: {error.strerror}"
            return
        try:
            data = json.loads(raw)
            positions = data["positions"]
            if not isinstance(positions, dict):
                raise TypeError("positions is not an object")
            self._offsets = {
                str(article_id): int(offset)
                for article_id, offset in positions.items()
                if isinstance(offset, int) and offset >= 0
            }
        except (ValueError, KeyError, TypeError) as error:
            # Positions are a convenience: start afresh rather than refuse to run.
            self.problem = f"ignored damaged reading positions {self.path}: {error}"

    def get(self, article_id: str) -> int | None:
        return self._offsets.get(article_id)

    def set(self, article_id: str, offset: int) -> None:
        offset = max(0, int(offset))
        if self._offsets.get(article_id) != offset:
            self._offsets[article_id] = offset
            self._dirty = True

    def __len__(self) -> int:
        return len(self._offsets)

    @property
    def dirty(self) -> bool:
        return self._dirty

    def save(self) -> None:
        """Write the positions if they changed; raises OSError if the folder is unwritable."""
        if not self._dirty:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        payload = json.dumps(
            {"version": _FORMAT_VERSION, "positions": self._offsets},
            indent=1,
            sort_keys=True,
        ).encode()
        from tui.durable import write_atomically  # the one durable writer: temp file, fsync, replace

        write_atomically(self.path, [payload])
        self._dirty = False


def load_keymap(config_dir: Path, old_state_dir: Path | None = None) -> tuple[dict[str, str], str | None]:
    """The user's key overrides, ``{"binding id": "keys"}``, from ``keymap.json``; and what to say.

    For example ``{"view.highlight": "h,m", "reader.compare": "C"}``. The binding ids are listed
    in the help screen's tables and the README. The file is configuration and lives in the config
    folder; one left in the state folder by an older version is copied over once (and said so),
    then only the config folder's is read.
    """
    path = config_dir / KEYMAP_FILE
    old = old_state_dir / KEYMAP_FILE if old_state_dir is not None else None
    moved: str | None = None
    if old is not None and old.is_file() and not path.exists():
        try:
            payload = old.read_bytes()
            from tui.durable import write_atomically  # the one durable writer: temp file, fsync, replace

            config_dir.mkdir(parents=True, exist_ok=True)
            write_atomically(path, [payload], overwrite=False)
        except FileExistsError:
            pass  # another instance copied it first: the same file
        except OSError as error:
            return _read_keymap(old, f"read keymap {old} (its old place); cannot copy it to {path}: {error}")
        moved = f"keymap.json now lives in {config_dir}: copied from {old_state_dir}, which is no longer read"
    return _read_keymap(path, moved)


def _read_keymap(path: Path, note: str | None) -> tuple[dict[str, str], str | None]:
    try:
        data = json.loads(path.read_bytes())
    except FileNotFoundError:
        return {}, note
    except (OSError, ValueError) as error:
        return {}, f"ignored keymap {path}: {error}"
    if not isinstance(data, dict) or not all(
        isinstance(key, str) and isinstance(value, str) and value.strip() for key, value in data.items()
    ):
        return {}, f'ignored keymap {path}: expected {{"binding id": "keys", ...}}'
    return dict(data), note


SETTINGS_FILE = "settings.json"  # in the config folder: what the user chose (the theme)
VISITS_FILE = "visits.json"  # in the state folder: when the library was last opened


class SmallJson:
    """A small JSON object kept between runs (a setting, a time), written atomically.

    A damaged or unreadable file is never fatal: it reads as empty and ``problem`` says why, and it
    is left alone until a value is set.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self.problem: str | None = None
        self.values: dict[str, object] = {}
        try:
            data = json.loads(path.read_bytes())
        except FileNotFoundError:
            return
        except (OSError, ValueError) as error:
            self.problem = f"ignored {path}: {error}"
            return
        if isinstance(data, dict):
            self.values = data
        else:
            self.problem = f"ignored {path}: not a JSON object"

    def text(self, key: str) -> str | None:
        value = self.values.get(key)
        return value if isinstance(value, str) else None

    def save(self, **values: object) -> None:
        """Set ``values`` and write the file; raises OSError if the folder is unwritable."""
        self.values.update(values)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        from tui.durable import write_atomically

        write_atomically(self.path, [json.dumps(self.values, indent=1, sort_keys=True).encode()])
        self.problem = None


def last_visit(state_dir: Path, now: datetime) -> datetime | None:
    """When the library was opened before this run (None the first time); records ``now`` as this one.

    An article added since then (`tui add`, a fetch) is new to the reader.
    """
    visits = SmallJson(state_dir / VISITS_FILE)
    previous: datetime | None = None
    stamp = visits.text("library_opened")
    if stamp:
        try:
            previous = datetime.fromisoformat(stamp)
        except ValueError:
            previous = None
    # marks are a convenience: if this cannot be kept, the next run sees the same new articles again
    with contextlib.suppress(OSError):
        visits.save(library_opened=now.isoformat(timespec="seconds"))
    return previous
