import zoneinfo
from collections import defaultdict

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _


def timezone_choices() -> list:
    """Every IANA zone, grouped by region ("Europe", "America", ...) for a readable select."""
    groups = defaultdict(list)
    for name in sorted(zoneinfo.available_timezones()):
        region, _sep, place = name.partition("/")
        if place:
            groups[region].append((name, place.replace("_", " ")))
        else:
            groups[_("Other")].append((name, name))
    return sorted(groups.items(), key=lambda group: str(group[0]))


class PreferencesForm(forms.Form):
    timezone = forms.ChoiceField(
        label=_("Time zone"),
        help_text=_("Dates and times are shown in this zone, with its abbreviation."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        default = _("Default of the organisation (%(zone)s)") % {"zone": settings.DEFAULT_USER_TIMEZONE}
        # Computed per form: available_timezones() reads the system's zone data.
        self.fields["timezone"].choices = [("", default), *timezone_choices()]
        self.fields["timezone"].required = False
