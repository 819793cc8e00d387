from tui.wording import counted


def test_counts_take_the_noun_in_their_number() -> None:
    assert counted(1, "version") == "1 version"
    assert counted(0, "note") == "0 notes"
    assert counted(2, "repeated passage") == "2 repeated passages"
    assert counted(12_000, "sentence") == "12,000 sentences"
    assert counted(3, "story", "stories") == "3 stories"
