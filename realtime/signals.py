"""Logging out ends the session's live sockets (Django sends user_logged_out before it flushes the session)."""

from django.contrib.auth.signals import user_logged_out
from django.dispatch import receiver

from . import broadcast


@receiver(user_logged_out, dispatch_uid="messaging.close_sockets_on_logout")
def close_sockets_on_logout(sender, request, user, **kwargs):
    session_key = getattr(getattr(request, "session", None), "session_key", None)
    if session_key:
        broadcast.session_ended(session_key=session_key)
