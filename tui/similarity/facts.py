"""Facts of a sentence: the numbers, names and months that a faithful copy must keep.

Two sentences restate each other only when their facts agree; the same wording around other
facts ("Shr 14 cts vs 17 cts" and "Shr three cts vs six cts") is a template, not a copy. Facts are
normalised so that different spellings of one fact meet: "7-3/4" and "7.75", "0.50" and "0.5",
"50 mln" and "50,000,000", "three" and "3", "June 18-19" and "June 18 and 19".

Pure core: regular expressions, and the word stems of `tui.similarity.text` for acronyms.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache

from tui.similarity.text import stem, words

# Multipliers written after a number: "50 mln", "1.2 billion".
_SCALES = {
    "thousand": 1_000,
    "mln": 1_000_000,
    "million": 1_000_000,
    "millions": 1_000_000,
    "bln": 1_000_000_000,
    "billion": 1_000_000_000,
    "billions": 1_000_000_000,
    "trillion": 1_000_000_000_000,
    "trln": 1_000_000_000_000,
    # Written onto the figure, as British and web copy do: "1.4m", "2bn", "300k".
    "k": 1_000,
    "m": 1_000_000,
    "mn": 1_000_000,
    "bn": 1_000_000_000,
    "tn": 1_000_000_000_000,
}
# Small numbers are spelled out in news copy ("three cts"); "one" is left out, being a pronoun as often.
NUMBER_WORDS: dict[str, float] = {
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "second": 2,
    "third": 3,
    "fourth": 4,
    "fifth": 5,
    "sixth": 6,
    "seventh": 7,
    "eighth": 8,
    "ninth": 9,
    "tenth": 10,
    "half": 0.5,
}
# Units shown beside a changed figure ("66.00 cts -> 65.75 cts"); agreement compares the values only.
_UNITS_TEXT = """
    ct cts cent cents dlr dlrs dollar dollars pct percent pc yen marks francs stg lire guilders
    tonnes tons barrels bpd shares pts points bushels ounces ozs
"""
UNITS = frozenset(_UNITS_TEXT.split())
MONTHS = {
    "january": "jan",
    "jan": "jan",
    "february": "feb",
    "feb": "feb",
    "march": "mar",
    "april": "apr",
    "apr": "apr",
    "may": "may",
    "june": "jun",
    "jun": "jun",
    "july": "jul",
    "jul": "jul",
    "august": "aug",
    "aug": "aug",
    "september": "sep",
    "sept": "sep",
    "sep": "sep",
    "october": "oct",
    "oct": "oct",
    "november": "nov",
    "nov": "nov",
    "december": "dec",
    "dec": "dec",
}
_NUMBER_WORD_SET = frozenset(NUMBER_WORDS)
_MONTH_SET = frozenset(MONTHS)
# Capitalised words that name no one in particular: company forms, titles, days, sentence furniture.
_GENERIC_CAPITALS_TEXT = """
    inc corp corporation co cos company ltd plc llc lp ag sa nv bv spa ab group holdings holding
    mr mrs ms dr sir st the a an and of in on at for to by with from this that these those it its
    he she they we i you his her their our there here but or if as when while after before
    monday tuesday wednesday thursday friday saturday sunday reuter reuters note net shr qtr
