"""Deterministic factories: sequences, never random choices."""

import functools

import factory
from django.conf import global_settings, settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password

from cells.models import Cell, Membership, Role

PASSWORD = "correct-horse-battery-staple"

# MD5 first (a login check costs microseconds instead of PBKDF2's ~0.3 s), the
# default hashers after it so that any hash made under the defaults still checks.
FAST_PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *global_settings.PASSWORD_HASHERS]


def password_hash(raw: str) -> str:
    """The hash of `raw`, computed once per hasher setting: PBKDF2 costs ~0.3 s on
    purpose, which made creating the named users the bulk of the suite's run time."""
    return _password_hash(raw, tuple(settings.PASSWORD_HASHERS))


@functools.cache
def _password_hash(raw: str, hashers: tuple[str, ...]) -> str:
    return make_password(raw)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    first_name = factory.LazyAttribute(lambda u: u.username.capitalize())

    @factory.post_generation
    def password(obj, create, extracted, **kwargs):
        obj.password = password_hash(extracted or PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class CellFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Cell

    name = factory.Sequence(lambda n: f"Cell {n}")


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    cell = factory.SubFactory(CellFactory)
    user = factory.SubFactory(UserFactory)
    role = Role.MEMBER


ROLE_USERS = {"admin": "alice", "manager": "mona", "member": "max", "member2": "mia", "observer": "olga"}


def make_users(cell, other_cell) -> dict:
    """username by role key -> user, all members of `cell`, plus the outsider (admin of `other_cell`)."""
    result = {}
    for key, username in ROLE_USERS.items():
        role = Role.MEMBER if key == "member2" else Role(key)
        result[key] = MembershipFactory(cell=cell, user=UserFactory(username=username), role=role).user
    result["outsider"] = MembershipFactory(cell=other_cell, user=UserFactory(username="oscar"), role=Role.ADMIN).user
    return result
