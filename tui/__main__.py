"""Entry point: `tui` and `python -m tui`. The commands live in `tui.cli`, the app in `tui.app.factory`."""

from __future__ import annotations


def main(argv: list[str] | None = None) -> int:
    from tui.cli import run

    return run(argv)


if __name__ == "__main__":
    raise SystemExit(main())
