"""Who may issue, see, forward and follow official letters (công văn).

- Issuing: the people who manage the issuing unit itself — Ministry, Department or Office staff, a
  school's admin and principal. Staff of the units above do not sign a school's letters.
- Seeing an issued letter: the issuer's managers; the heads and teachers of a recipient unit (a teacher
  in a group belongs to the school, and also to the group itself); its students only when the letter is
  addressed to everyone, students included (a student in a class belongs to the school); the units above
  the issuer that oversee it (VIEW_REPORTS over the issuer); and, for a public letter, everyone, even
  without logging in. A draft is seen only by the issuer's managers.
- Which opening is the unit's (`receipt_roles`): one by a head of the recipient unit itself (principal,
  school admin, Office or Department staff, a group's leader), or, when the letter is addressed to the
  teachers too, by a teacher of it. A student's never, nor a teacher's of a letter written to the heads.
- Read receipts: the issuer's managers see every recipient; a unit that forwarded the letter sees the
  receipts of the units it forwarded it to.
Everything else gets a 404, as if the letter did not exist.
"""

from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from units.models import Role, Unit
from units.permissions import (
    AUTHORITY_ROLES,
    TEACHING_ROLES,
    UNIT_MANAGER_ROLES,
    Action,
    can,
    holds_role_at,
    scope,
    units_where,
)
from units.selectors import ancestor_paths, school_path_of

from ..models import Letter, LetterRecipient

K = Unit.Kind
Addressees = Letter.Addressees
LETTER_ISSUER_KINDS = frozenset({K.MINISTRY, K.DEPARTMENT, K.OFFICE, K.SCHOOL, K.UNIVERSITY})
# Units that pass a letter on to the units below them.
FORWARDER_KINDS = frozenset({K.DEPARTMENT, K.OFFICE})


def _authenticated(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active)


def managed_unit_paths(user) -> set[str]:
    """Paths of the units where the user holds a role that speaks for the unit itself (AUTHORITY_ROLES:
    they issue its letters, receive its notifications and forward)."""
    return {held.path for held in units_where(user, AUTHORITY_ROLES)}


def member_unit_paths(user) -> set[str]:
    """The units a person belongs to for letters: every unit where they hold a role, and for groups and
    classes also their school (a letter to the school reaches its teachers and students)."""
    paths = set()
    for held in units_where(user):
        paths.update({held.path, held.school_path})
    return paths


@dataclass(frozen=True)
class LetterMembership:
    """How a person belongs to the units letters are sent to, by unit id: as a head (with the role), as a
    teacher (with the role), as a student."""

    heads: dict
    teachers: dict
    students: frozenset

    @property
    def staff_ids(self) -> list[int]:
        return sorted({*self.heads, *self.teachers})

    @property
    def student_ids(self) -> list[int]:
        return sorted(self.students)

    @property
    def all_ids(self) -> list[int]:
        return sorted({*self.heads, *self.teachers, *self.students})


NO_MEMBERSHIP = LetterMembership(heads={}, teachers={}, students=frozenset())


def letter_membership(user) -> LetterMembership:
    """The person's LetterMembership, looked up once per user object (one query; the archive and inbox
    filter recipient rows by unit id, which the (unit, letter) index serves)."""
    if not _authenticated(user):
        return NO_MEMBERSHIP
    cached = getattr(user, "_letter_membership", None)
    if cached is not None:
        return cached
    rows = units_where(user)
    paths = member_unit_paths(user)
    ids = dict(Unit.objects.filter(path__in=paths).values_list("path", "pk")) if paths else {}
    heads, teachers, students = {}, {}, set()
    for role, path, kind in rows:
        here = [path, school_path_of(path, kind)] if kind in (K.GROUP, K.CLASS) else [path]
        # The heads of a recipient unit: a managing role held at the unit itself answers for it (the same
        # people its notifications go to). A group's leader heads the group.
        if role in UNIT_MANAGER_ROLES:
            heads.setdefault(ids.get(path), role)
        if role in TEACHING_ROLES:
            for p in here:
                teachers.setdefault(ids.get(p), role)
        if role == Role.STUDENT:
            students.update(ids.get(p) for p in here)
    heads.pop(None, None)
    teachers.pop(None, None)
    students.discard(None)
    cached = LetterMembership(heads=heads, teachers=teachers, students=frozenset(students))
    user._letter_membership = cached
    return cached


