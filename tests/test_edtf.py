import pytest

from archive.edtf import year_range
from archive.errors import InvalidInput


@pytest.mark.parametrize(
    ("text", "years"),
    [
        ("1975", (1975, 1975)),
        ("199X", (1990, 1999)),
        ("19XX", (1900, 1999)),
        ("2023-05-05", (2023, 2023)),
        ("1975-04", (1975, 1975)),
        ("1975?", (1975, 1975)),
        ("1975-04-30~", (1975, 1975)),
        ("1975/1980", (1975, 1980)),
        ("1975/..", (1975, None)),
        ("../1954", (None, 1954)),
        ("2024-02-29", (2024, 2024)),
    ],
)
def test_an_edtf_date_gives_the_years_it_covers(text, years):
    assert year_range(text) == years


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("05/05/2023", "not an EDTF date"),
        ("1975-13", "month 13"),
        ("2023-02-29", "day 29"),
        ("1980/1975", "ends before it starts"),
        ("199X-04", "full year"),
        ("", "not an EDTF date"),
        ("../..", "at least one end"),
    ],
)
def test_a_date_that_is_not_edtf_is_refused_with_its_reason(text, reason):
    with pytest.raises(InvalidInput, match=reason):
        year_range(text)
