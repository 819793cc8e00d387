"""Stories: how long building them takes next to the index, what they look like, where echoes land.

Prints, each next to a baseline measured in the same run:
- on a library (BBC by default; `--library` for Reuters): the cold index build (the baseline and the
  budget), then `Stories.build` and the alignment of every story (cold, then from the cache); the
  number of stories, their sizes, and a sample of stories to check by eye;
- with `--labels` (Reuters' labels.csv): how many hand-labelled `same`/`update` pairs share a
  story, and how many `related`/`template` pairs were wrongly put into one;
- echo placement on hand-made cases: (a) the seeds, 000_… against its rewrite 002_…, labelled by
  hand sentence by sentence; (b) edited copies of library articles (two sentences deleted, a figure
  changed, a sentence reworded with synonyms, two paragraphs swapped), where the right sentence is
  known by construction. Every sentence of the original is highlighted and its echo on the copy
  checked: the right sentence, or absent where the passage was deleted. The baseline is the
  naive placement "the sentence at the same position", scored the same way.

    python bench/stories.py [--library ../shared/bench/bbc] [--labels FILE] [--copies 60]
"""

from __future__ import annotations

import argparse
import csv
import random
import re
import shutil
import tempfile
import time
from collections import Counter
from pathlib import Path

from tui.annotations import Annotation
from tui.library.articles import Article
from tui.library.loader import load_library
from tui.similarity import SimilarityIndex
from tui.stories import Stories

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared" / "bench"
A, B = "000_097ad0791a11b944", "002_3b2e89bd4e21a8c9"
# 000_… sentence -> the 002_… sentences that restate it (first copy), read by hand; empty: absent.
# 002_… stores its text twice; sentence 1 of 002 merges 000's sentences 1 and 2 and 9 merges 13 and 14.
SEED_LABELS: dict[int, set[int]] = {
    0: {0},
    1: {1},
    2: {1},
    3: {2},
    4: {3},
    5: {4},
    6: set(),
    7: {5},
    8: set(),
    9: set(),
    10: {6},
    11: {7},
    12: {8},
    13: {9},
    14: {9},
}
# 002_… sentence -> the 000_… sentences it restates (sentences 10-19 are 002's repeated copy of 0-9).
SEED_LABELS_BACK: dict[int, set[int]] = {
    0: {0},
    1: {1, 2},
    2: {3},
    3: {4},
    4: {5},
    5: {7},
    6: {10},
    7: {11},
    8: {12},
    9: {13, 14},
}
SEED_LABELS_BACK.update({index + 10: wanted for index, wanted in list(SEED_LABELS_BACK.items())})
SYNONYMS = {
    "said": "stated",
    "says": "states",
    "but": "however",
    "big": "large",
    "help": "assist",
    "shows": "reveals",
    "show": "reveal",
    "buy": "purchase",
    "get": "obtain",
    "start": "begin",
    "about": "around",
    "also": "additionally",
    "new": "fresh",
    "very": "highly",
    "many": "numerous",
    "people": "individuals",
    "make": "create",
    "told": "informed",
}


def timed(function, *args, **kwargs):  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    value = function(*args, **kwargs)
    return value, time.perf_counter() - start


# --------------------------------------------------------------------------- stories of a library


def library_figures(folder: Path, labels: Path | None) -> None:
    cache = Path(tempfile.mkdtemp(prefix="tui-bench-stories-"))
    try:
        library, load_s = timed(load_library, folder, cache / "cache")
        index, index_s = timed(SimilarityIndex.build, library, cache / "cache")
        stories, build_s = timed(Stories.build, library, index, cache / "state", cache / "cache")

        def align_all(group: Stories) -> None:
            for story in group:
                group.align(story)
            group.save()

        _, align_s = timed(align_all, stories)
        again = Stories.build(library, index, cache / "state", cache / "cache")
        _, warm_s = timed(align_all, again)
        sizes = Counter(len(story.versions) for story in stories)
        members = sum(len(story.versions) for story in stories)
        print(f"\n## {folder.name}: {len(library)} articles (loaded in {load_s:.2f} s)")
        print("| step | seconds | share of the cold index build |")
        print("|---|---:|---:|")
        print(f"| cold index build (baseline, the budget) | {index_s:.2f} | 100% |")
        print(f"| Stories.build (group, ids) | {build_s:.3f} | {100 * build_s / index_s:.1f}% |")
        print(f"| align every story, cold | {align_s:.2f} | {100 * align_s / index_s:.1f}% |")
        print(f"| align every story, from the cache | {warm_s:.3f} | {100 * warm_s / index_s:.1f}% |")
        print(
            f"\n{len(stories)} stories holding {members} articles; sizes: "
            + ", ".join(f"{size} versions: {count}" for size, count in sorted(sizes.items()))
        )
        kinds = Counter(v.kind for story in stories for v in story.versions if v.kind)
        print(
            "versions by kind (to their story's first version): "
            + ", ".join(f"{k} {n}" for k, n in kinds.most_common())
        )
        ids = [story.id for story in stories]
        assert ids == [story.id for story in again], "story ids changed between two builds"
        print("story ids identical on a second build: yes")
        sample = random.Random(7).sample(list(stories), min(6, len(stories)))
        print("\nsample (check by eye):")
        for story in sample:
            print(f"- {story.id}: {len(story.versions)} versions, {len(story.passages)} passages")
            for version in story.versions:
                print(
                    f"    {version.article_id:<22} {version.kind or 'first':<14} "
                    f"{version.score if version.score is not None else ''!s:>4.4}  {version.title[:60]}"
                )
        if labels is not None:
            label_figures(stories, labels)
    finally:
        shutil.rmtree(cache, ignore_errors=True)