def receipt_roles(user, letter: Letter) -> dict[int, str]:
    """{unit id: role} of the units for which the person's opening of `letter` is the unit's reading
    (see the module docstring); the issuer's own people never read for a recipient."""
    if letter.status != Letter.Status.ISSUED or not _authenticated(user):
        return {}
    if holds_role_at(user, letter.issuer):
        return {}
    membership = letter_membership(user)
    roles = {}
    if letter.addressed_to in (Addressees.STAFF, Addressees.EVERYONE):
        roles.update(membership.teachers)
    roles.update(membership.heads)  # a head's own role says more than their teaching
    return roles


def reads_for_a_recipient(user, letter: Letter) -> bool:
    """The person's opening of `letter` is the reading of at least one unit it was sent to."""
    roles = receipt_roles(user, letter)
    return bool(roles) and letter.recipients.filter(unit_id__in=list(roles)).exists()


def recipient_q(user) -> Q | None:
    """A filter on Letter for the letters sent to a unit the person belongs to in a way that lets them
    read it (students: only what is addressed to everyone); None when they belong to no unit."""
    membership = letter_membership(user)
    if not membership.all_ids:
        return None
    query = Q(pk__in=[])
    if membership.staff_ids:
        query |= Q(Exists(LetterRecipient.objects.filter(letter=OuterRef("pk"), unit_id__in=membership.staff_ids)))
    if membership.student_ids:
        query |= Q(addressed_to=Addressees.EVERYONE) & Q(
            Exists(LetterRecipient.objects.filter(letter=OuterRef("pk"), unit_id__in=membership.student_ids))
        )
    return query


def parent_reach_paths(user) -> list[str]:
    """For a parent account (issue #17): the paths of the units whose parents' letters and news reach
    them: their children's classes and schools and every unit above those. Empty for everyone else.
    Looked up once per user object."""
    if not _authenticated(user) or getattr(user, "account_type", "") != "parent":
        return []
    cached = getattr(user, "_parent_reach_paths", None)
    if cached is None:
        from accounts.selectors import children_unit_paths

        cached = sorted({p for path in children_unit_paths(parent=user) for p in ancestor_paths(path)})
        user._parent_reach_paths = cached
    return cached


def parents_letters_q(user) -> Q | None:
    """A filter on Letter for the issued letters addressed to this parent's children's parents; None for
    anyone who is no parent."""
    paths = parent_reach_paths(user)
    if not paths:
        return None
    return Q(status=Letter.Status.ISSUED, parents_unit__path__in=paths)


def is_letter_parent(user, letter: Letter) -> bool:
    return (
        letter.status == Letter.Status.ISSUED
        and letter.parents_unit_id is not None
        and letter.parents_unit.path in parent_reach_paths(user)
    )


def can_issue_letter(user, unit: Unit) -> bool:
    if unit.kind not in LETTER_ISSUER_KINDS or not unit.is_active or not _authenticated(user):
        return False
    return user.is_superuser or unit.path in managed_unit_paths(user)


def is_letter_issuer_side(user, letter: Letter) -> bool:
    """The issuer's own managers: they edit drafts, issue, see every receipt and remind."""
    if not _authenticated(user):
        return False
    return user.is_superuser or letter.issuer.path in managed_unit_paths(user)


def can_edit_letter(user, letter: Letter) -> bool:
    return letter.status == Letter.Status.DRAFT and can_issue_letter(user, letter.issuer)


def is_letter_recipient(user, letter: Letter) -> bool:
    """The person belongs to a unit the letter was sent to, in a way that lets them read it (a student
    only reads what is addressed to everyone)."""
    membership = letter_membership(user)
    ids = membership.staff_ids
    if letter.addressed_to == Addressees.EVERYONE:
        ids = membership.all_ids
    return bool(ids) and letter.recipients.filter(unit_id__in=ids).exists()


