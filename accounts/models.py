import zoneinfo

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _


def validate_timezone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(_("“%(value)s” is not a known time zone."), params={"value": value})


class User(AbstractUser):
    """A person using CrisisCell. Cells and roles live on `cells.Membership`."""

    # Incidents last days and cells span countries: each person reads times in
    # their own zone, while everything is stored in UTC.
    timezone = models.CharField(_("time zone"), max_length=64, blank=True, validators=[validate_timezone])
    # The language the person last chose (FR / EN in the top bar): e-mails, which
    # have no request to read it from, go out in it. Blank: never chosen.
    language = models.CharField(_("language"), max_length=8, blank=True, choices=settings.LANGUAGES)

    def __str__(self):
        return self.get_full_name() or self.username
