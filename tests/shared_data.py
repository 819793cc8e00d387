"""The shared data beside the repository (`../shared`): CI has it, a bare clone does not.

Tests that need it call `shared_data(...)`, which skips them with a reason where it is missing, so
`python -m pytest -q` in a fresh clone passes and says how many tests wanted the data.
"""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"


def shared_data(*parts: str) -> Path:
    """``../shared/<parts>``, or a skip naming what is missing."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"needs ../shared/{'/'.join(parts)} beside the repository (CI has it)")
    return path