"""
GENERIC_CAPITALS = frozenset(_GENERIC_CAPITALS_TEXT.split())

# A number as written: "7-3/4", "3/4", "1,062,000", "0.50", "66", "3rd"; optionally a range "18-19".
_NUMBER = re.compile(
    r"(?<![\w.,/-])"
    r"(?:(?P<whole>\d+)[- ](?P<num>\d+)/(?P<den>\d+)"  # mixed fraction 7-3/4
    r"|(?P<fnum>\d+)/(?P<fden>\d+)"  # fraction 3/4
    r"|(?P<plain>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)(?:st|nd|rd|th|ST|ND|RD|TH)?"
    r"(?:-(?P<to>\d+(?:\.\d+)?)(?![\d/]))?"  # range 18-19
    r")"
    r"(?:\s*(?P<scale>thousand|mln|million|millions|bln|billion|billions|trillion|trln)\b"
    r"|(?P<suffix>k|m|mn|bn|tn)\b)?",
    re.IGNORECASE,
)
# A clock time, one fact however written: "06:00", "6:00 pm", "0600 GMT", "6 a.m." ("#t0600", "#t1800").
_CLOCK = re.compile(
    r"(?<![\w.,:/-])(?:"
    r"(?P<h>\d{1,2}):(?P<m>[0-5]\d)(?:\s*(?P<ap>[ap])\.?m\b\.?)?"
    r"|(?P<hh>[01]\d|2[0-3])(?P<mm>[0-5]\d)(?=\s*(?:GMT|UTC|EST|EDT|CST|CDT|PST|PDT|BST|CET|CEST|JST|KST|hrs|hours|local)\b)"
    r"|(?P<h2>\d{1,2})(?:[.:](?P<m2>[0-5]\d))?\s*(?P<ap2>[ap])\.?m\b\.?"
    r")",
    re.IGNORECASE,
)
_WORD = re.compile(r"[^\W_]+(?:['\u2019][^\W_]+)*")
_DIGIT = re.compile(r"\d")
# A ticker (<CAT>, <SUSQ.O>) or, in Reuters copy, a company named in angle brackets (<Pioneer Sugar Mills Ltd>).
_TICKER = re.compile(r"<\s*([A-Z][\w.&'\u2019 -]{0,60}?)\s*>")


EMPTY: frozenset[str] = frozenset()


@dataclass(slots=True)
class Facts:
    """One sentence's facts, each normalised; `surface` keeps how each number was written."""

    numbers: frozenset[str] = frozenset()
    months: frozenset[str] = frozenset()
    tickers: frozenset[str] = frozenset()
    surface: dict[str, str] = field(default_factory=dict)

    def all(self) -> frozenset[str]:
        if not (self.numbers or self.months or self.tickers):
            return EMPTY  # most sentences: one shared object, not one each
        return self.numbers | self.months | self.tickers


def number_key(value: float) -> str:
    """A canonical spelling: 0.50 -> "0.5", 66.00 -> "66", 7-3/4 -> "7.75", 50 mln -> "50000000"."""
    text = f"{value:.6f}".rstrip("0").rstrip(".")
    return "#" + (text or "0")


def _value(match: re.Match[str]) -> list[float]:
    if match["whole"] is not None:
        den = int(match["den"])
        return [int(match["whole"]) + int(match["num"]) / den] if den else []
    if match["fnum"] is not None:
        den = int(match["fden"])
        return [int(match["fnum"]) / den] if den else []
    values = [float(match["plain"].replace(",", ""))]
    if match["to"] is not None:
        values.append(float(match["to"]))
    return values


def numbers_in(text: str, spelled_too: bool = True) -> list[tuple[str, str, int, int]]:
    """(normalised key, surface, start, end) of each number in a text, a range giving one per end."""
    found: list[tuple[str, str, int, int]] = []
    if _DIGIT.search(text):
        clocks = _clock_times(text)
        found.extend(clocks)
        for match in _NUMBER.finditer(text):
            if clocks and any(start <= match.start() < end for _, _, start, end in clocks):
                continue
            scale = _SCALES.get((match["scale"] or match["suffix"] or "").lower(), 1)
            surface = match.group(0)
            tail = text[match.end() : match.end() + 12].split()
            unit = tail[0].strip(".,;:)") if tail else ""
            unit = unit if unit.lower() in UNITS else ""
            if unit and not (match["scale"] or match["suffix"]):
                surface = f"{surface} {unit}"
            elif text[match.end() : match.end() + 1] == "%":
                surface += "%"
            for value in _value(match):
                found.append((number_key(value * scale), surface, match.start(), match.end()))
    if spelled_too:
        for match in _WORD.finditer(text):
            spelled = NUMBER_WORDS.get(match.group(0).lower())
            if spelled is not None:
                following = text[match.end() : match.end() + 12].split()
                scale = _SCALES.get(following[0].lower().strip(".,;:"), 1) if following else 1
                surface = f"{match.group(0)} {following[0]}" if scale != 1 else match.group(0)
                found.append((number_key(spelled * scale), surface, match.start(), match.end()))
    return found


