"""Adding articles to the library, with duplicates caught at the door.

Sources are read into pages by `tui.intake.pages`; the feeds are fetched by `tui.intake.feed_intake`,
through this door.

Work that waits on the network runs a few at a time (one at a time per host); deciding whether an
article is new and writing it happen one after another, in input order, so two inputs in one run
see each other. Two processes (a `tui add` and the app's fetch, two cron fetches) see each other
too: deciding and writing happen under one lock on the articles folder, and a writer that takes
the lock first reads what the others wrote since it last looked.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import sys
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from tui.errors import TuiError
from tui.intake.extract import (
    Page,
    canonical_for,
    extract_page,
    web_url,
)
from tui.intake.fetch import Fetcher
from tui.intake.library_writer import ArticleRecord, markdown_document, write_new_article
from tui.intake.pages import (
    MAX_FILE_BYTES,
    TEXT_SUFFIXES,
    IntakeError,
    decode_page,
    merged_tags,
    page_from_response,
    read_file,
)
from tui.text_safety import without_controls

CANDIDATES = 3  # articles aligned with a newcomer, chosen by shared words first
MIN_OVERLAP = 0.12  # shared-word Jaccard below which two articles are not worth aligning
LOCK_FILE = ".tui-intake.lock"  # in the articles folder; the library loader skips dot files
GENERATION_FILE = ".tui-intake.generation"  # changed by every write, so a writer knows to look again
LOCK_TIMEOUT = 60.0  # seconds a writer waits for another to finish one article
_TRACKING = re.compile(r"^(utm_\w+|fbclid|gclid|mc_cid|mc_eid|ocid|cmpid|ref_src)$", re.IGNORECASE)

Progress = Callable[[int, int], None]


@dataclass(slots=True)
class Outcome:
    """What became of one input: `added`, `duplicate`, `update` or `failed`."""

    input: str
    status: str
    id: str | None = None
    path: str | None = None
    title: str | None = None
    duplicate_of: str | None = None
    kind: str | None = None  # for an added near-duplicate or rewrite: its kind
    error: str | None = None

    def as_json(self) -> dict[str, Any]:
        record: dict[str, Any] = {
            "input": self.input,
            "status": self.status,
            "id": self.id,
            "path": self.path,
            "title": self.title,
        }
        if self.duplicate_of is not None:
            record["duplicate_of"] = self.duplicate_of
        if self.kind is not None:
            record["kind"] = self.kind
        if self.error is not None:
            record["error"] = self.error
        return record

    def line(self) -> str:
        """One line for a person."""
        if self.status == "failed":
            return f"failed: {self.error}"
        title = f"“{self.title}”" if self.title else ""
        if self.status == "duplicate":
            return f"{self.input}: already in the library as {self.duplicate_of}"
        if self.status == "update":
            return f"update: {self.id} {title} (a new version of {self.duplicate_of})"
        if self.kind:
            return f"added: {self.id} {title} ({self.kind} of {self.duplicate_of})"
        return f"added: {self.id} {title}"


def normalise_url(url: str) -> str:
    """A URL as a key: scheme and host in lower case, no default port, fragment or tracking query.
    One that Python cannot parse (`http://[::1`, a port of 99999; a front matter may hold one) is
    its own key."""
    try:
        return _normalised(url)
    except ValueError:
        return url.strip()


def _normalised(url: str) -> str:
    parts = urlsplit(url.strip())
    host = (parts.hostname or "").lower()
    if parts.port and not (
        (parts.scheme == "http" and parts.port == 80) or (parts.scheme == "https" and parts.port == 443)
    ):
        host = f"{host}:{parts.port}"
    query = urlencode(
        [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not _TRACKING.match(k)]
    )
    path = parts.path.rstrip("/") or "/"
    return urlunsplit((parts.scheme.lower(), host, path, query, ""))


def _text_key(text: str) -> str:
    """Equal for texts the engine calls duplicates: the same words after its normalisation."""
    from tui.similarity import words

    return hashlib.blake2b(" ".join(words(text)).encode(), digest_size=16).hexdigest()


def _word_set(text: str) -> frozenset[str]:
    return frozenset(w for w in re.findall(r"\w{4,}", text.casefold()))


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class _Known:
    """One article already in the library, as the door sees it."""

    id: str
    article: Any  # tui.library.articles.Article
    text_key: str
    words: frozenset[str]


@dataclass
class Intake:
    """The articles folder as a door: what is there, and adding to it."""

    articles_dir: Path
    cache_dir: Path | None = None
    fetcher: Fetcher = field(default_factory=Fetcher)
    tags: list[str] = field(default_factory=list)
    force: bool = False
    _known: list[_Known] = field(default_factory=list)
    _by_url: dict[str, str] = field(default_factory=dict)
    _by_text: dict[str, str] = field(default_factory=dict)
    _paths: set[str] = field(default_factory=set)  # article files known, relative to the folder
    _generation: str | None = None  # the folder's write generation when last looked at
    _latest: dict[str, str] = field(default_factory=dict)  # url key -> 'added' of the article holding it
    _loaded: bool = False

    def __post_init__(self) -> None:
        from tui.annotations.annotation import clean_tags

        # The rule every tag in the project follows (a usable `#tag`); an unusable one is a usage error.
        self.tags = clean_tags(self.tags)

    # ------------------------------------------------------------------ what is there

    def load(self) -> None:
        from tui.library.loader import load_library

        if self._loaded:
            return
        self._loaded = True
        if not self.articles_dir.is_dir():
            return
        self._generation = self._read_generation()
        library = load_library(self.articles_dir, self.cache_dir)
        for article in library:
            self._learn(article)

    def _learn(self, article: Any) -> None:
        """Know `article`, and the URLs its front matter gives (fetched and canonical)."""
        from tui.library.markdown_files import read_front_matter

        self._remember(article)
        self._paths.add(self._relative(article.path))
        if article.path.suffix.lower() not in (".md", ".markdown"):
            return
        try:
            with open(article.path, encoding="utf-8", errors="replace") as handle:
                head = handle.read(64 * 1024)
        except OSError:
            return
        fields, _rest, _problem = read_front_matter(head.replace("\r\n", "\n"))
        added = str(fields.get("added") or "")
        for name in ("url", "fetched"):
            url = fields.get(name)
            if isinstance(url, str) and url.strip():
                key = normalise_url(url)
                if key not in self._latest or added >= self._latest[key]:  # the newest version answers
                    self._latest[key] = added
                    self._by_url[key] = article.id

    def _relative(self, path: Path) -> str:
        try:
            return path.relative_to(self.articles_dir).as_posix()
        except ValueError:
            return path.as_posix()

    # ------------------------------------------------------------------ one writer at a time

    @contextlib.contextmanager
    def _writing(self) -> Iterator[None]:
        """Hold the library's write lock; first learn what other processes wrote meanwhile."""
        import filelock

        self.articles_dir.mkdir(parents=True, exist_ok=True)
        lock = filelock.FileLock(str(self.articles_dir / LOCK_FILE))
        try:
            lock.acquire(timeout=LOCK_TIMEOUT)
        except filelock.Timeout:
            raise IntakeError(
                f"the library {self.articles_dir} is being written by another process; try again later"
            ) from None
        try:
            if self._read_generation() != self._generation:
                self._catch_up()
            yield
        finally:
            lock.release()

    def _read_generation(self) -> str | None:
        try:
            return (self.articles_dir / GENERATION_FILE).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            return None

    def _bump_generation(self) -> None:
        import secrets

        token = secrets.token_hex(8)
        with contextlib.suppress(OSError):
            (self.articles_dir / GENERATION_FILE).write_text(token, encoding="utf-8")
            self._generation = token

    def _catch_up(self) -> None:
        """Learn the article files written by other processes since this one last looked."""
        from tui.library.articles import ArticleError
        from tui.library.files import read_article

        for folder, folders, files in os.walk(self.articles_dir):
            folders[:] = sorted(name for name in folders if not name.startswith("."))
            for name in sorted(files):
                path = Path(folder) / name
                relative = self._relative(path)
                if (
                    name.startswith(".")
                    or path.suffix.lower() not in TEXT_SUFFIXES
                    or relative in self._paths
                ):
                    continue
                try:
                    article = read_article(path, relative.rsplit(".", 1)[0])
                except (ArticleError, OSError):
                    self._paths.add(relative)
                    continue
                self._learn(article)
        self._generation = self._read_generation()

    def _remember(self, article: Any, urls: Iterable[str] = ()) -> None:
        known = _Known(article.id, article, _text_key(article.body), _word_set(article.body))
        self._known.append(known)
        self._by_text.setdefault(known.text_key, article.id)
        for url in urls:
            self._by_url[normalise_url(url)] = article.id

    # ------------------------------------------------------------------ reading inputs

    def read_source(self, source: str, stdin: Any = None) -> Page:
        """The article of one SOURCE (a link, a file, or `-`). Raises TuiError naming it."""
        if source == "-":
            data = (stdin or sys.stdin.buffer).read(MAX_FILE_BYTES + 1)
            if len(data) > MAX_FILE_BYTES:
                raise IntakeError("-: the page on standard input is larger than 10 MB")
            return extract_page(decode_page(data), None, name="standard input")
        if re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*://", source):
            return page_from_response(self.fetcher.fetch(source), source)
        return read_file(Path(source).expanduser(), source)

    # ------------------------------------------------------------------ the door

    def add_page(self, page: Page, label: str) -> Outcome:
        """Write `page` unless it is already here; report what it is. Never raises for one input.

        Deciding and writing hold the library's lock: another process adding the same page at the
        same moment finds it there."""
        self.load()
        try:
            with self._writing():
                return self._add_page(page, label)
        except IntakeError as error:
            return Outcome(label, "failed", title=page.title, error=str(error))

    def _add_page(self, page: Page, label: str) -> Outcome:
        from tui.library.articles import ArticleError
        from tui.library.parsing import parse_article_text

        # Named and reported as written: one line, without the control characters it loses there.
        title = _one_line(page.title) or _first_words(without_controls(page.text))
        fetched = web_url(page.url)
        canonical = canonical_for(fetched, page.canonical_url) or fetched
        record = ArticleRecord(
            title=title,
            body=page.markdown,
            source=_one_line(page.source) or None,
            author=page.author,
            date=page.date,
            url=canonical,
            fetched=fetched if fetched != canonical else None,
            added=utc_now(),
            tags=merged_tags(page.tags, self.tags),
        )
        document = markdown_document(record)
        try:
            candidate = parse_article_text(document, "(new)", Path("new.md"), ".md")
        except ArticleError:
            return Outcome(label, "failed", title=title, error=f"{label}: no article text found")
        urls = [u for u in (fetched, canonical) if u]
        text_key = _text_key(candidate.body)
        same_text = self._by_text.get(text_key)
        same_url = next((self._by_url[k] for k in map(normalise_url, urls) if k in self._by_url), None)
        if same_text is not None and not self.force:
            return Outcome(label, "duplicate", title=title, duplicate_of=same_text)
        kind, related_id = (None, None)
        if same_url is None:
            kind, related_id = self._closest_version(candidate)
            if kind == "duplicate" and not self.force:
                return Outcome(label, "duplicate", title=title, duplicate_of=related_id)
        try:
            path = write_new_article(self.articles_dir, record)
        except OSError as error:
            reason = error.strerror or str(error)
            return Outcome(
                label, "failed", title=title, error=f"{label}: cannot write the article ({reason})"
            )
        self._bump_generation()
        article_id = path.relative_to(self.articles_dir).with_suffix("").as_posix()
        candidate.id = article_id
        candidate.path = path
        self._remember(candidate, urls)
        self._paths.add(self._relative(path))
        outcome = Outcome(label, "added", id=article_id, path=str(path), title=title)
        if same_url is not None and same_url != same_text:
            outcome.status, outcome.duplicate_of = "update", same_url
        elif related_id is not None:
            outcome.kind, outcome.duplicate_of = kind, related_id
        return outcome

    def _closest_version(self, candidate: Any) -> tuple[str | None, str | None]:
        """(kind, id) of the article `candidate` is a version of, by the similarity engine."""
        words = _word_set(candidate.body)
        if not words or not self._known:
            return None, None
        scored = []
        for known in self._known:
            union = len(words | known.words)
            overlap = len(words & known.words) / union if union else 0.0
            if overlap >= MIN_OVERLAP:
                scored.append((overlap, known))
        scored.sort(key=lambda pair: -pair[0])
        from tui.similarity import compare
        from tui.similarity.model import STORY_KINDS

        best: tuple[float, str | None, str | None] = (-1.0, None, None)
        for _overlap, known in scored[:CANDIDATES]:
            alignment = compare(candidate, known.article)
            if alignment.kind in STORY_KINDS and alignment.score > best[0]:
                best = (alignment.score, alignment.kind, known.id)
        return best[1], best[2]

    def add_sources(
        self, sources: list[str], progress: Progress | None = None, stdin: Any = None
    ) -> list[Outcome]:
        """Every SOURCE read (links a few at a time), then added in order. One failure stops nothing."""
        self.load()

        def read(source: str) -> Page | TuiError:
            try:
                return self.read_source(source, stdin)
            except TuiError as error:
                return error

        outcomes: list[Outcome] = []
        for done, (source, result) in enumerate(
            zip(sources, self.fetcher.map(read, sources), strict=True), 1
        ):
            if isinstance(result, TuiError):
                outcomes.append(Outcome(source, "failed", error=with_label(str(result), source)))
            else:
                outcomes.append(self.add_page(result, source))
            if progress is not None:
                progress(done, len(sources))
        return outcomes


def with_label(message: str, label: str) -> str:
    return message if label in message else f"{label}: {message}"


def _one_line(text: str | None) -> str:
    return " ".join(without_controls(text or "").split())


def _first_words(text: str, limit: int = 80) -> str:
    line = " ".join(text.split())
    return line if len(line) <= limit else line[:limit].rsplit(" ", 1)[0] + "…"
