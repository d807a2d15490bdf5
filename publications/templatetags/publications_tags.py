"""Front-page blocks other apps' pages include: `{% unit_front unit user %}` on a unit's space."""

from django import template

from ..selectors.front import unit_front as unit_front_items

register = template.Library()


@register.inclusion_tag("publications/front_unit.html")
def unit_front(unit, user):
    """The unit's and its parents' news and letters (two queries)."""
    return {"unit": unit, **unit_front_items(unit=unit, user=user)}
