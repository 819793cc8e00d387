"""Stable story ids: a story keeps the id its members had before, kept by content hash in a file.

A group takes the id most of its members had; a split story keeps its id in the part with more of
the old members, and the other part gets a new one, from its earliest version's content hash. The
file (`stories.json` in the state folder) is a convenience: lost, it only means ids are made anew.

Pure core: no Textual, no Rich.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path

from tui.stories.model import STORY_ID_PREFIX

STORIES_FILE = "stories.json"
_STATE_VERSION = 1


def new_id(content_hash: str, taken: set[str]) -> str:
    length = 10
    while True:
        candidate = STORY_ID_PREFIX + content_hash[:length]
        if candidate not in taken or length >= len(content_hash):
            return candidate
        length += 2


def assign_ids(groups: Sequence[Sequence[str]], known: dict[str, str]) -> list[str]:
    """An id for each group (its members' content hashes, earliest version first), given the ids
    `known` by content hash: an old id goes to the group holding most of its members."""
    claims: list[tuple[int, int, str, int]] = []
    for number, hashes in enumerate(groups):
        votes: dict[str, list[int]] = defaultdict(list)
        for rank, content_hash in enumerate(hashes):
            old = known.get(content_hash)
            if old is not None:
                votes[old].append(rank)
        for story_id, ranks in votes.items():
            claims.append((-len(ranks), min(ranks), story_id, number))
    chosen: dict[int, str] = {}
    taken: set[str] = set()
    for _, _, story_id, number in sorted(claims):
        if number not in chosen and story_id not in taken:
            chosen[number] = story_id
            taken.add(story_id)
    ids: list[str] = []
    for number, hashes in enumerate(groups):
        assigned = chosen.get(number)
        if assigned is None:
            assigned = new_id(hashes[0], taken | set(known.values()))
            taken.add(assigned)
        ids.append(assigned)
    return ids


def read_state(path: Path) -> dict[str, str]:
    try:
        data = json.loads(path.read_bytes())
    except (OSError, ValueError):
        return {}  # ids are a convenience: a lost file only means stories get ids anew
    members = data.get("members") if isinstance(data, dict) else None
    if not isinstance(members, dict):
        return {}
    return {str(key): value for key, value in members.items() if isinstance(value, str)}


def write_state(path: Path, members: dict[str, str]) -> None:
    from tui.durable import write_atomically  # the one durable writer: temp file, fsync, replace

    payload = json.dumps({"version": _STATE_VERSION, "members": members}, indent=0, sort_keys=True).encode()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomically(path, [payload])
    except OSError:
        pass  # an unwritable state folder costs id stability only, never the command
