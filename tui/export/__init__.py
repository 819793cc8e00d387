"""Notes out and in.

- `selection`: which notes an export or a listing takes (by article, tag or text); `tui notes` records.
- `markdown`: the Markdown notes are written in, for Obsidian and Logseq (escaping, blocks, front
  matter, the user's part kept below a marker), and safe file names.
- `notes`: the notes of articles as Markdown, a file per article or one document.
- `story`: a story's notes as one Markdown file, from the story model.
- `web_annotation`: W3C Web Annotation JSON-LD, out and back in.

Pure core: no Textual, no Rich.
"""
