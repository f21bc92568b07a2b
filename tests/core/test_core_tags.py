"""Generic presentation filters in the reader's language."""

import pytest
from django.utils import translation

from core.templatetags.core_tags import grouped


@pytest.mark.parametrize(
    ("language", "value", "shown"),
    [
        ("en", 12400, "12,400"),
        ("fr", 12400, "12\N{NO-BREAK SPACE}400"),
        ("en", 950, "950"),
        ("en", 2_500_000, "2,500,000"),
    ],
)
def test_counts_are_grouped_in_the_readers_language(language, value, shown):
    with translation.override(language):
        assert grouped(value) == shown


def test_nothing_stays_nothing():
    assert grouped(None) is None
    assert grouped("") == ""
