"""A synthetic country for load tests and benchmarks: the data behind `manage.py generate_scale`.

Departments (one per province, THPT schools directly under them), Offices with their primary and THCS
schools, professional groups and classes in every school, teacher and student accounts with their
roles, and topics posted in the groups. Varied the way real data is: some schools lag (few proper
photos, few topics, few active users), accounts joined over the last two school years, some logged in
within the last 30 days.

Speed (1,000,000 accounts in well under 10 minutes on PostgreSQL, bench/bench_scale.py): everything
is written through the owning apps' bulk services — units_bulk_create once per parent,
users_bulk_load and role_assignments_bulk_load (COPY on PostgreSQL, bulk_create on SQLite) every
BATCH accounts, topics_bulk_create and quotas_initialise once per province, unit_declare_numbers once
per school. No password hash, no save() and no query per account. One transaction per province
keeps memory bounded whatever the size.

Not idempotent in the seed_demo sense: every code starts with the prefix, and a prefix already in use
is refused before anything is written (another prefix builds a second country beside the first).
"""

import math
import random
import re
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.services.core import AccountLoadSpec, users_bulk_load
from accounts.services.quotas import quotas_initialise
from courses.models import Course
from courses.services import TopicSpec, topics_bulk_create
from units.models import Role, RoleAssignment, Unit
from units.services import (
    UnitSpec,
    audit_log,
    role_assignments_bulk_load,
    unit_create,
    unit_declare_numbers,
    units_bulk_create,
)

# The same short names for kinds, account types and photo statuses as the demo province it scales up.
from . import demo_names as names
from .demo import (
    MINISTRY_CODE,
    MINISTRY_NAME,
    STUDENTS_PER_CLASS,
    TEACHERS_PER_GROUP,
    K,
    P,
    T,
    _demo_photos,
    random_person,
)

BATCH = 5000  # accounts (and their roles) written per COPY / bulk_create
DEFAULT_PREFIX = "SC"
PREFIX_RE = re.compile(r"^[A-Z][A-Z0-9]{0,7}$")

# The shape of the country `--accounts N` builds: at 1,000,000 accounts, 63 provinces of 10 Offices
# with 3 schools each plus 3 THPT schools, ≈35 teachers and ≈450 students per school.
PROVINCES_MAX = 63
SCHOOLS_PER_PROVINCE = 32
OFFICES_PER_PROVINCE = 10
SCHOOLS_PER_OFFICE = 3
THPT_SHARE = 0.1
TEACHERS_PER_SCHOOL = 35
STUDENTS_PER_SCHOOL = 450
TOPICS_PER_SCHOOL = 20

PROVINCES = (
    "Hà Nội", "Hà Giang", "Cao Bằng", "Bắc Kạn", "Tuyên Quang", "Lào Cai", "Điện Biên", "Lai Châu",
    "Sơn La", "Yên Bái", "Hòa Bình", "Thái Nguyên", "Lạng Sơn", "Quảng Ninh", "Bắc Giang", "Phú Thọ",
    "Vĩnh Phúc", "Bắc Ninh", "Hải Dương", "Hải Phòng", "Hưng Yên", "Thái Bình", "Hà Nam", "Nam Định",
    "Ninh Bình", "Thanh Hóa", "Nghệ An", "Hà Tĩnh", "Quảng Bình", "Quảng Trị", "Thừa Thiên Huế",
    "Đà Nẵng", "Quảng Nam", "Quảng Ngãi", "Bình Định", "Phú Yên", "Khánh Hòa", "Ninh Thuận",
    "Bình Thuận", "Kon Tum", "Gia Lai", "Đắk Lắk", "Đắk Nông", "Lâm Đồng", "Bình Phước", "Tây Ninh",
    "Bình Dương", "Đồng Nai", "Bà Rịa – Vũng Tàu", "TP. Hồ Chí Minh", "Long An", "Tiền Giang", "Bến Tre",
    "Trà Vinh", "Vĩnh Long", "Đồng Tháp", "An Giang", "Kiên Giang", "Cần Thơ", "Hậu Giang", "Sóc Trăng",
    "Bạc Liêu", "Cà Mau",
)  # fmt: skip
DISTRICT_FIRST = ("Đông", "Tây", "Nam", "Bắc", "Trung")
DISTRICT_SECOND = ("Hưng", "Sơn", "Hà", "Bình", "Yên", "Thành", "Phú", "Lộc", "Xuân", "An")
SCHOOL_NAMES = (
    "Trần Phú", "Lê Lợi", "Nguyễn Du", "Chu Văn An", "Lê Quý Đôn", "Nguyễn Trãi", "Quang Trung",
    "Lý Thường Kiệt", "Hai Bà Trưng", "Ngô Quyền", "Võ Thị Sáu", "Kim Đồng", "Nguyễn Huệ", "Phan Bội Châu",
    "Trần Hưng Đạo", "Lương Thế Vinh", "Nguyễn Đình Chiểu", "Hoàng Hoa Thám", "Lê Hồng Phong", "Tô Hiệu",
)  # fmt: skip


