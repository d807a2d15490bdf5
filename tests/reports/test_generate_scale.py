"""`manage.py generate_scale`: a synthetic country of exact size, a valid tree, refused when run twice;
and the bulk loaders it writes through (COPY on PostgreSQL, bulk_create on SQLite)."""

from collections import Counter
from datetime import date, timedelta
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import AccountQuota, User, name_fields
from accounts.services.core import AccountLoadSpec, users_bulk_load
from courses.models import Course
from reports.scale import ScaleError, _school_years_start, plan_for_accounts
from units.models import AuditEntry, Role, RoleAssignment, Unit
from units.services import role_assignments_bulk_load, unit_create

K = Unit.Kind
T = User.AccountType

# 2 provinces × (1 THPT + 2 Offices × 3 schools) = 14 schools of 11 teachers and 30 students.
SMALL = [
    "--provinces", "2", "--offices-per-province", "2", "--schools-per-office", "3", "--thpt-per-province", "1",
    "--teachers-per-school", "11", "--students-per-school", "30", "--topics-per-school", "4",
]  # fmt: skip
NO_PROBLEMS = ([], [], [], [], [])
pytestmark = pytest.mark.usefixtures("in_english")  # the command's messages, in their English source form


def generate(*args) -> str:
    out = StringIO()
    call_command("generate_scale", *args, stdout=out)
    return out.getvalue()


def totals() -> Counter:
    counts = Counter(Unit.objects.values_list("kind", flat=True))
    counts.update(User.objects.values_list("account_type", flat=True))
    counts["topics"] = Course.objects.filter(kind=Course.Kind.TOPIC).count()
    counts["roles"] = RoleAssignment.objects.count()
    return counts


@pytest.mark.django_db
def test_a_small_country_has_exactly_the_numbers_asked_for():
    out = generate(*SMALL, "--prefix", "T")

    counts = totals()
    assert counts[K.MINISTRY] == 1
    assert counts[K.DEPARTMENT] == 2
    assert counts[K.OFFICE] == 4
    assert counts[K.SCHOOL] == 14
    assert counts[T.TEACHER] == 14 * 11
    assert counts[T.STUDENT] == 14 * 30
    assert counts["topics"] == 14 * 4
    assert counts[K.GROUP] == 14 * 2  # 11 teachers: two groups of at most 9
    # A class per grade at least: TH 5 grades, THCS 4, THPT 3; per province 4 TH, 2 THCS, 1 THPT.
    assert counts[K.CLASS] == 2 * (4 * 5 + 2 * 4 + 1 * 3)
    assert Unit.objects.find_problems() == NO_PROBLEMS
    assert "Done in" in out and "1/2 Sở GDĐT" in out and "2/2 Sở GDĐT" in out

    ministry = Unit.objects.get(kind=K.MINISTRY)
    assert ministry.code == "BGDDT"
    for dept in Unit.objects.filter(kind=K.DEPARTMENT):
        assert Unit.objects.get_parent(dept) == ministry
        assert dept.code.startswith("T-")
    levels_by_parent_kind = Counter(
        (Unit.objects.get_parent(s).kind, s.school_level) for s in Unit.objects.filter(kind=K.SCHOOL)
    )
    assert levels_by_parent_kind == {(K.DEPARTMENT, "thpt"): 2, (K.OFFICE, "th"): 8, (K.OFFICE, "thcs"): 4}
    assert AccountQuota.objects.count() == 14
    for school in Unit.objects.filter(kind=K.SCHOOL, declared_teachers__isnull=False):
        assert school.declared_teachers >= 11 and school.declared_students >= 30
    assert AuditEntry.objects.filter(action="seed.scale").count() == 2


