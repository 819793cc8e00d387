"""The article library: metadata and furniture rules on the seeds, segmentation, bad input, cache."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from tui.errors import TuiError, UnknownArticleError, UsageError
from tui.library import files
from tui.library.articles import Article, Library, Span
from tui.library.dates import parse_date
from tui.library.loader import load_library
from tui.library.parsing import article_from_text, parse_article_text
from tui.library.segmentation import split_sentences
from tui.text_safety import printable

KST = timezone(timedelta(hours=9))
REPO = Path(__file__).resolve().parents[2]


def article_text(article: Article) -> str:
    """The article's own text: the body without the captions that follow it."""
    return article.body[: article.paragraphs[-1].end]


@pytest.fixture(scope="module")
def seeds() -> Library:
    return load_library(REPO / "articles")


def test_korea_herald_header(seeds: Library) -> None:
    article = seeds.get("000_097ad0791a11b944")
    assert article.title == "Seoul cautions Moscow on Putin's NK visit"
    assert article.source == "The Korea Herald"
    assert article.author == "Son Ji-hyoung"
    assert article.published == datetime(2024, 6, 17, 15, 43, tzinfo=KST)
    assert article.published.utcoffset() == timedelta(hours=9)


def test_korea_herald_furniture_and_caption(seeds: Library) -> None:
    article = seeds.get("000_097ad0791a11b944")
    assert "Link copied" not in article.body
    assert "(Reuters-Yonhap)" not in article_text(article)  # a caption, after the article's text
    assert len(article.captions) == 1
    assert article.captions[0].endswith("(Reuters-Yonhap)")
    assert article.body.startswith('Seoul has warned Moscow against "going beyond a certain point,"')
    assert article_text(article).endswith("The military intervention clause was not included.")
    assert len(article.paragraphs) == 12


def test_headerless_rewrite_gets_title_from_first_sentence(seeds: Library) -> None:
    article = seeds.get("002_3b2e89bd4e21a8c9")
    assert article.title == (
        "Seoul has issued a warning to Moscow, cautioning against exceeding certain limits, as…"
    )
    assert len(article.title) <= 91
    assert article.source is None and article.author is None and article.published is None
    # Its text is stored twice: both copies stay in the body (the repeat is the similarity engine's to find).
    assert len(article.paragraphs) == 2
    assert article.text(article.paragraphs[0]) == article.text(article.paragraphs[1])
    assert len(article.sentences) == 20


def test_hankyoreh_layout(seeds: Library) -> None:
    article = seeds.get("004_177cef035ac10641")
    assert article.title == (
        "As Putin visits Pyongyang, Seoul to host Chinese diplomatic, security officials for dialogue"
    )
    assert article.source == "The Hankyoreh"
    assert article.author == "Park Min-hee"  # ", senior staff writer" kept out of the name
    assert article.published == datetime(2024, 6, 14, 16, 54, tzinfo=KST)
    assert article.subtitle is not None and article.subtitle.startswith("An expected visit by Putin")
    # The caption printed twice is kept once, apart from the body.
    assert len(article.captions) == 1 and article.captions[0].endswith("(KCNA/Yonhap)")
    for furniture in (
        "Please direct questions",
        "button that move",
        "Related stories",
        "Most viewed",
        "By Park",
        "Posted on",
        "(KCNA/Yonhap)",
    ):
        assert furniture not in article_text(article)
    assert article_text(article).endswith("putting the situation in a precarious position,” he added.")


def test_sentences_are_trimmed_spans_inside_paragraphs(seeds: Library) -> None:
    for article in seeds:
        for sentence in article.sentences:
            text = article.text(sentence)
            assert text == text.strip() and text
            assert any(p.start <= sentence.start and sentence.end <= p.end for p in article.paragraphs)


