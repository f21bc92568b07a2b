"""Writes on users. Views call these, never the ORM directly."""

from django.db import transaction

from .models import User


@transaction.atomic
def user_set_timezone(*, user: User, timezone: str) -> User:
    """Store the zone the user reads dates in ("" = the organisation's default)."""
    user.timezone = timezone
    user.full_clean(validate_unique=False, validate_constraints=False)
    user.save(update_fields=["timezone"])
    return user
