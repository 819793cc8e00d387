"""The loader's fast paths give exactly what the general code gives, and its cache stays right."""

from __future__ import annotations

import gc
import random
import sqlite3
from pathlib import Path
from typing import Any

import orjson
import pytest
import yaml

from tui.errors import TuiError
from tui.library.loader import load_library, load_listing
from tui.library.markdown_files import _simple_front_matter, read_front_matter
from tui.library.segmentation import _WORD, count_words


def fields_by_yaml(block: str) -> dict[str, Any] | None:
    """The fields as the YAML node graph gives them (what `read_front_matter` reads when not simple)."""
    try:
        root = yaml.compose(block, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return None
    if root is None:
        return {}
    if not isinstance(root, yaml.MappingNode):
        return None
    fields: dict[str, Any] = {}
    for key, value in root.value:
        if isinstance(key, yaml.ScalarNode) and isinstance(value, yaml.ScalarNode):
            fields[str(key.value).lower()] = str(value.value)
        elif isinstance(key, yaml.ScalarNode) and isinstance(value, yaml.SequenceNode):
            fields[str(key.value).lower()] = [
                str(i.value) for i in value.value if isinstance(i, yaml.ScalarNode)
            ]
    return fields


SIMPLE = [
    'title: "BAHIA COCOA REVIEW"\nsource: "Reuters"\ndate: "1987-02-26T15:01:01"',
    'title: "BAKER SAYS REAGAN TO MEET PRESS \\"VERY SOON\\""',
    'title: "a back\\\\slash"',
    "title: 'it''s here'",
    "Title: Plain words, a colon without a space:here and a#hash",
    "title: 2024-06-17\nauthor:\nsource: ''",
    'title:   "spaced"   \n\n  \ndate: 17 June 2024 ',
    "title: Über café — ünïcödé 北朝鮮",
    "a-b_c: x\na-b_c: y",
    "",
]

NOT_SIMPLE = [
    "title: one\n  continued on the next line",
    "title: x # a comment",
    "# a comment\ntitle: x",
    "tags:\n- a\n- b",
    "tags: [a, b]",
    'title: "a \\t tab escape"',
    'title: "an unclosed\n  quote"',
    "title: a: b",
    "title: ends with a colon:",
    "title:\tx",
    "title: a\u2028b",
    "title: a\x85b",
    "title: bad \x07 bell",
    "title: a\ufffeb",
    "title: \ufeffbom",
    "title: a\ud800b",
    "title: &anchor x\nother: *anchor",
    "title: - not a list",
    "? complex\n: key",
    '"quoted key": x',
    "title:no space",
]


@pytest.mark.parametrize("block", SIMPLE)
def test_simple_front_matter_is_read_without_yaml_and_as_yaml_reads_it(block: str) -> None:
    assert _simple_front_matter(block) is not None
    assert _simple_front_matter(block) == fields_by_yaml(block)
    fields, rest, problem = read_front_matter(f"---\n{block}\n---\nBody.\n")
    assert (fields, rest, problem) == (fields_by_yaml(block), "Body.\n", None)


@pytest.mark.parametrize("block", NOT_SIMPLE)
def test_other_front_matter_goes_to_yaml(block: str) -> None:
    assert _simple_front_matter(block) is None
    fields, _rest, _problem = read_front_matter(f"---\n{block}\n---\nBody.\n")
    assert fields == (fields_by_yaml(block) or {})


def test_simple_front_matter_agrees_with_yaml_on_random_lines() -> None:
    pieces = [
        "a",
        "B",
        " ",
        ":",
        "#",
        '"',
        "'",
        "\\",
        "-",
        "x",
        "é",
        "?",
        "[",
        "{",
        "%",
        "@",
        ",",
        ".",
        "0",
        "\t",
    ]
    rng = random.Random(9)
    accepted = 0
    for _ in range(20_000):
        lines = []
        for _ in range(rng.randint(1, 3)):
            value = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 8)))
            quote = rng.choice(['"', "'", "", ""])
            lines.append(
                f"{rng.choice(['title', 'Date', 'a-b'])}:{rng.choice([' ', '', '  '])}{quote}{value}{quote}"
            )
        block = "\n".join(lines)
        simple = _simple_front_matter(block)
        if simple is not None:
            accepted += 1
            assert simple == fields_by_yaml(block), block
    assert accepted > 1_000  # the fast path was exercised, not skipped


def test_count_words_fast_path_counts_as_the_pattern() -> None:
    rng = random.Random(3)
    alphabet = "ab_9 -'\n\t.,’é"
    for _ in range(50_000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 14)))
        assert count_words(text) == len(_WORD.findall(text)), text
    assert count_words("a well-known rock'n'roll band's 3-1/2 pct--rise") == 8


def _library_with_cache(tmp_path: Path, names: str) -> tuple[Path, Path]:
    library_dir, cache = tmp_path / "lib", tmp_path / "cache"
    library_dir.mkdir()
    for name in names:
        (library_dir / f"{name}.md").write_text(
            f'---\ntitle: "Title {name}"\nsource: Wire\n---\n\nBody of {name} here. It has two sentences.\n'
        )
    load_library(library_dir, cache)
    return library_dir, cache


