"""Pages of the response queue: an incident's queue (figures, chart, filters, bulk actions),
one item (reply from a template, no reply, escalate, assign, near-duplicates), a mention picker
to flag by hand, a claim's mentions (count, volume, suggestions), and the cell's queue settings.

Each view authorises first (404 outside the cell, 403 for a weak role), validates
with a form, calls one service, then redirects; refused input comes back with its
errors (400), a conflict with the fresh state (409).
"""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from cells.access import membership_for, require_role
from cells.models import Membership, Role
from core.errors import Conflict
from incidents.panel_views import panel_fragment
from incidents.selectors import get_incident_for_user

from . import charts, claims, integration, panels, selectors, services
from .forms import (
    AnswerForm,
    AssignForm,
    BulkForm,
    FlagForm,
    LinkForm,
    QueueFilterForm,
    ReasonForm,
    RuleForm,
    SlaForm,
    WaitingForm,
)
from .models import ClaimMention, ItemState, QueueItem, QueueRule, WaitingMention, WaitingState
from .sla import policy_for

PAGE_SIZE = 100


def _template_choices(incident) -> list[tuple[int, str]]:
    return [(v.pk, f"{v.statement.title} (v{v.number})") for v in integration.usable_templates(incident)]


def chart_of(incident) -> str:
    series = selectors.hourly(incident)
    return charts.bars(
        series,
        ("in", "answered"),
        label=_("Mentions entering the queue and answered, per hour, last 12 hours"),
        colours=(charts.INCOMING, charts.ANSWERED),
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def queue(request, pk):
    incident, membership = get_incident_for_user(request.user, pk, Role.OBSERVER)
    templates = _template_choices(incident)
    filters = QueueFilterForm(request.GET or None)
    state, mine = "", False
    if filters.is_valid():
        state, mine = filters.cleaned_data["state"], filters.cleaned_data["mine"]
    bulk_form, status = BulkForm(), 200
    bulk_form.fields["template"].choices = [("", "—"), *templates]
    if request.method == "POST":
        require_role(membership, Role.MEMBER)
        status = 400
        bulk_form = BulkForm(request.POST)
        bulk_form.fields["template"].choices = [("", "—"), *templates]
        bulk_form.fields["items"].choices = [(pk, pk) for pk in _ints(request.POST.getlist("items"))]
        if bulk_form.is_valid():
            data = bulk_form.cleaned_data
            params = (
                {"reason": data["reason"]}
                if data["action"] == "no_reply"
                else {"template": _template(incident, data["template"])}
            )
            try:
                report = services.bulk(
                    actor=request.user, incident=incident, item_ids=data["items"], action=data["action"], **params
                )
            except ValidationError as error:
                bulk_form.add_service_errors(error)
            else:
                messages.success(
                    request,
                    _("%(done)s of %(total)s items done.") % {"done": report["done"], "total": len(report["results"])},
                )
                for result in report["results"]:
                    if not result["ok"]:
                        messages.error(request, _("Item #%(item)s: %(error)s") % result)
                return redirect(request.get_full_path())
        else:
            messages.error(request, _("Choose items and what to do with them."))
    figures = selectors.metrics(incident)
    items = list(
        selectors.items_of_incident(
            incident, state=state, assignee=request.user if mine else None, open_only=not state
        )[:PAGE_SIZE]
    )
    return render(
        request,
        "responses/queue.html",
        {
            "incident": incident,
            "items": items,
            "truncated": len(items) == PAGE_SIZE,
            "now": timezone.now(),
            "metrics": figures,
            "state_counts": [(state, label, figures["by_state"][state]) for state, label in ItemState.choices],
            "chart": chart_of(incident),
            "filters": filters,
            "bulk_form": bulk_form,
            "flag_form": FlagForm(),
            "can_act": membership.has_role(Role.MEMBER),
            "is_manager": membership.has_role(Role.MANAGER),
        },
        status=status,
    )


# The incident workspace's queue panel alone (its refreshable wrapper), for live updates: any
# member of the cell, as the queue page (the same authorisation and shape as every panel).
queue_panel = panel_fragment(
    "responses/_workspace_panel.html",
    lambda request, incident, membership: {"queue_panel": panels.incident_queue(incident)},
)


def _ints(values) -> list[int]:
    return [int(value) for value in values if str(value).isdigit()]


def _template(incident, version_id):
    if version_id is None:
        return None
    version = integration.template_version(incident, version_id)
    if version is None:
        raise ValidationError({"template": _("No such template in this incident.")})
    return version


def _item(incident, item_id) -> QueueItem:
    try:
        return QueueItem.objects.select_related(
            "incident__cell", "mention", "assignee", "rule", "template__statement"
        ).get(incident=incident, pk=int(item_id))
    except (QueueItem.DoesNotExist, TypeError, ValueError):
        raise Http404(_("No such item in this queue.")) from None


def _members(cell) -> list[tuple[int, str]]:
    rows = Membership.objects.filter(cell=cell, role__in=Role.at_least(Role.MEMBER)).select_related("user")
    return [(m.user_id, m.user.get_full_name() or m.user.username) for m in rows.order_by("user__username")]


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def flag(request, pk):
    """Put a mention of the cell in the queue by hand (by its number, or from the list of recent ones)."""
    incident, membership = get_incident_for_user(request.user, pk, Role.OBSERVER)
    form, status = FlagForm(), 200
    if request.method == "POST":
        require_role(membership, Role.MEMBER)
        status = 400
        form = FlagForm(request.POST)
        if form.is_valid():
            try:
                item = services.flag(
                    actor=request.user,
                    incident=incident,
                    mention_id=form.cleaned_data["mention"],
                    reason=form.cleaned_data["reason"],
                )
            except ValidationError as error:
                form.add_service_errors(error)
            except Conflict as error:
                form.add_error(None, error.message)
                status = 409
            else:
                messages.success(request, _("The mention is in the queue."))
                return redirect("responses:item", pk=incident.pk, item_pk=item.pk)
    queued = QueueItem.objects.filter(incident=incident).values_list("mention_id", flat=True)
    recent = integration.mentions_for(incident).exclude(pk__in=queued).order_by("-published_at", "-pk")[:50]
    return render(
        request,
        "responses/flag.html",
        {"incident": incident, "form": form, "recent": recent, "can_act": membership.has_role(Role.MEMBER)},
        status=status,
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def item(request, pk, item_pk):
    incident, membership = get_incident_for_user(request.user, pk, Role.OBSERVER)
    found = _item(incident, item_pk)
    templates = _template_choices(incident)
    proposed = claims.proposed_templates(found.mention, incident)
    answer_form = AnswerForm(initial={"template": proposed[0].pk if proposed else None})
    answer_form.fields["template"].choices = [("", "—"), *templates]
    reason_form, assign_form, status = ReasonForm(), AssignForm(), 200
    assign_form.fields["assignee"].choices = _members(incident.cell)
    if request.method == "POST":
        require_role(membership, Role.MEMBER)
        status = 400
        action = request.POST.get("action", "")
        try:
            if action == "claim":
                services.claim(actor=request.user, item=found)
                messages.success(request, _("It is yours: answer it."))
                return redirect("responses:item", pk=incident.pk, item_pk=found.pk)
            if action == "answer":
                answer_form = AnswerForm(request.POST)
                answer_form.fields["template"].choices = [("", "—"), *templates]
                if answer_form.is_valid():
                    data = dict(answer_form.cleaned_data)
                    data["template"] = _template(incident, data["template"])
                    services.answer(actor=request.user, item=found, **data)
                    messages.success(request, _("Answered."))
                    return redirect("responses:queue", pk=incident.pk)
            elif action in ("no_reply", "escalate"):
                reason_form = ReasonForm(request.POST)
                if reason_form.is_valid():
                    service = services.close_without_reply if action == "no_reply" else services.escalate
                    service(actor=request.user, item=found, reason=reason_form.cleaned_data["reason"])
                    messages.success(
                        request, _("Closed.") if action == "no_reply" else _("Escalated: the managers are told.")
                    )
                    return redirect("responses:queue", pk=incident.pk)
            elif action == "assign":
                require_role(membership, Role.MANAGER)
                assign_form = AssignForm(request.POST)
                assign_form.fields["assignee"].choices = _members(incident.cell)
                if assign_form.is_valid():
                    assignee = get_user_model().objects.get(pk=assign_form.cleaned_data["assignee"])
                    services.assign(actor=request.user, item=found, assignee=assignee)
                    messages.success(request, _("Assigned."))
                    return redirect("responses:item", pk=incident.pk, item_pk=found.pk)
            elif action == "duplicates":
                copies = list(QueueItem.objects.filter(incident=incident, pk__in=_ints(request.POST.getlist("copies"))))
                count = services.mark_duplicates(actor=request.user, original=found, items=copies)
                messages.success(request, _("%(n)s items marked as copies of this one.") % {"n": count})
                return redirect("responses:item", pk=incident.pk, item_pk=found.pk)
            else:
                messages.error(request, _("Choose an action."))
        except ValidationError as error:
            target = answer_form if action == "answer" else reason_form
            target.add_service_errors(error)
        except Conflict as error:
            messages.error(request, error.message)
            status = 409
        found = _item(incident, item_pk)
    return render(
        request,
        "responses/item.html",
        {
            "incident": incident,
            "item": found,
            "answer_form": answer_form,
            "reason_form": reason_form,
            "assign_form": assign_form,
            "proposed": proposed,
            "duplicates": selectors.near_duplicates(found) if found.is_open else [],
            "copies": found.copies.select_related("mention").order_by("pk")[:50],
            "claims": ClaimMention.objects.filter(mention=found.mention, claim__incident=incident).select_related(
                "claim"
            ),
            "can_act": membership.has_role(Role.MEMBER),
            "is_manager": membership.has_role(Role.MANAGER),
            "mine": found.assignee_id == request.user.pk,
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def claim_mentions(request, pk, claim_pk):
    """A claim's mentions: how many carry it, its volume per hour (a small chart), suggestions to link."""
    incident, membership = get_incident_for_user(request.user, pk, Role.OBSERVER)
    claim = integration.claim_of_incident(incident, claim_pk)
    if claim is None:
        raise Http404(_("No such claim in this incident."))
    form, status = LinkForm(), 200
    if request.method == "POST":
        require_role(membership, Role.MEMBER)
        status = 400
        try:
            if "unlink" in request.POST:
                link = ClaimMention.objects.filter(claim=claim, pk=_ints([request.POST["unlink"]])[:1] or [0]).first()
                if link is None:
                    raise Http404(_("No such link."))
                claims.unlink(actor=request.user, link=link)
                messages.success(request, _("Unlinked."))
                return redirect("responses:claim", pk=incident.pk, claim_pk=claim.pk)
            form = LinkForm(request.POST)
            if form.is_valid():
                source = "suggestion" if request.POST.get("source") == "suggestion" else "hand"
                claims.link(actor=request.user, claim=claim, mention_id=form.cleaned_data["mention"], source=source)
                messages.success(request, _("Linked to the claim."))
                return redirect("responses:claim", pk=incident.pk, claim_pk=claim.pk)
        except ValidationError as error:
            form.add_service_errors(error)
        except Conflict as error:
            form.add_error(None, error.message)
            status = 409
    volume = claims.volume(claim)
    return render(
        request,
        "responses/claim.html",
        {
            "incident": incident,
            "claim": claim,
            "form": form,
            "volume": volume,
            "chart": charts.bars(
                volume["series"],
                ("count",),
                label=_("Mentions carrying the claim, per hour, last 24 hours"),
                colours=(charts.INCOMING,),
            ),
            "links": ClaimMention.objects.filter(claim=claim).select_related("mention", "linked_by")[:PAGE_SIZE],
            "suggestions": claims.suggestions(claim) if membership.has_role(Role.MEMBER) else [],
            "templates": list(integration.templates_answering(claim)),
            "debunked": integration.claim_is_debunked(claim),
            "can_act": membership.has_role(Role.MEMBER),
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def settings_page(request, cell_id):
    """The cell's SLA table and queue rules: managers change them, members read them."""
    membership = require_role(membership_for(request.user, cell_id), Role.MEMBER)
    cell = membership.cell
    policy = policy_for(cell)
    sla_form = SlaForm(initial={f: getattr(policy, f) for f in SlaForm.base_fields})
    rule_form, status = RuleForm(), 200
    if request.method == "POST":
        require_role(membership, Role.MANAGER)
        status = 400
        try:
            if "delete_rule" in request.POST:
                rule = QueueRule.objects.filter(cell=cell, pk=(_ints([request.POST["delete_rule"]]) or [0])[0]).first()
                if rule is None:
                    raise Http404(_("No such rule."))
                services.rule_delete(actor=request.user, rule=rule)
                messages.success(request, _("Rule deleted."))
                return redirect("responses:settings", cell_id=cell.pk)
            if "crisis_minutes" in request.POST:
                sla_form = SlaForm(request.POST)
                if sla_form.is_valid():
                    services.sla_save(actor=request.user, cell=cell, **sla_form.cleaned_data)
                    messages.success(request, _("Response times saved."))
                    return redirect("responses:settings", cell_id=cell.pk)
            else:
                rule_form = RuleForm(request.POST)
                if rule_form.is_valid():
                    services.rule_save(actor=request.user, cell=cell, **rule_form.cleaned_data)
                    messages.success(request, _("Rule added."))
                    return redirect("responses:settings", cell_id=cell.pk)
        except ValidationError as error:
            (sla_form if "crisis_minutes" in request.POST else rule_form).add_service_errors(error)
    return render(
        request,
        "responses/settings.html",
        {
            "cell": cell,
            "sla_form": sla_form,
            "rule_form": rule_form,
            "rules": QueueRule.objects.filter(cell=cell).order_by("name", "pk"),
            "is_manager": membership.has_role(Role.MANAGER),
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def waiting_page(request, cell_id):
    """Mentions the rules matched while the cell had no open incident: they wait here until one opens
    (the recent ones then enter its queue by themselves), or a member puts one in, or dismisses it."""
    membership = require_role(membership_for(request.user, cell_id), Role.OBSERVER)
    cell = membership.cell
    # Waiting mentions are real posts: a drill's incident is no place for them (response_queue.integration).
    open_incidents = list(
        integration.open_incidents(cell.pk).filter(is_exercise=False).only("pk", "title", "level").order_by("-pk")
    )
    choices = [(incident.pk, incident.title) for incident in open_incidents]
    form, status = WaitingForm(), 200
    if request.method == "POST":
        require_role(membership, Role.MEMBER)
        status = 400
        form = WaitingForm(request.POST)
        form.fields["incident"].choices = [("", "—"), *choices]
        if form.is_valid():
            data = form.cleaned_data
            waiting = WaitingMention.objects.filter(cell=cell, pk=data["waiting"]).first()
            if waiting is None:
                raise Http404(_("No such waiting mention in this cell."))
            try:
                if data["action"] == "queue":
                    incident = next((i for i in open_incidents if i.pk == data["incident"]), None)
                    item = services.waiting_to_incident(actor=request.user, waiting=waiting, incident=incident)
                    messages.success(request, _("The mention is in the incident's queue."))
                    return redirect("responses:item", pk=item.incident_id, item_pk=item.pk)
                services.waiting_dismiss(actor=request.user, waiting=waiting, reason=data["reason"])
                messages.success(request, _("Dismissed."))
                return redirect("responses:waiting", cell_id=cell.pk)
            except ValidationError as error:
                form.add_service_errors(error)
                messages.error(request, " ".join(error.messages))
            except Conflict as error:
                messages.error(request, error.message)
                status = 409
        else:
            messages.error(request, _("Choose a mention and what to do with it."))
    rows = list(
        WaitingMention.objects.filter(cell=cell, state=WaitingState.WAITING)
        .select_related("mention", "rule")
        .order_by("-mention__published_at", "-pk")[:PAGE_SIZE]
    )
    decided = list(
        WaitingMention.objects.filter(cell=cell)
        .exclude(state=WaitingState.WAITING)
        .select_related("mention", "item", "decided_by")
        .order_by("-decided_at", "-pk")[:20]
    )
    return render(
        request,
        "responses/waiting.html",
        {
            "cell": cell,
            "rows": rows,
            "truncated": len(rows) == PAGE_SIZE,
            "decided": decided,
            "open_incidents": open_incidents,
            "window_hours": int(services.WAITING_WINDOW.total_seconds() // 3600),
            "since": timezone.now() - services.WAITING_WINDOW,
            "can_act": membership.has_role(Role.MEMBER),
        },
        status=status,
    )
