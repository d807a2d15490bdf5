"""Parent accounts (cha mẹ học sinh, issue #17): issued by the child's school, linked to the children.

A parent account belongs to the school that issued it (`User.unit`), holds no role (so it reaches no
unit, directory, course or grade book) and counts against no quota (`quotas.quota_usage` counts
teachers and students only). What a parent sees of a child goes through a current `Guardianship`
(`permissions.is_parent_of`). One person is one account: a parent is recognised by their phone number
or email among the school's parent accounts, so a mother of two pupils gets one account linked to both.

Two ways in, with the same one-time credential and sheet as every account (`credentials`):
- `parent_issue`, on a student's page ("Cấp tài khoản phụ huynh"), by the school's admin or principal;
- the student import's optional parent columns (`check_parent` per row, `import_parent_problems` over the
  file, `import_parents_create` when it is applied, in the import's transaction and on its sheet).
"""

import re
from collections import defaultdict
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext as _

from truonghoc.bulk import bulk_insert
from truonghoc.imports.engine import ImportRefused
from truonghoc.text import fold, formula_or_bidi_problem, nfc
from units.models import Unit
from units.services import AuditRecord, audit_log, audit_log_many

from ..models import Guardianship, IssueBatch, User, name_fields
from ..permissions import can_issue_parent, can_manage_parent_links
from .credentials import credentials_issue, sheet_store, unusable_password
from .issuing import BATCH, PHONE, Problems, usernames_allocate
from .quotas import quota_lock

T = User.AccountType
R = Guardianship.Relation
RELATIONS = {
    "me": R.MOTHER, "me de": R.MOTHER, "mother": R.MOTHER, "mom": R.MOTHER,
    "bo": R.FATHER, "cha": R.FATHER, "bo de": R.FATHER, "cha de": R.FATHER, "father": R.FATHER, "dad": R.FATHER,
    "nguoi giam ho": R.GUARDIAN, "giam ho": R.GUARDIAN, "nguoi do dau": R.GUARDIAN, "guardian": R.GUARDIAN,
}  # fmt: skip
PARENT_FIELDS = ("parent_name", "parent_phone", "parent_email", "parent_relation")


def phone_normalise(text) -> str:
    """A phone number as it is stored and compared: separators dropped, +84 written 0, and the leading 0
    Excel drops from a number cell put back (912345678 → 0912345678)."""
    phone = re.sub(r"[\s.\-()]", "", nfc(text))
    if phone.startswith("+84"):
        phone = "0" + phone[3:]
    elif phone.startswith("84") and len(phone) == 11:
        phone = "0" + phone[2:]
    elif phone.isdigit() and len(phone) == 9 and not phone.startswith("0"):
        phone = "0" + phone
    return phone


def check_parent(values: dict, *, required: bool = False) -> tuple[dict | None, Problems]:
    """Clean a parent's details (keys `PARENT_FIELDS`); (None, no problems) when all are empty and not
    `required`. A parent needs a phone number or an email: that is how the same person is found again."""
    problems = Problems()
    raw = {key: values.get(key) for key in PARENT_FIELDS}
    for key, value in raw.items():
        if isinstance(value, str) and value.startswith("="):
            problems.add(key, _("the parent's details hold a formula; type the value instead"))
            raw[key] = ""
    if not required and not any(str(value or "").strip() for value in raw.values()):
        return None, problems
    name = nfc(raw["parent_name"])
    unsafe = formula_or_bidi_problem(name) if name else ""
    if unsafe:
        problems.add("parent_name", unsafe)
    elif name and (len(name) > 150 or not any(ch.isalpha() for ch in name)):
        problems.add("parent_name", _("“%(name)s” is not a person's name") % {"name": name[:40]})
    phone = phone_normalise(raw["parent_phone"])
    if phone and not PHONE.match(phone):
        problems.add(
            "parent_phone", _("the parent's phone number “%(value)s” is not valid") % {"value": raw["parent_phone"]}
        )
    email = nfc(raw["parent_email"]).lower()
    if email:
        try:
            validate_email(email)
        except ValidationError:
            problems.add("parent_email", _("the parent's email “%(value)s” is not valid") % {"value": email})
    if not phone and not email and "parent_phone" not in problems.fields and "parent_email" not in problems.fields:
        problems.add("parent_phone", _("give the parent's phone number or email: it is how the parent is recognised"))
    relation_text = fold(raw["parent_relation"])
    relation = RELATIONS.get(relation_text, R.GUARDIAN if not relation_text else "")
    if relation_text and not relation:
        problems.add(
            "parent_relation",
            _("the relation “%(value)s” is not Mẹ, Bố (Cha) or Người giám hộ") % {"value": raw["parent_relation"]},
        )
    return {"name": name, "phone": phone, "email": email, "relation": relation or R.GUARDIAN}, problems


