"""Restatement by meaning: which sentences of two articles say the same thing, beyond shared words.

Lexical alignment (`alignment`) links sentences that share weighted words; two outlets' sentences on
one event share many words and still say different things ("the Fed is expected to add reserves" and
"the Fed entered the market to add reserves"), and a reworded sentence may share few. Here every
sentence meets its lexical partners and its nearest sentence of the other article by meaning (a
static embedding), and the paraphrase model (`tui.similarity.paraphrase`, fitted on people's judgements of news
sentences) says how likely each pair says the same thing. A sentence's coverage becomes that
probability, and it counts as restated from the model's threshold on.

Pure core: no Textual, no Rich; numpy and the model are loaded on first use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from tui.similarity.alignment import RESTATED_COVERAGE, _Linked
from tui.similarity.facts import conflict

if TYPE_CHECKING:
    from tui.similarity.prepared import _Prepared


def _on_scale(lexical: float, cut: float) -> float:
    """A lexical coverage on the model's scale: RESTATED_COVERAGE meets the model's threshold."""
    if lexical >= RESTATED_COVERAGE:
        return cut + (1 - cut) * (lexical - RESTATED_COVERAGE) / (1 - RESTATED_COVERAGE)
    return cut * lexical / RESTATED_COVERAGE


def read_for_meaning(a: _Prepared, b: _Prepared, linked: _Linked) -> None:
    """Coverage by meaning: each sentence's best probability of being restated in the other article.

    Pairs the model finds restated and lexical alignment did not link are added to the links, so every
    view shows and counts them.
    """
    import numpy as np

    from tui.similarity import paraphrase

    if not a.keys or not b.keys:
        return
    model = paraphrase.default_model()
    prepared_a, prepared_b = paraphrase.prepare(a.keys, model), paraphrase.prepare(b.keys, model)
    vectors_a = np.stack([p.vector for p in prepared_a])
    vectors_b = np.stack([p.vector for p in prepared_b])
    nearest = vectors_a @ vectors_b.T
    linked_pairs = {(i, j) for i, j, _ in linked.links}
    best_b = [int(j) for j in nearest.argmax(axis=1)]
    best_a = [int(i) for i in nearest.argmax(axis=0)]
    # Each sentence against its nearest by meaning, and against all its lexical partners read as one
    # text (a sentence split in two, or two merged into one, is restated by the pair together).
    partners_a: dict[int, list[int]] = {}
    partners_b: dict[int, list[int]] = {}
    for i, j in sorted(linked_pairs):
        partners_a.setdefault(i, []).append(j)
        partners_b.setdefault(j, []).append(i)
    # In texts of several sentences, sentences that give other facts say something else: never a
    # restatement (the changed sentence is shown as such). One sentence with another figure is one
    # sentence: two outlets' sentences on one event at two moments, which people call the same.
    apart: set[tuple[int, int]] = set()
    if min(len(a.keys), len(b.keys)) > 1:
        apart = {(i, j) for i, j, _, _ in linked.conflicts}
        apart |= {(i, best_b[i]) for i in range(len(a.keys)) if conflict(a.facts[i], b.facts[best_b[i]])}
        apart |= {(best_a[j], j) for j in range(len(b.keys)) if conflict(a.facts[best_a[j]], b.facts[j])}

    def joined(
        keys: list[str], prepared: list[paraphrase.Prepared], members: list[int]
    ) -> paraphrase.Prepared:
        if len(members) == 1:
            return prepared[members[0]]
        # Made for this one question: prepared without pushing the articles' sentences out of the cache.
        return paraphrase.prepare([" ".join(keys[k] for k in members)], model, remember=False)[0]

    probes: list[tuple[paraphrase.Prepared, paraphrase.Prepared]] = []
    owners: list[tuple[int, int, int]] = []  # (side, sentence, nearest or -1 for the partners' text)
    for i in range(len(a.keys)):
        if (i, best_b[i]) not in apart:
            probes.append((prepared_a[i], prepared_b[best_b[i]]))
            owners.append((0, i, best_b[i]))
        if i in partners_a:
            probes.append((prepared_a[i], joined(b.keys, prepared_b, partners_a[i])))
            owners.append((0, i, -1))
    for j in range(len(b.keys)):
        if (best_a[j], j) not in apart:
            probes.append((prepared_b[j], prepared_a[best_a[j]]))
            owners.append((1, j, best_a[j]))
        if j in partners_b:
            probes.append((prepared_b[j], joined(a.keys, prepared_a, partners_b[j])))
            owners.append((1, j, -1))
    scores = paraphrase.score_prepared(probes) if probes else np.zeros(0, dtype=np.float32)
    # Two single sentences are versions when they say the same thing: the model's judgement alone.
    # In longer texts meaning adds evidence and takes none away: a sentence whose words its partners
    # hold is restated in them (contained: the other may say more, which is the other's addition).
    single = min(len(a.keys), len(b.keys)) == 1
    cut = paraphrase.THRESHOLD
    coverage = (
        [0.0 if single else _on_scale(c, cut) for c in linked.coverage_a],
        [0.0 if single else _on_scale(c, cut) for c in linked.coverage_b],
    )
    for (side, k, other), score in zip(owners, scores.tolist(), strict=True):
        coverage[side][k] = max(coverage[side][k], score)
        pair = (k, other) if side == 0 else (other, k)
        if other >= 0 and score >= paraphrase.THRESHOLD and pair not in linked_pairs:
            linked_pairs.add(pair)
            linked.links.append((pair[0], pair[1], round(score, 4)))
    coverage_a, coverage_b = coverage
    linked.links.sort()
    linked.coverage_a, linked.coverage_b = coverage_a, coverage_b
    linked.restated_at = paraphrase.THRESHOLD