@pytest.mark.django_db
def test_accounts_are_unique_ascii_with_their_roles_photos_and_dates():
    now = timezone.now()
    generate(*SMALL, "--prefix", "T")

    users = list(User.objects.select_related("unit"))
    usernames = [u.username for u in users]
    assert len(set(usernames)) == len(usernames) == 14 * 41
    assert all(name.isascii() and name.startswith("t-") for name in usernames)
    for user in users[:50]:
        assert {k: getattr(user, k) for k in ("full_name", "name_folded", "name_sort")} == name_fields(user.full_name)
        assert not user.has_usable_password()
        assert user.unit.kind == K.SCHOOL

    roles = Counter()
    for _user_id, role, unit_path, user_unit_path in RoleAssignment.objects.values_list(
        "user_id", "role", "unit__path", "user__unit__path"
    ):
        roles[role] += 1
        assert unit_path.startswith(user_unit_path), "a role is held in the person's own school"
    assert roles == {
        Role.TEACHER: 14 * 11,
        Role.STUDENT: 14 * 30,
        Role.PRINCIPAL: 14,
        Role.SCHOOL_ADMIN: 14,
        Role.GROUP_LEADER: 14 * 2,
    }
    assert set(RoleAssignment.objects.filter(role=Role.STUDENT).values_list("unit__kind", flat=True)) == {K.CLASS}
    assert set(RoleAssignment.objects.filter(role=Role.TEACHER).values_list("unit__kind", flat=True)) == {K.GROUP}

    teachers = User.objects.filter(account_type=T.TEACHER)
    photos = Counter(teachers.values_list("photo_status", flat=True))
    assert photos[User.PhotoStatus.PROPER] and photos[User.PhotoStatus.MISSING] and photos[User.PhotoStatus.NOT_PROPER]
    assert not teachers.filter(photo_status=User.PhotoStatus.PROPER, photo="").exists()

    start = _school_years_start(now)
    joined = list(User.objects.values_list("date_joined", flat=True))
    assert min(joined) >= start and max(joined) <= timezone.now()
    assert max(joined) - min(joined) > timedelta(days=200), "spread over two school years"
    month_ago = timezone.now() - timedelta(days=30)
    assert User.objects.filter(last_login__gte=month_ago).exists()
    assert User.objects.filter(last_login__isnull=True).exists()
    topic_dates = list(Course.objects.values_list("created_at", flat=True))
    assert min(topic_dates) >= start and max(topic_dates) <= timezone.now()
    assert set(Course.objects.values_list("unit__kind", flat=True)) == {K.GROUP}
    assert Course.objects.filter(author__isnull=False).count() == 14 * 4


@pytest.mark.django_db
def test_running_twice_with_the_same_prefix_is_refused_and_another_prefix_builds_beside_it():
    ministry = unit_create(actor=None, parent=None, code="BGDDT", name="Bộ Giáo dục và Đào tạo", kind=K.MINISTRY)
    generate(*SMALL, "--prefix", "T")
    before = totals()

    with pytest.raises(CommandError, match="prefix T was generated before"):
        generate(*SMALL, "--prefix", "t")
    assert totals() == before

    generate(*SMALL, "--prefix", "T2")
    after = totals()
    assert after[K.MINISTRY] == 1 and Unit.objects.get(kind=K.MINISTRY) == ministry
    assert after[K.SCHOOL] == 28
    assert after[T.TEACHER] + after[T.STUDENT] == 2 * 14 * 41
    assert Unit.objects.find_problems() == NO_PROBLEMS
    people = [
        list(User.objects.filter(username__startswith=start).order_by("username").values_list("full_name", flat=True))
        for start in ("t-", "t2-")
    ]
    assert people[0] == people[1], "the same --seed gives the same people whatever the prefix"
    assert set(Unit.objects.filter(kind=K.DEPARTMENT, code__startswith="T2-").values_list("name", flat=True)) == {
        "Sở GDĐT Hà Nội (T2)",
        "Sở GDĐT Hà Giang (T2)",
    }


@pytest.mark.django_db
def test_accounts_shorthand_gives_exactly_that_many_accounts():
    out = generate("--accounts", "2345", "--topics-per-school", "3", "--prefix", "A", "--check-tree")
    assert User.objects.count() == 2345
    schools = Unit.objects.filter(kind=K.SCHOOL).count()
    assert Course.objects.count() == 3 * schools
    assert "The unit tree is valid." in out


