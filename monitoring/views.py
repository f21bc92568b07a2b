"""Monitoring pages: the cell's live watch (counters, open alerts, matched mentions, charts),
an alert (why it fired; one click to an incident, or dismissed with a reason), and the
volume of an incident's watchlists. Membership and role are checked on every view."""

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from cells.access import membership_for, require_role
from cells.models import Role
from core.errors import Conflict
from incidents.panel_views import panel_fragment

from . import charts, integration, panels, selectors, services
from .forms import DismissForm, EscalateForm, ImportForm, MentionSearchForm, WatchlistForm
from .models import Alert, ImportJob

STREAM_SIZE = 20  # the live stream: the latest; the mentions page has them all
PAGE_SIZE = 50
CHART_HOURS = 24
CHART_BUCKET = 15


def _membership(request, cell_pk, minimum=Role.OBSERVER):
    return require_role(membership_for(request.user, cell_pk), minimum)


def _live_context(cell_id: int) -> dict:
    """What the live part shows; a fixed number of queries whatever the number of mentions."""
    watchlists = list(selectors.watchlists(cell_id))
    counters = selectors.counters_today(cell_id, hours=CHART_HOURS)
    for watchlist in watchlists:
        counter = counters.get(watchlist.pk, {})
        watchlist.count_today = counter.get("count", 0)
        watchlist.negative_today = counter.get("negative", 0)
    names = {watchlist.pk: watchlist.name for watchlist in watchlists}
    stream = list(selectors.mentions(cell_id, matched_only=True, for_display=True)[:STREAM_SIZE])
    for mention in stream:
        mention.watchlist_names = [names.get(int(key), "?") for key in mention.matched]
    return {
        "watchlists": watchlists,
        "open_alerts": list(selectors.open_alerts(cell_id)[:20]),
        "stream": stream,
    }


def _charts(watchlists, *, markers=(), hours=CHART_HOURS, until=None):
    until = until or timezone.now()
    since = until - timedelta(hours=hours)
    return [
        charts.volume_svg(
            selectors.volume_series([watchlist.pk], since=since, until=until, bucket_minutes=CHART_BUCKET),
            title=watchlist.name,
            markers=markers,
            bucket_minutes=CHART_BUCKET,
        )
        for watchlist in watchlists
    ]


@login_required
@require_GET
def monitoring_page(request, cell_pk):
    membership = _membership(request, cell_pk)
    context = _live_context(membership.cell_id)
    context.update(
        cell=membership.cell,
        membership=membership,
        charts=_charts([w for w in context["watchlists"] if w.is_active][:6]),
        legend=charts.legend(),
        can_act=membership.has_role(integration.ESCALATE_ROLE),
        can_import=membership.has_role(Role.MEMBER),
        can_edit_watchlists=membership.has_role(Role.MANAGER),
        # The last success and error of each source: for the cell's admins, who fix them.
        sources=list(selectors.sources(membership.cell_id)) if membership.has_role(Role.ADMIN) else None,
    )
    return render(request, "monitoring/page.html", context)


@login_required
@require_GET
def monitoring_live(request, cell_pk):
    """The live part alone: monitoring-live.js fetches it when the socket says something changed."""
    membership = _membership(request, cell_pk)
    context = {**_live_context(membership.cell_id), "cell": membership.cell, "membership": membership}
    return render(request, "monitoring/_live.html", context)


def _alert(membership, pk) -> Alert:
    return get_object_or_404(selectors.alerts(membership.cell_id), pk=pk)


def _alert_page(request, membership, alert, *, escalate_form=None, dismiss_form=None, status=200):
    can_act = membership.has_role(integration.ESCALATE_ROLE)
    context = {
        "cell": membership.cell,
        "membership": membership,
        "alert": alert,
        "can_act": can_act and alert.status == "open",
        "chart": _charts([alert.watchlist], until=max(timezone.now(), alert.opened_at))[0],
        "legend": charts.legend(),
    }
    if context["can_act"]:
        open_incidents = list(integration.open_incidents(membership.cell).order_by("-updated_at")[:50])
        context["escalate_form"] = escalate_form or EscalateForm(incidents=open_incidents)
        context["dismiss_form"] = dismiss_form or DismissForm()
    return render(request, "monitoring/alert.html", context, status=status)


