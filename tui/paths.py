"""Where data lives: a flag wins, then an environment variable, then a default.

Nothing else in the package builds a data path.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

ARTICLES_ENV = "TUI_ARTICLES"
DB_ENV = "TUI_DB"
NOTES_ENV = "TUI_NOTES"
CACHE_ENV = "TUI_CACHE"
STATE_ENV = "TUI_STATE"
CONFIG_ENV = "TUI_CONFIG"


def _pick(flag: str | os.PathLike[str] | None, env: str, default: Path) -> Path:
    if flag:
        return Path(flag).expanduser()
    value = os.environ.get(env)
    if value:
        return Path(value).expanduser()
    return default


def articles_dir(flag: str | os.PathLike[str] | None = None) -> Path:
    return _pick(flag, ARTICLES_ENV, Path("articles"))


def db_path(flag: str | os.PathLike[str] | None = None) -> Path:
    return _pick(flag, DB_ENV, Path("annotations.json"))


def notes_dir(flag: str | os.PathLike[str] | None = None) -> Path:
    return _pick(flag, NOTES_ENV, Path("notes"))


def cache_dir(flag: str | os.PathLike[str] | None = None) -> Path:
    """Derived data (parsed articles, similarity index): safe to delete at any time."""
    if flag or os.environ.get(CACHE_ENV):
        return _pick(flag, CACHE_ENV, Path())
    import platformdirs  # only here: keeps the import off paths that never need it

    return Path(platformdirs.user_cache_dir("tui", appauthor=False))


def state_dir(flag: str | os.PathLike[str] | None = None) -> Path:
    """Small user state (reading positions): kept between runs, out of the working folder."""
    if flag or os.environ.get(STATE_ENV):
        return _pick(flag, STATE_ENV, Path())
    import platformdirs

    return Path(platformdirs.user_state_dir("tui", appauthor=False))


def config_dir(flag: str | os.PathLike[str] | None = None) -> Path:
    """What the user chose (the feed list): kept between runs, meant to be edited and backed up."""
    if flag or os.environ.get(CONFIG_ENV):
        return _pick(flag, CONFIG_ENV, Path())
    import platformdirs

    return Path(platformdirs.user_config_dir("tui", appauthor=False))


def write_cache_file(path: Path, data: bytes) -> None:
    """Replace a file of derived data in one step, best effort.

    A reader sees the old or the new file, never half of one. No fsync: a cache lost in a crash is
    rebuilt; and an unwritable cache folder only costs time on the next start, so it is not an error.
    """
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        temporary.write_bytes(data)
        os.replace(temporary, path)
    except OSError:
        pass


def remove_cache_file(path: Path) -> None:
    """Delete a file of derived data if it is there, best effort (a cache folder may be read-only)."""
    with contextlib.suppress(OSError):
        path.unlink(missing_ok=True)
