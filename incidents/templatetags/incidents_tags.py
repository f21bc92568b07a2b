from django import template

from ..models import Level

register = template.Library()


@register.filter
def level_label(value: str) -> str:
    """'crisis' -> 'Crise' in the active language; unknown values pass through."""
    try:
        return Level(value).label
    except ValueError:
        return value