class ScaleError(Exception):
    """The country cannot be generated as asked; nothing was written."""


@dataclass(frozen=True)
class ScalePlan:
    provinces: int = 1
    offices_per_province: int = OFFICES_PER_PROVINCE
    schools_per_office: int = SCHOOLS_PER_OFFICE
    thpt_per_province: int = 3
    teachers_per_school: int = TEACHERS_PER_SCHOOL
    students_per_school: int = STUDENTS_PER_SCHOOL
    topics_per_school: int = TOPICS_PER_SCHOOL
    extra_students: int = 0  # the first `extra_students` schools have one student more (exact --accounts)

    @property
    def schools_per_province(self) -> int:
        return self.thpt_per_province + self.offices_per_province * self.schools_per_office

    @property
    def schools(self) -> int:
        return self.provinces * self.schools_per_province

    @property
    def teachers(self) -> int:
        return self.schools * self.teachers_per_school

    @property
    def students(self) -> int:
        return self.schools * self.students_per_school + self.extra_students

    @property
    def accounts(self) -> int:
        return self.teachers + self.students

    @property
    def topics(self) -> int:
        return self.schools * self.topics_per_school

    def check(self) -> None:
        numbers = {
            "provinces": self.provinces,
            "offices-per-province": self.offices_per_province,
            "schools-per-office": self.schools_per_office,
            "thpt-per-province": self.thpt_per_province,
            "teachers-per-school": self.teachers_per_school,
            "students-per-school": self.students_per_school,
            "topics-per-school": self.topics_per_school,
        }
        negative = [f"--{name}" for name, value in numbers.items() if value < 0]
        if negative:
            raise ScaleError(_("These numbers cannot be negative: %(options)s.") % {"options": ", ".join(negative)})
        if self.provinces < 1 or self.schools_per_province < 1:
            raise ScaleError(_("The country needs at least one province with at least one school."))
        if (
            self.provinces > 999
            or self.offices_per_province > 99
            or max(self.schools_per_office, self.thpt_per_province) > 999
        ):
            raise ScaleError(
                _("At most 999 provinces, 99 Offices per province and 999 schools per Office or Department.")
            )


