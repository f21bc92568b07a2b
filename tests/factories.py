"""Deterministic factories: sequences, never random choices."""

import factory
from django.contrib.auth import get_user_model

from cells.models import Cell, Membership, Role

PASSWORD = "correct-horse-battery-staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    first_name = factory.LazyAttribute(lambda u: u.username.capitalize())
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

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
