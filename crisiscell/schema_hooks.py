"""drf-spectacular post-processing of the OpenAPI schema."""

NUMERIC_ID = "^[0-9]+$"


def numeric_path_ids(result, generator, request, public):
    """API ids are matched by `[0-9]+` in the URL (crisiscell/api_urls.py), which drf-spectacular
    describes as a string with a pattern: say what they are, integers."""
    for item in result.get("paths", {}).values():
        for operation in item.values():
            for parameter in operation.get("parameters", []) if isinstance(operation, dict) else []:
                schema = parameter.get("schema", {})
                if parameter.get("in") == "path" and schema.get("pattern") == NUMERIC_ID:
                    parameter["schema"] = {"type": "integer", "minimum": 0}
    return result


ERROR_SCHEMA = {
    "type": "object",
    "description": "`detail` says what went wrong; a refused body names its fields instead.",
    "properties": {"detail": {"type": "string"}},
    "additionalProperties": True,
}
COMMON_ERRORS = {
    "400": "Invalid input: field-level messages, or `detail`.",
    "401": "Not authenticated: send `Authorization: Token <token>`.",
    "403": "Your role in this cell does not allow it.",
    "404": "No such object in your cells.",
    "406": "The Accept header asks for something else than JSON.",
    "413": "The body is larger than this endpoint accepts (`limit_bytes`).",
    "415": "The body is not JSON (or a form).",
    "429": "Throttled, or locked out after repeated failed logins.",
    "409": "The object is not in a state that allows this (someone may have acted first); nothing was written.",
    "412": "If-Match does not match the current ETag: reload, then apply your change.",
    "428": "If-Match is missing (or `*`): send the ETag of the representation you edited.",
}


# Constraints of PATCH bodies that drf-spectacular's "Patched" components (all optional) lose.
PATCH_CONSTRAINTS = {
    "PatchedFactEditRequest": {"required": ["text"]},  # a fact's edit is a new text (and a note)
    "PatchedVersionEditRequest": {"minProperties": 1},  # the new text, the cited facts, or both
    "PatchedIncidentRequest": {"minProperties": 1},  # at least one field to change
}
# Fields a PATCH body may not carry (the serializer makes them read-only on an instance).
PATCH_READ_ONLY = {"PatchedIncidentRequest": ["cell"]}  # an incident never changes cell


def closed_request_bodies(result, generator, request, public):
    """Request bodies take only the fields they name (StrictSerializer refuses the others with
    a 400): the schema says so, so that a client, and schemathesis, know it."""
    for name, component in result.get("components", {}).get("schemas", {}).items():
        if name.endswith("Request") and component.get("type") == "object":
            component.setdefault("additionalProperties", False)
            component.update(PATCH_CONSTRAINTS.get(name, {}))
            for field in PATCH_READ_ONLY.get(name, []):
                component.get("properties", {}).pop(field, None)
    return result


def documented_errors(result, generator, request, public):
    """Every error the API can answer is in the schema (issue 10: schemathesis found 35
    undocumented status codes). Which ones an operation gets follows from what it takes:
    authentication (401, 403), a path id (404), input (400), a body (413, 415)."""
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    error = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    for item in result.get("paths", {}).values():
        for method, operation in item.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            parameters = operation.get("parameters", [])
            codes = {"406", "429"}
            if operation.get("security", [None]) not in ([], [{}]):
                codes |= {"401", "403"}
            if any(p.get("in") == "path" or p.get("name") == "page" for p in parameters):
                codes.add("404")  # no such object, or a page past the last
            if "requestBody" in operation or any(p.get("in") == "query" for p in parameters):
                codes.add("400")
            if "requestBody" in operation or method in ("post", "put", "patch"):
                codes |= {"400", "413", "415"}
            if method in ("post", "put", "patch", "delete") and any(p.get("in") == "path" for p in parameters):
                codes.add("409")
            if any(p.get("in") == "header" and p.get("name") == "If-Match" for p in parameters):
                codes |= {"412", "428"}
            _require_body_with_required_fields(operation, result["components"]["schemas"])
            for code in sorted(codes):
                response = operation["responses"].setdefault(code, {"description": COMMON_ERRORS[code]})
                response.setdefault("content", error)
    return result


def _require_body_with_required_fields(operation: dict, components: dict) -> None:
    """A body whose schema has required fields is itself required (an empty POST is a 400)."""
    body = operation.get("requestBody")
    if not body:
        return
    for media in body.get("content", {}).values():
        ref = media.get("schema", {}).get("$ref", "")
        if components.get(ref.rsplit("/", 1)[-1], {}).get("required"):
            body["required"] = True