def _contact_keys(data: dict) -> list[str]:
    keys = []
    if data["phone"]:
        keys.append(f"p:{data['phone']}")
    if data["email"]:
        keys.append(f"e:{data['email']}")
    return keys


def _parents_by_contact(*, school: Unit, phones, emails) -> dict[str, User]:
    """{contact key: parent account} of the school's active parent accounts with one of these phones or
    emails (emails compared without letter case). One query."""
    phones, emails = sorted({p for p in phones if p}), sorted({e for e in emails if e})
    if not phones and not emails:
        return {}
    found: dict[str, User] = {}
    parents = (
        User.objects.filter(unit=school, account_type=T.PARENT, is_active=True)
        .annotate(email_lower=Lower("email"))
        .filter(Q(phone__in=phones) | Q(email_lower__in=emails))
    )
    for parent in parents:
        if parent.phone:
            found.setdefault(f"p:{parent.phone}", parent)
        if parent.email_lower:
            found.setdefault(f"e:{parent.email_lower}", parent)
    return found


def _emails_taken(*, school: Unit, emails) -> dict[str, User]:
    """{email: account} of the given emails already used by an account that is not one of the school's
    active parent accounts (one email opens one account at login). One query per 5,000 emails."""
    emails = sorted({e for e in emails if e})
    taken: dict[str, User] = {}
    for start in range(0, len(emails), 5000):
        rows = (
            User.objects.annotate(email_lower=Lower("email"))
            .filter(email_lower__in=emails[start : start + 5000])
            .exclude(unit=school, account_type=T.PARENT, is_active=True)
            .only("id", "email", "unit_id")
        )
        for account in rows:
            taken[account.email_lower] = account
    return taken


def _email_taken_message(email: str) -> str:
    return _(
        "the parent's email %(email)s is already used by another account (a student, a teacher, or a parent "
        "account of another school); leave it empty and give the phone number"
    ) % {"email": email}


# --- links ----------------------------------------------------------------------------------------
def _refuse_other_school(*, parent: User, child: User) -> None:
    if child.unit_id != parent.unit_id:
        raise ValidationError(
            _(
                "%(child)s is not a student of %(school)s, which issued this parent account: a parent account "
                "is linked only to children of its own school. Nothing was changed."
            )
            % {"child": child.full_name, "school": parent.unit.name if parent.unit else "—"},
            code="other_school",
        )


@transaction.atomic
def parent_link(*, actor, parent: User, child: User, relation: str = R.GUARDIAN) -> Guardianship:
    """Link a parent account to a child of the same school. Refused (nothing written) for a child of
    another school, a child who is no student, a link that already exists, or an actor who is not the
    child's school admin or principal."""
    if parent.account_type != T.PARENT:
        raise ValidationError(_("%(name)s's account is not a parent account.") % {"name": parent.full_name})
    if child.account_type != T.STUDENT:
        raise ValidationError(_("%(name)s is not a student.") % {"name": child.full_name})
    _refuse_other_school(parent=parent, child=child)
    if not can_issue_parent(actor, child):
        raise PermissionDenied(_("Only the school admin or the principal of the child's school links parents."))
    if relation not in R.values:
        raise ValidationError({"parent_relation": _("Choose the relation: mother, father or guardian.")})
    if Guardianship.objects.filter(parent=parent, child=child, ended_at__isnull=True).exists():
        raise ValidationError(
            _("%(parent)s is already linked to %(child)s.") % {"parent": parent.full_name, "child": child.full_name}
        )
    link = Guardianship(parent=parent, child=child, relation=relation, created_by=actor)
    link.full_clean()
    link.save()
    audit_log(
        actor=actor, action="parent.link", unit=child.unit, target=child,
        after={"parent": parent.username, "parent_id": parent.pk, "relation": relation},
    )  # fmt: skip
    return link


