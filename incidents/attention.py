"""What needs attention in an incident: counted per incident on the incident list,
listed in the checklist shown before closing it.

The incidents app knows none of the things that can be left open (statements,
claims, reminders...): each domain app registers its concerns in its
AppConfig.ready() (see statements/attention.py, facts/attention.py,
reminders/attention.py), so adding one edits no other app.

A concern gives:
- `count()`: an SQL expression counting its open things for the incident
  `OuterRef("pk")`, so the whole list page stays one query whatever its length;
- `items(incident)`: the open things themselves (text, link), for the closing checklist;
- `describe(n)`: a sentence ("2 statements need review"), in the active language.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Case, Count, F, IntegerField, OuterRef, QuerySet, Subquery, Value, When
from django.db.models.functions import Coalesce

from .models import Level


@dataclass(frozen=True)
class Concern:
    key: str
    # Column header on the incident list (lazy); None: counted for closing only, not a column.
    label: object
    describe: Callable[[int], str]
    items: Callable[[object], list[tuple[str, str]]]
    count: Callable[[], object] | None = None
    # Higher first when sorting by what needs attention.
    weight: int = 0


@dataclass(frozen=True)
class OpenGroup:
    """One kind of thing still open when closing: what it is, how many, which ones."""

    concern: Concern
    items: list[tuple[str, str]]

    @property
    def sentence(self) -> str:
        return self.concern.describe(len(self.items))

    def as_dict(self) -> dict:
        return {
            "kind": self.concern.key,
            "count": len(self.items),
            "label": str(self.sentence),
            "items": [{"text": text, "url": url} for text, url in self.items],
        }


_CONCERNS: dict[str, Concern] = {}


def register(concern: Concern) -> Concern:
    _CONCERNS[concern.key] = concern
    return concern


def concerns() -> list[Concern]:
    return sorted(_CONCERNS.values(), key=lambda concern: -concern.weight)


def listed() -> list[Concern]:
    """The concerns that are columns of the incident list, most urgent first."""
    return [concern for concern in concerns() if concern.count is not None and concern.label is not None]


def count_per_incident(queryset: QuerySet, incident_path: str = "incident") -> Subquery:
    """How many rows of `queryset` belong to the outer incident: a correlated subquery,
    so that counting several concerns multiplies no rows (unlike joins)."""
    counted = (
        queryset.filter(**{incident_path: OuterRef("pk")})
        .order_by()
        .values(incident_path)
        .annotate(n=Count("pk"))
        .values("n")[:1]
    )
    return Subquery(counted, output_field=IntegerField())


# Crisis first, then alert / recovery, then watch; closed incidents need nobody.
_GRAVITY = Case(
    When(level=Level.CRISIS, then=Value(3)),
    When(level=Level.ALERT, then=Value(2)),
    When(level=Level.RECOVERY, then=Value(1)),
    When(level=Level.CLOSED, then=Value(-1)),
    default=Value(0),
    output_field=IntegerField(),
)


def annotate(queryset: QuerySet) -> QuerySet:
    """Each incident with one attribute per listed concern (its count) and `needs_attention` (their sum)."""
    columns = listed()
    queryset = queryset.annotate(
        **{concern.key: Coalesce(concern.count(), Value(0)) for concern in columns},
        gravity=_GRAVITY,
        is_closed=Case(When(level=Level.CLOSED, then=Value(1)), default=Value(0), output_field=IntegerField()),
    )
    total = Value(0)
    for concern in columns:
        total = total + F(concern.key)
    return queryset.annotate(needs_attention=total)


def by_attention(queryset: QuerySet) -> QuerySet:
    """Most urgent first: the weightiest concern's count, then the next..., then the level, then the latest change."""
    keys = [F(concern.key).desc() for concern in listed()]
    return queryset.order_by("is_closed", *keys, "-gravity", "-updated_at", "-id")


def open_at_close(incident) -> list[OpenGroup]:
    """What is still open in the incident, one group per concern that has something."""
    groups = []
    for concern in concerns():
        items = concern.items(incident)
        if items:
            groups.append(OpenGroup(concern=concern, items=items))
    return groups


def describe_counts(counts: dict) -> list[str]:
    """{"open_claims": 2, ...} (as stored in a forced close's log entry) -> sentences, in the active language."""
    sentences = []
    for key, count in (counts or {}).items():
        concern = _CONCERNS.get(key)
        if concern is not None and isinstance(count, int) and count > 0:
            sentences.append(str(concern.describe(count)))
    return sentences