def plan_for_accounts(accounts: int, **shape) -> ScalePlan:
    """A plausible country of exactly `accounts` teacher and student accounts: 63 provinces at a
    million, fewer below (≈32 schools a province), ≈10% THPT schools, ≈35 teachers and ≈450
    students a school. `shape` may fix provinces, offices_per_province, schools_per_office,
    thpt_per_province or topics_per_school; teachers and students per school follow from the rest."""
    if accounts < 1:
        raise ScaleError(_("--accounts must be at least 1."))
    schools = max(1, round(accounts / (TEACHERS_PER_SCHOOL + STUDENTS_PER_SCHOOL)))
    provinces = shape.get("provinces")
    if provinces is None:
        provinces = max(1, min(PROVINCES_MAX, round(schools / SCHOOLS_PER_PROVINCE)))
    if provinces < 1:
        raise ScaleError(_("The country needs at least one province with at least one school."))
    per_province = schools / provinces
    thpt = shape.get("thpt_per_province")
    if thpt is None:
        thpt = round(per_province * THPT_SHARE)
    offices = shape.get("offices_per_province")
    if offices is None:
        offices = max(1, min(OFFICES_PER_PROVINCE, round((per_province - thpt) / SCHOOLS_PER_OFFICE)))
    per_office = shape.get("schools_per_office")
    if per_office is None:
        per_office = max(0 if thpt else 1, round((per_province - thpt) / offices)) if offices else 0
    plan = ScalePlan(
        provinces=provinces,
        offices_per_province=offices,
        schools_per_office=per_office,
        thpt_per_province=thpt,
        teachers_per_school=0,
        students_per_school=0,
        topics_per_school=shape.get("topics_per_school", TOPICS_PER_SCHOOL),
    )
    plan.check()
    per_school = accounts / plan.schools
    teachers = min(
        accounts // plan.schools, round(per_school * TEACHERS_PER_SCHOOL / (TEACHERS_PER_SCHOOL + STUDENTS_PER_SCHOOL))
    )
    if teachers == 0 and accounts >= plan.schools:
        teachers = 1
    students, extra = divmod(accounts - teachers * plan.schools, plan.schools)
    return replace(plan, teachers_per_school=teachers, students_per_school=students, extra_students=extra)


@dataclass
class ScaleResult:
    created: Counter = field(default_factory=Counter)
    seconds: float = 0.0
    tree_problems: tuple = ()  # Unit.objects.find_problems(): five empty lists when the tree is valid


def generate_country(
    *,
    plan: ScalePlan,
    prefix: str = DEFAULT_PREFIX,
    seed: int = 1,
    progress: Callable[[str], None] | None = None,
    now: datetime | None = None,
    check_tree: bool = False,
) -> ScaleResult:
    """Build the country described by `plan`, one transaction per province; refuses (ScaleError,
    nothing written) when `prefix` was used before. `check_tree` runs treebeard's find_problems() at
    the end: thorough but slow (two queries per unit, about a minute at 1,000,000 accounts)."""
    plan.check()
    prefix = prefix_check(prefix)
    started = time.perf_counter()
    result = ScaleResult()
    ministry = Unit.objects.filter(code=MINISTRY_CODE).first()
    if ministry is None:
        ministry = unit_create(actor=None, parent=None, code=MINISTRY_CODE, name=MINISTRY_NAME, kind=K.MINISTRY)
        result.created["units"] += 1
    builder = _Builder(plan=plan, prefix=prefix, seed=seed, ministry=ministry, now=now or timezone.now())
    school_index = 0
    for number in range(1, plan.provinces + 1):
        province_started = time.perf_counter()
        try:
            with transaction.atomic():
                created = builder.province(number, school_index)
        except (ValidationError, IntegrityError) as exc:
            raise ScaleError(
                _(
                    "Province %(n)s could not be written and was rolled back (%(error)s); the %(done)s provinces "
                    "before it stay. Start again with another --prefix."
                )
                % {"n": number, "error": "; ".join(getattr(exc, "messages", [str(exc)])), "done": number - 1}
            ) from exc
        school_index += plan.schools_per_province
        result.created.update(created)
        if progress is not None:
            seconds = max(time.perf_counter() - province_started, 1e-6)
            rows = sum(created.values())
            progress(
                _(
                    "%(n)s/%(total)s %(name)s: %(schools)s schools, %(accounts)s accounts, %(topics)s topics "
                    "in %(seconds).1f s (%(rate)s rows/s, %(accounts_rate)s accounts/s)"
                )
                % {
                    "n": number,
                    "total": plan.provinces,
                    "name": builder.department_name(number),
                    "schools": created["schools"],
                    "accounts": f"{created['teacher accounts'] + created['student accounts']:,}",
                    "topics": f"{created['topics']:,}",
                    "seconds": seconds,
                    "rate": f"{rows / seconds:,.0f}",
                    "accounts_rate": f"{(created['teacher accounts'] + created['student accounts']) / seconds:,.0f}",
                }
            )
    if connection.vendor == "postgresql":
        # Fresh statistics, so that the queries that read the new rows next plan for their real size.
        with connection.cursor() as cursor:
            for model in (Unit, User, RoleAssignment, Course):
                cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
    if check_tree:
        result.tree_problems = Unit.objects.find_problems()
    result.seconds = time.perf_counter() - started
    return result


