"""Deterministic factories: sequences, never random choices."""

import functools

import factory
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password

from cells.models import Cell, Membership, Role

PASSWORD = "correct-horse-battery-staple"


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
