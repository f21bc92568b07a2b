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