def prefix_check(prefix: str) -> str:
    """The prefix in its stored form (upper case), or ScaleError when it is malformed or used before."""
    prefix = (prefix or "").strip().upper()
    if not PREFIX_RE.match(prefix):
        raise ScaleError(
            _("The prefix must be 1 to 8 ASCII letters or digits, starting with a letter (got “%(prefix)s”).")
            % {"prefix": prefix}
        )
    codes = list(Unit.objects.filter(code__startswith=f"{prefix}-").order_by("code").values_list("code", flat=True)[:3])
    usernames = list(
        User.objects.filter(username__startswith=f"{prefix.lower()}-")
        .order_by("username")
        .values_list("username", flat=True)[:3]
    )
    if codes or usernames:
        raise ScaleError(
            _(
                "A country with the prefix %(prefix)s was generated before (%(examples)s…): nothing was written. "
                "Use another --prefix to build a second country beside it."
            )
            % {"prefix": prefix, "examples": ", ".join(codes or usernames)}
        )
    return prefix


def _school_years_start(now: datetime) -> datetime:
    """The first day of the previous school year (school years start on 5 September)."""
    local = timezone.localtime(now)
    year = local.year if (local.month, local.day) >= (9, 5) else local.year - 1
    return timezone.make_aware(datetime(year - 1, 9, 5, 7, 30))


@dataclass
class _School:
    unit: Unit
    key: str  # seeds its random choices: the same --seed gives the same country whatever the prefix
    level: str
    teachers: int
    students: int
    groups: list = field(default_factory=list)
    classes: list = field(default_factory=list)
    subjects: dict = field(default_factory=dict)  # group name -> the subjects its topics are about


