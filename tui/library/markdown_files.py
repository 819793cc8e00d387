"""Markdown files: their front matter read (plain `key: value` lines fast, the rest by YAML), and
Markdown lines turned into text with their headings and bold passages marked."""

from __future__ import annotations

import re

FRONT_MATTER_MAX_CHARS = 64 * 1024


def read_front_matter(text: str) -> tuple[dict[str, object], str, str | None]:
    """(fields, rest, problem) of a Markdown file with YAML front matter.

    Only top-level scalars and lists of scalars are read, from the node graph (`yaml.compose`),
    never constructed: an alias bomb or a value YAML cannot build (`date: 2024-13-45`) cannot
    exhaust memory or raise. Values are kept as the text the file gives.
    """
    if not text.startswith("---\n"):
        return {}, text, None
    end = text.find("\n---", 4)
    if end < 0:
        return {}, text, "front matter has no closing '---'; read as text"
    block, rest = text[4:end], text[end + 4 :]
    rest = rest.split("\n", 1)[1] if "\n" in rest else ""
    if len(block) > FRONT_MATTER_MAX_CHARS:
        return {}, rest, "front matter is larger than 64 KB; ignored"
    simple = _simple_front_matter(block)
    if simple is not None:
        return simple, rest, None
    import yaml

    try:
        root = yaml.compose(block, Loader=yaml.SafeLoader)
    except Exception as error:  # any YAML the parser rejects, however it fails
        mark = getattr(error, "problem_mark", None)
        where = f" at line {mark.line + 2}" if mark is not None else ""
        return {}, rest, f"front matter is not valid YAML{where}; ignored"
    if root is None:
        return {}, rest, None
    if not isinstance(root, yaml.MappingNode):
        return {}, rest, "front matter is not a mapping; ignored"
    from tui.text_safety import without_surrogates as text_of  # YAML's "\ud800" escape is no text

    fields: dict[str, object] = {}
    for key_node, value_node in root.value:
        if not isinstance(key_node, yaml.ScalarNode):
            continue
        if isinstance(value_node, yaml.ScalarNode):
            fields[text_of(str(key_node.value)).lower()] = text_of(str(value_node.value))
        elif isinstance(value_node, yaml.SequenceNode):
            items = [
                text_of(str(item.value)) for item in value_node.value if isinstance(item, yaml.ScalarNode)
            ]
            fields[text_of(str(key_node.value)).lower()] = items
    return fields, rest, None


# The front matter most files have: one `key: value` a line, the value quoted or plain, on one line.
# Read here it costs microseconds; PyYAML's pure-Python scanner was nearly half of a cold load of
# 19,000 stories. Anything outside this subset (comments, lists, several lines, escapes other than
# \" and \\) goes to YAML, so the fields are exactly what `yaml.compose` gives; so does any character
# YAML refuses (controls, surrogates, U+FFFE/F) or reads as a line break (U+0085, U+2028/9), a tab or
# a byte-order mark.
_NOT_SIMPLE_FRONT_MATTER_CHARACTER = re.compile(
    "[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff\ufeff\ufffe\uffff]"
)


_SIMPLE_FRONT_MATTER_LINE = re.compile(
    r"(?P<key>[A-Za-z][A-Za-z0-9_-]*):"
    r"(?: +(?:\"(?P<double>(?:[^\"\\]|\\[\"\\])*)\""
    r"|'(?P<single>(?:[^']|'')*)'"
    r"|(?P<plain>[^ \-?:,\[\]{}#&*!|>'\"%@`](?:[^:#]|:(?! )|(?<! )#)*?)))? *"
)


_DOUBLE_QUOTED_ESCAPE = re.compile(r"\\([\"\\])")


def _simple_front_matter(block: str) -> dict[str, object] | None:
    """The fields of a front matter within the simple subset, or None to let YAML read it."""
    if _NOT_SIMPLE_FRONT_MATTER_CHARACTER.search(block):
        return None
    fields: dict[str, object] = {}
    for line in block.split("\n"):
        if not line.strip(" "):
            continue
        match = _SIMPLE_FRONT_MATTER_LINE.fullmatch(line)
        if match is None:
            return None
        double, single, plain = match.group("double", "single", "plain")
        if double is not None:
            value = _DOUBLE_QUOTED_ESCAPE.sub(r"\1", double)
        elif single is not None:
            value = single.replace("''", "'")
        elif plain is not None:
            if plain.endswith(":"):
                return None
            value = plain
        else:
            value = ""
        fields[match.group("key").lower()] = value
    return fields


# Bounded repeats: a hostile line of "**a **a …" or "[a[a …" must cost linear time, not quadratic.
MD_IMAGE = re.compile(r"!\[([^\]\n]{0,500})\]\([^)\s]{0,2000}\)")


_MD_LINK = re.compile(
    r"\[([^\[\]\n]{1,500})\]\((?:[^()\s]|\([^()\s]{0,200}\)){0,100}(?:\s+\"[^\"]{0,200}\")?\)"
)


_MD_EMPHASIS = re.compile(r"(\*\*|__)(?=\S)([^*_\n]{1,300}?)(?<=\S)\1")


MD_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+(.*?)\s*#*\s*$")


def markdown_to_text(line: str) -> str:
    line = MD_IMAGE.sub(lambda m: m.group(1), line)
    line = _MD_LINK.sub(lambda m: m.group(1), line)
    return _MD_EMPHASIS.sub(lambda m: m.group(2), line)


Mark = tuple[int, int, str]  # (start, end, kind) in a line, a paragraph or the body: "h1".."h6", "strong"


def markdown_line(line: str) -> tuple[str, list[Mark]]:
    """`markdown_to_text`, and where its bold passages (whose `**` it drops) stand in the result."""
    if "[" not in line and "**" not in line and "__" not in line:
        return line, []  # most lines: no image, link or bold for the patterns to find
    line = MD_IMAGE.sub(lambda m: m.group(1), line)
    line = _MD_LINK.sub(lambda m: m.group(1), line)
    marks: list[Mark] = []
    pieces: list[str] = []
    position = 0
    length = 0
    for match in _MD_EMPHASIS.finditer(line):
        before = line[position : match.start()]
        pieces.append(before)
        length += len(before)
        inner = match.group(2)
        marks.append((length, length + len(inner), "strong"))
        pieces.append(inner)
        length += len(inner)
        position = match.end()
    pieces.append(line[position:])
    return "".join(pieces), marks


# Lines of a Markdown block that are each a line of their own (list items, table rows, quote lines):
# joined by a newline, not a space, so the reader can show them as such (same length: no offset moves).
MD_STRUCTURED_LINE = re.compile(r"^(?:[-*+]\s|\d{1,3}[.)]\s|\||>)")


def as_text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, list | tuple):
        joined = ", ".join(str(v).strip() for v in value if str(v).strip())
        return joined or None
    text = str(value).strip()
    return text or None
