"""Builds a province from a participation table: the data behind `manage.py seed_demo`.

Every figure of the table becomes real rows — teacher and student accounts, teachers with a proper
photo, topics — so the statistics computed later from the data reproduce the published table.
Running it again creates only what is missing (idempotent). Everything happens in one transaction:
a table that cannot be loaded leaves the database as it was.

Speed: accounts are written with bulk_create and unusable passwords (no hashing per account); only
the handful of demo logins get a real password, hashed once.
"""

import math
import random
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Case, Count, Q, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.demo import seed_demo_logins
from accounts.models import User
from accounts.services.core import AccountSpec, users_bulk_create
from accounts.services.quotas import quotas_initialise
from courses.demo import seed_demo_courses, seed_demo_teacher_work
from courses.models import Course
from courses.selectors import topic_counts_by_unit_path
from courses.services import TopicSpec, topics_bulk_create
from gradebook.demo import seed_demo_gradebook
from materials.demo import seed_demo_tests
from publications.demo import seed_demo_news
from teaching.demo import seed_demo_teaching, seed_demo_timetables
from truonghoc.text import fold, nfc
from units.models import Role, RoleAssignment, Unit
from units.selectors import ancestor_paths, in_subtree_q, is_below, parent_path
from units.services import (
    UnitSpec,
    audit_log,
    homerooms_bulk_set,
    role_assignments_bulk_create,
    unit_create,
    units_bulk_create,
)

from . import demo_names as names
from .participation import ParticipationRow, ParticipationTable
from .services import analyze_tables

MINISTRY_CODE = "BGDDT"
MINISTRY_NAME = "Bộ Giáo dục và Đào tạo"
DEMO_PASSWORD = "demo12345"  # noqa: S105 - printed on screen by design: these are demo logins
STUDENTS_PER_CLASS = 40
TEACHERS_PER_GROUP = 9
BATCH = 2000

K = Unit.Kind
T = User.AccountType
P = User.PhotoStatus

# Demo logins: (username, role, what the person is).
DEMO_LOGINS = (
    ("admin", "superuser", gettext_lazy("Site administrator (all units, admin pages)")),
    ("bo", Role.MINISTRY_STAFF, Role.MINISTRY_STAFF.label),
    ("so", Role.DEPARTMENT_STAFF, Role.DEPARTMENT_STAFF.label),
    ("phong", Role.OFFICE_STAFF, Role.OFFICE_STAFF.label),
    ("hieutruong", Role.PRINCIPAL, Role.PRINCIPAL.label),
    ("quantri", Role.SCHOOL_ADMIN, Role.SCHOOL_ADMIN.label),
    ("totruong", Role.GROUP_LEADER, Role.GROUP_LEADER.label),
    ("giaovien", Role.TEACHER, Role.TEACHER.label),
    ("hocsinh", Role.STUDENT, Role.STUDENT.label),
)


class SeedError(Exception):
    """The table cannot be loaded as it is; nothing was written."""

    def __init__(self, messages: list[str]):
        super().__init__("\n".join(messages))
        self.messages = messages


@dataclass
class SeedResult:
    created: Counter = field(default_factory=Counter)
    warnings: list[str] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    department: Unit | None = None
    logins: list[tuple[str, str, str]] = field(default_factory=list)  # (username, who, unit)


def province_code(province: str) -> str:
    """'Hà Nam' -> 'HANAM': readable, and unlike initials it does not confuse Hà Nam with Hà Nội."""
    return "".join(ch for ch in fold(province).upper() if ch.isalnum())


def _school_prefix(level: str) -> str:
    return {"thpt": "THPT", "thcs": "THCS", "th": "TH", "gdtx": "TT GDTX"}[level]


class _Clock:
    def __init__(self, result: SeedResult):
        self.result, self.start = result, time.perf_counter()

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        self.result.timings[name] = round(now - self.start, 2)
        self.start = now


