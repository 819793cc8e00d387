"""Markdown and JSON-LD export: safe names, escaping, safe re-export, round trips."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable
from datetime import timedelta
from pathlib import Path
from typing import Any

import orjson
import pytest
import yaml

from tui.annotations import COLORS, DEFAULT_COLOR, Annotation, AnnotationStore, StoreError
from tui.errors import UsageError
from tui.export.markdown import MARKER, ORPHANS_HEADING, block_id, escape_markdown, safe_filename
from tui.export.notes import export_markdown
from tui.export.web_annotation import export_jsonld, export_jsonld_file, read_jsonld
from tui.library.articles import Article, Library
from tui.library.parsing import article_from_text

BODY = (
    "Seoul has warned Moscow against going beyond a certain point.\n\n"
    "Officials said the talks would resume. Nobody denied it.\n\n"
    "A third paragraph closes the article."
)


def make_article(article_id: str = "a1", title: str = "Seoul warns Moscow", body: str = BODY) -> Article:
    return article_from_text(body, article_id, title=title)


def highlight(
    store: AnnotationStore,
    article: Article,
    quote: str,
    *,
    note: str = "",
    color: str = DEFAULT_COLOR,
    tags: Iterable[str] = (),
) -> Annotation:
    start = article.body.index(quote)
    return store.add(article, start, start + len(quote), note=note, color=color, tags=tags)


@pytest.fixture
def store(tmp_path: Path) -> AnnotationStore:
    return AnnotationStore(tmp_path / "annotations.json")


@pytest.mark.parametrize(
    "title",
    [
        "../../etc/passwd",
        "..",
        "/abs/path",
        "a\\b\\c",
        "CON",
        "nul.txt",
        ".hidden",
        "tab\there\nnew\x00line",
        "",
    ],
)
def test_safe_filename_never_escapes_or_hides(title: str, tmp_path: Path) -> None:
    name = safe_filename(title)
    assert name and "/" not in name and "\\" not in name and ".." not in name
    assert not name.startswith(".") and not any(ord(c) < 32 for c in name)
    assert name.upper() not in {"CON", "NUL.TXT"}
    assert (tmp_path / f"{name}.md").resolve().parent == tmp_path.resolve()


def test_safe_filename_is_bounded_and_keeps_plain_titles() -> None:
    assert (
        safe_filename("Seoul cautions Moscow on Putin's NK visit")
        == "Seoul cautions Moscow on Putin's NK visit"
    )
    assert len(safe_filename("x" * 500)) == 120
    assert len(safe_filename("한" * 200, max_len=200).encode()) <= 240
    assert safe_filename('What? "Yes": a|b*c <d>') == "What Yes a b c d"


def test_escape_markdown_leaves_nothing_for_markdown_to_read() -> None:
    text = "#tag *bold* _it_ [[link]] ==hl== $x$ %%c%% a::b `code` <b> &amp; ~~s~~ ^id"
    escaped = escape_markdown(text)
    # Every character Markdown, Obsidian or Logseq would act on stands behind a backslash.
    assert not re.search(r"(?<!\\)[#*_\[\]=$%`<>~^&]", escaped), escaped
    assert "::" not in escaped
    # Every escape is a backslash before the same character: the text reads the same when rendered.
    assert re.sub(r"\\(.)", r"\1", escaped) == text
    assert escape_markdown("- not a list\n1. not a list\n+ no") == "\\- not a list\n1\\. not a list\n\\+ no"


def test_export_writes_one_file_per_article_with_front_matter(tmp_path: Path, store: AnnotationStore) -> None:
    article = make_article()
    library = Library(tmp_path, [article])
    second = highlight(store, article, "Nobody denied it.", color="red", tags=["doubt"])
    first = highlight(store, article, "warned Moscow", note="A *Markdown* note\n\n- with a list")
    (path,) = export_markdown(library, store, None, tmp_path / "notes")
    assert path == tmp_path / "notes" / "Seoul warns Moscow.md"
    text = path.read_text(encoding="utf-8")
    assert text.startswith("---\ntitle: Seoul warns Moscow\n")
    front = yaml.safe_load(text.split("---\n")[1])
    assert (front["article_id"], front["tags"], front["highlights"]) == ("a1", ["doubt"], 2)
    assert {"exported", "path"} <= front.keys()
    assert text.index(f"^{block_id(first)}") < text.index(f"^{block_id(second)}")  # text order
    assert "> warned Moscow" in text and "A *Markdown* note\n\n- with a list" in text
    assert f"red — {COLORS['red']} · ¶ 2" in text and "#doubt" in text
    assert text.rstrip().endswith(MARKER)


def test_reexport_updates_the_managed_part_and_keeps_the_users(
    tmp_path: Path, store: AnnotationStore
) -> None:
    article = make_article()
    library = Library(tmp_path, [article])
    kept = highlight(store, article, "warned Moscow", note="first thought")
    dropped = highlight(store, article, "third paragraph")
    (path,) = export_markdown(library, store, None, tmp_path / "notes")
    text = path.read_text(encoding="utf-8")
    text = text.replace("---\ntitle:", "---\nstatus: read\ntitle:", 1)  # a property the user added
    path.write_text(text + "My own notes, with ^h-00000000 and a > quote.\n", encoding="utf-8")
    users_part = path.read_text(encoding="utf-8").split(MARKER)[1]

    store.update(kept.id, note="second thought")
    store.delete(dropped.id)
    added = highlight(store, article, "talks would resume")
    (again,) = export_markdown(library, store, None, tmp_path / "notes")
    assert again == path
    text = path.read_text(encoding="utf-8")
    assert text.split(MARKER)[1] == users_part and "My own notes" in users_part
    assert "status: read" in text
    assert "second thought" in text and "first thought" not in text
    assert f"^{block_id(dropped)}" not in text
    managed = text.split(MARKER)[0]
    for annotation in (kept, added):
        assert managed.count(f"^{block_id(annotation)}") == 1


def test_orphans_go_under_their_own_heading(tmp_path: Path, store: AnnotationStore) -> None:
    article = make_article()
    gone = highlight(store, article, "Nobody denied it.", note="keep this note")
    stays = highlight(store, article, "warned Moscow")
    export_markdown(Library(tmp_path, [article]), store, None, tmp_path / "notes")
    changed = dataclasses.replace(article, body=BODY.replace(" Nobody denied it.", ""), content_hash="new")
    (path,) = export_markdown(Library(tmp_path, [changed]), store, None, tmp_path / "notes")
    text = path.read_text(encoding="utf-8")
    heading = text.index(f"## {ORPHANS_HEADING}")
    assert text.index(f"^{block_id(stays)}") < heading < text.index(f"^{block_id(gone)}")
    assert text.count(f"^{block_id(gone)}") == 1 and "keep this note" in text


def test_an_edited_quote_shows_its_text_now_and_as_highlighted(
    tmp_path: Path, store: AnnotationStore
) -> None:
    article = make_article()
    made = highlight(store, article, "talks would resume")
    changed = dataclasses.replace(
        article, body=BODY.replace("would resume", "will resume"), content_hash="new"
    )
    (path,) = export_markdown(Library(tmp_path, [changed]), store, None, tmp_path / "notes")
    text = path.read_text(encoding="utf-8")
    assert f"> talks will resume\n\n^{block_id(made)}\n\n*Highlighted as:* talks would resume" in text
    assert "¶ 2 (moved)" in text


def test_notes_of_an_article_no_longer_in_the_library_are_exported(
    tmp_path: Path, store: AnnotationStore
) -> None:
    article = make_article()
    made = highlight(store, article, "warned Moscow")
    (path,) = export_markdown(Library(tmp_path, []), store, None, tmp_path / "notes")
    assert path.name == "a1.md" and f"^{block_id(made)}" in path.read_text(encoding="utf-8")


def test_same_titles_get_distinct_files_that_stay_theirs(tmp_path: Path, store: AnnotationStore) -> None:
    one, two = make_article("a1", "Same"), make_article("b2", "Same")
    library = Library(tmp_path, [one, two])
    highlight(store, one, "warned Moscow")
    highlight(store, two, "Nobody denied it.")
    first = export_markdown(library, store, None, tmp_path / "notes")
    assert len(set(first)) == 2
    renamed = Library(tmp_path, [dataclasses.replace(one, title="Renamed"), two])
    assert export_markdown(renamed, store, None, tmp_path / "notes") == first


def test_a_path_trick_title_stays_in_the_folder(tmp_path: Path, store: AnnotationStore) -> None:
    article = make_article(title="../../outside/evil")
    highlight(store, article, "warned Moscow")
    (path,) = export_markdown(Library(tmp_path, [article]), store, None, tmp_path / "notes")
    assert path.parent == tmp_path / "notes" and not (tmp_path / "outside").exists()


def test_a_file_not_written_by_tui_is_never_overwritten(tmp_path: Path, store: AnnotationStore) -> None:
    article = make_article()
    highlight(store, article, "warned Moscow")
    folder = tmp_path / "notes"
    folder.mkdir()
    mine = folder / "Seoul warns Moscow.md"
    mine.write_text("my own file\n", encoding="utf-8")
    (path,) = export_markdown(Library(tmp_path, [article]), store, None, folder)
    assert path != mine and mine.read_text(encoding="utf-8") == "my own file\n"
    with pytest.raises(UsageError):
        export_markdown(Library(tmp_path, [article]), store, None, mine)


def test_one_document_export_and_its_reexport(tmp_path: Path, store: AnnotationStore) -> None:
    one, two = make_article("a1", "First"), make_article("b2", "Second")
    highlight(store, one, "warned Moscow")
    highlight(store, two, "talks would resume")
    target = tmp_path / "all.md"
    export_markdown(Library(tmp_path, [one, two]), store, None, target)
    target.write_text(target.read_text(encoding="utf-8") + "mine\n", encoding="utf-8")
    export_markdown(Library(tmp_path, [one, two]), store, None, target)
    text = target.read_text(encoding="utf-8")
    assert text.index("## First") < text.index("## Second") and text.endswith(f"{MARKER}\n\nmine\n")


def test_a_note_holding_the_marker_does_not_cut_the_file(tmp_path: Path, store: AnnotationStore) -> None:
    article = make_article()
    highlight(store, article, "warned Moscow", note=f"sneaky\n{MARKER}\nafter")
    (path,) = export_markdown(Library(tmp_path, [article]), store, None, tmp_path / "notes")
    path.write_text(path.read_text(encoding="utf-8") + "user\n", encoding="utf-8")
    export_markdown(Library(tmp_path, [article]), store, None, tmp_path / "notes")
    assert path.read_text(encoding="utf-8").count(MARKER) == 1


def test_jsonld_round_trip_and_newer_wins(tmp_path: Path, store: AnnotationStore) -> None:
    article = make_article()
    made = highlight(store, article, "warned Moscow", note="n", color="blue", tags=["x", "y"])
    plain = highlight(store, article, "third paragraph")
    data = export_jsonld(store)
    assert data["type"] == "AnnotationCollection" and data["total"] == 2
    item = data["first"]["items"][0]
    assert item["id"] == f"urn:uuid:{made.id}" and item["target"]["styleClass"] == "blue"
    file = tmp_path / "out.jsonld"
    file.write_bytes(orjson.dumps(data))
    fresh = AnnotationStore(tmp_path / "other.json")
    assert fresh.merge(read_jsonld(file)).added == 2
    assert fresh.get(made.id) == made and fresh.get(plain.id) == plain
    assert fresh.merge(read_jsonld(file)).unchanged == 2

    newer = dataclasses.replace(made, note="edited elsewhere", updated=made.updated + timedelta(minutes=1))
    file.write_bytes(orjson.dumps({"@context": data["@context"], **_single(newer)}))
    assert fresh.merge(read_jsonld(file)).updated == 1
    assert fresh.get(made.id).note == "edited elsewhere"


def _single(annotation: Annotation) -> dict[str, Any]:
    from tui.export.web_annotation import to_web_annotation

    return to_web_annotation(annotation)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"not json", "not JSON"),
        (b"[]", "no W3C Web Annotations"),
        (b'[{"type": "Annotation", "id": "urn:uuid:12345678-aaaa"}]', "no target"),
        (b'{"type": "Annotation", "id": "bad id!", "target": {}}', "not a urn:uuid"),
    ],
)
def test_bad_import_files_are_one_line_usage_errors(tmp_path: Path, content: bytes, message: str) -> None:
    file = tmp_path / "in.jsonld"
    file.write_bytes(content)
    with pytest.raises(UsageError, match=message):
        read_jsonld(file)


def test_terminal_escapes_in_article_text_never_reach_the_markdown(
    tmp_path: Path, store: AnnotationStore
) -> None:
    body = "It also has \x1b[2J\x1b[H a clear and \x1b]0;PWNED\x07 a title.\n\nSecond paragraph."
    article = make_article("evil", title="Hostile \x1b[31mred\x1b[0m title", body=body)
    highlight(store, article, article.text(article.sentences[0]), note="pasted \x1b[1m too")
    [path] = export_markdown(Library(tmp_path, [article]), store, None, tmp_path / "notes")
    text = path.read_text()
    assert not re.search(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]", text), repr(text)
    assert "\\x1b" in text and "PWNED" in text  # shown, not obeyed


def test_a_damaged_store_never_overwrites_an_earlier_export(tmp_path: Path, store: AnnotationStore) -> None:
    article = make_article()
    library = Library(tmp_path, [article])
    highlight(store, article, "Nobody denied it.", note="note one")
    [path] = export_markdown(library, store, None, tmp_path / "notes")
    before = path.read_bytes()
    db = tmp_path / "annotations.json"
    db.write_bytes(db.read_bytes()[:40])  # cut short
    damaged = AnnotationStore(db, read_only=True)
    assert damaged.problem is not None
    with pytest.raises(StoreError, match="not exporting"):
        export_markdown(library, damaged, None, tmp_path / "notes")
    with pytest.raises(StoreError, match="not exporting"):
        export_jsonld(damaged)
    assert path.read_bytes() == before


def test_a_long_title_is_cut_at_once_not_a_character_at_a_time() -> None:
    import time

    began = time.process_time()
    assert len(safe_filename("x" * 200_000, max_len=200_000).encode()) == 240
    assert len(safe_filename("한" * 200_000, max_len=200_000).encode()) <= 240
    assert len(safe_filename("🙂" * 200_000, max_len=200_000).encode()) > 230
    assert time.process_time() - began < 2  # a character at a time took minutes


def test_json_export_never_overwrites_a_file_it_did_not_write(tmp_path: Path, store: AnnotationStore) -> None:
    highlight(store, make_article(), "warned Moscow")
    mine = tmp_path / "mine.md"
    mine.write_text("mine\n", encoding="utf-8")
    with pytest.raises(UsageError, match="not written by tui"):
        export_jsonld_file(store, None, mine)
    assert mine.read_text(encoding="utf-8") == "mine\n"
    other_json = tmp_path / "other.jsonld"
    other_json.write_text('{"type": "AnnotationCollection", "first": {"items": []}}', encoding="utf-8")
    with pytest.raises(UsageError):
        export_jsonld_file(store, None, other_json)
    ours = tmp_path / "ours.jsonld"
    export_jsonld_file(store, None, ours)
    highlight(store, make_article(), "third paragraph")
    assert export_jsonld_file(store, None, ours) == ours  # our own export is re-exported into
    assert len(read_jsonld(ours)) == 2


def _import(tmp_path: Path, data: object) -> list[Annotation]:
    file = tmp_path / "in.jsonld"
    file.write_bytes(orjson.dumps(data))
    return read_jsonld(file)


def test_an_out_of_range_date_is_a_usage_error_naming_the_annotation(
    tmp_path: Path, store: AnnotationStore
) -> None:
    item = _single(highlight(store, make_article(), "warned Moscow"))
    item["created"] = "0001-01-01T00:00:00+05:00"
    with pytest.raises(UsageError, match=item["id"].removeprefix("urn:uuid:")):
        _import(tmp_path, item)


def test_deeply_nested_import_is_not_a_recursion_error(tmp_path: Path, store: AnnotationStore) -> None:
    item = _single(highlight(store, make_article(), "warned Moscow"))
    file = tmp_path / "in.jsonld"
    # orjson reads up to 1,024 levels; Python's recursion limit is 1,000.
    file.write_bytes(b"[" * 1_020 + orjson.dumps(item) + b"]" * 1_020)
    assert [annotation.exact for annotation in read_jsonld(file)] == ["warned Moscow"]


def test_nested_pages_keep_their_order(tmp_path: Path, store: AnnotationStore) -> None:
    article = make_article()
    first = _single(highlight(store, article, "warned Moscow"))
    second = _single(highlight(store, article, "third paragraph"))
    third = _single(highlight(store, article, "Nobody denied it."))
    data = {
        "type": "AnnotationCollection",
        "first": {
            "type": "AnnotationPage",
            "items": [first, [second]],
            "next": {"type": "AnnotationPage", "items": [third]},
        },
    }
    assert [a.exact for a in _import(tmp_path, data)] == [
        "warned Moscow",
        "third paragraph",
        "Nobody denied it.",
    ]


def test_a_null_prefix_is_no_context_not_the_text_none(tmp_path: Path, store: AnnotationStore) -> None:
    item = _single(highlight(store, make_article(), "warned Moscow"))
    item["target"]["selector"][0]["prefix"] = None
    item["target"]["selector"][0]["suffix"] = None  # a number is rejected (see the import checks)
    (imported,) = _import(tmp_path, item)
    assert (imported.prefix, imported.suffix) == ("", "")


def test_imported_quotes_are_nfc(tmp_path: Path, store: AnnotationStore) -> None:
    import unicodedata

    article = make_article(body="Le café de Séoul ferme.\n\nUn autre paragraphe.")
    item = _single(highlight(store, article, "café de Séoul"))
    selector = item["target"]["selector"][0]
    for name in ("exact", "prefix", "suffix"):
        selector[name] = unicodedata.normalize("NFD", selector[name])
    selector["prefix"] = unicodedata.normalize("NFD", "Le é ")
    (imported,) = _import(tmp_path, item)
    assert imported.exact == "café de Séoul" and imported.prefix == "Le é "


def test_a_notes_file_saved_with_crlf_is_still_recognised(tmp_path: Path, store: AnnotationStore) -> None:
    article = make_article()
    library = Library(tmp_path, [article])
    made = highlight(store, article, "warned Moscow")
    (path,) = export_markdown(library, store, None, tmp_path / "notes")
    path.write_bytes((path.read_text(encoding="utf-8") + "mine\nmore\n").replace("\n", "\r\n").encode())
    (again,) = export_markdown(library, store, None, tmp_path / "notes")
    assert again == path and sorted((tmp_path / "notes").iterdir()) == [path]
    raw = path.read_bytes()
    assert raw.count(f"^{block_id(made)}".encode()) == 1
    assert raw.endswith(b"\r\nmine\r\nmore\r\n")  # the user's part, byte for byte


HOSTILE_NAME = "x\x1b]0;PWNED\x07y\u202egpj.exe\u200b\n" + MARKER + "\n## forged"


def _raw_hostile(text: str) -> list[str]:
    from tui.text_safety import UNSAFE_CHARACTERS

    return sorted({f"U+{ord(c):04X}" for c in text if ord(c) in UNSAFE_CHARACTERS})


def test_every_hostile_character_is_escaped_in_markdown() -> None:
    from test_articles import HOSTILE

    escaped = escape_markdown("".join(f"a{c}b" for c in HOSTILE))
    assert _raw_hostile(escaped) == []


@pytest.mark.parametrize("to_stdout", [False, True])
def test_one_document_export_writes_ids_titles_and_paths_inert(
    tmp_path: Path, store: AnnotationStore, to_stdout: bool
) -> None:
    from tui.export.notes import markdown_text

    article = make_article(HOSTILE_NAME, title="Title \x1b[2J" + HOSTILE_NAME)
    article.path = tmp_path / f"{HOSTILE_NAME}.txt"
    highlight(store, article, "warned Moscow", note="n")
    library = Library(tmp_path, [article])
    target = tmp_path / "all.md"

    def export() -> str:
        if to_stdout:
            return markdown_text(library, store, None)
        export_markdown(library, store, None, target)
        return target.read_text(encoding="utf-8")

    first = export()
    assert _raw_hostile(first) == []
    assert first.count(MARKER) == 1 and "\n## forged" not in first
    if not to_stdout:  # a re-export finds its own end marker: nothing is duplicated
        second = export()
        assert second.count(MARKER) == 1
        assert second.count("warned Moscow") == first.count("warned Moscow") == 1


def test_per_article_export_front_matter_keeps_hostile_ids_exact_and_inert(
    tmp_path: Path, store: AnnotationStore
) -> None:
    article = make_article(HOSTILE_NAME, title="\u202eevil title")
    highlight(store, article, "warned Moscow")
    library = Library(tmp_path, [article])
    (path,) = export_markdown(library, store, None, tmp_path / "notes")
    text = path.read_text(encoding="utf-8")
    assert _raw_hostile(text) == [] and text.count(MARKER) == 1
    assert yaml.safe_load(text.split("---\n")[1])["article_id"] == HOSTILE_NAME
    (again,) = export_markdown(library, store, None, tmp_path / "notes")
    assert again == path and len(list((tmp_path / "notes").iterdir())) == 1


@pytest.mark.parametrize(
    "format_character", ["\u202e", "\u2066", "\u200b", "\u200d", "\u2060", "\ufeff", "\u00ad"]
)
def test_file_names_lose_bidi_and_invisible_format_characters(format_character: str) -> None:
    name = safe_filename(f"Invoice {format_character}gpj.exe")
    assert name == "Invoice gpj.exe"


def test_a_long_cjk_title_exports_and_so_do_the_articles_after_it(
    tmp_path: Path, store: AnnotationStore
) -> None:
    long_title = make_article("a1", title="한국어 제목" * 40)  # 600 bytes of UTF-8
    after = make_article("b2", title="After it")
    for article in (long_title, after):
        highlight(store, article, "warned Moscow")
    written = export_markdown(Library(tmp_path, [long_title, after]), store, None, tmp_path / "notes")
    assert len(written) == 2
    assert all(len(path.name.encode()) <= 255 for path in written)
    # Re-export into the same files, and a third same-titled name with a counter, all fit too.
    assert export_markdown(Library(tmp_path, [long_title, after]), store, None, tmp_path / "notes") == written


def test_one_failing_article_is_reported_and_the_rest_exported(
    tmp_path: Path, store: AnnotationStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    import errno

    import tui.durable
    import tui.export.notes
    from tui.export.notes import PartialExportError

    first, broken, last = (
        make_article("a1", "First"),
        make_article("b2", "Broken"),
        make_article("c3", "Last"),
    )
    for article in (first, broken, last):
        highlight(store, article, "warned Moscow")
    real_write = tui.durable.write_atomically

    def write(
        path: Path, chunks: Iterable[bytes], *, free_later: bool = False, overwrite: bool = True
    ) -> None:
        if path.name == "Broken.md":
            raise OSError(errno.ENOSPC, "No space left on device", str(path))
        real_write(path, chunks, free_later=free_later, overwrite=overwrite)

    monkeypatch.setattr(tui.export.notes, "write_atomically", write)
    with pytest.raises(PartialExportError) as raised:
        export_markdown(Library(tmp_path, [first, broken, last]), store, None, tmp_path / "notes")
    assert [path.name for path in raised.value.written] == ["First.md", "Last.md"]
    assert [article_id for article_id, _ in raised.value.failed] == ["b2"]
    assert (
        "b2" in str(raised.value)
        and "No space left" in str(raised.value)
        and "2 written" in str(raised.value)
    )
    assert sorted(p.name for p in (tmp_path / "notes").iterdir()) == ["First.md", "Last.md"]


def test_a_front_matter_longer_than_4_kb_is_still_found_on_reexport(
    tmp_path: Path, store: AnnotationStore
) -> None:
    article = make_article("a1", title="A very long title " * 400)  # 7 KB of front matter title
    highlight(store, article, "warned Moscow")
    library = Library(tmp_path, [article])
    (first,) = export_markdown(library, store, None, tmp_path / "notes")
    for _ in range(2):
        assert export_markdown(library, store, None, tmp_path / "notes") == [first]
    assert list((tmp_path / "notes").iterdir()) == [first]


def _annotation_json(**changes: object) -> dict[str, object]:
    item: dict[str, object] = {
        "type": "Annotation",
        "id": "urn:uuid:12345678-1234-4234-8234-123456789abc",
        "created": "2024-06-17T10:00:00Z",
        "modified": "2024-06-17T10:00:00Z",
        "body": [{"type": "TextualBody", "value": "a note", "purpose": "commenting"}],
        "target": {
            "source": "urn:tui:article:a1",
            "styleClass": "green",
            "selector": [
                {
                    "type": "TextQuoteSelector",
                    "exact": "warned Moscow",
                    "prefix": "Seoul has ",
                    "suffix": " against",
                },
                {"type": "TextPositionSelector", "start": 10, "end": 23},
            ],
        },
    }
    for path, value in changes.items():
        *parents, last = path.split("__")
        node: Any = item
        for part in parents:
            node = node[int(part)] if part.isdigit() else node[part]
        node[int(last) if last.isdigit() else last] = value
    return item


@pytest.mark.parametrize(
    ("change", "named"),
    [
        ({"target__styleClass": ["red"]}, "styleClass"),
        ({"target__styleClass": 3}, "styleClass"),
        ({"target__selector__1__start": -1}, "start"),
        ({"target__selector__1__start": 1.5}, "start"),
        ({"target__selector__1__start": True}, "start"),
        ({"target__selector__1__end": "23"}, "end"),
        ({"target__selector__1__start": 30}, "end"),  # end before start
        ({"target__selector__0__prefix": 7}, "prefix"),
        ({"target__selector__0__suffix": ["x"]}, "suffix"),
        ({"target__source": 12}, "source"),
        ({"target__tui:articleHash": 5}, "articleHash"),
        ({"body__0__value": 5}, "body"),
        ({"body": [{"type": "TextualBody", "value": ["t"], "purpose": "tagging"}]}, "body"),
        ({"body": ["just a string"]}, "body"),
        ({"created": 20240617}, "created"),
    ],
)
def test_import_rejects_every_bad_field_naming_the_item_and_imports_nothing(
    tmp_path: Path, store: AnnotationStore, change: dict[str, object], named: str
) -> None:
    good = _annotation_json()
    good["id"] = "urn:uuid:aaaaaaaa-1234-4234-8234-123456789abc"
    file = tmp_path / "in.jsonld"
    file.write_bytes(orjson.dumps([good, _annotation_json(**change)]))
    with pytest.raises(UsageError) as raised:
        read_jsonld(file)
    message = str(raised.value)
    assert "item 2" in message and named in message and "nothing imported" in message
    assert "\n" not in message


def test_a_sound_annotation_imports_with_its_fields(tmp_path: Path) -> None:
    file = tmp_path / "in.jsonld"
    file.write_bytes(orjson.dumps(_annotation_json()))
    (annotation,) = read_jsonld(file)
    assert (annotation.start, annotation.end, annotation.color) == (10, 23, "green")
    assert (annotation.prefix, annotation.suffix, annotation.note) == ("Seoul has ", " against", "a note")


def _published_article() -> Article:
    from datetime import datetime, timezone

    kst = timezone(timedelta(hours=9))
    return dataclasses.replace(make_article(), published=datetime(2024, 6, 17, 15, 43, tzinfo=kst))


def test_obsidian_reads_published_as_a_date_time_property(tmp_path: Path, store: AnnotationStore) -> None:
    from datetime import datetime

    article = _published_article()
    highlight(store, article, "warned Moscow")
    (path,) = export_markdown(Library(tmp_path, [article]), store, None, tmp_path / "notes")
    text = path.read_text(encoding="utf-8")
    # Obsidian's Date & time property: YYYY-MM-DDTHH:mm:ss, unquoted (a quoted value is Text).
    assert "\npublished: 2024-06-17T15:43:00\n" in text
    assert yaml.safe_load(text.split("---\n")[1])["published"] == datetime(2024, 6, 17, 15, 43)
    assert article.published is not None
    day = dataclasses.replace(article, published=article.published.replace(hour=0, minute=0), day_only=True)
    (path,) = export_markdown(Library(tmp_path, [day]), store, None, tmp_path / "notes")
    assert "\npublished: 2024-06-17\n" in path.read_text(encoding="utf-8")  # a Date
    midnight = dataclasses.replace(day, day_only=False)  # a time the source gave: kept, midnight or not
    (path,) = export_markdown(Library(tmp_path, [midnight]), store, None, tmp_path / "notes")
    assert "\npublished: 2024-06-17T00:00:00\n" in path.read_text(encoding="utf-8")


MLDOC_VERSION = "1.6.0"
MLDOC_SCRIPT = """
const { Mldoc } = require('mldoc');
const config = JSON.stringify({toc: false, parse_outline_only: false, heading_number: false,
  keep_line_break: false, format: "Markdown", heading_to_list: false, exporting_keep_properties: true,
  inline_type_with_pos: false, inline_skip_macro: false, export_md_remove_options: [], hiccup_in_block: true});
