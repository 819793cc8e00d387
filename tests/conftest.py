"""Shared fixtures: every test runs with its data paths in a temporary folder; Pilot tests build the
real app through `make_test_app`."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

import pytest

from tui.app.factory import make_app

if TYPE_CHECKING:
    from tui.app.tui_app import TuiApp

REPO = Path(__file__).resolve().parent.parent
SEEDS = REPO / "articles"
SHARED = REPO.parent / "shared"
SEED_IDS = ("000_097ad0791a11b944", "002_3b2e89bd4e21a8c9", "004_177cef035ac10641")


@pytest.fixture(autouse=True)
def isolated_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point every data location the app knows at tmp_path, so no test touches a user's files."""
    monkeypatch.setenv("TUI_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv("TUI_STATE", str(tmp_path / "state"))
    monkeypatch.setenv("TUI_CONFIG", str(tmp_path / "config"))
    monkeypatch.setenv("TUI_DB", str(tmp_path / "annotations.json"))
    monkeypatch.setenv("TUI_NOTES", str(tmp_path / "notes"))
    monkeypatch.delenv("TUI_ARTICLES", raising=False)
    return tmp_path


@pytest.fixture
def seed_library(tmp_path: Path) -> Path:
    """A copy of the sample library that a test may change."""
    target = tmp_path / "articles"
    shutil.copytree(SEEDS, target)
    return target


class AppFactory(Protocol):
    """The `make_test_app` fixture: the app over a library folder (the seeds' copy by default)."""

    def __call__(self, articles: Path | None = None, *, build_index: bool = True) -> TuiApp: ...


@pytest.fixture
def make_test_app(tmp_path: Path, seed_library: Path) -> AppFactory:
    """make_app(...) over a copy of the seeds (or another folder), all paths in tmp_path."""

    def factory(articles: Path | None = None, *, build_index: bool = True) -> TuiApp:
        return make_app(
            articles_dir=articles or seed_library,
            db_path=tmp_path / "annotations.json",
            notes_dir=tmp_path / "notes",
            cache_dir=tmp_path / "cache",
            state_dir=tmp_path / "state",
            config_dir=tmp_path / "config",
            build_index=build_index,
        )

    return factory
