"""Text as the engine reads it: normalised words, light stems, word shingles and their overlaps.

Pure core: no Textual, no Rich; numpy and scipy are imported inside the functions that need them.
"""

from __future__ import annotations

import functools
import itertools
import re
import unicodedata
import zlib
from collections.abc import Iterable, Sequence
from typing import Any

SHINGLE_SIZE = 5


# "Mostly the same words": this share of the shorter text's word 3-grams found in the other. Such a pair
# is a version whatever its headlines, subjects or form say (evidence is monotone): changed figures make
# it an update, never a template sibling.
TRIGRAM_SIZE = 3


_COMBINING = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")


_WORD = re.compile(r"[^\W_]+(?:['\u2019][^\W_]+)*")


_STOPWORDS_TEXT = """
    a about above after again against all almost also although am among an and another any are around
    as at be because been before being below between both but by can could did do does doing done down
    during each either else even ever every few for from further had has have having he her here hers
    herself him himself his how however i if in into is it its itself just least less like made make
    many may me might more most much must my myself neither no nor not now of off often on once one only
    or other others otherwise our ours ourselves out over own per perhaps put rather same says said say
    shall she should since so some still such than that the their theirs them themselves then there
    therefore these they this those though through thus to too toward towards under until up upon us
    very via was we well were what whatever when whenever where whereas whether which while who whoever
    whom whose why will with within without would yet you your yours yourself yourselves s t
"""


_STOPWORDS = frozenset(_STOPWORDS_TEXT.split())


def normalise(text: str) -> str:
    """Case-folded, accent-free, NFKC text; curly quotes become straight ones."""
    if text.isascii():
        return text.lower()  # the common case, and 20 times cheaper
    text = _COMBINING.sub("", unicodedata.normalize("NFKD", text))
    return unicodedata.normalize("NFKC", text).casefold().replace("\u2019", "'")


def words(text: str) -> list[str]:
    """Normalised word tokens; a possessive or contraction tail ("russia's") is dropped."""
    out = []
    for token in _WORD.findall(normalise(text)):
        head, _, _tail = token.partition("'")
        if head:
            out.append(head)
    return out


@functools.lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    """A light suffix stripper: enough to meet "warned"/"warning"/"warns", cheap and predictable."""
    if len(word) <= 3 or word.isdigit():
        return word
    for suffix, replacement in (
        ("ational", "ate"),
        ("ies", "y"),
        ("ied", "y"),
        ("sses", "ss"),
        ("ness", ""),
        ("ments", ""),
        ("ment", ""),
        ("ingly", ""),
        ("edly", ""),
        ("ing", ""),
        ("ed", ""),
        ("ly", ""),
        ("es", "e"),
        ("s", ""),
    ):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            if suffix == "s" and word.endswith(("ss", "us", "is")):
                return word
            word = word[: len(word) - len(suffix)] + replacement
            break
    if len(word) > 4 and word.endswith("e"):
        word = word[:-1]
    if len(word) > 4 and word[-1] == word[-2] and word[-1] not in "lsz":
        word = word[:-1]
    return word


def _terms_of(tokens: Iterable[str]) -> list[str]:
    return [stem(w) for w in tokens if w not in _STOPWORDS and (len(w) > 1 or w.isdigit())]


def _shingle_hashes(tokens: Sequence[str], size: int = SHINGLE_SIZE) -> set[int]:
    if not tokens:
        return set()
    if len(tokens) < size:
        grams = [" ".join(tokens)]
    else:
        grams = [" ".join(tokens[i : i + size]) for i in range(len(tokens) - size + 1)]
    # crc32: stable across runs (unlike hash()), so the shingles can be cached on disk.
    return {zlib.crc32(g.encode()) for g in grams}


def shingles(text: str, size: int = SHINGLE_SIZE) -> set[int]:
    """32-bit hashes of the word `size`-shingles of a text (all words, stopwords included)."""
    return _shingle_hashes(words(text), size)


def _shingle_array(tokens: Sequence[str], size: int = SHINGLE_SIZE) -> Any:
    import numpy as np

    return np.array(sorted(_shingle_hashes(tokens, size)), dtype=np.uint32)


def _trigram_array(keys: Sequence[str]) -> Any:
    """Word 3-grams of the distinct sentences' words, in text order (a repeated sentence counts once)."""
    return _shingle_array(" ".join(keys).split(), TRIGRAM_SIZE)


def _as_shingle_array(values: Any) -> Any:
    import numpy as np

    if isinstance(values, np.ndarray):
        return values
    return np.unique(np.asarray(list(values), dtype=np.uint32))


def _bigrams(key: str) -> set[str]:
    tokens = key.split()
    if len(tokens) < 2:
        return set(tokens)
    return {f"{x} {y}" for x, y in itertools.pairwise(tokens)}


def _literal(a_key: str, b_key: str) -> float:
    """Share of the shorter sentence's word pairs found in the other: 1 for a verbatim copy."""
    x, y = _bigrams(a_key), _bigrams(b_key)
    if not x or not y:
        return 0.0
    return len(x & y) / min(len(x), len(y))


def _containment(x: Any, y: Any) -> float:
    """Share of the smaller of two sorted hash arrays found in the other."""
    if not len(x) or not len(y):
        return 0.0
    import numpy as np

    return len(np.intersect1d(x, y, assume_unique=True)) / min(len(x), len(y))


def _weighted_mean(values: Sequence[float], weights: Sequence[float]) -> float:
    total = sum(weights)
    return sum(v * w for v, w in zip(values, weights, strict=True)) / total if total else 0.0
