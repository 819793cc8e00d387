"""Do two sentences say the same thing? A pure, fast scorer for sentence pairs, beyond shared words.

The engine aligns sentences by the words they share; a paraphrase ("Seoul has warned Moscow" / "Seoul
has issued a warning to Moscow") shares few. This module adds meaning through a static embedding: a
model2vec table distilled once from all-MiniLM-L6-v2 (`bench/build_static_model.py`), shipped in
`tui/models/minilm-static/` and read with numpy alone: a word's vector is the sum of its WordPiece
tokens' rows, a sentence's the mean of its words' directions weighted by their SIF weights, so
embedding needs no network, no torch and no tokenizer library.

A pair's score is a probability of "same content" from a logistic regression over a few features,
each meaningful alone (see `FEATURES`): the sentences' cosine, a soft word alignment (each word to its
nearest word of the other sentence by the static vectors, as BERTScore does with a transformer's),
word and 2-gram coverage, word 3-gram containment, whether their figures agree, negation, and their
length ratio. The weights are constants fitted on the MSRP training pairs (`bench/msrp.py --fit`);
MSRP 10-fold: ROC AUC 0.815, accuracy 76.5% (bench/README.md, "Sentence paraphrase (MSRP)").

    from tui.similarity.paraphrase import embed, same_content, score_matrix, score_pairs

    same_content("Seoul has warned Moscow against crossing a red line.",
                 "Seoul has issued a warning to Moscow not to cross a red line.")  # 0.72
    score_pairs([(a1, b1), (a2, b2)])       # float32 array, one probability per pair
    score_matrix(sentences_a, sentences_b)  # (len a, len b): each sentence of a with each of b
    embed(sentences)                        # (n, 256) unit rows, for nearest-neighbour candidates

Limits: words, not roles ("Moscow has warned Seoul…" scores 0.99 against the first sentence above),
and a changed figure lowers the score without deciding it (MSRP's judges often called two outlets'
different figures the same content): whether a figure changed is `tui.similarity.facts.conflict`'s call.

A pair scoring above `THRESHOLD` was called "same content" on MSRP; an engine aligning articles
should rather rank its candidates by the score and choose its own cut. Sentences are prepared once
and cached by text (`clear_cache` forgets them).

Nothing here imports Textual or Rich, and numpy is imported inside the functions that need it.
"""

from __future__ import annotations

import functools
import json
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tui.similarity.facts import conflict, sentence_facts
from tui.similarity.text import stem, words

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

    Matrix = NDArray[np.float32]
    Table = NDArray[Any]
else:
    Matrix = Table = Any

MODEL_DIR = Path(__file__).resolve().parents[1] / "models" / "minilm-static"


# --------------------------------------------------------------------------- the static model


def _read_safetensors(path: Path) -> Table:
    """The one tensor of a safetensors file (8-byte header size, JSON header, raw little-endian data),
    as stored (float16 here): a view of the bytes read, not a copy."""
    import numpy as np

    data = path.read_bytes()
    size = int.from_bytes(data[:8], "little")
    header = json.loads(data[8 : 8 + size])
    (name,) = (k for k in header if k != "__metadata__")
    entry = header[name]
    dtypes = {"F16": "<f2", "F32": "<f4"}
    start, end = entry["data_offsets"]
    raw = np.frombuffer(data, dtype=dtypes[entry["dtype"]], offset=8 + size + start, count=-1)
    count = (end - start) // raw.itemsize
    return raw[:count].reshape(entry["shape"])


def _is_punctuation(char: str) -> bool:
    """BERT's punctuation: ASCII symbols and every Unicode P* character; each is a token alone."""
    code = ord(char)
    if 33 <= code <= 47 or 58 <= code <= 64 or 91 <= code <= 96 or 123 <= code <= 126:
        return True
    return unicodedata.category(char).startswith("P")


def _is_cjk(code: int) -> bool:
    return (
        0x4E00 <= code <= 0x9FFF
        or 0x3400 <= code <= 0x4DBF
        or 0x20000 <= code <= 0x2A6DF
        or 0x2A700 <= code <= 0x2B73F
        or 0x2B740 <= code <= 0x2B81F
        or 0x2B820 <= code <= 0x2CEAF
        or 0xF900 <= code <= 0xFAFF
        or 0x2F800 <= code <= 0x2FA1F
    )


