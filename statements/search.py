"""Statements in the incident search (incidents.search, registered in StatementsConfig.ready)."""

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from incidents.search import RESULTS_PER_KIND, Hit, cut

from .models import Statement


def find_statements(incident, q, author) -> list[Hit]:
    statements = Statement.objects.filter(incident=incident).select_related("created_by")
    if q:
        statements = statements.filter(Q(title__icontains=q) | Q(versions__text__icontains=q))
    if author:
        statements = statements.filter(Q(created_by=author) | Q(versions__authors=author))
    # Matching several versions must not list the statement several times.
    statements = statements.distinct().order_by("-updated_at", "-id")
    return [
        Hit(
            "statement",
            str(_("Statement")),
            cut(s.title),
            reverse("statements:detail", args=[incident.pk, s.pk]),
            s.created_by,
            s.updated_at,
            s.get_kind_display(),
        )
        for s in statements[:RESULTS_PER_KIND]
    ]
