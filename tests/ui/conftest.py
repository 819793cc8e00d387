"""Fixtures for driving the real app with the Pilot: every data path under tmp_path."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tui.app.factory import make_app
from tui.app.tui_app import TuiApp

AppFactory = Callable[..., TuiApp]


@pytest.fixture
def make_test_app(tmp_path: Path, seed_library: Path) -> AppFactory:
    """make_app(...) over a copy of the seeds (or another folder), all paths in tmp_path."""

    def factory(articles: Path | None = None, **options: Any) -> TuiApp:
        app = make_app(
            articles_dir=articles or seed_library,
            db_path=tmp_path / "annotations.json",
            notes_dir=tmp_path / "notes",
            cache_dir=tmp_path / "cache",
            state_dir=tmp_path / "state",
            config_dir=tmp_path / "config",
        )
        for name, value in options.items():
            setattr(app, name, value)
        return app

    return factory