def label_figures(stories: Stories, labels: Path) -> None:
    together: Counter[str] = Counter()
    total: Counter[str] = Counter()
    with labels.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            story = stories.of(row["a"])
            total[row["label"]] += 1
            if story is not None and row["b"] in story:
                together[row["label"]] += 1
    print("\nhand-labelled pairs in one story (should: same, update; should not: related, template):")
    for label in ("same", "update", "related", "template"):
        if total[label]:
            print(f"- {label}: {together[label]} of {total[label]}")


# --------------------------------------------------------------------------- echo placement


def _whole_sentence(article: Article, index: int) -> Annotation:
    span = article.sentences[index]
    return Annotation.create(article, span.start, span.end)


def _covers(echo_start: int, echo_end: int, article: Article, wanted: set[int]) -> tuple[bool, bool]:
    """(right, exact): the echo lies on a wanted sentence (at most one sentence beyond it), and
    whether it covers wanted sentences only."""
    hit = {i for i, s in enumerate(article.sentences) if s.start < echo_end and echo_start < s.end}
    exact = bool(hit) and hit <= wanted
    right = bool(hit & wanted) and len(hit - wanted) <= 1
    return right, exact


class Score:
    def __init__(self) -> None:
        self.present = self.right = self.exact = self.absent = self.placed_on_absent = 0
        self.naive_right = self.naive_placed_on_absent = 0

    def add(
        self, wanted: set[int], echo_span: tuple[int, int] | None, copy: Article, naive: int | None
    ) -> None:
        if wanted:
            self.present += 1
            if echo_span is not None:
                right, exact = _covers(*echo_span, copy, wanted)
                self.right += right
                self.exact += exact
            self.naive_right += naive is not None and naive in wanted
        else:
            self.absent += 1
            self.placed_on_absent += echo_span is not None
            self.naive_placed_on_absent += naive is not None

    def line(self, name: str) -> str:
        return (
            f"| {name} | {self.present} | {self.right / max(1, self.present):.1%} "
            f"| {self.exact / max(1, self.present):.1%} | {self.absent} | {self.placed_on_absent} "
            f"| {self.naive_right / max(1, self.present):.1%} | {self.naive_placed_on_absent} |"
        )


def seed_placement(score: Score) -> None:
    folder = Path(tempfile.mkdtemp(prefix="tui-bench-seeds-"))
    try:
        library = load_library(REPO / "articles", folder / "cache")
        index = SimilarityIndex.build(library, folder / "cache")
        stories = Stories.build(library, index, None, folder / "cache")
        story = stories.get(A)
        for source, target, labels in ((A, B, SEED_LABELS), (B, A, SEED_LABELS_BACK)):
            original, copy = library.get(source), library.get(target)
            for index_a, wanted in labels.items():
                annotation = _whole_sentence(original, index_a)
                (echo,) = [
                    e
                    for e in stories.echoes(story, annotation, annotation.start, annotation.end)
                    if e.article_id == target
                ]
                span = (echo.start, echo.end) if echo.start is not None and echo.end is not None else None
                score.add(wanted, span, copy, index_a if index_a < len(copy.sentences) else None)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


_NUMBER = re.compile(r"\b\d+(?:\.\d+)?\b")


def _reword(sentence: str) -> str | None:
    words = sentence.split(" ")
    changed = 0
    for position, word in enumerate(words):
        core = word.strip(".,;:\"'")
        if core.lower() in SYNONYMS and core.islower():
            words[position] = word.replace(core, SYNONYMS[core.lower()])
            changed += 1
    return " ".join(words) if changed >= 2 else None


