"""Pages of the relays: the cell's directory and lists, a relay's page (history, export, erasure),
a statement's briefings (brief, track), and the relay's own tracked link (no account).

Each view authorises first (404 outside the cell, 403 for a weak role: the
directory is personal data, members and above), validates with a form, calls
one service, then redirects; refused input comes back with its errors (400).
"""

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from cells.models import Role
from core.errors import Conflict

from . import access, integration, opens, selectors, services
from .forms import BriefForm, FilterForm, ListForm, RelayAnswerForm, RelayedForm, RelayForm
from .models import Answer, BriefingDelivery, DeliveryStatus, RelayKind

PAGE_SIZE = 200


def _relay_choices(cell_id: int) -> list[tuple[int, str]]:
    return [
        (pk, f"{name} · {RelayKind(kind).label}" + (f" · {org}" if org else ""))
        for pk, name, kind, org in selectors.relays_of_cell(cell_id).values_list("pk", "name", "kind", "organisation")
    ]


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def directory(request, cell_id):
    membership = access.cell_membership(request.user, cell_id, access.READ)
    cell = membership.cell
    filters = FilterForm(request.GET or None)
    kind = q = ""
    if filters.is_valid():
        kind, q = filters.cleaned_data["kind"], filters.cleaned_data["q"]
    form, list_form, status = RelayForm(), ListForm(prefix="list"), 200
    list_form.fields["relays"].choices = _relay_choices(cell.pk)
    if request.method == "POST":
        access.cell_membership(request.user, cell_id, access.WRITE)
        status = 400
        if "list-name" in request.POST:
            list_form = ListForm(request.POST, prefix="list")
            list_form.fields["relays"].choices = _relay_choices(cell.pk)
            if list_form.is_valid():
                try:
                    found = services.list_save(actor=request.user, cell=cell, **list_form.cleaned_data)
                except ValidationError as error:
                    list_form.add_service_errors(error)
                else:
                    messages.success(request, _("List “%(name)s” created.") % {"name": found.name})
                    return redirect("relays:list", cell_id=cell.pk, list_id=found.pk)
        else:
            form = RelayForm(request.POST)
            if form.is_valid():
                try:
                    relay = services.relay_create(actor=request.user, cell=cell, **form.service_fields())
                except ValidationError as error:
                    form.add_service_errors(error)
                else:
                    messages.success(request, _("%(name)s added to the relays.") % {"name": relay.name})
                    return redirect("relays:detail", cell_id=cell.pk, relay_id=relay.pk)
    relays = list(selectors.relays_of_cell(cell.pk, kind=kind, q=q)[:PAGE_SIZE])
    return render(
        request,
        "relays/directory.html",
        {
            "cell": cell,
            "relays": relays,
            "truncated": len(relays) == PAGE_SIZE,
            "lists": selectors.lists_of_cell(cell.pk),
            "filters": filters,
            "form": form,
            "list_form": list_form,
            "can_manage": membership.has_role(access.MANAGE),
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def detail(request, cell_id, relay_id):
    relay, membership = access.get_relay_for_user(request.user, cell_id, relay_id, access.READ)
    form, status = RelayForm(initial=RelayForm.initial_for(relay)), 200
    if request.method == "POST":
        status = 400
        try:
            if "erase" in request.POST:
                services.relay_erase(actor=request.user, relay=relay)
                messages.success(request, _("The relay's personal data was erased."))
                return redirect("relays:directory", cell_id=relay.cell_id)
            if "bounced" in request.POST:
                services.relay_mark_bounced(actor=request.user, relay=relay)
                messages.success(request, _("Marked as bounced: this address is no longer e-mailed."))
                return redirect("relays:detail", cell_id=relay.cell_id, relay_id=relay.pk)
            access.cell_membership(request.user, cell_id, access.WRITE)
            form = RelayForm(request.POST)
            if form.is_valid():
                try:
                    services.relay_update(actor=request.user, relay=relay, **form.service_fields())
                except ValidationError as error:
                    form.add_service_errors(error)
                else:
                    messages.success(request, _("Saved."))
                    return redirect("relays:detail", cell_id=relay.cell_id, relay_id=relay.pk)
        except Conflict as error:
            messages.error(request, error.message)
            status = 409
    return render(
        request,
        "relays/detail.html",
        {
            "cell": membership.cell,
            "relay": relay,
            "form": form,
            "history": selectors.history_of(relay)[:PAGE_SIZE],
            "can_manage": membership.has_role(access.MANAGE),
        },
        status=status,
    )


@login_required
@require_GET
def export(request, cell_id, relay_id):
    relay, _membership = access.get_relay_for_user(request.user, cell_id, relay_id, access.MANAGE)
    data = services.relay_export(actor=request.user, relay=relay)
    response = HttpResponse(json.dumps(data, ensure_ascii=False, indent=2), content_type="application/json")
    response["Content-Disposition"] = f'attachment; filename="relay-{relay.pk}.json"'
    return response


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def list_detail(request, cell_id, list_id):
    found, membership = access.get_list_for_user(request.user, cell_id, list_id, access.READ)
    initial = {
        "name": found.name,
        "description": found.description,
        "relays": list(found.relays.values_list("pk", flat=True)),
    }
    form, status = ListForm(initial=initial), 200
    form.fields["relays"].choices = _relay_choices(found.cell_id)
    if request.method == "POST":
        access.cell_membership(request.user, cell_id, access.WRITE)
        status = 400
        if "delete" in request.POST:
            services.list_delete(actor=request.user, distribution_list=found)
            messages.success(request, _("List deleted."))
            return redirect("relays:directory", cell_id=found.cell_id)
        form = ListForm(request.POST)
        form.fields["relays"].choices = _relay_choices(found.cell_id)
        if form.is_valid():
            try:
                services.list_save(actor=request.user, cell=membership.cell, instance=found, **form.cleaned_data)
            except ValidationError as error:
                form.add_service_errors(error)
            else:
                messages.success(request, _("Saved."))
                return redirect("relays:list", cell_id=found.cell_id, list_id=found.pk)
    return render(request, "relays/list.html", {"cell": membership.cell, "list": found, "form": form}, status=status)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def briefings(request, pk, statement_pk):
    """A statement's briefings: who was sent it, who opened it, answered, relayed; and the brief action."""
    statement, membership = integration.statement_for_user(request.user, pk, statement_pk, access.READ)
    incident = statement.incident
    published = statement.versions.filter(status="published").first()
    form, status = BriefForm(), 200
    form.fields["relays"].choices = _relay_choices(incident.cell_id)
    form.fields["lists"].choices = [
        (item.pk, f"{item.name} ({item.size})") for item in selectors.lists_of_cell(incident.cell_id)
    ]
    if request.method == "POST":
        status = 400
        try:
            if "delivery" in request.POST:
                access.cell_membership(request.user, incident.cell_id, access.WRITE)
                relayed = RelayedForm(request.POST)
                if relayed.is_valid():
                    delivery = _delivery_of(statement, relayed.cleaned_data["delivery"])
                    services.mark_relayed(actor=request.user, delivery=delivery, url=relayed.cleaned_data["url"])
                    messages.success(request, _("Marked as relayed."))
                    return redirect("relays:briefings", pk=incident.pk, statement_pk=statement.pk)
                messages.error(request, _("Check the link."))
            else:
                access.cell_membership(request.user, incident.cell_id, access.MANAGE)
                form = BriefForm(request.POST)
                form.fields["relays"].choices = _relay_choices(incident.cell_id)
                form.fields["lists"].choices = [(i.pk, i.name) for i in selectors.lists_of_cell(incident.cell_id)]
                if published is None:
                    raise Conflict(_("Publish a version of this statement before sending it to relays."))
                if form.is_valid():
                    try:
                        briefing = services.brief(actor=request.user, version=published, **form.cleaned_data)
                    except ValidationError as error:
                        form.add_service_errors(error)
                    else:
                        counts = briefing.deliveries.values_list("status", flat=True)
                        sent = sum(1 for s in counts if s == DeliveryStatus.PENDING)
                        messages.success(
                            request,
                            _("Sending to %(sent)s relays; %(skipped)s not contacted (see why below).")
                            % {"sent": sent, "skipped": len(counts) - sent},
                        )
                        return redirect("relays:briefings", pk=incident.pk, statement_pk=statement.pk)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        except Conflict as error:
            messages.error(request, error.message)
            status = 409
    return render(
        request,
        "relays/briefings.html",
        {
            "incident": incident,
            "statement": statement,
            "published": published,
            "briefings": selectors.briefings_of_statement(statement),
            "summary": selectors.tracking_summary(statement),
            "form": form,
            "can_brief": membership.has_role(access.MANAGE) and published is not None and not statement.needs_review,
            "can_mark": membership.has_role(Role.MEMBER),
        },
        status=status,
    )


@login_required
@require_GET
def statement_relays(request, pk, statement_pk):
    """The statement page's relays panel (a fragment it loads, and refreshes on live:relays): every
    relay briefed on the statement with their status. The statements app names no app above it;
    its page only holds the slot that points here."""
    statement, membership = integration.statement_for_user(request.user, pk, statement_pk, access.READ)
    return render(
        request,
        "relays/_statement_relays.html",
        {
            "incident": statement.incident,
            "statement": statement,
            "deliveries": list(selectors.deliveries_of_statement(statement)[:PAGE_SIZE]),
            "summary": selectors.tracking_summary(statement),
            "can_brief": membership.has_role(access.MANAGE),
        },
    )


def _delivery_of(statement, delivery_id) -> BriefingDelivery:
    try:
        return BriefingDelivery.objects.select_related("briefing__incident", "briefing__version").get(
            pk=int(delivery_id), briefing__version__statement=statement
        )
    except (BriefingDelivery.DoesNotExist, TypeError, ValueError):
        raise Http404(_("No such briefing of this statement.")) from None


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def tracked(request, token):
    """The relay's personal link: no account, the token is the key. Opening it is counted;
    the relay says whether they acknowledge, share (and where) or decline."""
    if opens.address_limited(request):
        response = render(request, "relays/tracked_limited.html", status=429)
        response["Retry-After"] = "60"
        return response
    delivery = services.delivery_by_token(token)
    if delivery is None:
        raise Http404(_("This link is not valid (any more)."))
    version = delivery.briefing.version
    form, status = RelayAnswerForm(), 200
    if request.method in ("GET", "HEAD"):
        # Scanners, previews, prefetches and repeats are not the relay reading it (relays.opens).
        if not opens.not_an_open(request, delivery):
            services.record_open(delivery)
    else:
        status = 400
        form = RelayAnswerForm(request.POST)
        if form.is_valid():
            try:
                services.answer_by_relay(delivery=delivery, **form.cleaned_data)
            except ValidationError as error:
                form.add_service_errors(error)
            else:
                messages.success(request, _("Thank you: your answer is recorded."))
                return redirect("relays:tracked", token=token)
    return render(
        request,
        "relays/tracked.html",
        {
            "delivery": delivery,
            "statement": version.statement,
            "version": version,
            "current": integration.is_published(version),
            "facts": integration.verified_facts_of(version),
            "form": form,
            "answers": Answer,
        },
        status=status,
    )
