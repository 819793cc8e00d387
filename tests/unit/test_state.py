from __future__ import annotations

import json
from pathlib import Path

import pytest

from tui.state import ReadingPositions


def test_missing_file_starts_empty(tmp_path: Path) -> None:
    positions = ReadingPositions.in_dir(tmp_path / "state")
    assert len(positions) == 0
    assert positions.get("a") is None
    assert positions.problem is None


def test_round_trip_between_runs(tmp_path: Path) -> None:
    positions = ReadingPositions.in_dir(tmp_path / "state")
    positions.set("000_a", 120)
    positions.set("business/001", 0)
    positions.save()
    again = ReadingPositions.in_dir(tmp_path / "state")
    assert again.get("000_a") == 120
    assert again.get("business/001") == 0


def test_save_is_atomic_and_leaves_no_temporaries(tmp_path: Path) -> None:
    positions = ReadingPositions(tmp_path / "positions.json")
    positions.set("a", 5)
    positions.save()
    assert [p.name for p in tmp_path.iterdir()] == ["positions.json"]
    assert json.loads((tmp_path / "positions.json").read_text())["positions"] == {"a": 5}


def test_failed_write_keeps_previous_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    positions = ReadingPositions(tmp_path / "positions.json")
    positions.set("a", 5)
    positions.save()
    positions.set("a", 9)

    def broken_replace(src: str, dst: str) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("tui.durable.os.replace", broken_replace)  # the durable writer state uses
    with pytest.raises(OSError):
        positions.save()
    assert json.loads((tmp_path / "positions.json").read_text())["positions"] == {"a": 5}
    assert [p.name for p in tmp_path.iterdir()] == ["positions.json"]
    assert positions.dirty


@pytest.mark.parametrize("content", [b"{not json", b'{"positions": [1]}', b"[]", b"\xff\xfe"])
def test_damaged_file_is_not_fatal(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "positions.json"
    path.write_bytes(content)
    positions = ReadingPositions(path)
    assert len(positions) == 0
    assert positions.problem is not None and str(path) in positions.problem


def test_unchanged_positions_are_not_rewritten(tmp_path: Path) -> None:
    positions = ReadingPositions(tmp_path / "positions.json")
    positions.save()
    assert not (tmp_path / "positions.json").exists()
    positions.set("a", 3)
    positions.save()
    positions.set("a", 3)
    assert not positions.dirty


def test_keymap_missing_is_empty(tmp_path: Path) -> None:
    from tui.state import load_keymap

    assert load_keymap(tmp_path) == ({}, None)


def test_keymap_is_read(tmp_path: Path) -> None:
    from tui.state import load_keymap

    (tmp_path / "keymap.json").write_text('{"view.highlight": "m", "reader.compare": "C"}')
    assert load_keymap(tmp_path) == ({"view.highlight": "m", "reader.compare": "C"}, None)


@pytest.mark.parametrize("content", ["{oops", '["h"]', '{"view.highlight": 3}', '{"view.highlight": " "}'])
def test_bad_keymap_is_ignored_with_a_reason(tmp_path: Path, content: str) -> None:
    from tui.state import load_keymap

    (tmp_path / "keymap.json").write_text(content)
    keymap, problem = load_keymap(tmp_path)
    assert keymap == {}
    assert problem is not None and "keymap.json" in problem


def test_keymap_left_in_the_state_folder_is_copied_to_config_once(tmp_path: Path) -> None:
    from tui.state import load_keymap

    config, state = tmp_path / "config", tmp_path / "state"
    state.mkdir()
    (state / "keymap.json").write_text('{"view.highlight": "m"}')
    keymap, said = load_keymap(config, state)
    assert keymap == {"view.highlight": "m"}
    assert said is not None and str(config) in said and str(state) in said
    assert (config / "keymap.json").read_text() == '{"view.highlight": "m"}'
    assert (state / "keymap.json").exists()  # the user's file is never removed
    (state / "keymap.json").write_text('{"view.highlight": "x"}')  # no longer read
    assert load_keymap(config, state) == ({"view.highlight": "m"}, None)


def test_keymap_in_config_wins_over_an_old_one(tmp_path: Path) -> None:
    from tui.state import load_keymap

    config, state = tmp_path / "config", tmp_path / "state"
    config.mkdir()
    state.mkdir()
    (config / "keymap.json").write_text('{"view.highlight": "c"}')
    (state / "keymap.json").write_text('{"view.highlight": "s"}')
    assert load_keymap(config, state) == ({"view.highlight": "c"}, None)


def test_old_keymap_is_still_read_when_config_cannot_be_written(tmp_path: Path) -> None:
    from tui.state import load_keymap

    state = tmp_path / "state"
    state.mkdir()
    (state / "keymap.json").write_text('{"view.highlight": "m"}')
    blocked = tmp_path / "a-file"
    blocked.write_text("")  # a file where the config folder should be
    keymap, said = load_keymap(blocked / "config", state)
    assert keymap == {"view.highlight": "m"} and said is not None and "cannot copy" in said