@transaction.atomic
def parent_unlink(*, actor, link: Guardianship) -> Guardianship:
    """End a parent's link to a child (the row stays, with who ended it and when)."""
    link = Guardianship.objects.select_for_update(of=("self",)).select_related("child__unit", "parent").get(pk=link.pk)
    if not can_manage_parent_links(actor, link.child):
        raise PermissionDenied(_("Only the school admin or the principal of the child's school unlinks parents."))
    if link.ended_at is not None:
        raise ValidationError(_("This link has already ended."))
    link.ended_at, link.ended_by = timezone.now(), actor
    link.save(update_fields=["ended_at", "ended_by"])
    audit_log(
        actor=actor, action="parent.unlink", unit=link.child.unit, target=link.child,
        before={"parent": link.parent.username, "parent_id": link.parent_id, "relation": link.relation},
    )  # fmt: skip
    return link


# --- one parent, on a student's page ------------------------------------------------------------------
@dataclass
class ParentIssued:
    parent: User
    link: Guardianship
    batch: IssueBatch | None  # the credential sheet, when a new account was made
    created: bool


def _default_name(child: User) -> str:
    return _("Parent of %(child)s") % {"child": child.full_name}


def _new_parents(*, school: Unit, specs: list[dict]) -> list[User]:
    """Write parent accounts (under the school's quota lock, for the usernames); no credential yet."""
    usernames = usernames_allocate(school=school, account_type=T.PARENT, count=len(specs))
    users = [
        User(
            username=username, **name_fields(spec["name"]), account_type=T.PARENT, unit=school,
            email=spec["email"], phone=spec["phone"], password=unusable_password(), must_change_password=True,
        )
        for spec, username in zip(specs, usernames, strict=True)
    ]  # fmt: skip
    # Plain multi-row INSERTs (truonghoc.bulk): bulk_create compiles every value through the ORM, most of
    # the time of 45,000 parents (issue #17's bench).
    return bulk_insert(User, users, batch_size=BATCH)


@transaction.atomic
def parent_issue(*, actor, child: User, values: dict) -> ParentIssued:
    """Issue a parent account for `child` and link it, or link the school's parent account that has the
    same phone or email (one person, one account). Refuses with field errors and writes nothing when a
    detail is wrong, the email belongs to another account, or the actor may not."""
    child = User.objects.select_related("unit").get(pk=child.pk)
    if not can_issue_parent(actor, child):
        raise PermissionDenied(_("Only the school admin or the principal of the child's school issues parents."))
    data, problems = check_parent(values, required=True)
    if problems:
        raise ValidationError(problems.by_field())
    school = child.unit
    quota_lock(school=school)  # serialises the usernames of the school, as for every account
    found = _parents_by_contact(school=school, phones=[data["phone"]], emails=[data["email"]])
    matches = {found[key].pk: found[key] for key in _contact_keys(data) if key in found}
    if len(matches) > 1:
        raise ValidationError(
            {"parent_email": _("This phone number and this email belong to two different parent accounts.")}
        )
    if matches:
        parent = next(iter(matches.values()))
        link = parent_link(actor=actor, parent=parent, child=child, relation=data["relation"])
        return ParentIssued(parent=parent, link=link, batch=None, created=False)
    if data["email"] and _emails_taken(school=school, emails=[data["email"]]):
        raise ValidationError({"parent_email": _email_taken_message(data["email"])})
    data["name"] = data["name"] or _default_name(child)
    batch = IssueBatch.objects.create(
        school=school, kind=IssueBatch.Kind.PARENT, status=IssueBatch.Status.DONE, account_type=T.PARENT,
        created_by=actor, total_rows=1, new_rows=1, finished_at=timezone.now(),
    )  # fmt: skip
    parent = _new_parents(school=school, specs=[data])[0]
    codes = credentials_issue(users=[parent], batch=batch)
    audit_log(
        actor=actor, action="account.create", unit=school, target=parent,
        after={"username": parent.username, "account_type": T.PARENT, "batch": batch.pk, "child": child.username},
    )  # fmt: skip
    link = parent_link(actor=actor, parent=parent, child=child, relation=data["relation"])
    sheet_store(batch=batch, rows=[_sheet_row(parent, codes[parent.pk], [child], {child.pk: _class_name(child)})])
    return ParentIssued(parent=parent, link=link, batch=batch, created=True)


