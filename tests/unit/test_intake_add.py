"""Adding to the library: extraction, the Markdown written, and duplicates at the door."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from intake_web import (  # noqa: F401  (the fixtures)
    LocalWeb,
    article_html,
    article_keys,
    local_web_fixture,
    no_pause_fixture,
    real_page,
    truth,
)

from tui.intake.extract import ExtractError, extract_page
from tui.intake.intake import Intake, normalise_url
from tui.intake.library_writer import ArticleRecord, write_new_article
from tui.library.loader import load_library

# The pause between requests to one host is tested in test_intake_politeness.py.
pytestmark = pytest.mark.usefixtures("no_pause")


def body_of(key: str) -> str:
    return truth()[key]["articleBody"]


@pytest.fixture
def intake(tmp_path: Path) -> Intake:
    return Intake(articles_dir=tmp_path / "articles", cache_dir=tmp_path / "cache")


def test_real_page_extracts_text_and_metadata() -> None:
    key = "06e5123e4ef7" + next(k for k in truth() if k.startswith("06e5123e4ef7"))[12:]
    page = extract_page(real_page(key), "https://venturebeat.com/x")
    assert page.title == "New York State Attorney General investigating WeWork and former CEO"
    assert page.source == "VentureBeat"
    assert page.date == "2019-11-18"
    assert page.canonical_url is not None and page.canonical_url.startswith(
        "https://venturebeat.com/2019/11/18/"
    )
    assert page.language == "en-US"
    assert "investigating WeWork" in page.text
    assert not page.markdown.startswith("#")  # no title line in the body


def test_headings_lists_and_quotes_are_kept() -> None:
    paragraph = "The council met on Tuesday to discuss the new budget for the coming year in detail. "
    page = extract_page(
        f"""<html><head><title>Budget day</title></head><body><article><h1>Budget day</h1>
        <p>{paragraph * 3}</p><h2>What changes</h2><ul><li>Parks get more money this year</li>
        <li>Roads get less money this year</li></ul><blockquote><p>We did our best, said the mayor.</p>
        </blockquote><p>{paragraph * 2}</p></article></body></html>"""
    )
    assert page.title == "Budget day"
    assert "## What changes" in page.markdown
    assert "- Parks get more money this year" in page.markdown
    assert "> We did our best, said the mayor." in page.markdown
    assert "Budget day" not in page.markdown


def test_page_without_article_text_is_refused() -> None:
    with pytest.raises(ExtractError, match="empty.html: no article text found"):
        extract_page("<html><body><nav><a href='/'>Home</a></nav></body></html>", name="empty.html")


def test_written_file_loads_with_its_metadata(tmp_path: Path) -> None:
    record = ArticleRecord(
        title='Tax: "a" / b',
        body="First paragraph here.\n\n## Part\n\nSecond paragraph.",
        source="Local Times",
        author="Ann Writer",
        date="2024-06-17T09:30:00+00:00",
        url="https://n.example/a",
        tags=["x", "yes"],
    )
    path = write_new_article(tmp_path, record)
    again = write_new_article(tmp_path, record)
    assert path.name == "Local Times - Tax a b.md" and again.name == "Local Times - Tax a b 2.md"
    article = load_library(tmp_path).get(path.stem)
    assert (article.title, article.source, article.author) == ('Tax: "a" / b', "Local Times", "Ann Writer")
    assert article.published is not None and article.published.isoformat() == "2024-06-17T09:30:00+00:00"
    assert article.body.startswith("First paragraph here.")
    assert "tags:\n- x\n- 'yes'\n" in path.read_text()  # 'yes' stays a string, not a YAML boolean
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temporary left


def test_never_overwrites_a_file(tmp_path: Path) -> None:
    (tmp_path / "Only title.txt").write_text("mine")
    path = write_new_article(tmp_path, ArticleRecord(title="Only title", body="Text of it."))
    assert path.name == "Only title 2.md"
    assert (tmp_path / "Only title.txt").read_text() == "mine"


def test_url_keys() -> None:
    assert normalise_url("HTTPS://News.Example:443/a/?utm_source=x&id=3#top") == "https://news.example/a?id=3"
    assert normalise_url("http://news.example:8080/") == "http://news.example:8080/"


def test_add_then_duplicate_by_url_and_by_text(local_web: LocalWeb, intake: Intake, tmp_path: Path) -> None:
    key = article_keys(1)[0]
    html = article_html("Markets rally", body_of(key))
    first = local_web.route("/markets", html)
    mirror = local_web.route("/mirror/markets?utm_source=feed", html)
    [added] = intake.add_sources([first])
    assert added.status == "added" and added.title == "Markets rally"
    assert added.path is not None and Path(added.path).parent == tmp_path / "articles"
    again = Intake(articles_dir=tmp_path / "articles", cache_dir=tmp_path / "cache")  # a later run
    dup_url, dup_text = again.add_sources([first, mirror])
    assert (dup_url.status, dup_url.duplicate_of) == ("duplicate", added.id)
    assert (dup_text.status, dup_text.duplicate_of) == ("duplicate", added.id)
    assert dup_url.line() == f"{first}: already in the library as {added.id}"
    forced = Intake(articles_dir=tmp_path / "articles", force=True).add_sources([first])[0]
    assert forced.status == "update" or forced.status == "added"
    assert len(list((tmp_path / "articles").glob("*.md"))) == 2


def test_changed_page_at_a_known_url_is_an_update(local_web: LocalWeb, intake: Intake) -> None:
    key = article_keys(1)[0]
    url = local_web.route("/story", article_html("Vote count", body_of(key)))
    [first] = intake.add_sources([url])
    changed = body_of(key).replace("\n", "\nA correction was added to this paragraph later on.\n", 1)
    local_web.route("/story", article_html("Vote count", changed))
    [second] = intake.add_sources([url])
    assert (second.status, second.duplicate_of) == ("update", first.id)
    assert second.id != first.id
    assert second.line().startswith(f"update: {second.id}")


def test_canonical_url_catches_a_copy_at_another_link(local_web: LocalWeb, intake: Intake) -> None:
    key = article_keys(1)[0]
    canonical = local_web.url("/canonical/story")
    a = local_web.route("/amp/story", article_html("One story", body_of(key), canonical=canonical))
    [first] = intake.add_sources([a])
    edited = body_of(key) + "\nAn editor's note was appended at the end of the story."
    b = local_web.route("/print/story", article_html("One story", edited, canonical=canonical))
    [second] = intake.add_sources([b])
    assert (second.status, second.duplicate_of) == ("update", first.id)


def test_rewrite_of_an_article_is_added_with_its_kind(intake: Intake, tmp_path: Path) -> None:
    seeds = Path(__file__).resolve().parents[2] / "articles"
    original = next(seeds.glob("000_*"))
    rewrite = next(seeds.glob("002_*"))
    [first] = intake.add_sources([str(original)])
    [second] = intake.add_sources([str(rewrite)])
    assert first.status == "added" and second.status == "added"
    assert second.kind in ("near-duplicate", "rewrite", "update", "partial")
    assert second.duplicate_of == first.id


def test_stdin_page_and_text_files(intake: Intake, tmp_path: Path) -> None:
    key = article_keys(2)[1]
    stdin = io.BytesIO(article_html("From a pipe", body_of(key)))
    [piped] = intake.add_sources(["-"], stdin=stdin)
    assert piped.status == "added" and piped.title == "From a pipe"
    note = tmp_path / "note.txt"
    note.write_text(
        "A short headline\n\nBy Jo Doe\n\n" + "Plain text article about rivers and their floods. " * 8
    )
    [text] = intake.add_sources([str(note)], stdin=None)
    assert text.status == "added" and text.title == "A short headline"
    article = load_library(tmp_path / "articles").get(str(text.id))
    assert article.author == "Jo Doe"


def test_failures_name_their_input_and_write_nothing(
    local_web: LocalWeb, intake: Intake, tmp_path: Path
) -> None:
    pdf = local_web.route("/report.pdf", b"%PDF-1.7 binary", content_type="application/pdf")
    image = local_web.route("/photo", b"\x89PNG....", content_type="image/png")
    empty = local_web.route("/empty", "<html><body><nav>Home</nav></body></html>")
    missing = local_web.route("/gone", "gone", status=404)
    outcomes = intake.add_sources([pdf, image, empty, missing, str(tmp_path / "nope.html"), "notes.docx"])
    assert [o.status for o in outcomes] == ["failed"] * 6
    errors = [o.error or "" for o in outcomes]
    assert errors[0] == f"{pdf}: a PDF; PDFs are not supported yet"
    assert errors[1] == f"{image}: not an HTML page (content type image/png)"
    assert errors[2] == f"{empty}: no article text found"
    assert errors[3] == f"{missing}: HTTP 404 Not Found"
    assert errors[4].endswith("nope.html: no such file")
    assert errors[5] == "notes.docx: no such file, and not an http(s) link"
    assert not (tmp_path / "articles").exists() or not list((tmp_path / "articles").iterdir())


def test_wrongly_typed_and_gzip_pages_are_read(local_web: LocalWeb, intake: Intake) -> None:
    first, second = article_keys(3)[1:3]
    typed = local_web.route(
        "/typed", article_html("Typed wrong", body_of(first)), content_type="application/octet-stream"
    )
    zipped = local_web.route("/zipped", article_html("Zipped", body_of(second)), gzip=True)
    outcomes = intake.add_sources([typed, zipped])
    assert [(o.status, o.title) for o in outcomes] == [("added", "Typed wrong"), ("added", "Zipped")]


def test_intake_is_pure_core_and_stays_off_the_start_path() -> None:
    import subprocess
    import sys

    code = (
        "import sys, tui.cli\n"
        "late = [m for m in ('trafilatura', 'feedparser', 'lxml', 'protego') if m in sys.modules]\n"
        "import tui.intake.intake, tui.intake.feeds, tui.intake.fetch, tui.intake.extract, tui.intake.library_writer\n"
        "bad = [m for m in ('textual', 'rich') if m in sys.modules]\n"
        "print(late, bad)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[] []"


def test_markdown_file_keeps_its_markdown_and_url(intake: Intake, tmp_path: Path) -> None:
    source = tmp_path / "clip.md"
    source.write_text(
        "---\ntitle: Floods recede\nsource: River Post\nurl: https://river.example/floods\n---\n"
        "# Floods recede\n\nWater levels fell overnight across the valley, officials said on Sunday.\n\n"
        "## What next\n\n- Roads reopen on Monday\n- Schools reopen on Tuesday\n"
    )
    [added] = intake.add_sources([str(source)])
    text = Path(str(added.path)).read_text()
    assert "## What next\n\n- Roads reopen on Monday" in text
    assert "# Floods recede" not in text and "url: https://river.example/floods" in text
    [again] = Intake(articles_dir=tmp_path / "articles").add_sources([str(source)])
    assert (again.status, again.duplicate_of) == ("duplicate", added.id)


def test_hosts_take_turns() -> None:
    from tui.intake.fetch import by_turns

    urls = ["http://a/1", "http://a/2", "http://a/3", "http://b/1", "http://c/1", "http://b/2"]
    assert by_turns(urls, lambda url: url.split("/")[2]) == [
        "http://a/1", "http://b/1", "http://c/1", "http://a/2", "http://b/2", "http://a/3",
    ]  # fmt: skip


def test_store_writer_refuses_an_existing_name(tmp_path: Path) -> None:
    from tui.durable import write_atomically

    target = tmp_path / "taken.md"
    target.write_text("mine")
    with pytest.raises(FileExistsError):
        write_atomically(target, [b"theirs"], overwrite=False)
    assert target.read_text() == "mine"
    assert [p.name for p in tmp_path.iterdir()] == ["taken.md"]  # no temporary left behind
    write_atomically(tmp_path / "free.md", [b"new"], overwrite=False)
    assert (tmp_path / "free.md").read_bytes() == b"new"


def test_pages_are_extracted_one_at_a_time(monkeypatch: pytest.MonkeyPatch) -> None:
    """trafilatura's lxml parsers are shared module state: two extractions at once crashed the process
    ("double free or corruption"), so pages fetched together are extracted in turn."""
    import threading
    import time
    from concurrent.futures import ThreadPoolExecutor

    import tui.intake.extract as extract

    running = 0
    most = 0
    guard = threading.Lock()

    def slow_extract(html: bytes | str, url: str | None, label: str, rule: object = None) -> str:
        nonlocal running, most
        with guard:
            running += 1
            most = max(most, running)
        time.sleep(0.02)
        with guard:
            running -= 1
        return label

    monkeypatch.setattr(extract, "_extract", slow_extract)
    with ThreadPoolExecutor(4) as pool:
        labels: list[object] = list(
            pool.map(lambda n: extract.extract_page(b"<html></html>", name=str(n)), range(8))
        )
    assert labels == [str(n) for n in range(8)]
    assert most == 1


def written_tags(path: str | None) -> list[str]:
    from tui.library.markdown_files import read_front_matter

    fields, _rest, problem = read_front_matter(Path(str(path)).read_text())
    assert problem is None
    tags = fields.get("tags", [])
    assert isinstance(tags, list)
    return tags


CLIP_BODY = "Water levels fell overnight across the valley, officials said on Sunday, and roads reopen.\n"


@pytest.mark.parametrize(
    ("front", "expected"),
    [
        ("tags: [climate, 'Sea Level', '#oceans', climate]", ["climate", "Sea-Level", "oceans"]),
        ("tags:\n- rivers\n- nested/tag\n- [not, a, scalar]", ["rivers", "nested/tag"]),
        ("tags: floods, 'weather' storms", ["floods", "weather", "storms"]),  # a line: commas or spaces
        ("Tag: single", ["single"]),
        ("tags: ['!!!', '\u202eevil\u200b', '  ']", ["evil"]),  # what the tag rule leaves, or nothing
        ("tags: 2024-06-17", ["2024-06-17"]),  # text as the file gives it, never a YAML date
        ("tags:", []),
    ],
)
def test_markdown_source_keeps_its_own_tags(tmp_path: Path, front: str, expected: list[str]) -> None:
    source = tmp_path / "clip.md"
    source.write_text(f"---\ntitle: Floods recede\n{front}\n---\n{CLIP_BODY}")
    [added] = Intake(articles_dir=tmp_path / "articles").add_sources([str(source)])
    assert added.status == "added", added.error
    assert written_tags(added.path) == expected


def test_own_tags_merge_with_given_tags(tmp_path: Path) -> None:
    source = tmp_path / "clip.md"
    source.write_text(f"---\ntitle: Floods recede\ntags: [climate, rivers]\n---\n{CLIP_BODY}")
    intake = Intake(articles_dir=tmp_path / "articles", tags=["rivers", "to read", "#later"])
    [added] = intake.add_sources([str(source)])
    assert written_tags(added.path) == ["climate", "rivers", "to-read", "later"]
    text_file = tmp_path / "plain.txt"  # a text file has no front matter: only the given tags
    text_file.write_text("Dry spell\n\n" + CLIP_BODY.replace("Water", "Rain"))
    [plain] = intake.add_sources([str(text_file)])
    assert written_tags(plain.path) == ["rivers", "to-read", "later"]


def test_too_many_or_too_long_own_tags_are_bounded(tmp_path: Path) -> None:
    many = ", ".join(f"t{i}" for i in range(80)) + ", " + "x" * 101
    source = tmp_path / "clip.md"
    source.write_text(f"---\ntitle: Floods recede\ntags: {many}\n---\n{CLIP_BODY}")
    [added] = Intake(articles_dir=tmp_path / "articles").add_sources([str(source)])
    assert written_tags(added.path) == [f"t{i}" for i in range(50)]


def test_an_unusable_given_tag_is_a_usage_error(tmp_path: Path) -> None:
    from tui.errors import UsageError

    with pytest.raises(UsageError, match="not a usable tag: '!!!'"):
        Intake(articles_dir=tmp_path / "articles", tags=["!!!"])


@pytest.mark.parametrize(
    ("path", "content_type"),
    [("/notes/clip", "text/markdown; charset=utf-8"), ("/raw/clip.md", "text/plain; charset=utf-8")],
)
def test_markdown_served_from_a_link_keeps_its_tags(
    local_web: LocalWeb, tmp_path: Path, path: str, content_type: str
) -> None:
    url = local_web.route(
        path,
        f"---\ntitle: Floods recede\ntags: [climate]\n---\n# Floods recede\n\n{CLIP_BODY}\n## Next\n\n- Roads\n",
        content_type=content_type,
    )
    [added] = Intake(articles_dir=tmp_path / "articles", tags=["web"]).add_sources([url])
    assert (added.status, added.title) == ("added", "Floods recede")
    assert written_tags(added.path) == ["climate", "web"]
    text = Path(str(added.path)).read_text()
    assert "## Next\n\n- Roads" in text and "# Floods recede" not in text and f"url: {url}" in text