def _clock_times(text: str) -> list[tuple[str, str, int, int]]:
    found: list[tuple[str, str, int, int]] = []
    for match in _CLOCK.finditer(text):
        hour = int(match["h"] or match["hh"] or match["h2"])
        minute = int(match["m"] or match["mm"] or match["m2"] or 0)
        half = (match["ap"] or match["ap2"] or "").lower()
        if half == "p" and hour < 12:
            hour += 12
        elif half == "a" and hour == 12:
            hour = 0
        if hour > 23:
            continue
        found.append((f"#t{hour:02d}{minute:02d}", match.group(0).strip(), match.start(), match.end()))
    return found


def sentence_facts(text: str, tokens: Iterable[str] | None = None) -> Facts:
    """Numbers (with ranges, fractions and scales), months and tickers of one sentence.

    `tokens`, the sentence's lower-case words when the caller has them, lets most sentences (those
    without digits, number words, months or angle brackets) skip the regular expressions.
    """
    words = None if tokens is None else set(tokens)
    spelled_too = words is None or not _NUMBER_WORD_SET.isdisjoint(words)
    numbers: set[str] = set()
    surface: dict[str, str] = {}
    for key, written, _start, _end in numbers_in(text, spelled_too):
        numbers.add(key)
        surface.setdefault(key, written)
    months: set[str] = set()
    if words is None or not _MONTH_SET.isdisjoint(words):
        months = {
            f"@{MONTHS[w.lower()]}"
            for w in _WORD.findall(text)
            if w.lower() in MONTHS and w[0].isupper() and w != "MAY"  # "FED MAY ADD RESERVES": a verb
        }
    tickers: set[str] = set()
    if "<" in text:
        tickers = {f"<{' '.join(t.lower().split())}>" for t in _TICKER.findall(text)}
    return Facts(
        frozenset(numbers) if numbers else EMPTY,
        frozenset(months) if months else EMPTY,
        frozenset(tickers) if tickers else EMPTY,
        surface,
    )


# An acronym is a word of two letters ("EU", "UN") to six ("OPEC", "NASDAQ") written in capitals in
# a sentence that has lower-case words; between the words it spells may stand these, giving their
# letter or none ("Bank of England": BOE, "Centers for Disease Control": CDC). "and" joins two names
# as often as it stands inside one ("the US and Britain"): it gives no letter, and only inside a
# name of three words or more ("Securities and Exchange Commission": SEC).
_ACRONYM_LETTERS = range(2, 7)
_SPELLED_LINKS = frozenset({"of", "the", "for"})
_JOINING = "and"
_JOINED_NAME_WORDS = 3


def name_words(text: str) -> set[str]:
    """Lower-cased words capitalised inside a mixed-case sentence: the article's names.

    The first word of a sentence is capitalised anyway and an all-capitals headline says nothing,
    so only words after the first in sentences that have lower-case words count; the caller then
    recognises those names wherever they occur, headlines included.
    """
    return names_and_acronyms(text)[0]