def _bert_clean(text: str) -> str:
    """BertNormalizer as the model's tokenizer.json configures it: clean, CJK apart, lower-case, no accents."""
    if text.isascii() and text.isprintable():
        return text.lower()  # the common case: nothing to clean, no accents
    out = []
    for char in text:
        code = ord(char)
        if code == 0 or code == 0xFFFD:
            continue
        category = unicodedata.category(char)
        if char in "\t\n\r" or category == "Zs":
            out.append(" ")
        elif category.startswith("C"):
            continue
        elif _is_cjk(code):
            out.append(f" {char} ")
        else:
            out.append(char)
    cleaned = "".join(out).lower()
    if not cleaned.isascii():
        cleaned = "".join(c for c in unicodedata.normalize("NFD", cleaned) if unicodedata.category(c) != "Mn")
    return cleaned


_ASCII_TOKEN = re.compile(r"[a-z0-9]+|[^\sa-z0-9]")


def _pre_tokens(text: str) -> list[str]:
    """BertPreTokenizer: split at white space, and every punctuation character is a word alone."""
    cleaned = _bert_clean(text)
    if cleaned.isascii():
        # Every printable ASCII character that is not a letter or a digit is BERT punctuation.
        return _ASCII_TOKEN.findall(cleaned)
    out: list[str] = []
    for chunk in cleaned.split():
        if chunk.isalnum():
            out.append(chunk)
            continue
        current = ""
        for char in chunk:
            if _is_punctuation(char):
                if current:
                    out.append(current)
                    current = ""
                out.append(char)
            else:
                current += char
        if current:
            out.append(current)
    return out


@dataclass(frozen=True, slots=True)
class StaticModel:
    """The distilled table: one row per WordPiece token, already scaled by the token's SIF weight."""

    vocab: dict[str, int]
    vectors: Table  # (tokens, dims), float16 as stored
    weights: Matrix  # each token's SIF weight, as the distillation applied it (rarer tokens near 1)
    max_word_chars: int = 100

    @property
    def dims(self) -> int:
        return int(self.vectors.shape[1])

    def word_ids(self, word: str) -> tuple[int, ...]:
        return _word_ids(self, word)


@functools.lru_cache(maxsize=300_000)
def _word_ids_cached(model_id: int, word: str) -> tuple[int, ...]:
    model = _MODELS[model_id]
    vocab = model.vocab
    if word in vocab:
        return (vocab[word],)
    if len(word) > model.max_word_chars:
        return ()
    ids: list[int] = []
    start = 0
    while start < len(word):
        end = len(word)
        found = -1
        while start < end:
            piece = word[start:end] if start == 0 else "##" + word[start:end]
            if piece in vocab:
                found = vocab[piece]
                break
            end -= 1
        if found < 0:
            return ()  # WordPiece makes the whole word [UNK], which the model leaves out
        ids.append(found)
        start = end
    return tuple(ids)


_MODELS: dict[int, StaticModel] = {}


def _word_ids(model: StaticModel, word: str) -> tuple[int, ...]:
    return _word_ids_cached(id(model), word)


@functools.cache
def load_model(folder: Path = MODEL_DIR) -> StaticModel:
    """Reads the shipped model from the package folder, once per folder; never downloads."""
    import numpy as np

    tokenizer = json.loads((folder / "tokenizer.json").read_text(encoding="utf-8"))
    config = json.loads((folder / "config.json").read_text(encoding="utf-8"))
    wordpiece = tokenizer["model"]
    vocab: dict[str, int] = dict(wordpiece["vocab"])
    vectors = _read_safetensors(folder / "model.safetensors")
    if len(vocab) != vectors.shape[0]:
        raise ValueError(f"{folder}: {len(vocab)} tokens but {vectors.shape[0]} rows")
    # The SIF weight model2vec gave each row (Zipf's law over the token ranks), recomputed.
    sif = float(config.get("sif_coefficient") or 1e-4)
    inverse_rank = 1.0 / np.arange(2, len(vocab) + 2, dtype=np.float64)
    weights = (sif / (sif + inverse_rank / inverse_rank.sum())).astype(np.float32)
    model = StaticModel(vocab, vectors, weights, int(wordpiece.get("max_input_chars_per_word", 100)))
    _MODELS[id(model)] = model
    return model


