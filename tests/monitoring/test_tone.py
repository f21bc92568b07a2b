"""Tone (negative / neutral / positive) in French and English, measured on a labelled set of 210
sentences written for this purpose (tone_set.tsv: 35 per language and tone)."""

from pathlib import Path

import pytest

from monitoring import services, tone
from monitoring.matching import fold

SET = [
    line.rstrip("\n").split("\t")
    for line in (Path(__file__).parent / "tone_set.tsv").read_text().splitlines(keepends=True)
    if line.strip() and not line.startswith("#")
]


def accuracy(rows) -> float:
    return sum(tone.tone(fold(text)) == int(label) for _language, label, text in rows) / len(rows)


def test_the_set_is_balanced():
    assert len(SET) >= 200
    for language in ("fr", "en"):
        for label in ("-1", "0", "1"):
            assert sum(1 for row in SET if row[0] == language and row[1] == label) == 35


def test_accuracy_on_the_labelled_set(capsys):
    overall = accuracy(SET)
    per_language = {language: accuracy([row for row in SET if row[0] == language]) for language in ("fr", "en")}
    with capsys.disabled():
        figures = f"fr {per_language['fr']:.1%}, en {per_language['en']:.1%}"
        print(f"\ntone accuracy: {overall:.1%} ({figures}) on {len(SET)} sentences")
    assert overall >= 0.9
    assert min(per_language.values()) >= 0.85


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Ce n'est pas bon", -1),
        ("Pas de problème, merci", 1),
        ("This is not good", -1),
        ("C'est BIEN TROP CHER", 0),
        ("DÉCEVANT", -1),
    ],
)
def test_negations_and_folding(text, expected):
    assert tone.tone(fold(text)) == expected


@pytest.mark.django_db
def test_a_cell_extends_the_lexicon_with_its_own_words(cell, manager):
    assert tone.tone(fold("Encore le Durandgate"), tone.lexicon_for_cell(cell.pk)) == 0
    services.tone_word_add(actor=manager, cell=cell, word="Durandgate", polarity=-1)
    assert tone.tone(fold("Encore le Durandgate"), tone.lexicon_for_cell(cell.pk)) == -1
