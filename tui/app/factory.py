"""The one factory for the app, used by `tui` (no subcommand) and by the tests.

It lives on the app side of the house, apart from the CLI, so the CLI and the entry point never
import each other; Textual is imported only inside, when an app is actually wanted.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tui.app.tui_app import TuiApp


def make_app(
    articles_dir: Path,
    db_path: Path,
    notes_dir: Path,
    cache_dir: Path | None = None,
    state_dir: Path | None = None,
    config_dir: Path | None = None,
    *,
    build_index: bool = True,
) -> TuiApp:
    """The app over these data paths; a path left out is resolved by `tui.paths`.

    `build_index=False` leaves the similarity index unbuilt (tests of the listing alone).
    """
    from tui.app.tui_app import TuiApp  # Textual is imported only when the app is wanted

    return TuiApp(
        articles_dir=articles_dir,
        db_path=db_path,
        notes_dir=notes_dir,
        cache_dir=cache_dir,
        state_dir=state_dir,
        config_dir=config_dir,
        build_index=build_index,
    )
