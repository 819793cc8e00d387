"""The article view's pure parts: safe text and line wrapping."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from rich._wrap import divide_line

from tui.app.widgets.article_layout import wrap_offsets
from tui.app.widgets.safe_text import safe_text, sanitize

SEEDS = Path(__file__).resolve().parents[2] / "articles"


@pytest.mark.parametrize(
    "hostile",
    [
        "\x1b[31mred",
        "\x1b]8;;http://x\x07link",
        "\x9b2J",
        "bell\x07",
        "del\x7f",
        "rtl\u202eevil",
        "tab\there",
    ],
)
def test_sanitize_keeps_length_and_removes_controls(hostile: str) -> None:
    clean = sanitize(hostile)
    assert len(clean) == len(hostile)  # offsets into the body stay valid
    assert not any(ord(char) < 0x20 or 0x7F <= ord(char) < 0xA0 for char in clean)
    assert "\u202e" not in clean


def test_markup_is_never_parsed() -> None:
    text = safe_text("[bold]x[/] [link=http://evil]y[/link]")
    assert text.plain == "[bold]x[/] [link=http://evil]y[/link]"
    assert not text.spans


def paragraphs() -> list[str]:
    found: list[str] = []
    for path in sorted(SEEDS.glob("*.txt")):
        found.extend(line for line in path.read_text(encoding="utf-8").splitlines() if line.strip())
    return found


@pytest.mark.parametrize("width", [10, 23, 40, 66, 92])
def test_wrap_breaks_like_rich(width: int) -> None:
    for paragraph in paragraphs():
        assert wrap_offsets(paragraph, width) == divide_line(paragraph, width, fold=True)


def test_wrap_folds_long_words_like_rich() -> None:
    generator = random.Random(5)
    words = ["a", "bb", "ccc", "supercalifragilistic", "x" * 30, "mid-length", "end."]
    for _ in range(200):
        pieces = [
            generator.choice(words) + generator.choice([" ", " ", "  "])
            for _ in range(generator.randint(1, 40))
        ]
        text = "".join(pieces).rstrip()
        width = generator.randint(5, 50)
        assert wrap_offsets(text, width) == divide_line(text, width, fold=True), (text, width)