def test_the_plan_for_a_million_accounts_looks_like_the_country():
    plan = plan_for_accounts(1_000_000)
    assert plan.accounts == 1_000_000
    assert plan.provinces == 63
    assert plan.offices_per_province == 10
    assert 30 <= plan.teachers_per_school <= 40 and 400 <= plan.students_per_school <= 500
    assert plan.thpt_per_province >= 1
    assert plan_for_accounts(100_000).accounts == 100_000
    assert plan_for_accounts(1).accounts == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--prefix", "x y"], "1 to 8 ASCII letters"),
        (["--prefix", "ĐÀ"], "1 to 8 ASCII letters"),
        (["--accounts", "1000", "--students-per-school", "5"], "leave out --students-per-school"),
        (["--provinces", "0"], "at least one province"),
        (["--teachers-per-school", "-1"], "cannot be negative"),
    ],
)
def test_bad_options_are_refused_before_anything_is_written(args, message):
    with pytest.raises(CommandError, match=message):
        generate(*args)
    assert not Unit.objects.exists() and not User.objects.exists()


@pytest.mark.django_db
def test_queries_do_not_grow_with_the_number_of_accounts():
    def queries(prefix: str, students: int) -> int:
        args = [*SMALL[:-6], "--students-per-school", str(students), "--topics-per-school", "4"]
        with CaptureQueriesContext(connection) as captured:
            generate(*args, "--prefix", prefix, "--provinces", "1")
        return len(captured)

    generate(*SMALL, "--prefix", "W")  # the Ministry and the demo photos exist from here on
    few, many = queries("F", 5), queries("M", 200)
    if connection.vendor == "postgresql":
        assert many == few
    else:  # SQLite: bulk_create splits its INSERTs by SQLite's limit on query parameters
        assert many - few < 7 * (200 - 5) / 20


@pytest.mark.django_db
def test_users_bulk_load_keeps_stored_forms_dates_and_order(tree):
    joined = timezone.now() - timedelta(days=100)
    seen = timezone.now() - timedelta(days=2)
    specs = [
        AccountLoadSpec(
            username=f"load{i}",
            full_name="  Nguyễn   Thị Hòa ",
            account_type=T.TEACHER,
            unit=tree.s1,
            date_of_birth=date(1990, 1, 2),
            national_id=f" 0012{i} " if i % 2 else "",
            photo_status_reason="dòng 1\nC:\\ảnh\tx",
            date_joined=joined,
            last_login=seen if i % 2 else None,
        )
        for i in range(7)
    ]
    ids = users_bulk_load(specs=specs, batch_size=3)
    users = User.objects.in_bulk(ids)
    assert [users[pk].username for pk in ids] == [s.username for s in specs]
    first, second = users[ids[0]], users[ids[1]]
    assert (first.full_name, first.name_folded, first.name_sort) == (
        "Nguyễn Thị Hòa",
        "nguyen thi hoa",
        name_fields("Nguyễn Thị Hòa")["name_sort"],
    )
    assert first.photo_status_reason == "dòng 1\nC:\\ảnh\tx"
    assert first.national_id is None and second.national_id == "00121"
    assert first.date_joined == joined and first.last_login is None and second.last_login == seen
    assert first.date_of_birth == date(1990, 1, 2)
    assert not first.has_usable_password() and first.password != second.password
    assert first.is_active and not first.is_staff and first.updated_at is not None

    written = role_assignments_bulk_load(rows=[(pk, tree.g1, Role.TEACHER) for pk in ids], batch_size=4)
    assert written == 7
    assert RoleAssignment.objects.filter(unit=tree.g1, role=Role.TEACHER, user_id__in=ids).count() == 7
    with pytest.raises(ValidationError):  # a teacher's role is held at a group, not at a class
        role_assignments_bulk_load(rows=[(ids[0], tree.c1, Role.TEACHER)])


def test_plan_errors_are_scale_errors():
    with pytest.raises(ScaleError):
        plan_for_accounts(0)


@pytest.mark.django_db
def test_a_province_that_cannot_be_written_is_rolled_back_with_a_message():
    ministry = unit_create(actor=None, parent=None, code="BGDDT", name="Bộ Giáo dục và Đào tạo", kind=K.MINISTRY)
    Unit.objects.filter(pk=ministry.pk).update(is_active=False)
    with pytest.raises(CommandError, match="Province 1 could not be written"):
        generate(*SMALL, "--prefix", "T")
    assert list(Unit.objects.all()) == [ministry] and not User.objects.exists()