class _Builder:
    def __init__(self, *, plan: ScalePlan, prefix: str, seed: int, ministry: Unit, now: datetime):
        self.plan, self.prefix, self.seed, self.ministry = plan, prefix, seed, ministry
        self.now = now
        self.start = _school_years_start(now)
        self.span = max(1, int((now - self.start).total_seconds()))
        self.month_ago = now - timedelta(days=30)
        self.photos = _demo_photos()
        self.not_portrait = _("The photo is not a portrait (3:4).")
        self.width = 2 if plan.provinces < 100 else 3

    def department_name(self, number: int) -> str:
        province = PROVINCES[number - 1] if number <= len(PROVINCES) else f"Tỉnh {number}"
        suffix = "" if self.prefix == DEFAULT_PREFIX else f" ({self.prefix})"
        return f"Sở GDĐT {province}{suffix}"

    # --- one province, in one transaction -----------------------------------------------------
    def province(self, number: int, school_index: int) -> Counter:
        plan = self.plan
        created: Counter = Counter()
        code = f"{self.prefix}-{number:0{self.width}d}"
        (department,) = units_bulk_create(
            actor=None,
            parent=self.ministry,
            specs=[UnitSpec(code=code, name=self.department_name(number), kind=K.DEPARTMENT)],
        )
        created["provinces"] += 1
        offices = (
            units_bulk_create(
                actor=None,
                parent=department,
                specs=[
                    UnitSpec(code=f"{code}-{n:02d}", name=f"Phòng GDĐT {_district(n)}", kind=K.OFFICE)
                    for n in range(1, plan.offices_per_province + 1)
                ],
            )
            if plan.offices_per_province
            else []
        )
        created["offices"] += len(offices)
        schools = []
        if plan.thpt_per_province:
            schools += self._schools(department, code, "thpt", "", plan.thpt_per_province)
        for office in offices:
            district = office.name.removeprefix("Phòng GDĐT ")
            for level in ("th", "thcs"):
                count = (plan.schools_per_office + (level == "th")) // 2
                if count:
                    schools += self._schools(office, office.code, level, f" – {district}", count, start=level == "thcs")
        created["schools"] += len(schools)
        people = [
            _School(
                unit=unit,
                key=f"{self.seed}-{number}-{i}",
                level=unit.school_level,
                teachers=plan.teachers_per_school,
                students=plan.students_per_school + (school_index + i < plan.extra_students),
            )
            for i, unit in enumerate(schools)
        ]
        for school in people:
            self._groups_and_classes(school, created)
        teachers_by_group = self._accounts(people, created)
        self._topics(people, teachers_by_group, created)
        created["declared numbers"] += self._declared_numbers(people)
        created["quotas"] += quotas_initialise(
            actor=None,
            limits={
                s.unit: (
                    s.teachers + max(2, math.ceil(s.teachers * 0.05)),
                    s.students + max(4, math.ceil(s.students * 0.05)),
                )
                for s in people
            },
        )
        audit_log(actor=None, action="seed.scale", unit=department, target=department, after=dict(created))
        return created

    def _declared_numbers(self, schools: list[_School]) -> int:
        """Each school's declared numbers of teachers and students, the base of its coverage: its
        accounts and up to 20% more people without one; one school in twenty has declared nothing."""
        declared = 0
        for school in schools:
            rng = random.Random(f"declared-{school.key}")  # noqa: S311 - test data
            if rng.random() < 0.05:
                continue
            unit_declare_numbers(
                actor=None,
                unit=school.unit,
                teachers=school.teachers + round(school.teachers * rng.uniform(0, 0.2)),
                students=school.students + round(school.students * rng.uniform(0, 0.2)),
            )
            declared += 1
        return declared

    def _schools(self, parent, parent_code, level, suffix, count, start=False) -> list[Unit]:
        label = {"th": "TH", "thcs": "THCS", "thpt": "THPT"}[level]
        offset = (self.plan.schools_per_office + 1) // 2 if start else 0  # THCS names follow the TH ones
        specs = []
        for n in range(1, count + 1):
            base = SCHOOL_NAMES[(n - 1 + offset) % len(SCHOOL_NAMES)]
            again = (n - 1 + offset) // len(SCHOOL_NAMES)
            name = f"Trường {label} {base}{f' {again + 1}' if again else ''}{suffix}"
            specs.append(UnitSpec(code=f"{parent_code}-{label}{n:03d}", name=name, kind=K.SCHOOL, school_level=level))
        return units_bulk_create(actor=None, parent=parent, specs=specs)

    def _groups_and_classes(self, school: _School, created: Counter) -> None:
        catalogue = {"thpt": names.GROUPS_THPT, "th": names.GROUPS_TH}.get(school.level, names.GROUPS_THCS)
        groups = catalogue[: max(1, min(len(catalogue), math.ceil(school.teachers / TEACHERS_PER_GROUP)))]
        grades = list(names.GRADES[school.level])
        count = max(len(grades), math.ceil(school.students / STUDENTS_PER_CLASS)) if school.students else 0
        per_grade = Counter(grades[i % len(grades)] for i in range(count))
        code = school.unit.code
        specs = [UnitSpec(code=f"{code}-T{i + 1}", name=name, kind=K.GROUP) for i, (name, _s) in enumerate(groups)]
        specs += [
            UnitSpec(code=f"{code}-L{grade}-{n}", name=f"{grade}A{n}", kind=K.CLASS, grade=grade)
            for grade in grades
            for n in range(1, per_grade[grade] + 1)
        ]
        for unit in units_bulk_create(actor=None, parent=school.unit, specs=specs):
            (school.groups if unit.kind == K.GROUP else school.classes).append(unit)
        school.subjects = dict(groups)
        created["groups"] += len(school.groups)
        created["classes"] += len(school.classes)

    # --- accounts and roles, BATCH at a time -------------------------------------------------------
    def _accounts(self, schools: list[_School], created: Counter) -> dict[int, list[tuple[int, datetime]]]:
        """Teachers and students of the province's schools; returns {group id: [(teacher id, joined)]}."""
        teachers_by_group: dict[int, list[tuple[int, datetime]]] = {}
        specs: list[AccountLoadSpec] = []
        places: list[tuple] = []  # parallel to specs: (group, *(unit, role)) for teachers, (class,) for students

        def flush() -> None:
            ids = users_bulk_load(specs=specs, batch_size=BATCH)
            roles = []
            for user_id, spec, place in zip(ids, specs, places, strict=True):
                if spec.account_type == T.STUDENT:
                    roles.append((user_id, place[0], Role.STUDENT))
                    continue
                group, *extra = place
                roles.append((user_id, group, Role.TEACHER))
                roles += [(user_id, unit, role) for unit, role in extra]
                teachers_by_group.setdefault(group.pk, []).append((user_id, spec.date_joined))
            created["roles"] += role_assignments_bulk_load(rows=roles, batch_size=BATCH)
            specs.clear()
            places.clear()

        for school in schools:
            rng = random.Random(school.key)  # noqa: S311 - reproducible test data
            proper_share = rng.uniform(0.35, 0.98)
            active = (rng.uniform(0.3, 0.95), rng.uniform(0.1, 0.7))  # teachers, students
            base = school.unit.code.lower()
            groups, classes = school.groups, school.classes
            for n in range(school.teachers):
                group = groups[n % len(groups)]
                extra = []
                if n == 0:
                    extra.append((school.unit, Role.PRINCIPAL))
                if n == min(1, school.teachers - 1):
                    extra.append((school.unit, Role.SCHOOL_ADMIN))
                # Each group's leader: its second member where it has one (its first in the first
                # groups is the principal or the school admin).
                members = school.teachers // len(groups) + (n % len(groups) < school.teachers % len(groups))
                if n // len(groups) == min(1, members - 1):
                    extra.append((group, Role.GROUP_LEADER))
                specs.append(self._teacher(rng, f"{base}.gv{n + 1:04d}", school.unit, proper_share, active[0]))
                places.append((group, *extra))
            for n in range(school.students):
                school_class = classes[n % len(classes)]
                specs.append(self._student(rng, f"{base}.hs{n + 1:05d}", school.unit, school_class.grade, active[1]))
                places.append((school_class,))
                if len(specs) >= BATCH:
                    flush()
            created["teacher accounts"] += school.teachers
            created["student accounts"] += school.students
            if len(specs) >= BATCH:
                flush()
        if specs:
            flush()
        return teachers_by_group

    def _person(self, rng, username, kind, school, born, female_share, active_share, **extra) -> AccountLoadSpec:
        person = random_person(rng, female_share=female_share)
        joined = self.start + timedelta(seconds=rng.randrange(self.span))
        if rng.random() < active_share:
            since = max(joined, self.month_ago)
            last_login = since + timedelta(seconds=rng.randrange(max(1, int((self.now - since).total_seconds()))))
        elif joined < self.month_ago and rng.random() < 0.6:
            last_login = joined + timedelta(
                seconds=rng.randrange(max(1, int((self.month_ago - joined).total_seconds())))
            )
        else:
            last_login = None
        return AccountLoadSpec(
            username=username,
            account_type=kind,
            unit=school,
            date_of_birth=date(born, rng.randint(1, 12), rng.randint(1, 28)),
            date_joined=joined,
            last_login=last_login,
            **person,
            **extra,
        )

    def _teacher(self, rng, username, school, proper_share, active_share) -> AccountLoadSpec:
        draw = rng.random()
        if draw < proper_share:
            photo, status, reason = self.photos["proper"][rng.randrange(len(self.photos["proper"]))], P.PROPER, ""
        elif draw < proper_share + (1 - proper_share) / 2:
            photo, status, reason = self.photos["landscape"], P.NOT_PROPER, self.not_portrait
        else:
            photo, status, reason = "", P.MISSING, ""
        return self._person(
            rng,
            username,
            T.TEACHER,
            school,
            rng.randint(1965, 2000),
            0.7,
            active_share,
            email=f"{username}@scale.truonghoc.edu.vn" if rng.random() < 0.6 else "",
            phone=f"09{rng.randrange(10**8):08d}" if rng.random() < 0.7 else "",
            photo=photo,
            photo_status=status,
            photo_status_reason=reason,
        )

    def _student(self, rng, username, school, grade, active_share) -> AccountLoadSpec:
        proper = rng.random() < 0.15
        return self._person(
            rng,
            username,
            T.STUDENT,
            school,
            self.start.year + 1 - grade - 6,
            0.5,
            active_share,
            photo=self.photos["proper"][0] if proper else "",
            photo_status=P.PROPER if proper else P.MISSING,
        )

    # --- topics --------------------------------------------------------------------------------------
    def _topics(self, schools: list[_School], teachers_by_group, created: Counter) -> None:
        """topics_per_school on average, exactly that many in the province: some schools post many,
        some none. A few topics are empty or repeat an earlier one (what the statistics flag)."""
        rng = random.Random(f"topics-{schools[0].key}")  # noqa: S311 - test data
        total = self.plan.topics_per_school * len(schools)
        weights = [0.0 if rng.random() < 0.1 else rng.uniform(0.2, 2.0) for _s in schools]
        counts = _apportion(total, weights)
        specs: list[TopicSpec] = []
        for school, count in zip(schools, counts, strict=True):
            previous: dict[int, TopicSpec] = {}
            for n in range(1, count + 1):
                group = school.groups[rng.randrange(len(school.groups))]
                teachers = teachers_by_group.get(group.pk)
                author, joined = teachers[rng.randrange(len(teachers))] if teachers else (None, self.start)
                since = max(joined, self.start)
                created_at = since + timedelta(seconds=rng.randrange(max(1, int((self.now - since).total_seconds()))))
                draw = rng.random()
                if draw < 0.03 and group.pk in previous:
                    earlier = previous[group.pk]
                    title, body = earlier.title, earlier.body
                else:
                    subjects = school.subjects.get(group.name, ("",))
                    theme = names.TOPIC_THEMES[rng.randrange(len(names.TOPIC_THEMES))]
                    title = f"Chuyên đề {theme.lower()} – {subjects[rng.randrange(len(subjects))]} (số {n})"
                    body = "" if draw > 0.97 else f"<p>Chuyên đề sinh hoạt chuyên môn của {group.name}.</p>"
                spec = TopicSpec(title=title, unit_id=group.pk, author_id=author, body=body, created_at=created_at)
                previous[group.pk] = spec
                specs.append(spec)
        created["topics"] += topics_bulk_create(specs=specs, batch_size=BATCH)


def _district(n: int) -> str:
    name = f"{DISTRICT_FIRST[(n - 1) % 5]} {DISTRICT_SECOND[((n - 1) // 5) % 10]}"
    return name if n <= 50 else f"{name} {(n - 1) // 50 + 1}"


def _apportion(total: int, weights: list[float]) -> list[int]:
    """Split `total` in proportion to `weights` (largest remainders), exactly."""
    if not weights:
        return []
    weight_sum = sum(weights)
    if weight_sum == 0:
        weights, weight_sum = [1.0] * len(weights), float(len(weights))
    shares = [total * w / weight_sum for w in weights]
    counts = [int(s) for s in shares]
    order = sorted(range(len(weights)), key=lambda i: shares[i] - counts[i], reverse=True)
    for i in order[: total - sum(counts)]:
        counts[i] += 1
    return counts
