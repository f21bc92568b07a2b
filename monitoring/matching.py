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

import re
import threading
import unicodedata
from dataclasses import dataclass, field

import ahocorasick

# After NFKD, accents are separate combining marks: removed by one regex pass (C speed).
# NFKD also turns no-break spaces into spaces and ligatures (ﬁ) into letters.
_MARKS = re.compile("[\u0300-\u036f]")
# What NFKD leaves: letters that are not "a letter plus an accent", the typographic apostrophe
# (l\u2019usine = l'usine), and line breaks (a phrase matches across them).
_REPLACE = [("\u0153", "oe"), ("\u00e6", "ae"), ("\u00df", "ss"), ("\u2019", "'")]
_SPACES = [("\n", " "), ("\r", " "), ("\t", " ")]


def _latin1_table() -> bytes:
    """A 256-byte table for bytes.translate: Latin-1 letters with accents -> their base letter."""
    source, target = bytearray(), bytearray()
    for code in range(0xA0, 0x100):
        base = "".join(c for c in unicodedata.normalize("NFKD", chr(code)) if not unicodedata.combining(c))
        if len(base) == 1 and base.isascii() and base != chr(code):
            source.append(code)
            target.append(ord(base))
    return bytes.maketrans(bytes(source), bytes(target))


_LATIN1 = _latin1_table()


def fold(text: str) -> str:
    """What matching and tone read: lower case, no accents ("Élève" -> "eleve").

    Built for speed (matching must keep up with 100,000 mentions/s on one core): ASCII
    texts skip the accent work; French text (Latin-1 once oe ligatures and curly apostrophes are replaced) goes
    through one bytes.translate; anything else through NFKD. A dict-based str.translate
    was 10x slower."""
    text = text.lower()
    if not text.isascii():
        for old, new in _REPLACE:
            if old in text:
                text = text.replace(old, new)
        try:
            text = text.encode("latin-1").translate(_LATIN1).decode("latin-1")
        except UnicodeEncodeError:
            text = _MARKS.sub("", unicodedata.normalize("NFKD", text))
    for old, new in _SPACES:
        if old in text:
            text = text.replace(old, new)
    return text


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
            self.automaton.add_word(key, (key, len(key), tuple(entries)))
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
        # Most texts match nothing: no dict or set is made for them (matching must keep up
        # with 100,000 mentions/s on one core; these allocations were a tenth of it).
        hits: dict[int, list[str]] | None = None
        excluded: set[int] | None = None
        last = len(folded) - 1
        for end, (key, size, entries) in self.automaton.iter(folded):
            start = end - size + 1
            before = folded[start - 1] if start > 0 else " "
            after = folded[end + 1] if end < last else " "
            # Whole words: rappel is not in "rappelle"; #rappel is not in "#rappels".
            if after.isalnum() or after == "_" or before.isalnum() or before == "_":
                continue
            # A plain word also matches its hashtag (#rappel); "@durand" is a handle, not the word.
            if before == "@" and key[0] != "@":
                continue
            for entry in entries:
                if entry.exclusion:
                    excluded = excluded or set()
                    excluded.add(entry.watchlist_id)
                else:
                    hits = hits if hits is not None else {}
                    _append_once(hits.setdefault(entry.watchlist_id, []), entry.text)
        if hits is None and not (author_handle and self.handles):
            return {}
        hits = hits if hits is not None else {}
        excluded = excluded or set()
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

    # created_at too: an id can come back after a rollback (tests, sequences reset by a
    # flush), and a stale automaton of another watchlist must never be reused.
    versions = tuple(
        Watchlist.objects.filter(cell_id=cell_id, is_active=True)
        .order_by("id")
        .values_list("id", "version", "created_at")
    )
    cached = _cache.get(cell_id)
    if cached is not None and cached[0] == versions:
        return cached[1]
    watchlists = list(Watchlist.objects.filter(cell_id=cell_id, is_active=True).order_by("id"))
    matcher = Matcher(watchlists)
    with _lock:
        _cache[cell_id] = (versions, matcher)
    return matcher
