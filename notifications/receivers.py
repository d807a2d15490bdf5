"""What notifications does when apps below it signal a change (connected in apps.py)."""

from django.urls import reverse
from django.utils.translation import gettext as _

from .services import notify


def tell_role_changed(*, actor, person, unit, role, granted: bool, **_kwargs) -> None:
    """units.signals.role_changed: the person named to a role, or relieved of it, is told."""
    from units.models import Role

    words = {"role": Role(role).label, "unit": unit.name}
    if granted:
        title = _("You are now %(role)s at %(unit)s") % words
    else:
        title = _("You are no longer %(role)s at %(unit)s") % words
    by = getattr(actor, "full_name", "") or ""
    body = _("Changed by %(name)s.") % {"name": by} if by else ""
    notify(recipients=[person], title=title, body=body, url=reverse("units:space", args=[unit.pk]))
