"""Which user an API token belongs to, remembered for a minute (issue 12).

The token's query (the token with its user) was a fifth of an API read's time. The
token authentication (crisiscell/token_auth.py) reads the cached user in the same
cache round trip as the address lockout, so a read costs no query for it.

Correctness before speed:
- The cache is the shared one (Redis; the file cache without REDIS_URL): a change made
  in any process reaches every process.
- Whatever can make a token stop working, or change what its user may do, forgets it at
  once (and again after COMMIT): the token deleted or changed, its user saved (deactivated,
  superuser or staff flag, password...) or deleted, `user_deactivate` and the other
  `update()`s of accounts/services.py (no signal there). Roles are not cached: memberships
  are read with every request's object, so a role change applies to the next request.
- Forgetting writes a tombstone rather than deleting, and remembering only adds: a
  request that read the user before a change committed cannot put the old state back
  (it would otherwise live for the whole minute).
- Only active users are remembered, without their password hash (it stays in the
  database: the rebuilt user loads it on access, which authentication never does).
- API_TOKEN_CACHE_SECONDS bounds anything else (a change by hand in SQL); 0 turns it off.
"""

import hashlib
from functools import cache as memoize

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from rest_framework.authtoken.models import Token

TOMBSTONE = "forgotten"
# Longer than a request takes between reading the token and remembering it.
TOMBSTONE_SECONDS = 30


def cache_key(token_key: str) -> str:
    # A digest: the cache never holds a usable token.
    return "apitoken:" + hashlib.sha256(token_key.encode()).hexdigest()


@memoize
def _columns() -> tuple[str, ...]:
    return tuple(f.attname for f in get_user_model()._meta.concrete_fields if f.attname != "password")


def user_from_cache(value):
    """The user a cached value holds; None for a miss, a tombstone or a value of another shape."""
    if not isinstance(value, tuple) or len(value) != 2 or value[0] != _columns():
        return None
    return get_user_model().from_db(DEFAULT_DB_ALIAS, _columns(), value[1])


def remember(token_key: str, user) -> None:
    if settings.API_TOKEN_CACHE_SECONDS <= 0 or not user.is_active:
        return
    columns = _columns()
    value = (columns, tuple(getattr(user, name) for name in columns))
    cache.add(cache_key(token_key), value, timeout=settings.API_TOKEN_CACHE_SECONDS)


def forget(token_keys) -> None:
    keys = [cache_key(key) for key in token_keys]
    if not keys:
        return

    def tombstone():
        cache.set_many(dict.fromkeys(keys, TOMBSTONE), timeout=TOMBSTONE_SECONDS)

    tombstone()  # requests before the COMMIT still read the old rows: they must not remember them
    transaction.on_commit(tombstone)


def forget_user(user_id: int) -> None:
    forget(list(Token.objects.filter(user_id=user_id).values_list("key", flat=True)))


@receiver(post_save, sender=Token, dispatch_uid="accounts.api_tokens.token_saved")
def _token_saved(sender, instance, created, **kwargs):
    if not created:
        forget([instance.key])


@receiver(post_delete, sender=Token, dispatch_uid="accounts.api_tokens.token_deleted")
def _token_deleted(sender, instance, **kwargs):
    forget([instance.key])


@receiver(post_save, sender=settings.AUTH_USER_MODEL, dispatch_uid="accounts.api_tokens.user_saved")
def _user_saved(sender, instance, created, **kwargs):
    if not created:
        forget_user(instance.pk)


# A deleted user's token is deleted with it (its post_delete above forgets it).
