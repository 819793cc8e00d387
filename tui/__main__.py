"""Entry point: `tui` and `python -m tui`. The commands live in `tui.cli`, the app in `tui.app.factory`."""

from __future__ import annotations

from tui.cli import main

__all__ = ["main"]

if __name__ == "__main__":
    raise SystemExit(main())
