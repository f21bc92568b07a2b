"""Chat pages of the workspace: the live fragment, posting, promoting to the crisis log."""

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cells.models import Role
from core.errors import Conflict
from core.http import is_htmx
from incidents.panel_views import panel_fragment
from incidents.selectors import get_incident_for_user
from incidents.views import workspace_url

from . import selectors
from . import services as chat
from .forms import ChatForm, PromoteForm
from .panels import chat_form_context, chat_panel


def _refresh(response: HttpResponse, *panels: str) -> HttpResponse:
    # The page refreshes these panels at once, without waiting for the socket's echo.
    response["HX-Trigger"] = json.dumps({"crisiscell:refresh": {"panels": list(panels)}})
    return response


# The chat's messages alone (their refreshable wrapper), for live updates.
chat_panel_fragment = panel_fragment(
    "messaging/_chat_list.html", lambda request, incident, membership: chat_panel(incident, membership, request.user)
)


@login_required
@require_POST
def chat_post(request, pk):
    # Observers take part in the chat: legal, the executive comment here.
    incident, _membership = get_incident_for_user(request.user, pk, Role.OBSERVER)
    form = ChatForm(request.POST)
    if form.is_valid():
        try:
            chat.chat_post(actor=request.user, incident=incident, text=form.cleaned_data["text"])
        except ValidationError as error:
            form.add_error("text" if hasattr(error, "error_dict") else None, error)
        else:
            if not is_htmx(request):
                return redirect(workspace_url(incident.pk, "chat"))
            response = render(request, "messaging/_chat_form.html", {"incident": incident, **chat_form_context()})
            return _refresh(response, "chat")
    context = {"incident": incident, **chat_form_context(form)}
    if is_htmx(request):
        # 422: the one error status the page's htmx-config swaps in (the form with its message).
        return render(request, "messaging/_chat_form.html", context, status=422)
    # Without JavaScript: the form again with its message, and what was typed (nothing is lost).
    return render(request, "messaging/chat_error.html", context, status=400)


@login_required
@require_POST
def chat_promote(request, pk, message_pk):
    incident, _membership = get_incident_for_user(request.user, pk, Role.MEMBER)
    message = selectors.chat_messages(incident).filter(pk=message_pk).first()
    if message is None:
        raise Http404(_("No such message in this incident."))
    form = PromoteForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a category of the crisis log."))
        return HttpResponse(status=400) if is_htmx(request) else redirect(workspace_url(incident.pk, "chat"))
    try:
        entry = chat.chat_promote(actor=request.user, message=message, category=form.cleaned_data["category"])
    except Conflict as conflict:
        if is_htmx(request):
            return _refresh(HttpResponse(conflict.message, status=409), "chat")
        messages.error(request, conflict.message)
        return redirect(workspace_url(incident.pk, "chat"))
    if is_htmx(request):
        return _refresh(HttpResponse(status=204), "chat", "log")
    messages.success(request, _("Recorded in the crisis log as entry #%(seq)s.") % {"seq": entry.seq})
    return redirect(workspace_url(incident.pk, f"log-{entry.seq}"))