def test_seed_004_sentences_do_not_split_at_abbreviations(seeds: Library) -> None:
    article = seeds.get("004_177cef035ac10641")
    texts = [article.text(s) for s in article.sentences]
    assert any("Kim Jong-un met for a summit nine months ago" in t for t in texts)
    assert any(
        t.startswith("“While maintaining a certain distance") and "said Shin Bong-sup" in t for t in texts
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("They met on Sept. 13, 2023. Then they left.", ["They met on Sept. 13, 2023.", "Then they left."]),
        ("The U.S. said so. Mr. Kim agreed.", ["The U.S. said so.", "Mr. Kim agreed."]),
        (
            "Kim Jong-un met Putin. Growth was 3.5 percent. It rose.",
            ["Kim Jong-un met Putin.", "Growth was 3.5 percent.", "It rose."],
        ),
        (
            '"We will not go beyond it," he said. Then he left.',
            ['"We will not go beyond it," he said.', "Then he left."],
        ),
        (
            "He arrived at 5 p.m. Monday. Talks began.",
            ["He arrived at 5 p.m. Monday.", "Talks began."],
        ),
        (
            "“Some countries tried fixed rates. I do not judge,” Mr Chidambaram said. He left.",
            ["“Some countries tried fixed rates. I do not judge,” Mr Chidambaram said.", "He left."],
        ),
    ],
)
def test_segmenter_hard_cases(text: str, expected: list[str]) -> None:
    assert [text[s.start : s.end] for s in split_sentences(text)] == expected


def test_article_helpers() -> None:
    article = article_from_text("First one. Second one.\n\nThird paragraph here.", "x")
    assert article.id == "x"
    assert [article.text(s) for s in article.sentences] == [
        "First one.",
        "Second one.",
        "Third paragraph here.",
    ]
    assert article.paragraph_index(article.sentences[2].start) == 1
    assert article.paragraph_index(0) == 0
    assert article.words == 7
    assert article.text(Span(0, 5)) == "First"


def test_markdown_front_matter() -> None:
    text = (
        "---\ntitle: A *Markdown* story\nsource: Example Times\nauthor: [Ann Lee, Bo Kim]\n"
        "date: 2024-06-01T09:30:00+02:00\n---\n# A different heading\n\nBody with a [link](http://x.y) and **bold** text.\n"
    )
    article = parse_article_text(text, "md", Path("md.md"), ".md")
    assert article.title == "A *Markdown* story"
    assert article.source == "Example Times"
    assert article.author == "Ann Lee, Bo Kim"
    assert article.published == datetime(2024, 6, 1, 9, 30, tzinfo=timezone(timedelta(hours=2)))
    assert article.body == "A different heading\n\nBody with a link and bold text."


def test_markdown_heading_becomes_title_and_bad_yaml_is_survived() -> None:
    text = "---\ntitle: [unclosed\n---\n# The Real Title\n\nSome body text that is long enough.\n"
    article = parse_article_text(text, "md", Path("md.md"), ".md")
    assert article.title == "The Real Title"
    assert article.body == "Some body text that is long enough."


