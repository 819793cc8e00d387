from tui.wording import counted, length_of_time


def test_counts_take_the_noun_in_their_number() -> None:
    assert counted(1, "version") == "1 version"
    assert counted(0, "note") == "0 notes"
    assert counted(2, "repeated passage") == "2 repeated passages"
    assert counted(12_000, "sentence") == "12,000 sentences"
    assert counted(3, "story", "stories") == "3 stories"


def test_a_length_of_time_reads_in_its_unit() -> None:
    assert length_of_time(2.5) == "2.5 s"
    assert length_of_time(600) == "10 min"
    assert length_of_time(90) == "1.5 min"
    assert length_of_time(5400) == "1.5 h"