def _class_name(child: User) -> str:
    from units.models import Role, RoleAssignment

    return (
        RoleAssignment.objects.filter(user=child, role=Role.STUDENT, unit__kind=Unit.Kind.CLASS)
        .values_list("unit__name", flat=True)
        .first()
        or ""
    )


def _sheet_row(parent: User, code: str, children: list[User], classes: dict[int, str]) -> dict:
    """A parent's line on the credential sheet: grouped under "Parents · <class>" of the first child,
    the children named on the slip."""
    first_class = classes.get(children[0].pk, "") if children else ""
    named = ", ".join(f"{c.full_name} ({classes[c.pk]})" if classes.get(c.pk) else c.full_name for c in children)
    return {
        "username": parent.username,
        "full_name": parent.full_name,
        "unit": _("Parents · %(class)s") % {"class": first_class} if first_class else _("Parents"),
        "code": code,
        "date_of_birth": "",
        "note": _("Parent of %(child)s") % {"child": named},
    }


# --- the student import's parent columns -------------------------------------------------------------
def import_parent_problems(*, checked: list, school: Unit) -> None:
    """Add to the rows of a checked student file (lists [line, data, problems]) what only the whole file
    and the database tell about their parents: an email already used by another account, a parent's
    email that is also a student's in the file, a phone and an email that name two different parent
    accounts. One or two queries."""
    with_parent = [(data, problems) for _line, data, problems in checked if data.get("parent")]
    if not with_parent:
        return
    student_emails = {data["email"] for _line, data, _p in checked if data.get("email")}
    emails = [data["parent"]["email"] for data, _p in with_parent]
    taken = _emails_taken(school=school, emails=emails)
    found = _parents_by_contact(school=school, phones=[d["parent"]["phone"] for d, _p in with_parent], emails=emails)
    for data, problems in with_parent:
        parent = data["parent"]
        email = parent["email"]
        if email and email in taken:
            problems.append(_email_taken_message(email))
        elif email and email in student_emails:
            problems.append(_("the parent's email %(email)s is also a student's email in this file") % {"email": email})
        matches = {found[key].pk for key in _contact_keys(parent) if key in found}
        if len(matches) > 1:
            problems.append(_("the parent's phone number and email belong to two different parent accounts"))


def _groups(rows: list[dict]) -> list[list[int]]:
    """Indexes of the rows with a parent, grouped by person: rows sharing a phone or an email (directly
    or through another row) are one parent."""
    owner: dict[int, int] = {}

    def find(i: int) -> int:
        while owner[i] != i:
            owner[i] = owner[owner[i]]
            i = owner[i]
        return i

    first_by_key: dict[str, int] = {}
    for i, row in enumerate(rows):
        if not row.get("parent"):
            continue
        owner.setdefault(i, i)
        for key in _contact_keys(row["parent"]):
            if key in first_by_key:
                owner[find(i)] = find(first_by_key[key])
            else:
                first_by_key[key] = i
    groups: dict[int, list[int]] = defaultdict(list)
    for i in owner:
        groups[find(i)].append(i)
    return [sorted(members) for _root, members in sorted(groups.items())]