def seed_province(
    *, table: ParticipationTable, province: str, code: str | None = None, demo_logins: bool = False
) -> SeedResult:
    if table.errors:
        raise SeedError(table.errors)
    builder = _Builder(table=table, province=nfc(province), code=code or province_code(province))
    try:
        with transaction.atomic():
            builder.run(demo_logins=demo_logins)
    except ValidationError as exc:
        raise SeedError(exc.messages) from exc
    return builder.result


class _Builder:
    def __init__(self, *, table: ParticipationTable, province: str, code: str):
        self.table, self.province, self.code = table, province, code
        self.result = SeedResult(warnings=list(table.warnings))
        self.clock = _Clock(self.result)

    # --- the steps ----------------------------------------------------------------------------
    def run(self, *, demo_logins: bool) -> None:
        self.ministry = self._ministry()
        self.department = self._department()
        self.result.department = self.department
        self.offices = self._offices()
        self.schools = self._schools()  # row line -> school unit
        self.clock.lap("units")
        self.inner = self._groups_and_classes()  # school path -> {"group": [...], "class": [...]}
        self.clock.lap("groups and classes")
        self.teachers_by_group = self._accounts()
        self._quotas()
        self.clock.lap("accounts")
        self._topics()
        self.clock.lap("topics")
        self._flag_impossible_rows()
        if demo_logins:
            self._demo_logins()
        self.clock.lap("demo logins")
        analyze_tables(Unit, User, RoleAssignment, Course)
        audit_log(
            actor=None,
            action="seed.province",
            unit=self.department,
            target=self.department,
            after=dict(self.result.created),
        )

    def _ministry(self) -> Unit:
        ministry = Unit.objects.filter(code=MINISTRY_CODE).first()
        if ministry is None:
            ministry = unit_create(actor=None, parent=None, code=MINISTRY_CODE, name=MINISTRY_NAME, kind=K.MINISTRY)
            self.result.created["units"] += 1
        return ministry

    def _department(self) -> Unit:
        dept_code = f"SGD-{self.code}"
        dept = Unit.objects.filter(code=dept_code).first()
        if dept is not None and dept.kind != K.DEPARTMENT:
            raise SeedError(
                [_("The unit code %(code)s is already used by %(name)s.") % {"code": dept_code, "name": dept.name}]
            )
        if dept is None:
            dept = unit_create(
                actor=None, parent=self.ministry, code=dept_code, name=f"Sở GDĐT {self.province}", kind=K.DEPARTMENT
            )
            self.result.created["units"] += 1
        return dept

    def _offices(self) -> dict[str, Unit]:
        wanted = {name: f"{self.code}-{province_code(name)}" for name in self.table.offices}
        existing = {u.code: u for u in Unit.objects.filter(code__in=wanted.values())}
        for office_code in wanted.values():
            unit = existing.get(office_code)
            if unit is not None and (unit.kind != K.OFFICE or not is_below(unit.path, self.department.path)):
                raise SeedError(
                    [
                        _("The unit code %(code)s is already used by %(name)s.")
                        % {"code": office_code, "name": unit.name}
                    ]
                )
        missing = [
            UnitSpec(code=office_code, name=f"Phòng GDĐT {name}", kind=K.OFFICE)
            for name, office_code in wanted.items()
            if office_code not in existing
        ]
        if missing:
            for unit in units_bulk_create(actor=None, parent=self.department, specs=missing):
                existing[unit.code] = unit
            self.result.created["units"] += len(missing)
        return {name: existing[office_code] for name, office_code in wanted.items()}

    def _school_code(self, row: ParticipationRow) -> str:
        if row.code:
            return row.code
        parent_code = self.offices[row.office].code if row.office else self.code
        return f"{parent_code}-{row.school_level.upper()}-{row.no:03d}"

    def _schools(self) -> dict[int, Unit]:
        codes = {row.line: self._school_code(row) for row in self.table.rows}
        existing = {u.code: u for u in Unit.objects.filter(code__in=codes.values())}
        errors = []
        for row in self.table.rows:
            unit = existing.get(codes[row.line])
            if unit is not None and (unit.kind != K.SCHOOL or not is_below(unit.path, self.department.path)):
                errors.append(
                    _("Line %(line)d: the unit code %(code)s belongs to %(name)s, not to a school of %(province)s.")
                    % {"line": row.line, "code": unit.code, "name": unit.name, "province": self.province}
                )
        if errors:
            raise SeedError(errors)
        by_parent: dict[int, list[UnitSpec]] = defaultdict(list)
        parents = {}
        for row in self.table.rows:
            if codes[row.line] in existing:
                continue
            parent = self.offices[row.office] if row.office else self.department
            parents[parent.pk] = parent
            by_parent[parent.pk].append(
                UnitSpec(
                    code=codes[row.line],
                    name=f"Trường {_school_prefix(row.school_level)} {row.school}",
                    kind=K.SCHOOL,
                    school_level=row.school_level,
                )
            )
        for parent_pk, specs in by_parent.items():
            for unit in units_bulk_create(actor=None, parent=parents[parent_pk], specs=specs):
                existing[unit.code] = unit
            self.result.created["units"] += len(specs)
        return {row.line: existing[codes[row.line]] for row in self.table.rows}

    def _groups_and_classes(self) -> dict[str, dict[str, list[Unit]]]:
        school_paths = {s.path for s in self.schools.values()}
        inner: dict[str, dict[str, list[Unit]]] = defaultdict(lambda: {K.GROUP: [], K.CLASS: []})
        for unit in Unit.objects.below(self.department).filter(kind__in=[K.GROUP, K.CLASS]).order_by("path"):
            school_path = parent_path(unit.path)
            if school_path in school_paths:
                inner[school_path][unit.kind].append(unit)
        for row in self.table.rows:
            school = self.schools[row.line]
            if inner[school.path][K.GROUP] or inner[school.path][K.CLASS]:
                continue  # a school seeded before keeps the groups and classes it has
            specs = [
                UnitSpec(code=f"{school.code}-T{i + 1}", name=group_name, kind=K.GROUP)
                for i, (group_name, _subjects) in enumerate(self._group_names(row))
            ]
            specs += [
                UnitSpec(code=f"{school.code}-L{grade}-{n}", name=f"{grade}A{n}", kind=K.CLASS, grade=grade)
                for grade, n in self._class_plan(row)
            ]
            for unit in units_bulk_create(actor=None, parent=school, specs=specs):
                inner[school.path][unit.kind].append(unit)
            self.result.created["groups"] += sum(1 for s in specs if s.kind == K.GROUP)
            self.result.created["classes"] += sum(1 for s in specs if s.kind == K.CLASS)
        return inner

    @staticmethod
    def _group_names(row: ParticipationRow):
        catalogue = {"thpt": names.GROUPS_THPT, "gdtx": names.GROUPS_THPT, "th": names.GROUPS_TH}.get(
            row.school_level, names.GROUPS_THCS
        )
        wanted = max(2, min(len(catalogue), math.ceil(row.teacher_accounts / TEACHERS_PER_GROUP)))
        return catalogue[:wanted]

    @staticmethod
    def _class_plan(row: ParticipationRow) -> list[tuple[int, int]]:
        grades = list(names.GRADES[row.school_level])
        count = max(len(grades), math.ceil(row.student_accounts / STUDENTS_PER_CLASS))
        per_grade = Counter(grades[i % len(grades)] for i in range(count))
        return [(grade, n) for grade in grades for n in range(1, per_grade[grade] + 1)]

    def _accounts(self) -> dict[int, list[int]]:
        """Create the missing teacher and student accounts with their roles; returns
        {group id: [teacher ids]} for the topics that follow."""
        schools = list(self.schools.values())
        have = Counter()
        have_proper = Counter()
        for row in (
            User.objects.filter(unit__in=schools)
            .values("unit_id", "account_type", "photo_status")
            .annotate(n=Count("id"))
        ):
            have[(row["unit_id"], row["account_type"])] += row["n"]
            if row["photo_status"] == P.PROPER:
                have_proper[row["unit_id"]] += row["n"]
        taken = set(User.objects.filter(unit__in=schools).values_list("username", flat=True))
        school_roles = set(
            RoleAssignment.objects.filter(unit__in=schools, role__in=[Role.PRINCIPAL, Role.SCHOOL_ADMIN]).values_list(
                "unit_id", "role"
            )
        )
        all_groups = [g for parts in self.inner.values() for g in parts[K.GROUP]]
        led_groups = set(
            RoleAssignment.objects.filter(unit__in=all_groups, role=Role.GROUP_LEADER).values_list("unit_id", flat=True)
        )
        teachers_by_group: dict[int, list[int]] = defaultdict(list)
        for unit_id, user_id in RoleAssignment.objects.filter(unit__in=all_groups, role=Role.TEACHER).values_list(
            "unit_id", "user_id"
        ):
            teachers_by_group[unit_id].append(user_id)

        photos = _demo_photos()
        specs: list[AccountSpec] = []
        placements: list[tuple[Unit, str, Unit]] = []  # parallel to specs: (school, kind, group or class)
        for row in self.table.rows:
            school = self.schools[row.line]
            groups = self.inner[school.path][K.GROUP]
            classes = self.inner[school.path][K.CLASS]
            rng = random.Random(school.code)  # noqa: S311 - reproducible demo data, not secrets
            missing_teachers = row.teacher_accounts - have[(school.pk, T.TEACHER)]
            proper_needed = max(0, row.teacher_photo_ok - have_proper[school.pk])
            self._warn_if_more(row, school, T.TEACHER, missing_teachers)
            index = have[(school.pk, T.TEACHER)]
            for _n in range(max(0, missing_teachers)):
                index += 1
                username = _free_username(taken, f"{school.code.lower()}.gv", index, 3)
                if proper_needed > 0:
                    photo, status, reason = photos["proper"][index % len(photos["proper"])], P.PROPER, ""
                    proper_needed -= 1
                elif index % 2:
                    photo, status, reason = photos["landscape"], P.NOT_PROPER, _("The photo is not a portrait (3:4).")
                else:
                    photo, status, reason = "", P.MISSING, ""
                specs.append(
                    self._person(
                        rng, username, T.TEACHER, school, 1965, 1997, photo=photo, status=status, reason=reason
                    )
                )
                placements.append((school, T.TEACHER, groups[(index - 1) % len(groups)]))
            missing_students = row.student_accounts - have[(school.pk, T.STUDENT)]
            self._warn_if_more(row, school, T.STUDENT, missing_students)
            index = have[(school.pk, T.STUDENT)]
            for _n in range(max(0, missing_students)):
                index += 1
                username = _free_username(taken, f"{school.code.lower()}.hs", index, 4)
                school_class = classes[(index - 1) % len(classes)]
                born = 2015 - school_class.grade - 6
                specs.append(self._person(rng, username, T.STUDENT, school, born, born))
                placements.append((school, T.STUDENT, school_class))

        created: list[User] = []
        for start in range(0, len(specs), BATCH):
            created += users_bulk_create(specs=specs[start : start + BATCH], batch_size=BATCH)
        self.result.created["teacher accounts"] += sum(1 for s in specs if s.account_type == T.TEACHER)
        self.result.created["student accounts"] += sum(1 for s in specs if s.account_type == T.STUDENT)

        roles = []
        new_members: dict[int, list[int]] = defaultdict(list)
        homerooms: dict[int, int] = {}
        for user, (school, kind, unit) in zip(created, placements, strict=True):
            if kind == T.STUDENT:
                roles.append((user.pk, unit, Role.STUDENT))
                continue
            roles.append((user.pk, unit, Role.TEACHER))
            teachers_by_group[unit.pk].append(user.pk)
            new_members[unit.pk].append(user.pk)
            for role in (Role.PRINCIPAL, Role.SCHOOL_ADMIN):
                if (school.pk, role) not in school_roles:
                    school_roles.add((school.pk, role))
                    roles.append((user.pk, school, role))
                    break
            for school_class in self.inner[school.path][K.CLASS]:
                if school_class.homeroom_teacher_id is None and school_class.pk not in homerooms:
                    homerooms[school_class.pk] = user.pk
                    break
        # A group's leader is its second new member where there is one: the first members of the
        # first groups are already the principal and the school admin.
        groups_by_pk = {g.pk: g for g in all_groups}
        for group_pk, members in new_members.items():
            if group_pk not in led_groups:
                led_groups.add(group_pk)
                roles.append(
                    (members[1] if len(members) > 1 else members[0], groups_by_pk[group_pk], Role.GROUP_LEADER)
                )
        role_assignments_bulk_create(rows=roles, batch_size=BATCH)
        self.result.created["roles"] += len(roles)
        if homerooms:
            homerooms_bulk_set(homerooms=homerooms, batch_size=BATCH)
        return teachers_by_group

    def _quotas(self) -> None:
        """Each school's quota: what it has issued plus a little room (5%, at least 2 teachers and
        4 students), so the demo shows both issuing and the "request more accounts" flow."""
        limits = {
            self.schools[row.line]: (
                row.teacher_accounts + max(2, math.ceil(row.teacher_accounts * 0.05)),
                row.student_accounts + max(4, math.ceil(row.student_accounts * 0.05)),
            )
            for row in self.table.rows
        }
        self.result.created["quotas"] += quotas_initialise(actor=None, limits=limits)

    def _warn_if_more(self, row: ParticipationRow, school: Unit, kind: str, missing: int) -> None:
        if missing < 0:
            self.result.warnings.append(
                _("%(school)s already has %(extra)d more %(kind)s accounts than the table; they were left as they are.")
                % {"school": school.name, "extra": -missing, "kind": T(kind).label.lower()}
            )

    @staticmethod
    def _person(rng, username, kind, school, born_from, born_to, photo="", status=P.MISSING, reason="") -> AccountSpec:
        person = random_person(rng, female_share=0.7 if kind == T.TEACHER else 0.5)
        year = rng.randint(born_from, born_to)
        return AccountSpec(
            username=username,
            account_type=kind,
            unit=school,
            date_of_birth=date(year, rng.randint(1, 12), rng.randint(1, 28)),
            **person,
            photo=photo,
            photo_status=status,
            photo_status_reason=reason,
        )

    def _topics(self) -> None:
        have: Counter = Counter()
        for path, n in topic_counts_by_unit_path(under_path=self.department.path).items():
            for school in self._schools_by_path_prefix(path):
                have[school.pk] += n
        start = timezone.make_aware(datetime(2014, 9, 5, 8, 0))
        span = int((datetime(2015, 10, 25) - datetime(2014, 9, 5)).total_seconds())
        specs = []
        for row in self.table.rows:
            school = self.schools[row.line]
            missing = row.topics_posted - have[school.pk]
            groups = self.inner[school.path][K.GROUP] or [school]
            rng = random.Random(f"topics-{school.code}")  # noqa: S311 - reproducible demo data
            for n in range(max(0, missing)):
                group = groups[n % len(groups)]
                authors = self.teachers_by_group.get(group.pk) or [None]
                subjects = dict(self._group_names(row)).get(group.name, ("",))
                subject = subjects[n % len(subjects)]
                theme = names.TOPIC_THEMES[rng.randrange(len(names.TOPIC_THEMES))]
                specs.append(
                    TopicSpec(
                        title=f"Chuyên đề {theme.lower()} – {subject} (số {have[school.pk] + n + 1})",
                        unit_id=group.pk,
                        author_id=authors[n % len(authors)],
                        body=f"<p>Chuyên đề sinh hoạt chuyên môn của {group.name}, {school.name}.</p>",
                        created_at=start + timedelta(seconds=rng.randrange(span)),
                    )
                )
        self.result.created["topics"] += topics_bulk_create(specs=specs, batch_size=BATCH)

    def _schools_by_path_prefix(self, path: str):
        if not hasattr(self, "_school_by_path"):
            self._school_by_path = {s.path: s for s in self.schools.values()}
        for ancestor in reversed(ancestor_paths(path)):
            school = self._school_by_path.get(ancestor)
            if school is not None:
                yield school
                return

    def _flag_impossible_rows(self) -> None:
        for row in self.table.rows:
            if row.is_impossible:
                school = self.schools[row.line]
                already = school.auditentry_set.filter(action="seed.data_problem").exists()
                if not already:
                    audit_log(
                        actor=None,
                        action="seed.data_problem",
                        unit=school,
                        target=school,
                        before={"teacher_photo_ok": row.photo_ok_published},
                        after={"teacher_photo_ok": row.teacher_photo_ok, "teacher_accounts": row.teacher_accounts},
                    )

    def _demo_logins(self) -> None:
        """Give the demo logins short usernames and the demo password. School people are taken from
        the seeded accounts of one school, so the school's figures stay those of the table."""
        password = make_password(DEMO_PASSWORD)  # hashed once for the few demo accounts
        photos = _demo_photos()
        school = next(
            (
                self.schools[row.line]
                for row in self.table.rows
                if row.office and row.teacher_accounts >= 4 and row.student_accounts > 0
            ),
            next(iter(self.schools.values())),
        )
        parent = Unit.objects.get_parent(school)
        office = parent if parent.kind == K.OFFICE else next(iter(self.offices.values()), None)

        def holder(role: str, unit_filter: Q, exclude_roles=()):
            qs = RoleAssignment.objects.filter(unit_filter, role=role).exclude(
                user__role_assignments__role__in=exclude_roles
            )
            proper_first = Case(When(user__photo_status=P.PROPER, then=Value(0)), default=Value(1))
            assignment = qs.select_related("user", "unit").order_by(proper_first, "user__username").first()
            return assignment.user if assignment else None

        in_school = in_subtree_q(school)
        picks = {
            "hieutruong": holder(Role.PRINCIPAL, in_school),
            "quantri": holder(Role.SCHOOL_ADMIN, in_school),
            "totruong": holder(Role.GROUP_LEADER, in_school, exclude_roles=[Role.PRINCIPAL, Role.SCHOOL_ADMIN]),
            "giaovien": holder(
                Role.TEACHER, in_school, exclude_roles=[Role.PRINCIPAL, Role.SCHOOL_ADMIN, Role.GROUP_LEADER]
            ),
            "hocsinh": holder(Role.STUDENT, in_school),
        }
        staff = [
            ("bo", "Cán bộ Bộ GDĐT (demo)", self.ministry, Role.MINISTRY_STAFF),
            ("so", f"Cán bộ Sở GDĐT {self.province} (demo)", self.department, Role.DEPARTMENT_STAFF),
        ]
        if office is not None:
            staff.append(("phong", f"Cán bộ {office.name} (demo)", office, Role.OFFICE_STAFF))
        staff_created = seed_demo_logins(
            picks=picks, staff=staff, ministry=self.ministry, password=password, student_photo=photos["proper"][0]
        )
        if staff_created:  # a second run reports nothing new, as before
            self.result.created["staff accounts"] += staff_created
        units_by_username = {
            u.username: u.unit
            for u in User.objects.filter(username__in=[n for n, *_r in DEMO_LOGINS]).select_related("unit")
        }
        demo = {
            u.username: u
            for u in User.objects.filter(username__in=["phong", "giaovien", "totruong", "hocsinh", "hieutruong"])
        }
        self.result.created["demo courses"] += seed_demo_courses(
            office_staff=demo.get("phong"),
            teacher=demo.get("giaovien"),
            leader=demo.get("totruong"),
            student=demo.get("hocsinh"),
        )
        self.result.created["demo course work"] += seed_demo_teacher_work(
            teacher=demo.get("giaovien"), student=demo.get("hocsinh")
        )
        self.result.created["demo questions and tests"] += seed_demo_tests(
            teacher=demo.get("giaovien"), student=demo.get("hocsinh")
        )
        self.result.created["demo news"] += seed_demo_news(
            ministry=self.ministry, department=self.department, office=office, school=school
        )
        started = time.perf_counter()
        self.result.created["demo grade book marks"] += seed_demo_gradebook(
            school=school, principal=demo.get("hieutruong"), teacher=demo.get("giaovien"), student=demo.get("hocsinh")
        )
        self.result.timings["demo grade book"] = time.perf_counter() - started
        self.result.created["demo teaching plans"] += seed_demo_teaching(
            school=school, principal=demo.get("hieutruong"), leader=demo.get("totruong")
        )
        self.result.created["demo timetables"] += seed_demo_timetables(school=school, principal=demo.get("hieutruong"))
        self.result.logins = [
            (username, str(who), str(units_by_username.get(username) or "—"))
            for username, _role, who in DEMO_LOGINS
            if username in units_by_username
        ]


