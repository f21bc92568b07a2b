"""`{% log_verification_panel incident %}`: the crisis log's verification card, on its own.

A tag rather than a view's context so that the workspace page includes it with
one line (incidents/verification_views.py serves the same card for polling)."""

from django import template

from ..verification_views import verification_context

register = template.Library()


@register.inclusion_tag("incidents/_log_verification.html", takes_context=True)
def log_verification_panel(context, incident):
    return {
        **verification_context(incident),
        "request": context.get("request"),
        "csrf_token": context.get("csrf_token"),
    }
