"""Article extraction: `tui add` against every single extractor, measured in the same run.

    python bench/extraction.py [--corpus ../shared/bench/extraction] [--newspaper] [--before REV]

Two sets of pages: the benchmark's 88 pages (`../shared/bench/extraction/`, text marked by people)
and a quirky set made from them and from pages written here (`bench/quirky.py` says how). The
measure is the benchmark's own (its README, after the Zyte benchmark's evaluate.py): `\\w+` tokens,
4-token shingles with counts; true positives, false positives and false negatives normalised to sum
to 1 per page; precision and recall are means over pages and F1 comes from the two means.

`tui add` is scored on the Markdown it stores. Its combination rule has two numbers (`Rule`): they
are chosen on one fold of the pages and the rule is scored on the other (two folds by a hash of the
source page, so a page and its quirky versions stay together); every figure printed for `tui add`
is held-out. Also printed: pages whose stored Markdown holds an HTML tag, pages with "no article
text found", and the share of headlines right (`bench/data/headlines.json`: the headline each
benchmark page shows, read by hand, stored as a hash of its words; the written pages' own titles).
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import re
import statistics
import sys
import time
import warnings
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))
DEFAULT_CORPUS = HERE.parent.parent / "shared" / "bench" / "extraction"
HEADLINES = HERE / "data" / "headlines.json"
# The rules tried: share of a paragraph's words readability must have, and how many times more
# words readability must find to be taken instead (the principles are in tui/intake/extract.py).
# "Most of its words": a majority, or three in five. A stricter share (0.8) was tried and cost
# fold A 0.004 when fold B chose it (bench/README.md).
RULES = [(share, too_little) for share in (0.5, 0.6) for too_little in (1.5, 2.0, 99.0)]
HTML_TAG = re.compile(r"</?(sup|sub|font|div|span|u|center|p|br|img|a|table|iframe|script)\b[^<>]*>", re.I)

Score = tuple[float, float, float]
Extractor = Callable[[bytes | str, str], str]  # page (as intake decodes it), url -> text
Pages = list[tuple[str, bytes, str, str]]  # key, html, url, truth


def tokens(text: str) -> list[str]:
    return re.findall(r"\w+", text or "", re.UNICODE)


def shingles(text: str, size: int = 4) -> Counter[tuple[str, ...]]:
    words = tokens(text)
    return Counter(tuple(words[i : i + size]) for i in range(max(1, len(words) - size + 1)))


def page_score(predicted: str, truth: str) -> Score:
    """(tp, fp, fn) normalised to sum to 1 for the page."""
    p, t = shingles(predicted), shingles(truth)
    tp, fp, fn = sum((p & t).values()), sum((p - t).values()), sum((t - p).values())
    total = tp + fp + fn
    return (tp / total, fp / total, fn / total) if total else (1.0, 0.0, 0.0)


def summary(scores: list[Score]) -> tuple[float, float, float]:
    if not scores:
        return 0.0, 0.0, 0.0
    precision = statistics.mean(tp / (tp + fp) if tp + fp else 0.0 for tp, fp, _ in scores)
    recall = statistics.mean(tp / (tp + fn) if tp + fn else 0.0 for tp, _, fn in scores)
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def load(corpus: Path) -> Pages:
    truth = json.loads((corpus / "ground-truth.json").read_text())
    return [
        (
            key,
            gzip.decompress((corpus / "html" / f"{key}.html.gz").read_bytes()),
            item["url"],
            item["articleBody"],
        )
        for key, item in sorted(truth.items())
    ]


def _decoded(html: bytes | str) -> str:
    """Text for the extractors that take only text (a page `decode_page` left as bytes: UTF-8)."""
    return html if isinstance(html, str) else html.decode("utf-8", "replace")


def single_extractors(newspaper: bool) -> dict[str, Extractor]:
    """Every extractor measured on its own; those not installed are left out (and said so)."""
    import trafilatura

    def traf(**options: Any) -> Extractor:
        return lambda h, u: trafilatura.extract(h, url=u, **options) or ""

    found: dict[str, Extractor] = {
        "trafilatura, defaults (baseline)": traf(),
        "trafilatura, no comments": traf(include_comments=False),
        "trafilatura, no comments, precision": traf(include_comments=False, favor_precision=True),
        "trafilatura, no comments, recall": traf(include_comments=False, favor_recall=True),
        "trafilatura, precision, with comments": traf(favor_precision=True),
    }

    def readability_lxml(h: bytes | str, u: str) -> str:
        from tui.intake.extract import readability_article

        return readability_article(h)[1]

    found["readability-lxml"] = readability_lxml

    def justext_(h: bytes | str, u: str) -> str:
        import justext

        try:
            paragraphs = justext.justext(h, justext.get_stoplist("English"))
        except Exception:
            return ""
        return "\n".join(p.text for p in paragraphs if not p.is_boilerplate)

    def resiliparse_(h: bytes | str, u: str) -> str:
        from resiliparse.extract.html2text import extract_plain_text
        from resiliparse.parse.html import HTMLTree

        return str(extract_plain_text(HTMLTree.parse(_decoded(h)), main_content=True))

    def boilerpy(h: bytes | str, u: str) -> str:
        from boilerpy3 import extractors

        try:
            return str(extractors.ArticleExtractor(raise_on_failure=False).get_content(_decoded(h)))
        except Exception:
            return ""

    def goose(h: bytes | str, u: str) -> str:
        from goose3 import Goose

        try:
            with Goose() as extractor:
                return str(extractor.extract(raw_html=_decoded(h)).cleaned_text)
        except Exception:
            return ""

    def news(h: bytes | str, u: str) -> str:
        import newspaper as np

        try:
            config = np.Config()
            config.fetch_images = False  # else it downloads every image while parsing a saved page
            article = np.Article(u or "http://example.com/", config=config)
            article.download(input_html=_decoded(h))
            article.parse()
            return str(article.text)
        except Exception:
            return ""

    optional = {
        "jusText": ("justext", justext_),
        "resiliparse": ("resiliparse", resiliparse_),
        "boilerpy3": ("boilerpy3", boilerpy),
        "goose3": ("goose3", goose),
    }
    if newspaper:
        optional["newspaper4k"] = ("newspaper", news)
    import importlib.util

    for name, (module, function) in optional.items():
        if importlib.util.find_spec(module) is None:
            print(f"({name} is not installed: pip install {name.lower()}; left out)")
        else:
            found[name] = function
    return found


def extractor_at(revision: str) -> Extractor:
    """`tui add`'s extraction as it was at `revision` (its `extract_page`, default rule), to be
    measured in the same run as the working tree's."""
    import subprocess
    import types

    source = subprocess.run(
        ["git", "show", f"{revision}:tui/intake/extract.py"],
        cwd=HERE.parent,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    module = types.ModuleType("extract_before")
    sys.modules[module.__name__] = module  # dataclasses look their module up there
    exec(compile(source, f"{revision}:tui/intake/extract.py", "exec"), module.__dict__)

    def extract(h: bytes | str, u: str) -> str:
        try:
            return str(module.extract_page(h, u).markdown)
        except module.ExtractError:
            return ""

    return extract


def as_intake_reads(html: bytes) -> bytes | str:
    """The page as `tui add` hands it to extraction: in its declared charset, else UTF-8 when it is
    valid UTF-8 (`decode_page`). Every extractor is given the same."""
    from tui.intake.pages import decode_page

    return decode_page(html)


def run_all(
    pages: list[tuple[str, str, bytes, str, str]], newspaper: bool, before: str | None = None
) -> dict[str, Any]:
    """Every extractor's score on every page, `tui add`'s for every rule, titles and checks."""
    from tui.intake.extract import ExtractError, Rule, extract_page

    results: dict[str, dict[str, Score]] = {}
    times: dict[str, list[float]] = {}
    singles = single_extractors(newspaper)
    if before is not None:
        singles[f"tui add at {before} (same run)"] = extractor_at(before)
    pages = [(key, kind, as_intake_reads(html), url, truth) for key, kind, html, url, truth in pages]
    for name, extract in singles.items():
        results[name], times[name] = {}, []
        for key, _kind, html, url, truth in pages:
            start = time.perf_counter()
            try:
                text = extract(html, url)
            except Exception:
                text = ""
            times[name].append(time.perf_counter() - start)
            results[name][key] = page_score(text, truth)
        print(f"  measured {name}", file=sys.stderr, flush=True)
    per_rule: dict[tuple[float, float], dict[str, Score]] = {}
    stored: dict[str, str] = {}
    titles: dict[str, str | None] = {}
    empty: set[str] = set()
    for share, too_little in RULES:
        rule = Rule(share, too_little)
        per_rule[(share, too_little)] = {}
        name = f"tui add {share}/{too_little}"
        times[name] = []
        for key, _kind, html, url, truth in pages:
            start = time.perf_counter()
            try:
                page = extract_page(html, url, rule=rule)
                markdown, title = page.markdown, page.title
            except ExtractError:
                markdown, title = "", None
                empty.add(key)
            times[name].append(time.perf_counter() - start)
            per_rule[(share, too_little)][key] = page_score(markdown, truth)
            if rule == Rule():
                stored[key], titles[key] = markdown, title
        print(f"  measured tui add, rule {share}/{too_little}", file=sys.stderr, flush=True)
    return {"singles": results, "rules": per_rule, "times": times, "stored": stored, "titles": titles}


def fold_of(key: str) -> int:
    from quirky import fold_of as fold

    return fold(key)


def held_out(
    pages: list[tuple[str, str, bytes, str, str]], per_rule: dict[tuple[float, float], dict[str, Score]]
) -> tuple[dict[str, Score], list[str]]:
    """Each page scored by the rule chosen on the other fold (the mean of the two sets' F1 there)."""
    chosen: dict[str, Score] = {}
    lines = []
    for test in (0, 1):
        train = [p for p in pages if fold_of(p[0]) != test]

        def fitness(
            rule: tuple[float, float], train: list[tuple[str, str, bytes, str, str]] = train
        ) -> float:
            bench = [per_rule[rule][p[0]] for p in train if p[1] == "benchmark"]
            quirky = [per_rule[rule][p[0]] for p in train if p[1] != "benchmark"]
            return (summary(bench)[2] + summary(quirky)[2]) / 2

        best = max(per_rule, key=fitness)
        lines.append(
            f"fold {'AB'[test]} scored with share {best[0]}, too little x{best[1]} (chosen on fold {'BA'[test]})"
        )
        for key, _kind, *_ in pages:
            if fold_of(key) == test:
                chosen[key] = per_rule[best][key]
    return chosen, lines


def write_quirky(pages: list[Any], out: Path) -> None:
    """The quirky pages and their marked text, one pair of files each, to look at."""
    out.mkdir(parents=True, exist_ok=True)
    for key, kind, data, url, truth in pages:
        (out / f"{key}.html").write_bytes(data)
        (out / f"{key}.txt").write_text(f"{kind}\n{url}\n\n{truth}", encoding="utf-8")
    print(f"{len(pages)} pages in {out}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--newspaper", action="store_true", help="also newspaper4k (pip install newspaper4k)")
    parser.add_argument(
        "--before",
        metavar="REV",
        help="also tui add's extraction as it was at this git revision, in the same run",
    )
    parser.add_argument(
        "--write-quirky", type=Path, metavar="DIR", help="write the quirky pages there and stop"
    )
    args = parser.parse_args()
    warnings.filterwarnings("ignore")
    import quirky
    import trafilatura

    bench = load(args.corpus)
    if args.write_quirky is not None:
        write_quirky(quirky.derived(bench) + quirky.written(), args.write_quirky)
        return
    pages = [(k, "benchmark", h, u, t) for k, h, u, t in bench] + quirky.derived(bench) + quirky.written()
    kinds = ["benchmark", *quirky.KINDS]
    counts = Counter(kind for _k, kind, *_ in pages)
    print(
        f"{len(bench)} benchmark pages, {len(pages) - len(bench)} quirky pages; trafilatura {trafilatura.__version__}\n"
    )
    found = run_all(pages, args.newspaper, args.before)
    chosen, lines = held_out(pages, found["rules"])
    print("\n".join(lines) + "\n")
    rows: dict[str, dict[str, Score]] = {**found["singles"], "**tui add** (held-out rule)": chosen}
    header = (
        "| extractor | " + " | ".join(f"{k} ({counts[k]})" for k in kinds) + " | quirky, all | median ms |"
    )
    print(header)
    print("|---|" + "---:|" * (len(kinds) + 2))
    for name, scores in rows.items():
        cells = []
        for kind in kinds:
            cells.append(f"{summary([scores[k] for k, kd, *_ in pages if kd == kind])[2]:.4f}")
        quirky_all = summary([scores[k] for k, kd, *_ in pages if kd != "benchmark"])[2]
        timing = found["times"].get(name) or found["times"]["tui add 0.6/2.0"]
        print(
            f"| {name} | "
            + " | ".join(cells)
            + f" | {quirky_all:.4f} | {statistics.median(timing) * 1000:.0f} |"
        )
    print("\nP / R on the benchmark and on the quirky set, same rows:")
    for name, scores in rows.items():
        b = summary([scores[k] for k, kd, *_ in pages if kd == "benchmark"])
        q = summary([scores[k] for k, kd, *_ in pages if kd != "benchmark"])
        print(f"  {name}: benchmark P {b[0]:.4f} R {b[1]:.4f}; quirky P {q[0]:.4f} R {q[1]:.4f}")
    tagged = [key for key, markdown in found["stored"].items() if HTML_TAG.search(markdown)]
    print(f"\nstored articles with an HTML tag: {len(tagged)} of {len(found['stored'])} {tagged[:5]}")
    empty = [key for key, markdown in found["stored"].items() if not markdown]
    print(f"'no article text found': {len(empty)} {empty[:5]}")
    report_titles(pages, found["titles"])


def report_titles(pages: list[tuple[str, str, bytes, str, str]], titles: dict[str, str | None]) -> None:
    """Headlines right: `tui add`'s beside trafilatura's own title and the page's `<title>`."""
    import trafilatura

    from tui.intake.extract import title_key

    labels = json.loads(HEADLINES.read_text())
    written = json.loads((HERE / "data" / "quirky" / "truth.json").read_text(encoding="utf-8"))

    def right(key: str, title: str | None) -> bool:
        if key in written:
            return title_key(title or "") == title_key(written[key]["title"])
        digest = hashlib.blake2b(title_key(title or "").encode(), digest_size=8).hexdigest()
        return digest == labels[key]

    checked = [(k, h) for k, kind, h, *_ in pages if kind == "benchmark" or k in written]
    ours = sum(right(k, titles.get(k)) for k, _h in checked)
    theirs = 0
    plain = 0
    for key, html in checked:
        tree = trafilatura.load_html(html)
        meta = trafilatura.extract_metadata(tree)
        theirs += right(key, meta.title if meta else None)
        plain += right(key, " ".join((tree.findtext(".//title") or "").split()))
    n = len(checked)
    print(f"\nheadlines right, of {n} pages (88 benchmark, {n - 88} written):")
    print(
        f"  tui add: {ours} ({ours / n:.1%}); trafilatura's title: {theirs} ({theirs / n:.1%}); <title>: {plain} ({plain / n:.1%})"
    )


if __name__ == "__main__":
    main()