def can_view_letter(user, letter: Letter) -> bool:
    if is_letter_issuer_side(user, letter):
        return True
    if letter.status != Letter.Status.ISSUED:
        return False
    if letter.is_public:
        return True
    if not _authenticated(user):
        return False
    return (
        can(user, Action.VIEW_REPORTS, letter.issuer)
        or is_letter_recipient(user, letter)
        or is_letter_parent(user, letter)
    )


def letters_visible_q(user) -> Q:
    """A filter on Letter for what `user` may see (see the module docstring); anonymous visitors get the
    public letters. One EXISTS on the recipients, served by their (unit, letter) index."""
    public = Q(status=Letter.Status.ISSUED, is_public=True)
    if not _authenticated(user):
        return public
    if user.is_superuser:
        return Q()
    own = Q(pk__in=[])
    managed = managed_unit_paths(user)
    if managed:
        own = Q(issuer__path__in=sorted(managed))
    issued = public | scope(user, Action.VIEW_REPORTS).q("issuer__")
    received = recipient_q(user)
    if received is not None:
        issued |= received
    as_parent = parents_letters_q(user)
    if as_parent is not None:
        issued |= as_parent
    return own | (Q(status=Letter.Status.ISSUED) & issued)


def forwarding_units(user, letter: Letter) -> list[Unit]:
    """The Departments and Offices that received `letter` and that `user` speaks for: the units they
    may forward it from."""
    if letter.status != Letter.Status.ISSUED or not _authenticated(user):
        return []
    rows = letter.recipients.filter(unit__kind__in=FORWARDER_KINDS, unit__is_active=True).select_related("unit")
    if not user.is_superuser:
        rows = rows.filter(unit__path__in=sorted(managed_unit_paths(user)))
    return [row.unit for row in rows.order_by("unit__path")]


def receipt_rows_q(user, letter: Letter) -> Q | None:
    """Which recipient rows of `letter` the user follows (None: none at all): every row for the issuer's
    managers, the rows a unit forwarded for that unit's managers."""
    if is_letter_issuer_side(user, letter):
        return Q()
    managed = managed_unit_paths(user)
    if not managed or letter.status != Letter.Status.ISSUED:
        return None
    if letter.recipients.filter(forwarded_by_unit__path__in=sorted(managed)).exists():
        return Q(forwarded_by_unit__path__in=sorted(managed))
    return None


def can_view_receipts(user, letter: Letter) -> bool:
    return letter.status == Letter.Status.ISSUED and receipt_rows_q(user, letter) is not None


def receipt_rows_for_user_or_404(user, letter: Letter) -> Q:
    """The receipt rows `user` may follow on an issued letter (see receipt_rows_q), or a 404."""
    rows_q = receipt_rows_q(user, letter) if letter.status == Letter.Status.ISSUED else None
    if rows_q is None:
        raise Http404
    return rows_q


def letter_refusal(user, pk) -> str | None:
    """Why a student of a recipient unit may not open the letter (it is not addressed to everyone), said
    rather than a bare 404: they know it exists, from the teacher who mentioned it. None for everyone
    else, who get a 404 as if it did not exist."""
    membership = letter_membership(user)
    if not membership.student_ids:
        return None
    rows = LetterRecipient.objects.filter(letter=OuterRef("pk"), unit_id__in=membership.student_ids)
    letter = (
        Letter.objects.filter(Exists(rows), pk=pk, status=Letter.Status.ISSUED)
        .exclude(addressed_to=Addressees.EVERYONE)
        .first()
    )
    if letter is None:
        return None
    return _(
        "Official letter %(reference)s is addressed to: %(addressees)s. It is not addressed to students, so a "
        "student account cannot open it."
    ) % {"reference": letter.reference, "addressees": letter.get_addressed_to_display()}


def letter_for_user_or_404(user, pk) -> Letter:
    letter = get_object_or_404(Letter.objects.select_related("issuer", "created_by", "parents_unit"), pk=pk)
    if not can_view_letter(user, letter):
        raise Http404
    return letter


def letter_for_editor_or_404(user, pk) -> Letter:
    """A draft its issuer's managers may still change (an issued letter is final, as on paper)."""
    letter = get_object_or_404(Letter.objects.select_related("issuer", "created_by"), pk=pk)
    if not is_letter_issuer_side(user, letter):
        raise Http404
    return letter
