import django_filters
from django.utils.translation import gettext_lazy as _

from cells.access import cells_for_user

from .models import CrisisType, Incident, Level


class IncidentFilter(django_filters.FilterSet):
    """Shared by the API list and the incident list page."""

    level = django_filters.MultipleChoiceFilter(choices=Level.choices, label=_("Level"))
    crisis_type = django_filters.MultipleChoiceFilter(choices=CrisisType.choices, label=_("Crisis type"))
    q = django_filters.CharFilter(field_name="title", lookup_expr="icontains", label=_("Search"))

    class Meta:
        model = Incident
        fields = ["cell", "level", "crisis_type", "severity", "is_exercise"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "cell" in self.filters and self.request is not None:
            # Another organisation's cell is refused like a cell that does not
            # exist (400), rather than answering an empty list that confirms it.
            self.filters["cell"].queryset = cells_for_user(self.request.user)
