"""API pieces shared by the facts, claims, statements and reminders endpoints:
incident scoping, optimistic concurrency (ETag / If-Match) and the documented errors."""

import contextlib

from django.utils.http import parse_etags
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework import status, viewsets
from rest_framework.exceptions import APIException
from rest_framework.response import Response

from cells.access import require_role
from cells.models import Membership, Role
from incidents.models import Incident
from incidents.selectors import get_incident_for_user

from ..errors import StaleRevision

ERRORS = {
    400: OpenApiResponse(description="Invalid input, or a rule refused it; field-level messages say which."),
    403: OpenApiResponse(description="Your role in this cell does not allow it (or the four-eyes rule)."),
    404: OpenApiResponse(description="No such object in your cells."),
    409: OpenApiResponse(
        description="The object is not in the state this needs (someone may have acted first); nothing was written."
    ),
}
READ_ERRORS = {404: ERRORS[404]}
PRECONDITION_ERRORS = {
    412: OpenApiResponse(description="If-Match does not match the current ETag: reload, then apply your change."),
    428: OpenApiResponse(description="If-Match is missing: send the ETag of the representation you edited."),
}
IF_MATCH = OpenApiParameter(
    "If-Match",
    # An ETag as the server gave it ("*" is refused: it would match any version).
    {"type": "string", "pattern": '^(W/)?"[^"*]+"$'},
    OpenApiParameter.HEADER,
    required=True,
    description="The ETag of the representation you edited (optimistic concurrency).",
)
ETAG = OpenApiParameter(
    "ETag",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    response=[200, 201],
    description="The current version of this representation; send it back in If-Match to change it.",
)


class PreconditionRequired(APIException):
    status_code = 428
    default_detail = "If-Match is required."
    default_code = "precondition_required"


class PreconditionFailed(APIException):
    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_detail = "The resource changed since you loaded it."
    default_code = "precondition_failed"


def check_if_match(request, current_etag: str) -> None:
    """428 without If-Match, 412 when it names another version than the current one."""
    header = request.headers.get("If-Match", "").strip()
    if not header:
        raise PreconditionRequired(
            _("Send If-Match with the ETag you received, so that you never overwrite a change you have not seen.")
        )
    etags = parse_etags(header)
    if etags == ["*"]:
        # "*" matches any version: the client would overwrite what it has never seen.
        raise PreconditionRequired(
            _(
                "If-Match: * is not accepted: send the ETag you received, "
                "so that you never overwrite a change you have not seen."
            )
        )
    if current_etag not in etags:
        raise PreconditionFailed(
            {"detail": _("It changed since you loaded it. Reload, then apply your change again."), "etag": current_etag}
        )


@contextlib.contextmanager
def stale_as_412():
    """The service's own check (the guarded update) lost a race after check_if_match passed."""
    try:
        yield
    except StaleRevision as error:
        raise PreconditionFailed({"detail": error.message, "etag": error.current.get("etag", "")}) from None


def with_etag(response: Response, obj) -> Response:
    response["ETag"] = obj.etag
    return response


class IncidentScopedViewSet(viewsets.GenericViewSet):
    """Endpoints under /incidents/{incident_pk}/: 404 outside the user's cells, 403 for a weak role."""

    # Lists come in the order the selectors give (what needs attention first).
    filter_backends = []
    # action -> weakest role; any action not listed needs a member (reads are listed as observer).
    roles: dict[str, Role] = {}

    def required_role(self) -> Role:
        reading = self.request.method in ("GET", "HEAD", "OPTIONS")
        return self.roles.get(self.action, Role.OBSERVER if reading else Role.MEMBER)

    def incident(self) -> Incident:
        if not hasattr(self, "_incident"):
            self._incident, self._membership = get_incident_for_user(self.request.user, self.kwargs["incident_pk"])
        require_role(self._membership, self.required_role())
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