def names_and_acronyms(text: str) -> tuple[set[str], set[str]]:
    """`name_words` and the lower-cased acronyms ("EU", "IMF") of a mixed-case sentence, its words
    found once; neither in an all-capitals one."""
    tokens = _WORD.findall(text)
    if not any(t.islower() for t in tokens):
        return set(), set()
    acronyms = {t.lower() for t in tokens if len(t) in _ACRONYM_LETTERS and t.isalpha() and t.isupper()}
    names: set[str] = set()
    for token in tokens[1:]:
        if "A" <= token[0] <= "Z":  # a word token starting with a capital (tokens are letters and digits)
            lowered = token.lower().split("'")[0].split("\u2019")[0]
            if lowered and lowered not in GENERIC_CAPITALS and lowered not in MONTHS and len(lowered) > 1:
                names.add(lowered)
    return names, acronyms


@dataclass(slots=True)
class Conflict:
    """How two sentences' facts differ: facts only in the first, and only in the second."""

    only_a: frozenset[str]
    only_b: frozenset[str]


def conflict(
    a: frozenset[str],
    b: frozenset[str],
    words_a: str = "",
    words_b: str = "",
    acronyms: frozenset[str] = EMPTY,
) -> Conflict | None:
    """A conflict when each side holds a fact of one sort the other lacks (not a mere omission).

    Facts are strings whose first character says their sort ("#" number, "@" month, "<" ticker,
    "=" name): a rewrite that drops a figure agrees; one that gives another figure conflicts.
    `acronyms`: the name facts written as acronyms; one agrees with the names it spells in order
    in the other sentence's words (`words_a`, `words_b`: lower-case, in order), "EU" with
    "European Union".
    """
    only_a = a - b
    only_b = b - a
    if not only_a or not only_b:
        return None
    numbers_a = [f for f in only_a if f[0] == "#"]
    numbers_b = [f for f in only_b if f[0] == "#"]
    if numbers_a and numbers_b:
        # "104.6 mln" and "104,606,000" are one figure, rounded: they agree.
        rounded_a = {x for x in numbers_a if any(same_rounded(x, y) for y in numbers_b)}
        rounded_b = {y for y in numbers_b if any(same_rounded(x, y) for x in numbers_a)}
        only_a, only_b = only_a - rounded_a, only_b - rounded_b
        if not only_a or not only_b:
            return None
    if acronyms and not (acronyms.isdisjoint(only_a) and acronyms.isdisjoint(only_b)):
        # "EU" and "European Union" name one thing: an acronym agrees with the names it spells.
        spelled = _spelled_out(only_a, only_b, words_b, acronyms) | _spelled_out(
            only_b, only_a, words_a, acronyms
        )
        only_a, only_b = only_a - spelled, only_b - spelled
        if not only_a or not only_b:
            return None
    sorts_a = {f[0] for f in only_a}
    sorts_b = {f[0] for f in only_b}
    common = sorts_a & sorts_b
    if not common:
        return None
    # Names: another name beside a shared one is an addition ("Mr Chang" and "Chang Ho-jin, adviser").
    if common == {"="} and any(f[0] == "=" for f in a & b):
        return None
    return Conflict(
        frozenset(f for f in only_a if f[0] in common), frozenset(f for f in only_b if f[0] in common)
    )


