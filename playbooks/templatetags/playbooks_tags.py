"""`{% tasks_card %}`: the checklist card of the incident workspace, included with one line.

A tag rather than the page view's context, so that the page composition knows
this app only by the tag's name."""

from django import template

from ..panels import assignable_members, checklist_panel

register = template.Library()


@register.inclusion_tag("playbooks/_tasks_card.html", takes_context=True)
def tasks_card(context):
    incident, membership = context["incident"], context["membership"]
    card = checklist_panel(incident, membership)
    return {
        **card,
        "incident": incident,
        "membership": membership,
        "members": assignable_members(incident) if card["can_work"] else [],
        "request": context.get("request"),
        "csrf_token": context.get("csrf_token"),
    }


@register.inclusion_tag("playbooks/_activation_card.html", takes_context=True)
def activation_card(context):
    from ..panels import activation_context

    incident, membership = context["incident"], context["membership"]
    return {
        **activation_context(incident, membership, context["request"].user),
        "incident": incident,
        "membership": membership,
        "request": context.get("request"),
        "csrf_token": context.get("csrf_token"),
    }
