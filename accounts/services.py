"""Writes on users. Views call these, never the ORM directly."""

from django.db import transaction

from .models import User, validate_timezone


@transaction.atomic
def user_set_timezone(*, user: User, timezone: str) -> User:
    """Store the zone the user reads dates in ("" = the organisation's default)."""
    if timezone:
        validate_timezone(timezone)  # ValidationError for a zone this machine does not know
    user.timezone = timezone
    user.save(update_fields=["timezone"])
    return user