def _spelled_out(
    acronyms: frozenset[str], names: frozenset[str], words_of_names: str, known: frozenset[str]
) -> frozenset[str]:
    """Each name fact of `acronyms` that is a `known` acronym and that a run of name facts of
    `names` spells in `words_of_names` (their sentence's lower-case words, in order): "=eu" with
    "=european", "=union" in "the european union would like"; with those names. Without the
    words nothing is spelled: unordered names could spell "US" with "Soviet Union"."""
    tokens = words_of_names.split()
    as_names = [_as_name(token, names) for token in tokens]

    def run_from(k: int, letters: str, run: tuple[str, ...], joined: bool = False) -> tuple[str, ...] | None:
        """The names spelling `letters` from token k on (a linking word may give its letter or none;
        `joined`: an "and" was passed)."""
        if not letters:
            return run if not joined or len(run) >= _JOINED_NAME_WORDS else None
        if k == len(tokens):
            return None
        token, name = tokens[k], as_names[k]
        if name and token[0] == letters[0] and name not in run:
            return run_from(k + 1, letters[1:], (*run, name), joined)
        if run and token in _SPELLED_LINKS:
            if token[0] == letters[0]:
                found = run_from(k + 1, letters[1:], run, joined)
                if found is not None:
                    return found
            return run_from(k + 1, letters, run, joined)
        if run and token == _JOINING:
            return run_from(k + 1, letters, run, True)
        return None

    spelled: set[str] = set()
    for acronym in sorted(acronyms & known):
        letters = acronym[1:]
        for start, name in enumerate(as_names):
            run = run_from(start, letters, ()) if name and name[1] == letters[0] else None
            if run is not None and len(run) >= 2:
                spelled.add(acronym)
                spelled.update(run)
                break
    return frozenset(spelled)


def _as_name(token: str, names: frozenset[str]) -> str:
    """The name fact of `names` a word is, as written or stemmed ("" for none)."""
    for fact in ("=" + token, "=" + stem(token)):
        if fact in names:
            return fact
    return ""


def fact_change(before: str, after: str) -> str:
    """The facts (figures, months, tickers, names) `before` gives that `after` gives otherwise, as
    "before → after" in their own words; "" when they agree (a fact left out is no change)."""
    facts_before, facts_after = sentence_facts(before), sentence_facts(after)
    names_before, acronyms_before = names_and_acronyms(before)
    names_after, acronyms_after = names_and_acronyms(after)
    clash = conflict(
        facts_before.all() | {"=" + n for n in names_before},
        facts_after.all() | {"=" + n for n in names_after},
        " ".join(words(before)),
        " ".join(words(after)),
        frozenset("=" + n for n in acronyms_before | acronyms_after),
    )
    if clash is None:
        return ""

    def shown(facts: frozenset[str], surface: dict[str, str]) -> str:
        return ", ".join(surface.get(f, f.lstrip("#@=<").rstrip(">")) for f in sorted(facts)[:3])

    return f"{shown(clash.only_a, facts_before.surface)} → {shown(clash.only_b, facts_after.surface)}"


def same_rounded(x: str, y: str) -> bool:
    """Two large figures (10,000 or more), one the other rounded.

    Within 0.05% of each other ("104.6 mln" and "104,606,000"), or one given to four or more
    significant digits and the other to at least two fewer, which it rounds to ("1,657,000" and
    "1.7 mln"): an exact figure that rounds to a rough one is seldom another fact, while two rough
    ones ("400 mln" and "420 mln") may well be.
    """
    a, b = _value_of(x), _value_of(y)
    # Under 10,000 a figure is a count or a year ("2000" and "2001"), given exactly.
    if a < 10_000 or b < 10_000:
        return False
    if abs(a - b) <= 0.0005 * max(a, b):
        return True
    (precise, digits), (rough, rough_digits) = sorted(
        ((a, _significant_digits(x)), (b, _significant_digits(y))), key=lambda pair: -pair[1]
    )
    if digits < 4 or rough_digits > digits - 2:
        return False
    place = 10.0 ** (math.floor(math.log10(rough)) - rough_digits + 1)  # the rough figure's last digit
    return math.floor(precise / place + 0.5) * place == rough


@lru_cache(maxsize=1 << 16)
def _value_of(key: str) -> float:
    # Conflicts compare every figure of one sentence with every figure of the other: parse each once.
    # A clock time ("#t0600") is no quantity: it never rounds to another.
    return 0.0 if key[1] == "t" else float(key[1:])


def _significant_digits(key: str) -> int:
    """Digits a figure is given to: "#1657000" 4, "#1700000" 2, "#0.05" 1."""
    digits = key[1:].replace(".", "").lstrip("0")
    return len(digits.rstrip("0") if "." not in key else digits) or 1
