"""Query parameters as the schema states them: once each, booleans as true or false.

Django reads the last of repeated parameters and django-filter reads `null` as "no
filter"; the API refuses both with a 400 that names the parameter (issue 10:
schemathesis found such requests accepted)."""

from django.utils.translation import gettext as _
from rest_framework.exceptions import ValidationError


def check_query(request, *, single=(), booleans=()) -> None:
    errors = {}
    for name in (*single, *booleans):
        values = request.query_params.getlist(name)
        if len(values) > 1:
            errors[name] = [_("Give this parameter once.")]
        elif name in booleans and values and values[0].lower() not in ("true", "false"):
            errors[name] = [_("Give true or false.")]
    if errors:
        raise ValidationError(errors)
