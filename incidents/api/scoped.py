"""The base of every endpoint under /incidents/{incident_pk}/ (facts, claims, statements, reminders, chat,
the response queue, briefings, tasks and activations)."""

from rest_framework import viewsets

from cells.access import require_role
from cells.models import Membership, Role

from ..models import Incident
from ..selectors import get_incident_for_user


class IncidentScopedViewSet(viewsets.GenericViewSet):
    """Endpoints under /incidents/{incident_pk}/: 404 outside the user's cells, 403 for a weak role."""

    # Lists come in the order the selectors give (what needs attention first).
    filter_backends = []
    # action -> weakest role; any action not listed needs a member (reads are listed as observer).
    roles: dict[str, Role] = {}

    def required_role(self) -> Role:
        reading = self.request.method in ("GET", "HEAD", "OPTIONS")
        return self.roles.get(self.action, Role.OBSERVER if reading else Role.MEMBER)

    def incident(self, minimum: Role | None = None) -> Incident:
        """The URL's incident, read once per request; `minimum`: the weakest role for this step
        (a view that checks step by step), else the action's (`roles`)."""
        if not hasattr(self, "_incident"):
            self._incident, self._membership = get_incident_for_user(self.request.user, self.kwargs["incident_pk"])
        require_role(self._membership, minimum or self.required_role())
        return self._incident

    @property
    def membership(self) -> Membership:
        self.incident()
        return self._membership

    def get_serializer_context(self):
        context = super().get_serializer_context()
        if getattr(self, "swagger_fake_view", False) or "incident_pk" not in self.kwargs:
            return context
        if self.request.user.is_authenticated:
            context.update(incident=self.incident(), membership=self.membership)
        return context