def _free_username(taken: set[str], prefix: str, index: int, width: int) -> str:
    while True:
        candidate = f"{prefix}{index:0{width}d}"
        if candidate not in taken:
            taken.add(candidate)
            return candidate
        index += 1


def random_person(rng, *, female_share: float) -> dict:
    """A made-up person's full name and gender (the demo province and the synthetic country both draw
    them this way, in this order, so a seed gives the same people)."""
    female = rng.random() < female_share
    full_name = " ".join(
        (
            rng.choice(names.FAMILY_NAMES),
            rng.choice(names.MIDDLE_FEMALE if female else names.MIDDLE_MALE),
            rng.choice(names.GIVEN_FEMALE if female else names.GIVEN_MALE),
        )
    )
    return {"full_name": full_name, "gender": User.Gender.FEMALE if female else User.Gender.MALE}


def _demo_photos() -> dict:
    """A few generated ID-style portraits (and one landscape snapshot, which is not a proper ID photo),
    shared by the demo accounts so that 3,000 proper photos do not mean 3,000 files. Written to the
    private storage where real photos live."""
    from PIL import Image, ImageDraw

    from truonghoc.storage import private_storage

    storage = private_storage()
    palette = [(70, 110, 160), (150, 80, 80), (70, 130, 90), (120, 90, 150)]
    proper = []
    for i, colour in enumerate(palette, start=1):
        name = f"demo/photos/portrait-{i}.jpg"
        if not storage.exists(name):
            image = Image.new("RGB", (300, 400), (235, 240, 245))
            draw = ImageDraw.Draw(image)
            draw.ellipse((95, 60, 205, 180), fill=(230, 200, 170))
            draw.rectangle((60, 200, 240, 400), fill=colour)
            _save_image(storage, name, image)
        proper.append(name)
    landscape = "demo/photos/snapshot.jpg"
    if not storage.exists(landscape):
        _save_image(storage, landscape, Image.new("RGB", (640, 480), (120, 160, 120)))
    return {"proper": proper, "landscape": landscape}


def _save_image(storage, name: str, image) -> None:
    import io

    from django.core.files.base import ContentFile

    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=85)
    storage.save(name, ContentFile(buffer.getvalue()))
