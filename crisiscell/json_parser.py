"""The API's JSON parser: valid, finite and reasonably shallow JSON only (400 otherwise, never a 500).

DRF's parser let a body nested 10,000 levels deep overflow Python's recursion
(a 500), and turned `1e999999` into float("inf"), which a text field then
stored as "inf". NaN/Infinity literals were already refused (STRICT_JSON).
"""

import codecs
import json
import math

from django.conf import settings
from django.utils.translation import gettext as _
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"number out of range: {text[:40]}")
    return value


def _refuse_constant(name: str):
    raise ValueError(f"{name} is not a JSON number")


def depth(value) -> int:
    """Nesting depth of parsed JSON, without recursion."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, level = stack.pop()
        deepest = max(deepest, level)
        children = item.values() if isinstance(item, dict) else item if isinstance(item, list) else ()
        stack.extend((child, level + 1) for child in children if isinstance(child, dict | list))
    return deepest


def loads(text: str, max_depth: int):
    try:
        value = json.loads(text, parse_float=_finite_float, parse_constant=_refuse_constant)
    except RecursionError:
        raise ParseError(_("JSON nested too deeply (at most %(depth)s levels).") % {"depth": max_depth}) from None
    except ValueError as error:
        raise ParseError(_("JSON parse error: %(error)s") % {"error": error}) from None
    if depth(value) > max_depth:
        raise ParseError(_("JSON nested too deeply (at most %(depth)s levels).") % {"depth": max_depth})
    return value


class SafeJSONParser(JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        encoding = (parser_context or {}).get("encoding", settings.DEFAULT_CHARSET)
        try:
            text = codecs.getreader(encoding)(stream).read()
        except UnicodeDecodeError as error:
            raise ParseError(_("The body is not valid %(encoding)s.") % {"encoding": encoding}) from error
        return loads(text, settings.API_JSON_MAX_DEPTH)
