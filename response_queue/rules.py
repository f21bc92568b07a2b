"""Which mentions enter the queue by themselves: the cell's rules, evaluated by a beat job.

The job reads each cell's mentions after a cursor (by id) in capped batches: it
never misses a mention whichever way it arrived (API, feeds, import), and a
second run finds the cursor moved. An item is unique per (incident, mention),
so a mention is queued once whatever raced.
"""

import re
import unicodedata
from functools import lru_cache

from .models import QueueRule, RuleKind


def _fold(text: str) -> str:
    """Case and accents aside: "Remboursé" and "rembourse" match."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()


def parse_terms(terms: str) -> tuple[str, ...]:
    return tuple(sorted({_fold(line.strip()) for line in (terms or "").splitlines() if line.strip()}))


@lru_cache(maxsize=256)
def _pattern(terms: tuple[str, ...]) -> re.Pattern | None:
    if not terms:
        return None
    return re.compile(r"(?<!\w)(?:" + "|".join(re.escape(term) for term in terms) + r")(?!\w)")


def matches(rule: QueueRule, mention) -> bool:
    pattern = _pattern(parse_terms(rule.terms))
    if rule.kind == RuleKind.TERMS:
        return bool(pattern and pattern.search(_fold(mention.text)))
    if rule.kind == RuleKind.REACH:
        return rule.min_reach is not None and (mention.author_reach or 0) >= rule.min_reach
    if rule.kind == RuleKind.NEGATIVE:
        # Negative tone on a watched term: matched by a watchlist, and by this rule's terms when it has some.
        if mention.tone >= 0 or not mention.matched:
            return False
        return pattern is None or bool(pattern.search(_fold(mention.text)))
    return False


def first_match(rules, mention) -> QueueRule | None:
    return next((rule for rule in rules if matches(rule, mention)), None)