def import_parents_create(
    *, actor, school: Unit, batch: IssueBatch, rows: list[dict], children: list[User]
) -> list[dict]:
    """The parents of an applied student import (rows and the accounts just made for them, in order):
    one account per person (the school's existing parent account when the phone or email matches one),
    linked to each of their children, audited in bulk. Returns the new parents' credential-sheet lines.
    Runs in the import's transaction, under the school's quota lock; raises ImportRefused (everything
    rolled back) when an email was taken since the check."""
    groups = _groups(rows)
    if not groups:
        return []
    parents_data = [rows[i]["parent"] for group in groups for i in group]
    emails = [p["email"] for p in parents_data]
    taken = _emails_taken(school=school, emails=emails)
    found = _parents_by_contact(school=school, phones=[p["phone"] for p in parents_data], emails=emails)
    owners: list[User | None] = []
    specs: list[dict] = []
    for group in groups:
        keys = [key for i in group for key in _contact_keys(rows[i]["parent"])]
        matches = {found[key].pk: found[key] for key in keys if key in found}
        if len(matches) > 1 or any(rows[i]["parent"]["email"] in taken for i in group):
            raise ImportRefused(
                _(
                    "Nothing was imported: a parent's phone or email now belongs to another account. "
                    "Check the file again."
                )
            )
        if matches:
            owners.append(next(iter(matches.values())))
            continue
        first = rows[group[0]]["parent"]
        named = next((rows[i]["parent"]["name"] for i in group if rows[i]["parent"]["name"]), "")
        specs.append({
            "name": named or _default_name(children[group[0]]),
            "phone": next((rows[i]["parent"]["phone"] for i in group if rows[i]["parent"]["phone"]), first["phone"]),
            "email": next((rows[i]["parent"]["email"] for i in group if rows[i]["parent"]["email"]), first["email"]),
        })  # fmt: skip
        owners.append(None)
    created = _new_parents(school=school, specs=specs) if specs else []
    made = iter(created)
    owners = [owner or next(made) for owner in owners]
    codes = credentials_issue(users=created, batch=batch, fresh=True) if created else {}
    # Ids rather than objects on the links: setting a related object costs more than the row (45,000 links).
    actor_id = getattr(actor, "pk", None)
    links = [
        Guardianship(
            parent_id=parent.pk, child_id=children[i].pk, relation=rows[i]["parent"]["relation"], created_by_id=actor_id
        )
        for parent, group in zip(owners, groups, strict=True)
        for i in group
    ]
    bulk_insert(Guardianship, links, batch_size=BATCH)
    by_id = {child.pk: child for child in children} | {parent.pk: parent for parent in owners}
    new_ids = {p.pk for p in created}
    # One entry per new parent account, naming the children it was linked to; a link to a parent account
    # the school had already is audited on its own (half the rows of a big import: issue #17's bench).
    children_of_new = defaultdict(list)
    for link in links:
        if link.parent_id in new_ids:
            children_of_new[link.parent_id].append((by_id[link.child_id].username, link.relation))
    audit_log_many(
        actor=actor,
        action="account.create",
        records=(
            AuditRecord(
                unit=school, target=parent, target_repr=parent.full_name,
                after={"username": parent.username, "account_type": T.PARENT, "batch": batch.pk,
                       "children": [username for username, _relation in children_of_new[parent.pk]],
                       "relations": [relation for _username, relation in children_of_new[parent.pk]]},
            )
            for parent in created
        ),
        batch_size=BATCH,
    )  # fmt: skip
    audit_log_many(
        actor=actor,
        action="parent.link",
        records=(
            AuditRecord(
                unit=school, target=by_id[link.child_id], target_repr=by_id[link.child_id].full_name,
                after={"parent": by_id[link.parent_id].username, "parent_id": link.parent_id, "relation": link.relation,
                       "batch": batch.pk},
            )
            for link in links
            if link.parent_id not in new_ids
        ),
        batch_size=BATCH,
    )  # fmt: skip
    classes = {child.pk: row.get("unit_name", "") for child, row in zip(children, rows, strict=True)}
    return [
        _sheet_row(parent, codes[parent.pk], [children[i] for i in group], classes)
        for parent, group in zip(owners, groups, strict=True)
        if parent.pk in new_ids
    ]


def guardianships_end_for_transfer(*, actor, person: User, from_school: Unit, to_school: Unit) -> int:
    """A student moved to another school (`signals.person_left_school`, in `transfer_accept`'s transaction):
    the links to the old school's parent accounts end, audited, as any link to a child of another school
    would be refused; the new school issues or links its own. Returns how many ended."""
    links = list(
        Guardianship.objects.filter(child=person, ended_at__isnull=True, parent__unit=from_school).select_related(
            "parent"
        )
    )
    if not links:
        return 0
    now = timezone.now()
    Guardianship.objects.filter(pk__in=[link.pk for link in links]).update(ended_at=now, ended_by=actor)
    audit_log_many(
        actor=actor,
        action="parent.unlink",
        records=(
            AuditRecord(
                unit=from_school, target=person, target_repr=person.full_name,
                before={"parent": link.parent.username, "parent_id": link.parent_id, "relation": link.relation},
                after={"reason": "transfer", "to_school": to_school.code},
            )
            for link in links
        ),
    )  # fmt: skip
    return len(links)
