"""The crisis log's verification from the workspace: a button, then the result (issue 9/10).

The check itself runs in a Celery worker (incidents.log_verification); these
views only ask for one and show the latest, polling while it runs. Any member of
the cell may ask, observers included: legal and executives are the ones who need
to know that the log is intact.
"""

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST, require_safe

from . import selectors
from .log_verification import request_verification


def verification_context(incident) -> dict:
    latest = incident.log_verifications.select_related("requested_by").order_by("-requested_at", "-id").first()
    return {"incident": incident, "verification": latest}


@login_required
@require_POST
def log_verify(request, pk):
    incident, _membership = selectors.get_incident_for_user(request.user, pk)
    request_verification(actor=request.user, incident=incident)
    if request.headers.get("HX-Request"):
        return render(request, "incidents/_log_verification.html", verification_context(incident))
    return redirect(reverse("incidents:detail", args=[pk]) + "#log-verification")


@login_required
@require_safe
def log_verification(request, pk):
    incident, _membership = selectors.get_incident_for_user(request.user, pk)
    return render(request, "incidents/_log_verification.html", verification_context(incident))