def test_cached_records_with_wrong_field_types_are_parsed_again(tmp_path: Path) -> None:
    library_dir, cache = _library_with_cache(tmp_path, "abcdefgh")
    [cache_file] = cache.glob("library-*.sqlite3")
    connection = sqlite3.connect(cache_file, isolation_level=None)
    # Listing columns are typed (STRICT): the damage a column can hold is NULL or another text.
    for name, column, value in [
        ("a", "title", None),
        ("b", "published", "soon"),
        ("c", "words", None),
        ("f", "encoding", None),
        ("g", "hash", "not the text's hash"),
    ]:
        connection.execute(f"UPDATE files SET {column} = ? WHERE relative = ?", (value, f"{name}.md"))
    # The text's layout is JSON: any shape may be found there.
    layout_damage = {"d": ("captions", ["ok", 3]), "e": ("captions", "not a list"), "h": ("sentences", None)}
    for name, (field, damage) in layout_damage.items():
        [(text_hash,)] = connection.execute("SELECT hash FROM files WHERE relative = ?", (f"{name}.md",))
        [(layout,)] = connection.execute("SELECT layout FROM texts WHERE hash = ?", (text_hash,))
        changed = {**orjson.loads(layout), field: damage}
        connection.execute("UPDATE texts SET layout = ? WHERE hash = ?", (orjson.dumps(changed), text_hash))
    connection.close()
    library = load_library(library_dir, cache)
    for name in "abcdefgh":
        article = library.get(name)
        assert (article.title, article.source, article.author, article.subtitle) == (
            f"Title {name}",
            "Wire",
            None,
            None,
        )
        assert (
            article.captions == [] and article.encoding == "utf-8" and isinstance(article.content_hash, str)
        )
        assert article.text(article.sentences[0]) == f"Body of {name} here."


def test_warm_load_gives_the_articles_a_cold_load_gives(tmp_path: Path) -> None:
    library_dir, cache = _library_with_cache(tmp_path, "ab")
    (library_dir / "c.txt").write_text("Gamma\n\nOne. Two three.\n\nA second paragraph.\n")
    cold = load_library(library_dir, cache)
    warm = load_library(library_dir, cache)
    uncached = load_library(library_dir)
    for article in uncached:
        for other in (cold.get(article.id), warm.get(article.id)):
            assert (other.title, other.body, other.words, other.content_hash) == (
                article.title,
                article.body,
                article.words,
                article.content_hash,
            )
            assert list(other.paragraphs) == list(article.paragraphs)
            assert list(other.sentences) == list(article.sentences)


@pytest.mark.parametrize("enabled", [True, False])
def test_loading_leaves_the_cyclic_collector_as_it_found_it(tmp_path: Path, enabled: bool) -> None:
    (tmp_path / "a.txt").write_text("Alpha\n\nBody.\n")
    was = gc.isenabled()
    try:
        (gc.enable if enabled else gc.disable)()
        load_library(tmp_path)
        assert gc.isenabled() is enabled
        with pytest.raises(TuiError):
            load_library(tmp_path / "missing")
        assert gc.isenabled() is enabled
    finally:
        (gc.enable if was else gc.disable)()


def _mixed_library(folder: Path, stories: int) -> Path:
    """Stories, a file that is no article, a link the walk cannot follow, and a cp1252 file."""
    folder.mkdir()
    for number in range(stories):
        (folder / f"s{number:03d}.md").write_text(
            f'---\ntitle: "STORY {number}"\nsource: "Reuters"\n---\n\nShares rose {number} pct. Dealers said so.\n'
        )
    (folder / "a-empty.txt").write_bytes(b"")
    (folder / "b-dangling.txt").symlink_to(folder / "nowhere.txt")
    (folder / "c-latin.txt").write_bytes("Caf\xe9 news\n\nThe caf\xe9 cost \xa33.\n".encode("latin-1"))
    return folder


def _outline(library: Any) -> list[Any]:
    return [
        [(a.id, a.title, a.source, a.body, list(a.sentences), a.words, a.content_hash) for a in library],
        [(str(s.path), s.reason) for s in library.skipped],
        list(library.notices),
    ]


def test_skipped_files_keep_walk_order_whether_the_walk_or_the_parser_skips_them(tmp_path: Path) -> None:
    folder = _mixed_library(tmp_path / "lib", 2)
    library = load_library(folder)
    assert [(s.path.name, s.reason) for s in library.skipped] == [
        ("a-empty.txt", "empty file"),
        ("b-dangling.txt", "broken link or file vanished"),
    ]
    assert library.notices == [f"{folder / 'c-latin.txt'}: not valid UTF-8; read as cp1252"]
    cold, warm = load_library(folder, tmp_path / "cache"), load_library(folder, tmp_path / "cache")
    assert _outline(cold) == _outline(library) == _outline(warm)


def test_a_lone_surrogate_escaped_in_front_matter_is_read_as_a_replacement_character(tmp_path: Path) -> None:
    """YAML's `"\\ud800"` makes a string no file, database or output can hold: one such file broke
    the whole listing. It reads as U+FFFD, as undecodable bytes do."""
    text = '---\ntitle: "A \\ud800 title"\ntags: ["x\\udcff"]\n---\nBody text.\n'
    fields, rest, problem = read_front_matter(text)
    assert fields == {"title": "A \ufffd title", "tags": ["x\ufffd"]} and problem is None
    (tmp_path / "odd.md").write_text(text)
    listing = load_listing(tmp_path, cache_dir=tmp_path / "cache")
    assert [article.title for article in listing] == ["A \ufffd title"]
