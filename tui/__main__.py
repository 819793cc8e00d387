"""Entry point: `tui` and `python -m tui`."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tui.app import TuiApp


def make_app(
    articles_dir: Path,
    db_path: Path,
    notes_dir: Path,
    cache_dir: Path | None = None,
    state_dir: Path | None = None,
) -> TuiApp:
    """The one factory for the app, used by `main()` and by the tests."""
    from tui.app import TuiApp  # Textual is imported only when the app is wanted

    return TuiApp(
        articles_dir=articles_dir,
        db_path=db_path,
        notes_dir=notes_dir,
        cache_dir=cache_dir,
        state_dir=state_dir,
    )


def main(argv: list[str] | None = None) -> int:
    from tui.cli import run

    return run(argv)


if __name__ == "__main__":
    raise SystemExit(main())