def test_bbc_layout_headline_then_body(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text(
        "Ad sales boost Time Warner profit\n\nQuarterly profits jumped 76%.\n\nMore.\n"
    )
    article = load_library(tmp_path).get("a")
    assert article.title == "Ad sales boost Time Warner profit"
    assert article.source is None
    assert article.body == "Quarterly profits jumped 76%.\n\nMore."


def test_hard_wrapped_paragraphs_are_joined(tmp_path: Path) -> None:
    (tmp_path / "w.txt").write_text(
        "Headline\n\nThis paragraph is wrapped at\na narrow width by an editor\nand ends here.\n"
    )
    assert load_library(tmp_path).get("w").body == (
        "This paragraph is wrapped at a narrow width by an editor and ends here."
    )


def test_same_name_with_two_suffixes_gets_two_ids(tmp_path: Path) -> None:
    (tmp_path / "story.md").write_text("# Markdown one\n\nBody one.\n")
    (tmp_path / "story.txt").write_text("Text one\n\nBody two.\n")
    library = load_library(tmp_path)
    assert sorted(a.id for a in library) == ["story", "story.txt"]
    assert library.get("story").title == "Markdown one"


def test_unknown_id_and_missing_folder(tmp_path: Path, seeds: Library) -> None:
    with pytest.raises(UnknownArticleError):
        seeds.get("nope")
    with pytest.raises(UnknownArticleError):
        seeds.get("")
    assert seeds.get("002").id == "002_3b2e89bd4e21a8c9"  # a unique prefix is enough
    with pytest.raises(UsageError, match="ambiguous article id '00'"):
        seeds.get("00")
    with pytest.raises(TuiError, match="articles folder not found"):
        load_library(tmp_path / "missing")


def test_bad_inputs_are_skipped_each_once_and_the_rest_loads(tmp_path: Path) -> None:
    library_dir = tmp_path / "lib"
    library_dir.mkdir()
    (library_dir / "good.txt").write_text("Good headline\n\nA good body sentence.\n")
    (library_dir / "empty.txt").write_bytes(b"")
    (library_dir / "blank.txt").write_text("   \n\n  \n")
    (library_dir / "binary.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    (library_dir / "latin.txt").write_bytes("Caf\xe9 news\n\nThe caf\xe9 cost \xa33.\n".encode("latin-1"))
    with open(library_dir / "huge.txt", "wb") as handle:
        handle.truncate(50 * 1024 * 1024)  # a sparse 50 MB file: no time spent writing it
    (library_dir / "loop.txt").symlink_to(library_dir / "loop.txt")
    (library_dir / "dangling.txt").symlink_to(library_dir / "nowhere.txt")
    (library_dir / "sub").mkdir()
    (library_dir / "sub" / "up").symlink_to(library_dir)  # a folder link that loops
    (library_dir / "furniture.txt").write_text("Link copied\n\nRelated stories\n")
    (library_dir / "notes.json").write_text("{}")  # not an article format: ignored silently

    library = load_library(library_dir)
    assert [a.id for a in library] == ["good", "latin"]
    reasons = {p.path.name: p.reason for p in library.skipped}
    assert reasons["empty.txt"] == "empty file"
    assert reasons["blank.txt"] == "empty file"
    assert reasons["binary.txt"] == "binary file (not text)"
    assert reasons["huge.txt"].startswith("too large (52.4 MB")
    assert reasons["loop.txt"] == "symbolic link loop"
    assert reasons["dangling.txt"] == "broken link or file vanished"
    assert reasons["up"].startswith("symbolic link loop")
    assert reasons["furniture.txt"].startswith("no article text")
    assert len(library.skipped) == len(reasons)  # each once
    latin = library.get("latin")
    assert latin.encoding == "cp1252" and "£3" in latin.body and latin.title == "Café news"
    assert any("not valid UTF-8; read as cp1252" in n for n in library.notices)


def test_unreadable_file_is_skipped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "ok.txt").write_text("Title\n\nBody text.\n")
    (tmp_path / "secret.txt").write_text("Title\n\nBody text.\n")
    from tui.library import loader

    real_read_bytes = loader._read_bytes

    def read_bytes(path: str) -> bytes:
        if path.endswith("secret.txt"):  # tests may run as root, where chmod 000 does not stop a read
            raise PermissionError(13, "Permission denied", path)
        return real_read_bytes(path)

    monkeypatch.setattr(loader, "_read_bytes", read_bytes)
    library = load_library(tmp_path)
    assert [a.id for a in library] == ["ok"]
    assert [(s.path.name, s.reason) for s in library.skipped] == [("secret.txt", "permission denied")]


def test_cache_is_used_refreshed_and_survives_corruption(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import tui.library.loader as articles

    library_dir = tmp_path / "lib"
    library_dir.mkdir()
    (library_dir / "a.txt").write_text("Alpha\n\nFirst body.\n")
    (library_dir / "b.txt").write_text("Beta\n\nSecond body.\n")
    cache = tmp_path / "cache"
    assert len(load_library(library_dir, cache)) == 2
    [cache_file] = cache.glob("library-*.sqlite3")

    parsed: list[str] = []
    real_read = files.read_article

    def counted_read(path: Path, article_id: str, data: bytes | None = None) -> Article:
        parsed.append(article_id)
        return real_read(path, article_id, data)

    monkeypatch.setattr(articles, "read_article", counted_read)
    assert [a.title for a in load_library(library_dir, cache)] == ["Alpha", "Beta"]
    assert parsed == []  # warm: nothing parsed again

    (library_dir / "b.txt").write_text("Beta two\n\nChanged body.\n")
    os.utime(library_dir / "a.txt")  # touched, same bytes: read and hashed, not parsed
    (library_dir / "c.txt").write_text("Gamma\n\nThird body.\n")
    library = load_library(library_dir, cache)
    assert [a.title for a in library] == ["Alpha", "Beta two", "Gamma"]
    assert sorted(parsed) == ["b", "c"]

    for part in cache.glob("library-*"):
        part.unlink()
    cache_file.write_bytes(b"{not json")
    parsed.clear()
    assert len(load_library(library_dir, cache)) == 3  # a corrupt cache is ignored and rebuilt
    assert sorted(parsed) == ["a", "b", "c"]
    parsed.clear()
    (library_dir / "a.txt").unlink()
    assert [a.id for a in load_library(library_dir, cache)] == ["b", "c"]
    assert parsed == []


def test_printable_neutralises_terminal_escapes() -> None:
    assert printable("a\x1b[31mred\x1b]8;;http://x\x07b") == "a\\x1b[31mred\\x1b]8;;http://x\\x07b"
    assert printable("[bold]kept[/]") == "[bold]kept[/]"


def test_core_modules_do_not_import_textual() -> None:
    """Every module outside the shell's folder loads without Textual or Rich (the CLI's start-up)."""
    # Every module of the core: all of tui/ but the shell's folder, tui/app/.
    core = sorted(
        ".".join(path.relative_to(REPO).with_suffix("").parts).removesuffix(".__init__")
        for path in (REPO / "tui").rglob("*.py")
        if path.relative_to(REPO / "tui").parts[0] != "app" and path.name != "__main__.py"
    )
    assert {
        "tui.library.articles",
        "tui.similarity",
        "tui.annotations.store",
        "tui.export",
        "tui.cli",
        "tui.paths",
    } <= set(core)
    code = (
        "import sys, importlib\n"
        f"for name in {core!r}:\n"
        "    importlib.import_module(name)\n"
        "bad = [m for m in ('textual', 'rich') if m in sys.modules]\n"
        "assert not bad, bad\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=REPO)


@pytest.mark.parametrize(
    "front",
    [
        "date: 2024-13-45",  # YAML reads a date it cannot build
        "date: true",
        "date: 2024",
        "title: [unclosed",
        "- just\n- a list",
        "a: &x [1, 2]\nb: &y [*x, *x, *x, *x, *x, *x, *x, *x, *x]\nc: &z [*y, *y, *y, *y, *y, *y, *y, *y, *y]\n"
        "title: &t [*z, *z, *z, *z, *z, *z, *z, *z, *z]",  # an alias bomb: never expanded
    ],
)
def test_front_matter_that_yaml_cannot_build_never_stops_the_library(tmp_path: Path, front: str) -> None:
    (tmp_path / "a.md").write_text(f"---\n{front}\n---\nBody one. Two.\n")
    (tmp_path / "b.txt").write_text("Other\n\nAnother body.\n")
    library = load_library(tmp_path)
    assert [a.id for a in library] == ["a", "b"]
    assert library.get("a").body == "Body one. Two."
    assert library.get("a").published is None


def test_damaged_cache_entries_are_parsed_again(tmp_path: Path) -> None:
    import orjson

    library_dir, cache = tmp_path / "lib", tmp_path / "cache"
    library_dir.mkdir()
    for name in ("a", "b", "c", "d", "e"):
        (library_dir / f"{name}.txt").write_text(f"Title {name}\n\nBody of {name}. It has two sentences.\n")
    load_library(library_dir, cache)
    import sqlite3

    [cache_file] = cache.glob("library-*.sqlite3")
    connection = sqlite3.connect(cache_file, isolation_level=None)

    def change_layout(name: str, field: str, value: object) -> None:
        [(text_hash,)] = connection.execute("SELECT hash FROM files WHERE relative = ?", (f"{name}.txt",))
        [(layout,)] = connection.execute("SELECT layout FROM texts WHERE hash = ?", (text_hash,))
        changed = {**orjson.loads(layout), field: value}
        connection.execute("UPDATE texts SET layout = ? WHERE hash = ?", (orjson.dumps(changed), text_hash))

    connection.execute("UPDATE files SET skip = 'x' WHERE relative = 'a.txt'")  # mtime no longer fresh
    connection.execute("UPDATE files SET mtime = 0 WHERE relative = 'a.txt'")
    connection.execute("UPDATE files SET title = NULL WHERE relative = 'b.txt'")
    change_layout("c", "sentences", 5)
    change_layout("d", "paragraphs", [0, 10**9])
    [(e_hash,)] = connection.execute("SELECT hash FROM files WHERE relative = 'e.txt'")
    connection.execute("UPDATE texts SET layout = x'5b5d' WHERE hash = ?", (e_hash,))
    connection.close()
    library = load_library(library_dir, cache)
    assert [a.title for a in library] == ["Title a", "Title b", "Title c", "Title d", "Title e"]
    assert all(library.get(n).text(library.get(n).sentences[0]).startswith("Body of") for n in "abcde")


def test_cjk_paragraph_is_body_not_headline(tmp_path: Path) -> None:
    (tmp_path / "cjk.txt").write_text(
        "北朝鮮とロシアは軍事協力を強化している。プーチン大統領は平壌を訪問した。\n\n😀 Emoji paragraph here.\n"
    )
    article = load_library(tmp_path).get("cjk")
    assert "プーチン大統領" in article.body
    assert len(article.paragraphs) == 2


def test_a_one_line_note_is_its_own_body(tmp_path: Path) -> None:
    (tmp_path / "c.txt").write_text("The café was full of people. The owner said so.\n")
    article = load_library(tmp_path).get("c")
    assert article.body == "The café was full of people. The owner said so."
    assert len(article.sentences) == 2


def test_hostile_markdown_lines_load_in_linear_time(tmp_path: Path) -> None:
    import time

    (tmp_path / "em.md").write_text("# T\n\n" + "**a " * 25000 + "\n\n" + "[a" * 25000 + "\n")
    started = time.process_time()
    article = load_library(tmp_path).get("em")
    # Quadratic patterns took 40+ s on this input; linear ones take a fraction of a second.
    assert time.process_time() - started < 10
    assert article.title == "T"


def test_printable_neutralises_bidi_controls() -> None:
    assert printable("abc\u202edcba\u2066x\u2069") == "abc\\u202edcba\\u2066x\\u2069"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("June 17, 2024 - 15:43", datetime(2024, 6, 17, 15, 43, tzinfo=UTC)),
        ("Jun. 17, 2024", datetime(2024, 6, 17, tzinfo=UTC)),
        ("2024-06-14 16:54 KST", datetime(2024, 6, 14, 16, 54, tzinfo=KST)),
        ("2024-06-01T09:30:00+02:00", datetime(2024, 6, 1, 9, 30, tzinfo=timezone(timedelta(hours=2)))),
        ("not a date", None),
    ],
)
def test_parse_date_formats(text: str, expected: datetime | None) -> None:
    assert parse_date(text) == expected


def test_a_long_headline_above_a_byline_is_still_the_headline(tmp_path: Path) -> None:
    long_title = " ".join(["Seoul cautions Moscow on Putin's NK visit"] * 5)
    text = (REPO / "articles" / "000_097ad0791a11b944.txt").read_text()
    text = text.replace("Seoul cautions Moscow on Putin's NK visit", long_title, 1)
    (tmp_path / "long.txt").write_text(text)
    article = load_library(tmp_path).get("long")
    assert article.title == long_title
    assert article.author == "Son Ji-hyoung" and article.published is not None
    assert article.body.startswith("Seoul has warned Moscow")


def test_dataset_readme_license_and_the_like_are_skipped_and_said_so(tmp_path: Path) -> None:
    body = "A headline\n\nA sentence long enough to be the body of an article.\n"
    names = [
        "README.md",
        "README.TXT",
        "readme.markdown",
        "LICENSE.txt",
        "Licence.md",
        "CHANGELOG.md",
        "COPYING.txt",
        "NOTICE.md",
        "AUTHORS.text",
        "CONTRIBUTING.md",
    ]
    for name in names:
        (tmp_path / name).write_text(body)
    (tmp_path / "readme-and-weep.txt").write_text(body)  # a story, not a README: kept
    library = load_library(tmp_path)
    assert [article.id for article in library] == ["readme-and-weep"]
    assert sorted(skipped.path.name for skipped in library.skipped) == sorted(names)
    assert all("not an article" in skipped.reason for skipped in library.skipped)


def test_backups_folder_is_ignored_by_git() -> None:
    result = subprocess.run(
        ["git", "check-ignore", "--no-index", "-q", "annotations.backups/annotations-1.json"],
        cwd=REPO,
        capture_output=True,
        timeout=30,
    )
    assert result.returncode == 0, "annotations.backups/ is not in .gitignore"


# Every character that must never reach a terminal or a Markdown file as itself: C0 but tab and
# newline, DEL, C1, the bidi marks, embeddings, overrides and isolates, and the invisible ones.
HOSTILE = (
    [chr(c) for c in range(0x00, 0x20) if c not in (0x09, 0x0A)]
    + [chr(c) for c in range(0x7F, 0xA0)]
    + ["\u061c", "\u200e", "\u200f", *map(chr, range(0x202A, 0x202F)), *map(chr, range(0x2066, 0x206A))]
    + ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u180e", *map(chr, range(0x2061, 0x2065))]
)


@pytest.mark.parametrize("character", HOSTILE, ids=lambda c: f"U+{ord(c):04X}")
def test_printable_shows_every_hostile_character_and_obeys_none(character: str) -> None:
    shown = printable(f"a{character}b")
    assert character not in shown and shown.startswith("a\\") and shown.endswith("b")
    assert shown.isprintable()


def test_printable_is_one_line_unless_asked_for_lines() -> None:
    # A file name or title with a newline must not forge a second line of `tui list` or a message.
    assert printable("evil\nfake: line\tx") == "evil\\nfake: line\\tx"
    assert printable("two\nlines\tkept", multiline=True) == "two\nlines\tkept"
    assert printable("a\u202eb\nc", multiline=True) == "a\\u202eb\nc"


def test_zero_width_characters_stay_in_the_body_offsets(tmp_path: Path) -> None:
    (tmp_path / "zw.txt").write_text("A headline\n\nSeo\u200bul said the talks\u200d would resume.\n")
    article = load_library(tmp_path).get("zw")
    assert article.body == "Seo\u200bul said the talks\u200d would resume."


def test_the_app_shows_zero_width_characters_one_for_one() -> None:
    from tui.app.widgets.safe_text import sanitize

    text = "Seo\u200bul\u2060 talks\ufeff"
    shown = sanitize(text)
    assert len(shown) == len(text)  # offsets into the body stay offsets into the screen text
    assert all(c not in shown for c in "\u200b\u2060\ufeff") and shown.startswith("Seo\ufffdul")


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be", "utf-16-le", "utf-32"])
def test_utf16_and_utf32_with_a_bom_are_read_not_skipped_as_binary(tmp_path: Path, encoding: str) -> None:
    text = "Séoul headline\n\nA body sentence with ünïcode — and more.\n"
    bom = {"utf-16-be": "\ufeff", "utf-16-le": "\ufeff"}.get(encoding, "")
    (tmp_path / "wide.txt").write_bytes((bom + text).encode(encoding))
    library = load_library(tmp_path)
    assert library.skipped == [] and library.notices == []  # the mark says the encoding: no guess
    article = library.get("wide")
    assert article.title == "Séoul headline"
    assert article.body == "A body sentence with ünïcode — and more."


DOUBLED_BODY = (
    "The ministry said the talks would resume in Geneva next week. "
    "Officials from both sides confirmed the date on Tuesday."
)


def test_a_body_paragraph_printed_twice_is_a_repeat_not_a_caption(tmp_path: Path) -> None:
    (tmp_path / "twice.txt").write_text(
        f"A headline here\n\nFirst paragraph of the story is here.\n\n{DOUBLED_BODY}\n{DOUBLED_BODY}\n\nThe end.\n"
    )
    article = load_library(tmp_path).get("twice")
    assert article.captions == []
    assert article.body.count(DOUBLED_BODY) == 2


@pytest.mark.parametrize(
    "layout",
    [
        "[Photo]\n{c}\n{c}",  # next to a photo marker
        "{c} (Yonhap)\n{c} (Yonhap)",  # credited
        "{short}\n{short}",  # short, and no sentence: a label under a picture
    ],
)
def test_a_caption_printed_twice_is_kept_once_as_a_caption(tmp_path: Path, layout: str) -> None:
    caption = "Officials meet in Geneva on Tuesday to set the date of the talks."
    short = "Geneva talks, Tuesday"
    doubled = layout.format(c=caption, short=short)
    (tmp_path / "cap.txt").write_text(
        f"A headline here\n\nFirst paragraph of the story is here.\n\n{doubled}\n\nThe end.\n"
    )
    article = load_library(tmp_path).get("cap")
    assert len(article.captions) == 1 and short not in article_text(article)
    assert caption not in article_text(article) and article.body.count(article.captions[0]) == 1


def test_a_markdown_image_and_its_caption_are_one_caption(tmp_path: Path) -> None:
    caption = "Officials meet in Geneva on Tuesday to set the date of the talks."
    (tmp_path / "img.md").write_text(
        f"# Headline\n\nFirst paragraph.\n\n![{caption}](photo.jpg)\n\n{caption}\n\nThe end.\n"
    )
    article = load_library(tmp_path).get("img")
    assert article.captions == [caption] and caption not in article_text(article)
    assert article.body.count(caption) == 1


def test_captions_are_text_in_the_body_coordinates_after_the_article(seeds: Library) -> None:
    article = seeds.get("004")
    (caption,) = article.caption_spans
    assert article.text(caption) == article.captions[0]
    assert "Russia’s Far East on Sept. 13" in article.text(caption)
    # After every paragraph, so no offset of the article's own text moved; not a body sentence.
    assert caption.start > article.paragraphs[-1].end
    assert all(span.end <= article.paragraphs[-1].end for span in article.sentences)
    assert article.caption_index(caption.start + 3) == 0 and article.caption_index(0) is None
    from tui.library.segmentation import count_words

    assert article.words == count_words(article.body[: article.paragraphs[-1].end])  # captions not counted


def test_caption_spans_survive_the_cache(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    cold = load_library(REPO / "articles", cache).get("000")
    warm = load_library(REPO / "articles", cache).get("000")
    assert list(warm.caption_spans) == list(cold.caption_spans) and len(cold.caption_spans) == 1
    assert warm.text(warm.caption_spans[0]).endswith("(Reuters-Yonhap)")


def test_markdown_lines_with_and_without_markup_read_as_the_patterns_read_them() -> None:
    from tui.library.markdown_files import markdown_line, markdown_to_text

    plain = ["Shares rose 5 pct.", "a * b _c_ d # e ! f ( g )", "  indented_name and 3*4 ", ""]
    marked = ["**Bold** start", "a __b__ c", "see [the report](http://x.y/z) now", "![alt text](pic.png)"]
    for line in plain:
        assert markdown_line(line) == (line, [])
    for line in marked:
        text, marks = markdown_line(line)
        assert text == markdown_to_text(line) != line
    assert markdown_line("a **b** c") == ("a b c", [(2, 3, "strong")])
