"""Pages of statements: the workspace's statements panel and "needs review" banner (and their fragments),
the new-statement page, and a statement's page: versions, diff, workflow buttons, publication, reminders.

Each view authorises (404 outside the cell, 403 for a weak role), validates
with a form, calls one service, then redirects; refused input comes back with
its errors (400), a conflict with the fresh state (409).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from cells.models import Role
from core import flash
from core.errors import Conflict
from core.textdiff import text_diff
from facts import selectors as facts_selectors
from facts.forms import DiffForm
from facts.models import FactStatus
from incidents.panel_views import panel_fragment
from incidents.selectors import get_incident_for_user
from reminders.panels import reminders_for

from . import review, selectors, services
from .forms import ACTION_FORMS, ReviewDueForm, StatementForm, StatementUpdateForm, VersionEditForm
from .glance import glance, stakeholder_update
from .models import OPEN_STATUSES, STANDING_STATUSES, Audience, StatementKind, VersionStatus
from .panels import flagged_facts, incident_claims, needs_review_panel, statements_panel

ACTION_DONE = {
    "submit": gettext_lazy("Version %(n)s submitted for approval."),
    "approve": gettext_lazy("Version %(n)s approved: its text is frozen."),
    "reject": gettext_lazy("Version %(n)s rejected; its authors see your comment."),
    "publish": gettext_lazy("Version %(n)s published."),
    "withdraw": gettext_lazy("Version %(n)s withdrawn."),
}


def statement_url(statement, number=None) -> str:
    url = reverse("statements:detail", args=[statement.incident_id, statement.pk])
    return f"{url}#v{number}" if number else url


def _ids(values) -> list[int]:
    return [int(value) for value in values if value.isdigit()]


# --- The panels ----------------------------------------------------------------------------------


# The statements panel alone (its refreshable wrapper), for live updates.
statements_panel_fragment = panel_fragment(
    "statements/_statements_panel.html", lambda request, incident, membership: statements_panel(incident, membership)
)


# The summary at the top of the workspace ("At a glance"), for live updates.
glance_fragment = panel_fragment(
    "incidents/_glance.html",
    lambda request, incident, membership: {"can_contribute": membership.has_role(Role.MEMBER), **glance(incident)},
)


# The "needs review" banner alone (empty when nothing is flagged), for live updates.
needs_review_fragment = panel_fragment(
    "statements/_needs_review_panel.html", lambda request, incident, membership: needs_review_panel(incident)
)


# --- A new statement -----------------------------------------------------------------------------


def _citable_facts(incident) -> list:
    """Every fact of the incident, verified ones first (the form marks each one's status)."""
    order = {FactStatus.VERIFIED: 0, FactStatus.UNVERIFIED: 1}
    facts = list(facts_selectors.facts_for_incident(incident))
    return sorted(facts, key=lambda fact: order.get(fact.status, 2))


@login_required
def statement_add(request, pk):
    """Draft a new statement (version 1). ?answers=<claim id>&cite=<fact id> preselect what it answers and cites."""
    incident, membership = get_incident_for_user(request.user, pk, Role.MEMBER)
    facts = [fact for fact in _citable_facts(incident) if fact.status in (FactStatus.VERIFIED, FactStatus.UNVERIFIED)]
    claims = incident_claims(incident)
    initial = {"cited_facts": _ids(request.GET.getlist("cite")), "answers": _ids(request.GET.getlist("answers"))}
    if request.GET.get("brief"):
        # A "stakeholder update" drafted from the workspace's summary: an internal brief, approved like any statement.
        initial.update(
            kind=StatementKind.INTERNAL_BRIEF,
            audience=Audience.EMPLOYEES,
            language=(get_language() or "fr").split("-")[0],
            **stakeholder_update(incident),
        )
    form = StatementForm(request.POST or None, facts=facts, claims=claims, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            statement = services.statement_create(actor=request.user, incident=incident, **form.cleaned_data)
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            flash.success(
                request,
                _("Draft saved as version 1. Submit it for approval when it is ready."),
                clear_draft=f"incident:{incident.pk}:statement-new",
            )
            return redirect(statement_url(statement))
    status = 400 if form.is_bound else 200
    context = {"incident": incident, "membership": membership, "form": form, "facts": facts}
    return render(request, "statements/statement_form.html", context, status=status)


# --- A statement's page --------------------------------------------------------------------------


def _statement_page(request, statement, membership, *, status=200, action_forms=None, edit_forms=None, **forms):
    """The page, with any refused form shown again with its errors.

    action_forms: {(version number, action): form}; edit_forms: {version number: form}.
    """
    incident = statement.incident
    action_forms, edit_forms = action_forms or {}, edit_forms or {}
    versions = list(selectors.versions_of(statement))
    numbers = [version.number for version in versions]
    contributor = membership.has_role(Role.MEMBER)
    open_version = next((v for v in versions if v.status in OPEN_STATUSES), None)
    facts = _citable_facts(incident) if contributor else []
    shown = set()
    for version in versions:
        version.actions = selectors.allowed_actions(version, membership, request.user)
        version.forms = {}
        for action in version.actions:
            if action in ACTION_FORMS:
                key = (version.number, action)
                version.forms[action] = action_forms.get(key) or ACTION_FORMS[action](
                    prefix=f"v{version.number}-{action}"
                )
                shown.add(key)
        version.unverified = [c.fact for c in version.citations.all() if c.fact.status != FactStatus.VERIFIED]
        # Older settled versions fold away; what is being worked on and what stands are open.
        version.expanded = version is versions[0] or version.status in (*OPEN_STATUSES, *STANDING_STATUSES)
        # A draft is edited in place; from any settled version a new draft starts (one open version at a time).
        editable = "edit" in version.actions and (version.status == VersionStatus.DRAFT or open_version is None)
        if editable:
            version.edit_form = edit_forms.get(version.number) or VersionEditForm(
                initial={
                    "text": version.text,
                    "cited_facts": [c.fact_id for c in version.citations.all()],
                    "revision": version.revision,
                },
                facts=facts,
                prefix=f"v{version.number}-edit",
            )
            shown.add(version.number)
    # A refused form whose button is gone (the version moved meanwhile): its errors go to the top.
    for key, form in [*action_forms.items(), *edit_forms.items()]:
        if key not in shown:
            for errors in form.errors.values():
                messages.error(request, " ".join(errors))

    diff_form = DiffForm(request.GET if "from" in request.GET else None, numbers=numbers)
    compared = None
    if diff_form.is_bound:
        if diff_form.is_valid():
            compared = (diff_form.cleaned_data["from"], diff_form.cleaned_data["to"])
        else:
            status = max(status, 400)
    elif len(versions) > 1:
        # By default, what the latest version changed from the one it was started from.
        latest = versions[0]
        base = latest.based_on if latest.based_on in numbers else versions[1].number
        compared = (base, latest.number)
        diff_form = DiffForm(initial={"from": base, "to": latest.number}, numbers=numbers)
    texts = {version.number: version.text for version in versions}
    claims = incident_claims(incident) if contributor else []
    answers = list(statement.answers.all())
    context = {
        "incident": incident,
        "membership": membership,
        "statement": statement,
        "versions": versions,
        "open_version": open_version,
        "published": selectors.published(versions),
        "flagged_facts": flagged_facts(statement),
        "diff_form": diff_form,
        "compared": compared,
        "diff": text_diff(texts[compared[0]], texts[compared[1]]) if compared else None,
        "reminders": reminders_for(incident, membership, statement=statement),
        "answers": answers,
        "can_contribute": contributor,
        "can_manage": membership.has_role(Role.MANAGER),
        "review_form": forms.get("review_form") or ReviewDueForm(initial={"review_due_at": statement.review_due_at}),
        "update_form": forms.get("update_form")
        or (
            StatementUpdateForm(
                initial={"title": statement.title, "answers": [claim.pk for claim in answers]}, claims=claims
            )
            if contributor
            else None
        ),
    }
    return render(request, "statements/statement_detail.html", context, status=status)


@login_required
@require_GET
def statement_detail(request, pk, statement_pk):
    statement, membership = selectors.get_statement_for_user(request.user, pk, statement_pk)
    return _statement_page(request, statement, membership)


def _act(action: str, actor, version, data: dict):
    if action == "submit":
        return services.version_submit(actor=actor, version=version)
    if action == "approve":
        return services.version_approve(actor=actor, version=version)
    if action == "reject":
        return services.version_reject(actor=actor, version=version, comment=data["comment"])
    if action == "publish":
        return services.version_publish(actor=actor, version=version, channel=data["channel"], url=data["url"])
    return services.version_withdraw(actor=actor, version=version, reason=data["reason"])


@login_required
@require_POST
def version_action(request, pk, statement_pk, number, action):
    """Submit (member), approve, reject, publish, withdraw (manager) one version."""
    minimum = services.VERSIONS.action(action)[2]
    statement, membership = selectors.get_statement_for_user(request.user, pk, statement_pk, minimum)
    version = selectors.get_version(statement, number)
    form = ACTION_FORMS[action](request.POST, prefix=f"v{version.number}-{action}")
    if form.is_valid():
        try:
            _act(action, request.user, version, form.cleaned_data)
        except ValidationError as error:
            form.add_service_errors(error)
        except Conflict as conflict:
            messages.error(request, conflict.message)
            return _statement_page(request, statement, membership, status=409)
        else:
            flash.success(
                request, ACTION_DONE[action] % {"n": version.number}, until=f"statement.|statement={statement.pk}"
            )
            return redirect(statement_url(statement, version.number))
    return _statement_page(request, statement, membership, status=400, action_forms={(version.number, action): form})


@login_required
@require_POST
def version_edit(request, pk, statement_pk, number):
    """Edit a draft in place, or start a new draft from a settled version."""
    statement, membership = selectors.get_statement_for_user(request.user, pk, statement_pk, Role.MEMBER)
    version = selectors.get_version(statement, number)
    form = VersionEditForm(request.POST, facts=_citable_facts(statement.incident), prefix=f"v{version.number}-edit")
    if form.is_valid():
        data = form.cleaned_data
        try:
            draft, created = services.version_edit(
                actor=request.user,
                version=version,
                expected_revision=data["revision"],
                text=data["text"],
                cited_facts=data["cited_facts"],
            )
        except ValidationError as error:
            form.add_service_errors(error)
        except Conflict as conflict:
            messages.error(request, conflict.message)
            version.refresh_from_db()
            # Keep what the user wrote, against the fresh revision: they compare, then save again.
            fresh = VersionEditForm(
                initial={**data, "revision": version.revision},
                facts=_citable_facts(statement.incident),
                prefix=f"v{version.number}-edit",
            )
            return _statement_page(request, statement, membership, status=409, edit_forms={version.number: fresh})
        else:
            # The text kept in the browser for this editor was saved: it may forget it (drafts.js).
            kept = f"statement:{statement.pk}:v{version.number}"
            if created:
                flash.success(request, _("Version %(n)s started as a draft.") % {"n": draft.number}, clear_draft=kept)
            else:
                flash.success(request, _("Draft saved."), clear_draft=kept)
            return redirect(statement_url(statement, draft.number))
    return _statement_page(request, statement, membership, status=400, edit_forms={version.number: form})


@login_required
@require_POST
def statement_update(request, pk, statement_pk):
    """The statement's title and the claims it answers."""
    statement, membership = selectors.get_statement_for_user(request.user, pk, statement_pk, Role.MEMBER)
    form = StatementUpdateForm(request.POST, claims=incident_claims(statement.incident))
    if form.is_valid():
        try:
            services.statement_update(actor=request.user, statement=statement, **form.cleaned_data)
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, _("Statement details saved."))
            return redirect(statement_url(statement))
    return _statement_page(request, statement, membership, status=400, update_form=form)


@login_required
@require_POST
def review_due(request, pk, statement_pk):
    """A manager moves the review deadline of a published holding statement."""
    statement, membership = selectors.get_statement_for_user(request.user, pk, statement_pk, Role.MANAGER)
    form = ReviewDueForm(request.POST)
    if form.is_valid():
        try:
            review.set_review_due(
                actor=request.user,
                statement=statement,
                due_at=form.cleaned_data["review_due_at"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            form.add_service_errors(error)
        except Conflict as conflict:
            messages.error(request, conflict.message)
            return _statement_page(request, statement, membership, status=409)
        else:
            messages.success(request, _("Review deadline moved."))
            return redirect(statement_url(statement))
    return _statement_page(request, statement, membership, status=400, review_form=form)