def edited_copy(article: Article, raw: str, rng: random.Random) -> tuple[str, dict[str, str | None]] | None:
    """A copy of the file with edits; for each original sentence, its text in the copy (None: deleted)."""
    texts = [article.text(span) for span in article.sentences]
    if len(texts) < 10 or len(set(texts)) != len(texts):
        return None
    if any(raw.count(text) != 1 for text in texts):
        return None  # a sentence not found once in the file: the edit would be ambiguous
    fate: dict[str, str | None] = {text: text for text in texts}
    body = list(range(1, len(texts) - 1))  # the first and last sentences stay
    rng.shuffle(body)
    deleted = body[:2]
    for index in deleted:
        fate[texts[index]] = None
    rest = body[2:]
    figure = next((i for i in rest if _NUMBER.search(texts[i])), None)
    if figure is not None:
        number = _NUMBER.search(texts[figure])
        assert number is not None
        bumped = str(int(float(number.group()) + 1)) if "." not in number.group() else number.group() + "5"
        fate[texts[figure]] = texts[figure][: number.start()] + bumped + texts[figure][number.end() :]
    reworded = next((i for i in rest if i != figure and _reword(texts[i])), None)
    if reworded is not None:
        fate[texts[reworded]] = _reword(texts[reworded])
    edited = raw
    for text, becomes in fate.items():
        if becomes is None:
            edited = (
                edited.replace(text + " ", "", 1) if text + " " in edited else edited.replace(text, "", 1)
            )
        elif becomes != text:
            edited = edited.replace(text, becomes, 1)
    # Swap the 2nd and 3rd paragraphs (blank-line separated) when there are enough.
    blocks = edited.split("\n\n")
    if len(blocks) > 5:
        blocks[2], blocks[3] = blocks[3], blocks[2]
        edited = "\n\n".join(blocks)
    return edited, fate


def copies_placement(folder: Path, count: int, score: Score) -> None:
    work = Path(tempfile.mkdtemp(prefix="tui-bench-copies-"))
    try:
        source = load_library(folder, work / "source-cache")
        rng = random.Random(11)
        candidates = [a for a in source if a.words > 250]
        rng.shuffle(candidates)
        articles = work / "articles"
        articles.mkdir()
        plans: dict[str, dict[str, str | None]] = {}
        for article in candidates:
            if len(plans) >= count:
                break
            raw = article.path.read_text(encoding="utf-8", errors="replace")
            made = edited_copy(article, raw, rng)
            if made is None:
                continue
            name = f"c{len(plans):03d}"
            (articles / f"{name}_original.txt").write_text(raw, encoding="utf-8")
            (articles / f"{name}_copy.txt").write_text(made[0], encoding="utf-8")
            plans[name] = made[1]
        library = load_library(articles, work / "cache")
        index = SimilarityIndex.build(library, work / "cache")
        stories = Stories.build(library, index, None, work / "cache")
        missing = 0
        for name, fate in plans.items():
            original, copy = library.get(f"{name}_original"), library.get(f"{name}_copy")
            story = stories.of(original.id)
            if story is None or copy.id not in story:
                missing += 1
                continue
            for index_a, span in enumerate(original.sentences):
                becomes = fate.get(original.text(span))
                wanted: set[int] = set()
                if becomes is not None:
                    at = copy.body.find(becomes)
                    assert at >= 0, becomes
                    wanted = {
                        i for i, s in enumerate(copy.sentences) if s.start < at + len(becomes) and at < s.end
                    }
                annotation = _whole_sentence(original, index_a)
                (echo,) = [
                    e
                    for e in stories.echoes(story, annotation, annotation.start, annotation.end)
                    if e.article_id == copy.id
                ]
                placed = (echo.start, echo.end) if echo.start is not None and echo.end is not None else None
                score.add(wanted, placed, copy, index_a if index_a < len(copy.sentences) else None)
        print(f"\n{len(plans)} edited copies made; {missing} not put in their original's story")
    finally:
        shutil.rmtree(work, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--library", type=Path, default=SHARED / "bbc")
    parser.add_argument("--labels", type=Path, default=None)
    parser.add_argument("--copies", type=int, default=60)
    parser.add_argument("--skip-library", action="store_true", help="only the echo placement")
    args = parser.parse_args()
    if not args.skip_library:
        library_figures(args.library, args.labels)

    print("\n## echo placement")
    seeds, copies = Score(), Score()
    seed_placement(seeds)
    copies_placement(SHARED / "bbc", args.copies, copies)
    print(
        "\n| cases | sentences whose passage exists | right sentence | on wanted sentences only "
        "| deleted sentences | echoes placed on a deleted one | baseline: same position, right "
        "| baseline: placed on a deleted one |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    print(seeds.line("seeds: 000 ↔ 002 (rewrite, labelled by hand, both ways)"))
    print(copies.line("BBC articles → edited copies"))


if __name__ == "__main__":
    main()
