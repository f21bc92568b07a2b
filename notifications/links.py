"""Where a notification leads: the page of what it is about (the apps register how: notifications.registry)."""

from django.urls import reverse

from . import registry


def target_urls(notifications) -> dict[int, str]:
    """Where each notification leads: what its data names (a statement, a reminder's target...,
    by the links the apps registered, tried in their order), else its own link, else its incident."""
    notifications = list(notifications)
    found: dict[int, str] = {}
    for data_key, urls in registry.LINKS.items():
        named = [n for n in notifications if n.pk not in found and data_key in (n.data or {})]
        if named:
            found.update({pk: url for pk, url in urls(named).items() if url})
    result = {}
    for notification in notifications:
        url = found.get(notification.pk) or notification.link
        if not url and notification.incident_id:
            url = reverse("incidents:detail", args=[notification.incident_id])
        result[notification.pk] = url
    return result