def default_model() -> StaticModel:
    return load_model(MODEL_DIR)


def tokenize(text: str, model: StaticModel | None = None) -> list[int]:
    """The WordPiece token ids of a text, as the model's tokenizer gives them (unknown words left out)."""
    model = model or default_model()
    return [i for word in _pre_tokens(text) for i in _word_ids(model, word)]


# --------------------------------------------------------------------------- sentences


# "not", "no", "never"…, and the "n't" of a contraction: a pair where one side negates and the other
# does not seldom says the same thing, whatever its words share.
_NEGATION = re.compile(r"\b(?:not|no|never|nor|neither|without|cannot)\b|n['\u2019]t\b", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Prepared:
    """What the features need of one sentence, computed once per text."""

    vector: Matrix  # the sentence embedding, length 1 (zeros when no word is known)
    word_rows: Table  # (words,) int32: each known word's row in `table`
    word_weights: Matrix  # (words,): each word's SIF weight (its rarest token's) over their sum
    stems: frozenset[str]  # `tui.similarity` word stems
    bigrams: frozenset[tuple[str, str]]
    trigrams: frozenset[tuple[str, str, str]]
    facts: frozenset[str]  # numbers, months, tickers as `tui.similarity.facts` normalises them
    negated: bool
    length: int  # words
    table: _WordTable  # where the word rows are (a table started again leaves older sentences theirs)


class _WordTable:
    """Every word met so far, once: its direction (its token rows summed, length 1) as a row of one
    growing matrix, and its SIF weight (its rarest token's). A sentence keeps its words' row numbers,
    4 bytes a word instead of a 1 KB vector, so many sentences stay prepared in little memory."""

    def __init__(self, model: StaticModel) -> None:
        import numpy as np

        self.model = model
        self.rows: dict[str, int] = {}
        self.vectors = np.zeros((1024, model.dims), dtype=np.float32)
        self.weights = np.zeros(1024, dtype=np.float32)

    def row(self, word: str) -> int:
        """The word's row, or -1 for a word the vocabulary cannot spell."""
        found = self.rows.get(word)
        if found is not None:
            return found
        import numpy as np

        pieces = list(self.model.word_ids(word))
        if not pieces:
            self.rows[word] = -1
            return -1
        row = len(self.rows)
        if row >= len(self.vectors):  # double: amortised constant cost a word
            self.vectors = np.concatenate((self.vectors, np.zeros_like(self.vectors)))
            self.weights = np.concatenate((self.weights, np.zeros_like(self.weights)))
        vector = self.model.vectors[pieces].astype(np.float32).sum(axis=0)
        self.vectors[row] = vector / max(float(np.linalg.norm(vector)), 1e-9)
        self.weights[row] = float(self.model.weights[pieces].max())
        self.rows[word] = row
        return row


# Words kept in a table before it starts again (with the sentences prepared from it): 1 KB each.
WORD_TABLE_SIZE = 300_000
_TABLES: dict[int, _WordTable] = {}


def _word_table(model: StaticModel) -> _WordTable:
    table = _TABLES.get(id(model))
    if table is None or len(table.rows) > WORD_TABLE_SIZE:
        _CACHE.pop(id(model), None)  # its sentences point into the old table
        table = _TABLES[id(model)] = _WordTable(model)
    return table


def _prepare(text: str, model: StaticModel, table: _WordTable) -> Prepared:
    import numpy as np

    known = table.rows.get  # a word met before costs a look-up, not a method call
    rows: list[int] = []
    for word in _pre_tokens(text):
        if word.isalnum():
            row = known(word)
            if row is None:
                row = table.row(word)  # met for the first time: spelled and added
            if row >= 0:
                rows.append(row)
    word_rows = np.asarray(rows, dtype=np.int32)
    if rows:
        word_weights = table.weights[word_rows]
        word_weights /= word_weights.sum()
        # SIF (Arora et al., 2017): a sentence is its words' directions averaged with their weights.
        vector = word_weights @ table.vectors[word_rows]
        vector /= max(float(np.linalg.norm(vector)), 1e-9)
    else:
        word_weights = np.zeros(0, dtype=np.float32)
        vector = np.zeros(model.dims, dtype=np.float32)
    tokens = words(text)
    stems = [stem(w) for w in tokens]
    return Prepared(
        vector,
        word_rows,
        word_weights,
        frozenset(stems),
        frozenset(zip(stems, stems[1:], strict=False)),
        frozenset(zip(tokens, tokens[1:], tokens[2:], strict=False)),
        sentence_facts(text, tokens).all(),
        _NEGATION.search(text) is not None,
        len(tokens),
        table,
    )


# Prepared sentences kept, the least recently used forgotten first (each holds its words' row numbers
# and word sets, a few KB): the sentences of the articles a library index verifies one pair after
# another, bounded so a large library stays in memory.
CACHE_SIZE = 20_000
_CACHE: dict[int, dict[str, Prepared]] = {}


def prepare(
    texts: Iterable[str], model: StaticModel | None = None, *, remember: bool = True
) -> list[Prepared]:
    """Each text prepared, cached by text: a sentence met again costs a dictionary look-up.

    `remember=False` for texts made for one question (several sentences read as one): they are
    prepared without pushing the article sentences out of the cache."""
    model = model or default_model()
    table = _word_table(model)
    cache = _CACHE.setdefault(id(model), {})
    texts = list(texts)
    made: dict[str, Prepared] = {}
    for text in dict.fromkeys(texts):
        found = cache.pop(text, None)  # re-inserted below: the dictionary's order is the use order
        made[text] = found if found is not None else _prepare(text, model, table)
        if remember:
            cache[text] = made[text]
    while len(cache) > CACHE_SIZE:
        del cache[next(iter(cache))]
    return [made[t] for t in texts]


def clear_cache() -> None:
    """Forgets every prepared sentence and word (sentences are cached by text, up to `CACHE_SIZE`)."""
    _CACHE.clear()
    _TABLES.clear()


def embed(texts: Sequence[str], model: StaticModel | None = None) -> Matrix:
    """Sentence embeddings, one row of length 1 per text (a text without known words gives zeros)."""
    import numpy as np

    model = model or default_model()
    if not texts:
        return np.zeros((0, model.dims), dtype=np.float32)
    return np.stack([p.vector for p in prepare(texts, model)])


# --------------------------------------------------------------------------- features


FEATURES = (
    "cosine",  # the sentence embeddings' cosine
    "soft_alignment",  # each word to its nearest of the other sentence by meaning, weighted; F1 of both ways
    "words_covered_min",  # share of the less-covered sentence's word stems found in the other
    "words_covered_max",  # the same for the better-covered sentence
    "bigrams_covered_min",  # share of the less-covered sentence's stem 2-grams found in the other
    "trigram_containment",  # share of the shorter sentence's word 3-grams found in the other
    "figures_conflict",  # 1 when each gives a figure, month or ticker the other lacks (`tui.similarity.facts.conflict`)
    "figures_unmatched",  # share of the two sentences' figures that only one gives
    "negation_differs",  # 1 when one sentence negates ("not", "n't", "never"…) and the other does not
    "length_ratio",  # shorter / longer, in words
)


# Two words' static vectors this close count as a restatement ("warned"/"warning" 0.80, "said"/"told"
# 0.61, "shares"/"stock" 0.63); below it ("leader"/"president" 0.39, "bank"/"river" 0.36) a word is
# unmatched. Cuts from 0.45 to 0.7 give the same MSRP figures within 0.1 point (bench/README.md).
SYNONYM_COSINE = 0.5


def _soft_alignment(a: Prepared, b: Prepared) -> float:
    """BERTScore's F1 with the static word vectors: each word's best cosine among the other sentence's
    words (0 below `SYNONYM_COSINE`), averaged with the words' SIF weights, in each direction; the
    harmonic mean of the two.

    One small product per pair, on purpose: stacking a sentence's partners into one product made
    OpenBLAS use several threads, 30 times slower on a busy two-core machine (bench/README.md)."""
    if not len(a.word_weights) or not len(b.word_weights):
        return 0.0
    sims = a.table.vectors[a.word_rows] @ b.table.vectors[b.word_rows].T
    sims = sims * (sims >= SYNONYM_COSINE)
    recall_a = float(sims.max(axis=1) @ a.word_weights)
    recall_b = float(sims.max(axis=0) @ b.word_weights)
    total = recall_a + recall_b
    return 2 * recall_a * recall_b / total if total > 0 else 0.0


def _covered(x: frozenset[Any], y: frozenset[Any]) -> tuple[float, float]:
    """Share of x found in y and of y found in x, the lower first."""
    shared = len(x & y)
    share_x = shared / len(x) if x else 0.0
    share_y = shared / len(y) if y else 0.0
    return (share_x, share_y) if share_x <= share_y else (share_y, share_x)


def _features(a: Prepared, b: Prepared) -> tuple[float, ...]:
    words_min, words_max = _covered(a.stems, b.stems)
    bigrams_min, _ = _covered(a.bigrams, b.bigrams)
    shorter = min(len(a.trigrams), len(b.trigrams))
    figures = a.facts | b.facts
    return (
        float(a.vector @ b.vector),
        _soft_alignment(a, b),
        words_min,
        words_max,
        bigrams_min,
        len(a.trigrams & b.trigrams) / shorter if shorter else 0.0,
        1.0 if figures and conflict(a.facts, b.facts) is not None else 0.0,
        len(a.facts ^ b.facts) / len(figures) if figures else 0.0,
        1.0 if a.negated != b.negated else 0.0,
        min(a.length, b.length) / max(a.length, b.length, 1),
    )


def pair_features(pairs: Sequence[tuple[str, str]], model: StaticModel | None = None) -> Matrix:
    """One row of `FEATURES` per sentence pair; each distinct sentence is prepared once."""
    model = model or default_model()
    texts = list(dict.fromkeys(t for pair in pairs for t in pair))
    prepared = dict(zip(texts, prepare(texts, model), strict=True))
    return _feature_rows([(prepared[a], prepared[b]) for a, b in pairs])


def _feature_rows(pairs: Sequence[tuple[Prepared, Prepared]]) -> Matrix:
    import numpy as np

    rows = [_features(a, b) for a, b in pairs]
    return np.array(rows, dtype=np.float32).reshape(len(rows), len(FEATURES))


# --------------------------------------------------------------------------- the verdict


# Logistic regression over FEATURES, on the raw feature values, fitted on all 3,424 MSRP training
# pairs (`../shared/bench/msrp/train.tsv`) by `bench/msrp.py --fit`; its 10-fold figures are in
# bench/README.md, "Sentence paraphrase (MSRP)".
WEIGHTS: tuple[float, ...] = (
    5.1429,  # cosine
    2.0238,  # soft_alignment
    3.3830,  # words_covered_min
    0.3745,  # words_covered_max
    4.6071,  # bigrams_covered_min
    -4.9757,  # trigram_containment
    -0.9097,  # figures_conflict
    -0.2027,  # figures_unmatched
    -1.2051,  # negation_differs
    0.4132,  # length_ratio
)
BIAS = -7.3628
# The probability above which a pair is called the same content: the threshold that gave the best
# accuracy on the same pairs.
THRESHOLD = 0.520


def score_pairs(pairs: Sequence[tuple[str, str]], model: StaticModel | None = None) -> Matrix:
    """For each (a, b), the probability that the two sentences say the same thing."""
    model = model or default_model()
    return _probabilities(pair_features(pairs, model))


def score_prepared(pairs: Sequence[tuple[Prepared, Prepared]]) -> Matrix:
    """`score_pairs` for sentences already prepared (by `prepare`)."""
    return _probabilities(_feature_rows(pairs))


def _probabilities(features: Matrix) -> Matrix:
    import numpy as np

    logits = features @ np.asarray(WEIGHTS, dtype=np.float32) + np.float32(BIAS)
    probabilities: Matrix = (1.0 / (1.0 + np.exp(-logits))).astype(np.float32)
    return probabilities


def same_content(a: str, b: str, model: StaticModel | None = None) -> float:
    """The probability that sentences a and b say the same thing (`score_pairs` for one pair)."""
    return float(score_pairs([(a, b)], model)[0])


def score_matrix(a: Sequence[str], b: Sequence[str], model: StaticModel | None = None) -> Matrix:
    """`score_pairs` for every sentence of `a` with every sentence of `b`, as a (len a, len b) matrix."""
    return score_pairs([(x, y) for x in a for y in b], model).reshape(len(a), len(b))
