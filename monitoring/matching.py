"""Matching mentions against a cell's watchlists with one Aho-Corasick automaton.

Case- and accent-insensitive ("reponse" matches "réponse", "ELEVE" matches "élève"),
whole-word, phrase-aware, hashtag- and handle-aware:
- `rappel` matches the word rappel and the hashtag #rappel, never "rappelle";
- `#rappel` matches only the hashtag; `@durand` only the handle (or the mention's author);
- `"service client"` (quotes optional) matches the phrase, whatever spaces and case.

One automaton holds the terms of all the cell's active watchlists (a text is scanned
once whatever the number of watchlists); it is built once per set of watchlist versions
and cached per process. Never a regex alternation of all terms: its cost grows with the
number of terms, the automaton's does not.
"""

import threading
import unicodedata
from dataclasses import dataclass, field

import ahocorasick


def _fold_table() -> dict[int, str]:
    """Lower-case letters without their accents, for str.translate (C speed): é→e, Œ→oe, ß→ss.
    Whitespace of every kind becomes one plain space so that phrases match across line breaks."""
    table = {}
    for code in range(0x80, 0x2FF):
        char = chr(code)
        base = "".join(c for c in unicodedata.normalize("NFKD", char.lower()) if not unicodedata.combining(c))
        if base != char:
            table[code] = base
    table.update({ord("œ"): "oe", ord("Œ"): "oe", ord("æ"): "ae", ord("Æ"): "ae", ord("ß"): "ss"})
    for code in (0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0xA0, 0x2028, 0x2029, 0x202F):
        table[code] = " "
    # The typographic apostrophe is the ASCII one (l\u2019usine = l'usine).
    table[0x2019] = "'"
    return table


_FOLD = _fold_table()


def fold(text: str) -> str:
    """What matching and tone read: lower case, no accents. Same length as lower() for
    the scripts we fold letter by letter, which keeps match positions meaningful."""
    return text.lower().translate(_FOLD)


def _is_word_char(char: str) -> bool:
    return char.isalnum() or char == "_"


@dataclass(frozen=True)
class Term:
    watchlist_id: int
    text: str  # as the cell wrote it (shown as "matched term")
    exclusion: bool


@dataclass
class WatchlistRule:
    watchlist_id: int
    languages: frozenset[str] = field(default_factory=frozenset)
    reach_threshold: int = 0


def parse_terms(raw: str) -> list[str]:
    """One term per line; surrounding quotes of a phrase are optional; blank lines ignored."""
    terms = []
    for line in (raw or "").splitlines():
        term = line.strip().strip('"“”«»').strip()
        if term:
            terms.append(term)
    return terms


class Matcher:
    """The automaton of one cell's watchlists (one version of each)."""

    def __init__(self, watchlists):
        """`watchlists`: objects with id, terms, exclusions, languages (Watchlist rows)."""
        self.automaton = ahocorasick.Automaton()
        self.rules: dict[int, WatchlistRule] = {}
        patterns: dict[str, list[Term]] = {}
        self.handles: dict[str, list[Term]] = {}
        for watchlist in watchlists:
            self.rules[watchlist.id] = WatchlistRule(
                watchlist.id, frozenset(watchlist.languages or []), watchlist.reach_threshold
            )
            for raw, exclusion in [(watchlist.terms, False), (watchlist.exclusions, True)]:
                for term in parse_terms(raw):
                    key = " ".join(fold(term).split())
                    entry = Term(watchlist.id, term, exclusion)
                    patterns.setdefault(key, []).append(entry)
                    if key.startswith("@"):
                        self.handles.setdefault(key, []).append(entry)
        for key, entries in patterns.items():
            self.automaton.add_word(key, (key, tuple(entries)))
        self.empty = not patterns
        if not self.empty:
            self.automaton.make_automaton()

    def is_loud(self, reach: int, matched: dict) -> bool:
        """Whether an author of this reach is above the threshold of one of the matched watchlists."""
        return any(reach >= self.rules[int(watchlist_id)].reach_threshold > 0 for watchlist_id in matched)

    def match(self, text: str, *, language: str = "", author_handle: str = "", folded: str | None = None):
        """{watchlist id: [term, ...]} for the watchlists this text matches (none excluded it)."""
        if self.empty:
            return {}
        folded = fold(text) if folded is None else folded
        hits: dict[int, list[str]] = {}
        excluded: set[int] = set()
        length = len(folded)
        for end, (key, entries) in self.automaton.iter(folded):
            start = end - len(key) + 1
            before = folded[start - 1] if start > 0 else " "
            after = folded[end + 1] if end + 1 < length else " "
            # Whole words: rappel is not in "rappelle"; #rappel is not in "#rappels".
            if _is_word_char(after) or _is_word_char(before):
                continue
            # A plain word also matches its hashtag (#rappel); "@durand" is a handle, not the word.
            if before == "@" and key[0] != "@":
                continue
            for entry in entries:
                if entry.exclusion:
                    excluded.add(entry.watchlist_id)
                else:
                    _append_once(hits.setdefault(entry.watchlist_id, []), entry.text)
        if author_handle and self.handles:
            handle = "@" + fold(author_handle).lstrip("@")
            for entry in self.handles.get(handle, ()):
                if entry.exclusion:
                    excluded.add(entry.watchlist_id)
                else:
                    _append_once(hits.setdefault(entry.watchlist_id, []), entry.text)
        result = {}
        for watchlist_id, terms in hits.items():
            if watchlist_id in excluded or not terms:
                continue
            rule = self.rules[watchlist_id]
            if rule.languages and language not in rule.languages:
                continue
            result[watchlist_id] = terms
        return result


def _append_once(terms: list[str], term: str) -> None:
    if term not in terms:
        terms.append(term)


_cache: dict[int, tuple[tuple, Matcher]] = {}
_lock = threading.Lock()


def matcher_for_cell(cell_id: int) -> Matcher:
    """The cell's matcher, rebuilt only when a watchlist was added, changed or removed
    (one small query for the versions; the automaton itself is cached per process)."""
    from .models import Watchlist

    versions = tuple(
        Watchlist.objects.filter(cell_id=cell_id, is_active=True).order_by("id").values_list("id", "version")
    )
    cached = _cache.get(cell_id)
    if cached is not None and cached[0] == versions:
        return cached[1]
    watchlists = list(Watchlist.objects.filter(cell_id=cell_id, is_active=True).order_by("id"))
    matcher = Matcher(watchlists)
    with _lock:
        _cache[cell_id] = (versions, matcher)
    return matcher
