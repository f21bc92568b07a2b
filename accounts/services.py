"""Writes on users. Views call these, never the ORM directly."""

from django.conf import settings
from django.db import transaction

from realtime import broadcast

from . import api_tokens
from .models import User, validate_timezone


@transaction.atomic
def user_set_timezone(*, user: User, timezone: str) -> User:
    """Store the zone the user reads dates in ("" = the organisation's default)."""
    if timezone:
        validate_timezone(timezone)  # ValidationError for a zone this machine does not know
    user.timezone = timezone
    user.save(update_fields=["timezone"])
    return user


def user_set_language(*, user: User, language: str) -> User:
    """Remember the language the user chose, for what reaches them outside the site (e-mails)."""
    if language in dict(settings.LANGUAGES) and user.language != language:
        User.objects.filter(pk=user.pk).update(language=language)
        user.language = language
        api_tokens.forget_user(user.pk)  # update() sends no post_save
    return user


@transaction.atomic
def user_deactivate(*, user: User) -> User:
    """The person may no longer sign in; their open pages lose their sockets at once
    (a socket authorises at the handshake only, so it must be told)."""
    User.objects.filter(pk=user.pk).update(is_active=False)
    user.is_active = False
    api_tokens.forget_user(user.pk)  # update() sends no post_save: the token stops working now
    broadcast.access_ended(user_id=user.pk)
    return user
