"""Reads on relays, lists and briefings; callers have checked access (relays.access)."""

from django.db.models import Count, Prefetch, Q, QuerySet

from .models import Briefing, BriefingDelivery, DeliveryStatus, DistributionList, Relay, RelayHandle


def relays_of_cell(cell_id: int, *, kind: str = "", q: str = "", include_erased: bool = False) -> QuerySet[Relay]:
    relays = Relay.objects.filter(cell_id=cell_id).prefetch_related(
        Prefetch("handles", queryset=RelayHandle.objects.order_by("network", "handle"))
    )
    if not include_erased:
        relays = relays.filter(erased_at__isnull=True)
    if kind:
        relays = relays.filter(kind=kind)
    if q:
        relays = relays.filter(Q(name__icontains=q) | Q(organisation__icontains=q) | Q(handles__handle__icontains=q))
        relays = relays.distinct()
    return relays.order_by("name", "id")


def lists_of_cell(cell_id: int) -> QuerySet[DistributionList]:
    return (
        DistributionList.objects.filter(cell_id=cell_id)
        .annotate(size=Count("relays", filter=Q(relays__erased_at__isnull=True)))
        .order_by("name", "id")
    )


def history_of(relay: Relay) -> QuerySet[BriefingDelivery]:
    """A relay's briefings across every incident of the cell, newest first."""
    return (
        BriefingDelivery.objects.filter(relay=relay)
        .select_related("briefing__version__statement", "briefing__incident")
        .order_by("-briefing__created_at", "-pk")
    )


def briefings_of_statement(statement) -> QuerySet[Briefing]:
    return (
        Briefing.objects.filter(version__statement=statement)
        .select_related("version", "created_by")
        .prefetch_related(
            Prefetch("deliveries", queryset=BriefingDelivery.objects.select_related("relay").order_by("relay__name"))
        )
        .order_by("-created_at", "-pk")
    )


def deliveries_of_statement(statement) -> QuerySet[BriefingDelivery]:
    """Every relay's copy of every briefing of the statement, the latest briefing first."""
    return (
        BriefingDelivery.objects.filter(briefing__version__statement=statement)
        .select_related("relay", "briefing__version")
        .order_by("-briefing__created_at", "-briefing_id", "relay__name", "pk")
    )


def tracking_summary(statement) -> dict:
    """Counts for the statement: briefed, opened, answered, relayed, not contacted."""
    row = BriefingDelivery.objects.filter(briefing__version__statement=statement).aggregate(
        briefed=Count("pk", filter=Q(status=DeliveryStatus.SENT)),
        opened=Count("pk", filter=Q(opened_at__isnull=False)),
        relayed=Count("pk", filter=Q(relayed_at__isnull=False)),
        declined=Count("pk", filter=Q(answer="declined")),
        skipped=Count("pk", filter=Q(status=DeliveryStatus.SKIPPED)),
        bounced=Count("pk", filter=Q(status=DeliveryStatus.BOUNCED)),
    )
    return row
