"""The error answers every endpoint documents (drf-spectacular responses)."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse

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
