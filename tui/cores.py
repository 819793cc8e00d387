"""How many cores this process may use: what worker processes and threads are sized by."""

from __future__ import annotations

import os


def available_cores() -> int:
    """The cores this process may run on (its affinity where the system says, else all of them)."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1
