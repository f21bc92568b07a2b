"""Matching: accents, case, whole words, phrases, hashtags, handles, exclusions, languages."""

from types import SimpleNamespace

import pytest

from monitoring.matching import Matcher, fold


def matcher(terms, exclusions="", languages=(), reach_threshold=0, id=1):
    return Matcher(
        [
            SimpleNamespace(
                id=id, terms=terms, exclusions=exclusions, languages=list(languages), reach_threshold=reach_threshold
            )
        ]
    )


@pytest.mark.parametrize(
    ("term", "text", "hit"),
    [
        ("reponse", "Aucune réponse du service", True),
        ("RÉPONSE", "aucune reponse", True),
        ("ELEVE", "Un élève a été blessé", True),
        ("élève", "UN ÉLÈVE", True),
        ("rappel", "Le rappel du lot", True),
        ("rappel", "Il me rappelle demain", False),  # whole words
        ("rappel", "un prérappel", False),
        ("rappel", "Enfin un #rappel officiel", True),  # a word matches its hashtag
        ("#rappel", "le rappel du lot", False),  # a hashtag needs its sign
        ("#rappel", "#Rappel du lot", True),
        ("#rappel", "#rappels du lot", False),
        ("@durand", "merci @Durand pour la réponse", True),
        ("durand", "merci @durand", False),  # a handle is not the word
        ("durand", "Maison Durand, encore", True),
        ('"service client"', "Le SERVICE\nclient ne répond pas", True),  # phrase across a line break
        ("service client", "le service après-vente et le client", False),
        ("l'usine", "Devant l\u2019usine ce matin", True),  # typographic apostrophe
        ("hydra+", "le sérum Hydra+ brûle", True),
        ("cœur", "en plein coeur", True),
    ],
)
def test_terms(term, text, hit):
    assert bool(matcher(term).match(text)) is hit


def test_the_matched_terms_are_named_once_each():
    result = matcher("durand\n#rappeldurand\nsérum").match("Durand, durand, DURAND #RappelDurand sérum")
    assert result == {1: ["durand", "#rappeldurand", "sérum"]}


def test_an_exclusion_term_drops_the_watchlist():
    m = matcher("durand", exclusions="rené durand\n#jeu")
    assert m.match("Durand me déçoit")
    assert not m.match("René Durand chante ce soir")
    assert not m.match("durand #jeu concours")


def test_languages():
    m = matcher("durand", languages=["fr"])
    assert m.match("Durand", language="fr")
    assert not m.match("Durand", language="en")


def test_the_author_handle_matches_a_handle_term():
    m = matcher("@durandofficiel")
    assert m.match("Bonjour à tous", author_handle="DurandOfficiel")
    assert m.match("Bonjour à tous", author_handle="@durandofficiel")


def test_several_watchlists_in_one_automaton():
    m = Matcher(
        [
            SimpleNamespace(id=1, terms="durand", exclusions="", languages=[], reach_threshold=0),
            SimpleNamespace(id=2, terms="hydra+\ndurand", exclusions="concours", languages=[], reach_threshold=0),
        ]
    )
    assert m.match("Durand Hydra+") == {1: ["durand"], 2: ["durand", "hydra+"]}  # in the order said
    assert m.match("Durand concours") == {1: ["durand"]}


def test_fold():
    assert fold("Élève RÉPONSE l\u2019usine Œuvre straße café") == "eleve reponse l'usine oeuvre strasse cafe"
    assert fold("Ça\tdéçoit 😀 ﬁn") == "ca decoit 😀 fin"