console.log(Mldoc.parseJson(require('fs').readFileSync(0, 'utf8'), config));
"""


def _mldoc_parse(text: str) -> list[Any]:
    """Logseq's own Markdown parser (mldoc, from npm), installed outside the repository by `.ci/run`.

    Tests never reach a registry themselves: without node or the installed parser this test is skipped.
    """
    import json
    import os
    import shutil
    import subprocess
    import tempfile

    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed: Logseq's parser cannot run")
    default = Path(tempfile.gettempdir()) / f"tui-test-mldoc-{MLDOC_VERSION}"
    folder = Path(os.environ.get("TUI_TEST_MLDOC", default))
    if not (folder / "node_modules" / "mldoc").is_dir():
        pytest.skip(f"mldoc is not installed: npm install --prefix {folder} mldoc@{MLDOC_VERSION}")
    script = folder / "parse.js"
    script.write_text(MLDOC_SCRIPT)
    done = subprocess.run(
        [node, str(script)], input=text, capture_output=True, text=True, check=True, cwd=folder, timeout=60
    )
    parsed: list[Any] = json.loads(done.stdout)
    return parsed


def test_logseq_flavor_is_an_outline_whose_blocks_carry_id_properties(
    tmp_path: Path, store: AnnotationStore
) -> None:
    article = _published_article()
    first = highlight(store, article, "warned Moscow", note="A note\nid:: not-a-property")
    second = highlight(store, article, "Nobody denied it.", tags=["doubt"])
    library = Library(tmp_path, [article])
    (path,) = export_markdown(library, store, None, tmp_path / "notes", flavor="logseq")
    text = path.read_text(encoding="utf-8")
    assert "^h-" not in text
    parsed = _mldoc_parse(text)
    kinds = [element[0][0] for element in parsed]
    directives = {element[0][1]: element[0][2] for element in parsed if element[0][0] == "Directive"}
    assert directives.get("published") == "2024-06-17T15:43:00", (directives, text[:400])
    assert directives["article_id"] == "a1"
    ids = [
        value
        for element in parsed
        if element[0][0] == "Property_Drawer"
        for key, value, _ in element[0][1]
        if key == "id"
    ]
    assert ids == [first.id, second.id]  # one per highlight, and the note's `id::` stayed text
    for drawer_at in (i for i, kind in enumerate(kinds) if kind == "Property_Drawer"):
        # The properties belong to a list block (a Heading in mldoc) holding the quoted passage.
        assert kinds[drawer_at - 2 : drawer_at] == ["Heading", "Quote"]
    # Re-export keeps what the user wrote below the marker, in this flavor too.
    path.write_text(text + "- my own block\n", encoding="utf-8")
    export_markdown(library, store, None, tmp_path / "notes", flavor="logseq")
    again = path.read_text(encoding="utf-8")
    assert again.count(MARKER) == 1 and again.endswith("- my own block\n")
