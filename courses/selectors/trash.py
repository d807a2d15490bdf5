"""A unit's trash: the removed course content of its subtree that the viewer may restore, newest first.

The list is built from light (when, kind, id) rows of each kind — one query per kind — and only the page
shown is loaded in full, so a page costs the same dozen queries however much was removed.
"""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Q
from guardian.shortcuts import get_objects_for_user

from units.models import Unit
from units.permissions import Action, scope
from units.selectors import in_subtree_q

from ..models import Course
from ..permissions import TEACH_PERM
from ..services.trash import KINDS, RELATED, describe

TRASH_PAGE_SIZE = 30
# kind -> the lookup from the item to its course ("" for the course itself; None: not course content)
COURSE_PATH = {
    "course": "",
    "section": "course__",
    "assignment": "course__",
    "submission": "assignment__course__",
    "live_session": "course__",
    "product": None,
}


@dataclass
class TrashRow:
    deleted_at: datetime
    kind: str
    pk: int


@dataclass
class TrashItem:
    obj: object
    kind: str
    what: str


def trash_rows(*, user, unit: Unit) -> list[TrashRow]:
    """(when, kind, id) of every removed item below `unit` the user may restore, newest first: the content
    of units the user manages, of the courses they teach, and their own products."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    managed = scope(user, Action.MANAGE)
    taught = get_objects_for_user(user, TEACH_PERM, klass=Course, accept_global_perms=False, with_superuser=False)
    rows: list[TrashRow] = []
    for kind, model in KINDS.items():
        to_course = COURSE_PATH[kind]
        if to_course is None:
            where = in_subtree_q(unit)
            allowed = managed.q("unit__") | Q(author=user)
        else:
            where = in_subtree_q(unit, f"{to_course}unit")
            to_pk = f"{to_course}pk" if to_course else "pk"
            allowed = (
                managed.q(f"{to_course}unit__")
                | Q(**{f"{to_course}author": user})
                | Q(**{f"{to_pk}__in": taught.values("pk")})
            )
        for deleted_at, pk in model.objects.removed().filter(where, allowed).order_by().values_list("deleted_at", "pk"):
            rows.append(TrashRow(deleted_at, kind, pk))
    rows.sort(key=lambda r: (r.deleted_at, r.kind, r.pk), reverse=True)
    return rows


def trash_page_items(rows) -> list[TrashItem]:
    """The items of one page of rows, fully loaded: one query per kind on the page."""
    by_kind: dict[str, list[int]] = {}
    for row in rows:
        by_kind.setdefault(row.kind, []).append(row.pk)
    loaded = {}
    for kind, ids in by_kind.items():
        for obj in KINDS[kind].objects.filter(pk__in=ids).select_related(*RELATED[kind]):
            loaded[(kind, obj.pk)] = obj
    return [
        TrashItem(obj=loaded[(row.kind, row.pk)], kind=row.kind, what=describe(loaded[(row.kind, row.pk)]))
        for row in rows
        if (row.kind, row.pk) in loaded
    ]
