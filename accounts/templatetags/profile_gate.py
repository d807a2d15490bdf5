"""`{% profile_missing user as missing %}`: what the person still has to fill in before posting, enrolling or
submitting, read from accounts.profile — the same check the services apply — so a button can say so before
the click. Costs nothing for a full profile or staff, at most one query otherwise (then kept on the user)."""

from django import template

from ..profile import missing_profile_items

register = template.Library()


@register.simple_tag
def profile_missing(user) -> list[str]:
    if not getattr(user, "is_authenticated", False):
        return []
    return missing_profile_items(user)