@login_required
@require_GET
def alert_detail(request, cell_pk, pk):
    membership = _membership(request, cell_pk)
    return _alert_page(request, membership, _alert(membership, pk))


@login_required
@require_POST
def alert_escalate(request, cell_pk, pk):
    membership = _membership(request, cell_pk, integration.ESCALATE_ROLE)
    alert = _alert(membership, pk)
    open_incidents = list(integration.open_incidents(membership.cell).order_by("-updated_at")[:50])
    form = EscalateForm(request.POST, incidents=open_incidents)
    if form.is_valid():
        try:
            incident = services.alert_escalate(
                actor=request.user,
                alert=alert,
                level=form.cleaned_data["level"],
                title=form.cleaned_data["title"],
                incident=form.cleaned_data["incident"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        except Conflict as conflict:
            messages.error(request, conflict.message)
            alert.refresh_from_db()
            return _alert_page(request, membership, alert, status=409)
        else:
            messages.success(request, _("The alert is in the crisis log of this incident."))
            return redirect("incidents:detail", pk=incident.pk)
    return _alert_page(request, membership, alert, escalate_form=form, status=400)


@login_required
@require_POST
def alert_dismiss(request, cell_pk, pk):
    membership = _membership(request, cell_pk, integration.ESCALATE_ROLE)
    alert = _alert(membership, pk)
    form = DismissForm(request.POST)
    if form.is_valid():
        try:
            services.alert_dismiss(actor=request.user, alert=alert, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            form.add_error(None, error)
        except Conflict as conflict:
            messages.error(request, conflict.message)
            alert.refresh_from_db()
            return _alert_page(request, membership, alert, status=409)
        else:
            messages.success(request, _("Alert dismissed; the reason is kept."))
            return redirect("monitoring:page", cell_pk=membership.cell_id)
    return _alert_page(request, membership, alert, dismiss_form=form, status=400)


@login_required
def import_new(request, cell_pk):
    """Upload an export; the import runs in Celery and its page shows the progress live."""
    membership = _membership(request, cell_pk, Role.MEMBER)
    form = ImportForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                mapping = services.parse_mapping(form.cleaned_data["mapping"])
                job = services.import_create(
                    actor=request.user,
                    cell=membership.cell,
                    filename=upload.name,
                    content=upload.read(),
                    preset=form.cleaned_data["preset"],
                    mapping=mapping,
                )
            except ValidationError as error:
                for field, messages_ in error.message_dict.items():
                    form.add_error(field if field in form.fields else None, messages_)
            else:
                return redirect("monitoring:import", cell_pk=membership.cell_id, pk=job.pk)
    context = {"cell": membership.cell, "membership": membership, "form": form}
    return render(request, "monitoring/import_new.html", context, status=status)


def _job(membership, pk) -> ImportJob:
    return get_object_or_404(ImportJob.objects.filter(cell_id=membership.cell_id).defer("content"), pk=pk)


@login_required
@require_GET
def import_detail(request, cell_pk, pk):
    membership = _membership(request, cell_pk, Role.MEMBER)
    context = {"cell": membership.cell, "membership": membership, "job": _job(membership, pk)}
    return render(request, "monitoring/import.html", context)


@login_required
@require_GET
def import_progress(request, cell_pk, pk):
    """The progress part alone, fetched again by the page at every progress message."""
    membership = _membership(request, cell_pk, Role.MEMBER)
    return render(request, "monitoring/_import_progress.html", {"cell": membership.cell, "job": _job(membership, pk)})


@login_required
@require_GET
def incident_volume(request, incident_pk):
    """The volume of the incident's watchlists (those of the alerts attached to it), with its
    level changes and statement publications on the same time axis, and the latest mentions."""
    incident, membership = integration.incident_for_user(request.user, incident_pk)
    watchlist_ids = list(Alert.objects.filter(incident=incident).values_list("watchlist_id", flat=True).distinct())
    watchlists = list(selectors.watchlists(membership.cell_id).filter(pk__in=watchlist_ids))
    until = timezone.now()
    since = min([incident.created_at - timedelta(hours=6), until - timedelta(hours=CHART_HOURS)])
    hours = max(1, int((until - since).total_seconds() // 3600) + 1)
    bucket = CHART_BUCKET if hours <= 48 else 60
    chart = None
    if watchlists:
        chart = charts.volume_svg(
            selectors.volume_series(
                watchlist_ids, since=until - timedelta(hours=hours), until=until, bucket_minutes=bucket
            ),
            title=", ".join(w.name for w in watchlists),
            markers=integration.incident_markers(incident),
            bucket_minutes=bucket,
        )
    names = {w.pk: w.name for w in watchlists}
    stream = []
    if watchlist_ids:
        stream = list(
            selectors.mentions(
                membership.cell_id,
                any_of_watchlists=watchlist_ids,
                for_display=True,
                real_only=not incident.is_exercise,
            )[:20]
        )
        for mention in stream:
            mention.watchlist_names = [names[int(key)] for key in mention.matched if int(key) in names]
    context = {
        "cell": membership.cell,
        "incident": incident,
        "watchlists": watchlists,
        "chart": chart,
        "legend": charts.legend(),
        "stream": stream,
    }
    return render(request, "monitoring/incident.html", context)


# The incident workspace's mentions panel alone (its live refresh): any member of the cell,
# with the same authorisation and shape as every workspace panel.
incident_panel = panel_fragment(
    "monitoring/_incident_panel.html",
    lambda request, incident, membership: {"mentions_panel": panels.incident_mentions(incident)},
)


@login_required
@require_GET
def mention_search(request, cell_pk):
    """The cell's mentions, searched (full text, French and English) and filtered, 50 a page."""
    membership = _membership(request, cell_pk)
    watchlists = list(selectors.watchlists(membership.cell_id))
    form = MentionSearchForm(request.GET or None, watchlists=watchlists)
    filters = {}
    if form.is_bound and form.is_valid():
        filters = {key: value for key, value in form.cleaned_data.items() if value not in (None, "")}
    rows = selectors.mentions(membership.cell_id, for_display=True, **filters)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    names = {w.pk: w.name for w in watchlists}
    for mention in page.object_list:
        mention.watchlist_names = [names.get(int(key), "?") for key in mention.matched]
    context = {"cell": membership.cell, "membership": membership, "form": form, "page": page}
    return render(request, "monitoring/mentions.html", context, status=200 if not form.errors else 400)


WATCHLIST_FIELDS = (
    "name",
    "terms",
    "exclusions",
    "languages",
    "spike_factor",
    "spike_min_count",
    "negative_jump",
    "reach_threshold",
)


@login_required
def watchlist_edit(request, cell_pk, pk=None):
    """Add a watchlist, or change one (managers): each change is a new version of its automaton."""
    membership = _membership(request, cell_pk, Role.MANAGER)
    watchlist = get_object_or_404(selectors.watchlists(membership.cell_id), pk=pk) if pk else None
    initial = {}
    if watchlist is not None:
        initial = {field: getattr(watchlist, field) for field in WATCHLIST_FIELDS}
        initial["languages"] = ", ".join(watchlist.languages or [])
    form = WatchlistForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                if watchlist is None:
                    services.watchlist_create(actor=request.user, cell=membership.cell, **form.cleaned_data)
                else:
                    services.watchlist_update(actor=request.user, watchlist=watchlist, **form.cleaned_data)
            except ValidationError as error:
                for field, messages_ in error.message_dict.items():
                    form.add_error(field if field in form.fields else None, messages_)
            else:
                messages.success(request, _("Watchlist saved; mentions from now on are matched against it."))
                return redirect("monitoring:page", cell_pk=membership.cell_id)
    context = {"cell": membership.cell, "membership": membership, "form": form, "watchlist": watchlist}
    return render(request, "monitoring/watchlist_form.html", context, status=status)
