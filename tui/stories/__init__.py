"""Stories: the versions of one news story, the passages they share, and notes that follow them.

- `model`: the typed story (`Story`, `Version`, `Passage`) and where a note stands elsewhere
  (`Echo`, `Home`).
- `grouping`: which articles are versions of one report (cores, not chains).
- `ids`: stable story ids, kept by content hash in the state folder.
- `alignment`: passages, from the versions aligned sentence by sentence (cached).
- `echoes`: a note's echoes in the other versions, and an orphan's homes.
- `collection`: `Stories`, the stories of a library and what is asked of them; `carry_over`.
- `views`: what a screen or an export shows of one story (`story_view`).

Pure core: no Textual, no Rich. Only the public API of `tui.similarity` is used.
"""

from tui.stories.collection import Stories, carry_over
from tui.stories.model import Echo, Home, Passage, Story, Version

__all__ = ["Echo", "Home", "Passage", "Stories", "Story", "Version", "carry_over"]
