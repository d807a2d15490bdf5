"""`manage.py seed_demo`: a province built from a participation table, exactly, idempotently."""

import re
from collections import Counter
from datetime import timedelta
from html import unescape
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Count
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from courses.demo import seed_demo_teacher_work
from courses.models import Assignment, Course, LiveSession, Submission
from publications.demo import seed_demo_news
from publications.models import Article
from reports.participation import read_participation_table
from units.models import AuditEntry, Role, RoleAssignment, Unit

HEADER = "section\tno\tschool\tteacher_accounts\tstudent_accounts\tteacher_photo_ok\ttopics_posted\n"
HA_NAM = Path(__file__).resolve().parents[2] / "reports" / "data" / "ha_nam_2015.tsv"


def write_table(tmp_path, rows: list[str], header: str = HEADER) -> Path:
    path = tmp_path / "table.tsv"
    path.write_text(header + "".join(r + "\n" for r in rows), encoding="utf-8")
    return path


def seed(path, province="Nam Định", *extra) -> str:
    out = StringIO()
    call_command("seed_demo", "--table", str(path), "--province", province, *extra, stdout=out)
    return out.getvalue()


def figures_by_school() -> dict[str, tuple[int, int, int, int]]:
    """(teachers, students, proper photos, topics) per school code, computed from the data."""
    people = Counter()
    for row in (
        User.objects.filter(unit__kind="school")
        .values("unit__code", "account_type", "photo_status")
        .annotate(n=Count("id"))
    ):
        people[(row["unit__code"], row["account_type"])] += row["n"]
        if row["account_type"] == "teacher" and row["photo_status"] == "proper":
            people[(row["unit__code"], "proper")] += row["n"]
    schools = {u.path: u.code for u in Unit.objects.filter(kind="school")}
    topics = Counter()
    for path in Course.objects.filter(kind="topic").values_list("unit__path", flat=True):
        topics[schools[path[:-4]] if path[:-4] in schools else schools[path]] += 1
    return {
        code: (people[(code, "teacher")], people[(code, "student")], people[(code, "proper")], topics[code])
        for code in schools.values()
    }


SMALL = [
    "THPT\t1\tChuyên Lê Hồng Phong\t12\t95\t10\t3",
    "THCS Ý Yên\t1\tYên Thắng\t5\t41\t5\t0",
    "THCS Ý Yên\t2\tYên Tiến\t4\t0\t6\t2",  # impossible: 6 proper photos for 4 teachers
    "THCS Nam Trực\t1\tNam Giang\t0\t12\t0\t0",
]


@pytest.mark.django_db
def test_small_province_has_exactly_the_table_numbers(tmp_path):
    output = seed(write_table(tmp_path, SMALL))
    dept = Unit.objects.get(kind="department")
    assert dept.name == "Sở GDĐT Nam Định"
    offices = Unit.objects.filter(kind="office").order_by("path")
    assert [o.name for o in offices] == ["Phòng GDĐT Ý Yên", "Phòng GDĐT Nam Trực"]
    thpt = Unit.objects.get(name="Trường THPT Chuyên Lê Hồng Phong")
    assert Unit.objects.get_parent(thpt) == dept and thpt.school_level == "thpt"
    yen_thang = Unit.objects.get(name="Trường THCS Yên Thắng")
    assert Unit.objects.get_parent(yen_thang).name == "Phòng GDĐT Ý Yên"

    assert figures_by_school() == {
        thpt.code: (12, 95, 10, 3),
        yen_thang.code: (5, 41, 5, 0),
        Unit.objects.get(name="Trường THCS Yên Tiến").code: (4, 0, 4, 2),
        Unit.objects.get(name="Trường THCS Nam Giang").code: (0, 12, 0, 0),
    }
    assert Unit.objects.find_problems() == ([], [], [], [], [])
    # Each school gets a quota a little above what it has issued.
    from accounts.models import AccountQuota

    quotas = {q.school.code: (q.teachers, q.students) for q in AccountQuota.objects.select_related("school")}
    assert quotas[thpt.code] == (14, 100) and quotas[yen_thang.code] == (7, 45)
    # The impossible row is reported and flagged as a data problem, not silently "fixed".
    assert "Yên Tiến" in output and "6" in output
    problem = AuditEntry.objects.get(action="seed.data_problem")
    assert problem.before == {"teacher_photo_ok": 6} and problem.after["teacher_photo_ok"] == 4


@pytest.mark.django_db
def test_people_groups_classes_and_roles_are_plausible(tmp_path):
    seed(write_table(tmp_path, SMALL))
    thpt = Unit.objects.get(name="Trường THPT Chuyên Lê Hồng Phong")
    groups = Unit.objects.filter(path__startswith=thpt.path, kind="group")
    classes = Unit.objects.filter(path__startswith=thpt.path, kind="class")
    assert groups.count() >= 2
    assert {c.grade for c in classes} == {10, 11, 12}
    assert classes.count() == 3  # 95 students at 40 a class
    assert all(c.homeroom_teacher and c.homeroom_teacher.unit == thpt for c in classes)
    # Every teacher sits in a group of their school, every student in a class; each group has a leader.
    teachers = User.objects.filter(unit=thpt, account_type="teacher")
    assert RoleAssignment.objects.filter(user__in=teachers, role=Role.TEACHER, unit__in=groups).count() == 12
    assert RoleAssignment.objects.filter(role=Role.STUDENT, unit__in=classes).count() == 95
    assert set(
        RoleAssignment.objects.filter(role=Role.GROUP_LEADER, unit__in=groups).values_list("unit", flat=True)
    ) == set(groups.values_list("pk", flat=True))
    assert RoleAssignment.objects.filter(unit=thpt, role=Role.PRINCIPAL).count() == 1
    assert RoleAssignment.objects.filter(unit=thpt, role=Role.SCHOOL_ADMIN).count() == 1
    # Names are Vietnamese, NFC, and nobody got a usable password but the demo logins.
    sample = teachers.first()
    assert sample.full_name == sample.full_name.strip() and " " in sample.full_name
    assert not sample.has_usable_password()
    topic = Course.objects.filter(unit__in=groups).first()
    assert topic.author.unit == thpt and topic.created_at.year in (2014, 2015)


@pytest.mark.django_db
def test_seeding_twice_changes_nothing(tmp_path):
    path = write_table(tmp_path, SMALL)
    seed(path)
    before = (Unit.objects.count(), User.objects.count(), RoleAssignment.objects.count(), Course.objects.count())
    figures = figures_by_school()
    output = seed(path)
    assert (
        Unit.objects.count(),
        User.objects.count(),
        RoleAssignment.objects.count(),
        Course.objects.count(),
    ) == before
    assert figures_by_school() == figures
    assert "nothing new" in output or "không có gì mới" in output or ": 0" in output


@pytest.mark.django_db
def test_demo_logins_one_per_role_work_and_do_not_change_school_figures(tmp_path, client):
    seed(write_table(tmp_path, SMALL))
    figures = figures_by_school()
    expected_roles = {
        "bo": Role.MINISTRY_STAFF,
        "so": Role.DEPARTMENT_STAFF,
        "phong": Role.OFFICE_STAFF,
        "hieutruong": Role.PRINCIPAL,
        "quantri": Role.SCHOOL_ADMIN,
        "totruong": Role.GROUP_LEADER,
        "giaovien": Role.TEACHER,
        "hocsinh": Role.STUDENT,
    }
    for username, role in expected_roles.items():
        user = User.objects.get(username=username)
        assert role in user.roles, username
        assert client.login(username=username, password="demo12345"), username
    assert User.objects.get(username="admin").is_superuser
    from accounts.profile import profile_is_complete

    for username in ("hieutruong", "quantri", "totruong", "giaovien", "hocsinh"):
        assert profile_is_complete(User.objects.get(username=username)), username
    assert set(User.objects.get(username="giaovien").roles) == {"teacher"}
    assert figures_by_school() == figures
    # The demo student has a practice test and an exam to take, built from approved questions.
    from materials.models import Question, Quiz
    from materials.permissions.quizzes import quizzes_for_student_q

    hocsinh = User.objects.get(username="hocsinh")
    open_tests = Quiz.objects.filter(quizzes_for_student_q(hocsinh))
    assert {q.mode for q in open_tests} == {Quiz.Mode.PRACTICE, Quiz.Mode.EXAM}
    bank = Question.objects.filter(author__username="giaovien")
    assert bank.count() >= 10 and set(bank.values_list("status", flat=True)) == {"approved"}


@pytest.mark.django_db
def test_another_province_from_its_own_table_sits_beside_the_first(tmp_path):
    seed(write_table(tmp_path, SMALL), "Nam Định")
    other = tmp_path / "other"
    other.mkdir()
    seed(write_table(other, ["THPT\t1\tChuyên Lê Hồng Phong\t3\t4\t1\t1"]), "Ninh Bình", "--no-demo-logins")
    assert Unit.objects.filter(kind="ministry").count() == 1
    assert set(Unit.objects.filter(kind="department").values_list("name", flat=True)) == {
        "Sở GDĐT Nam Định",
        "Sở GDĐT Ninh Bình",
    }
    # Same school name in two provinces: two schools, told apart by code.
    same_name = Unit.objects.filter(name="Trường THPT Chuyên Lê Hồng Phong")
    assert same_name.count() == 2 and len({u.code for u in same_name}) == 2


BAD_TABLES = [
    (
        "missing column",
        ["THPT\t1\tA\t1\t1\t1"],
        "section\tno\tschool\tteacher_accounts\tstudent_accounts\tteacher_photo_ok\n",
        "topics_posted",
    ),
    ("missing number", ["THPT\t1\tA\t\t5\t0\t0"], HEADER, "teacher_accounts"),
    ("negative number", ["THPT\t1\tA\t10\t-5\t0\t0"], HEADER, "-5"),
    ("not a number", ["THPT\t1\tA\t10\tmười\t0\t0"], HEADER, "mười"),
    ("unknown section", ["THCX Phủ Lý\t1\tA\t10\t5\t0\t0"], HEADER, "THCX"),
    ("office missing", ["THCS\t1\tA\t10\t5\t0\t0"], HEADER, "THCS"),
    ("duplicate row number", ["THPT\t1\tA\t1\t1\t1\t1", "THPT\t1\tB\t1\t1\t1\t1"], HEADER, "3"),
    ("no rows", [], HEADER, ""),
    ("school name missing", ["THPT\t1\t\t1\t1\t1\t1"], HEADER, "3"),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("case", "rows", "header", "mentioned"), BAD_TABLES, ids=[c[0] for c in BAD_TABLES])
def test_bad_tables_are_refused_with_line_numbers_and_nothing_is_written(tmp_path, case, rows, header, mentioned):
    good_then_bad = ["THPT\t9\tTốt\t3\t3\t1\t1", *rows] if rows else []
    path = write_table(tmp_path, good_then_bad, header)
    with pytest.raises(CommandError) as excinfo:
        seed(path)
    message = str(excinfo.value)
    assert mentioned in message
    assert Unit.objects.count() == 0 and User.objects.count() == 0


@pytest.mark.django_db
def test_a_school_code_that_belongs_to_another_unit_is_refused(tmp_path):
    seed(write_table(tmp_path, SMALL))
    units_before, users_before = Unit.objects.count(), User.objects.count()
    office_code = Unit.objects.filter(kind="office").first().code
    other = tmp_path / "codes"
    other.mkdir()
    header = HEADER.rstrip("\n") + "\tcode\n"
    path = write_table(other, ["THPT\t1\tMới\t3\t3\t1\t1\tNEW-1", f"THPT\t2\tLạ\t3\t3\t1\t1\t{office_code}"], header)
    with pytest.raises(CommandError) as excinfo:
        seed(path, "Nam Định")
    assert office_code in str(excinfo.value)
    assert (Unit.objects.count(), User.objects.count()) == (units_before, users_before)


@pytest.mark.django_db
def test_unreadable_files_are_refused(tmp_path):
    latin = tmp_path / "latin.tsv"
    latin.write_bytes(HEADER.encode() + "THPT\t1\tBi\u00ean H\u00f2a\t1\t1\t1\t1\n".encode("latin-1"))
    with pytest.raises(CommandError, match="UTF-8"):
        seed(latin)
    with pytest.raises(CommandError):
        seed(tmp_path / "does-not-exist.tsv")
    assert Unit.objects.count() == 0


def test_the_published_table_reads_with_its_one_impossible_row():
    table = read_participation_table(HA_NAM)
    assert table.errors == []
    assert len(table.rows) == 141
    assert len(table.offices) == 6
    assert sum(r.teacher_accounts for r in table.rows) == 4447
    assert sum(r.student_accounts for r in table.rows) == 43948
    assert sum(r.topics_posted for r in table.rows) == 2979
    assert [(r.school, r.photo_ok_published) for r in table.rows if r.is_impossible] == [("Liên Phong", 30)]
    assert len(table.warnings) == 1 and "Liên Phong" in table.warnings[0]


@pytest.mark.django_db
def test_the_ha_nam_demo_province_reproduces_the_published_table(django_assert_max_num_queries, client):
    """141 schools × 4 figures, exactly as published (the impossible photo cell capped and flagged)."""
    out = StringIO()
    call_command("seed_demo", stdout=out)
    table = read_participation_table(HA_NAM)
    figures = figures_by_school()
    assert len(figures) == 141
    dept = Unit.objects.get(kind="department")
    for row in table.rows:
        office = Unit.objects.get(kind="office", name=f"Phòng GDĐT {row.office}") if row.office else dept
        prefix = "THPT" if row.school_level == "thpt" else "THCS"
        school = Unit.objects.get(
            name=f"Trường {prefix} {row.school}", path__startswith=office.path, depth=office.depth + 1
        )
        assert figures[school.code] == (
            row.teacher_accounts,
            row.student_accounts,
            row.teacher_photo_ok,
            row.topics_posted,
        ), row
    assert sum(f[0] for f in figures.values()) == 4447
    assert sum(f[1] for f in figures.values()) == 43948
    assert sum(f[2] for f in figures.values()) == 3152 - 2  # Liên Phong: 30 published, 28 possible
    assert sum(f[3] for f in figures.values()) == 2979
    assert Unit.objects.filter(kind="office").count() == 6
    assert Unit.objects.filter(kind="school", school_level="thpt").count() == 23
    assert Unit.objects.filter(kind="school", school_level="thcs").count() == 118
    assert "hocsinh" in out.getvalue()
    # The demo news is that of the demo units the logins belong to (README: Phủ Lý, Trần Phú).
    assert Counter(Article.objects.values_list("unit__name", flat=True)) == {
        "Bộ Giáo dục và Đào tạo": 1,
        "Sở GDĐT Hà Nam": 2,
        "Phòng GDĐT Phủ Lý": 1,
        "Trường THCS Trần Phú": 2,
    }
    # The Department's page writes these figures the Vietnamese way (issue #12, point 8): 4.447 teacher
    # accounts, 43.948 student accounts, 2.979 topics, the photo share with a decimal comma.
    client.force_login(User.objects.get(username="so"))
    page = client.get(reverse("reports:dashboard", args=[dept.pk]), HTTP_ACCEPT_LANGUAGE="vi").content.decode()
    for figure in ("4.447", "43.948", "2.979", "70,8%"):
        assert figure in page, figure
    assert 'data-testid="total-teachers">4.447<' in page and 'data-testid="total-students">43.948<' in page


# --- issue #12: the demo home pages show news, and the demo teacher's work ------------------------------

HA_NAM_SMALL = [
    "THPT\t1\tA Phủ Lý\t6\t20\t4\t1",
    "THCS Phủ Lý\t1\tTrần Phú\t8\t30\t8\t2",
    "THCS Phủ Lý\t2\tTiên Tân\t5\t12\t3\t1",
]


def home_news(client, username) -> list[str]:
    """The titles in the news card of a person's home page, as the page shows them (Vietnamese)."""
    client.force_login(User.objects.get(username=username))
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="vi")
    assert response.status_code == 200
    card = response.content.decode().split('data-testid="home-front"', 1)[1]
    assert 'data-testid="front-no-news"' not in card
    return [unescape(t) for t in re.findall(r'class="stretched-link" href="[^"]+">([^<]+)</a>', card)]


def teacher_of(school_name: str) -> User:
    school = Unit.objects.get(name=school_name)
    return RoleAssignment.objects.filter(role=Role.TEACHER, unit__path__startswith=school.path).first().user


@pytest.mark.django_db
def test_demo_home_pages_show_the_news_of_ones_own_units_and_those_above(tmp_path, client):
    seed(write_table(tmp_path, HA_NAM_SMALL), "Hà Nam")
    articles = Article.objects.select_related("unit", "author", "reviewed_by")
    assert {(a.unit.name, a.status) for a in articles} == {
        ("Bộ Giáo dục và Đào tạo", "approved"),
        ("Sở GDĐT Hà Nam", "approved"),
        ("Phòng GDĐT Phủ Lý", "approved"),
        ("Trường THCS Trần Phú", "approved"),
    }
    assert Counter(a.unit.kind for a in articles) == {"ministry": 1, "department": 2, "office": 1, "school": 2}
    # Written by the demo logins and approved by the unit above, dated within the last weeks, in order.
    by_unit = {a.unit.kind: a for a in articles}
    assert (by_unit["school"].reviewed_by.username, by_unit["office"].reviewed_by.username) == ("phong", "so")
    assert by_unit["department"].reviewed_by.username == "bo"
    now = timezone.now()
    assert all(timedelta(hours=1) < now - a.published_at < timedelta(weeks=4) for a in articles)
    assert all(a.updated_at == a.published_at for a in articles)
    school_news = [a.title for a in articles if a.unit.kind == "school"]
    dept_news = [a.title for a in articles if a.unit.kind == "department"]
    for username in ("hieutruong", "giaovien"):
        shown = home_news(client, username)
        assert len(shown) == 3, username
        assert set(shown) & set(school_news) and set(shown) & set(dept_news), (username, shown)
    # A teacher of another school of the same Office, and one of a THPT school under the Department.
    for other in ("Trường THCS Tiên Tân", "Trường THPT A Phủ Lý"):
        shown = home_news(client, teacher_of(other).username)
        assert set(shown) & set(dept_news), (other, shown)
        assert not set(shown) & set(school_news), (other, shown)
        assert any(title.startswith("Bộ GDĐT hướng dẫn") for title in shown), (other, shown)


@pytest.mark.django_db
def test_demo_teacher_home_shows_a_course_work_to_mark_and_a_live_session(tmp_path, client):
    seed(write_table(tmp_path, HA_NAM_SMALL), "Hà Nam")
    giaovien = User.objects.get(username="giaovien")
    waiting = Submission.objects.filter(
        assignment__course__author=giaovien, is_current=True, grade__isnull=True, submitted_by__username="hocsinh"
    )
    assert waiting.count() == 1
    client.force_login(giaovien)
    page = client.get("/", HTTP_ACCEPT_LANGUAGE="vi").content.decode()
    total = re.search(r'data-testid="home-grading-total">(\d+)<', page)
    assert total and int(total.group(1)) >= 1
    assert 'data-testid="taught-course"' in page and "Phân số và các phép tính với phân số" in page
    assert 'data-testid="home-grade-next"' in page
    lesson_session = LiveSession.objects.get(course__author=giaovien)
    assert lesson_session.starts_at > timezone.now()
    assert 'data-testid="session-item"' in page and lesson_session.title in page
    # The demo student still has the second worksheet to do on their own home page.
    client.force_login(User.objects.get(username="hocsinh"))
    page = client.get("/", HTTP_ACCEPT_LANGUAGE="vi").content.decode()
    assert 'data-testid="due-item"' in page and "Phiếu bài tập số 2" in page


@pytest.mark.django_db
def test_seeding_the_demo_twice_adds_no_news_and_no_work(tmp_path, django_assert_max_num_queries):
    path = write_table(tmp_path, HA_NAM_SMALL)
    seed(path, "Hà Nam")

    def counts():
        return (
            Article.objects.count(),
            Assignment.objects.count(),
            LiveSession.objects.count(),
            Submission.objects.count(),
            AuditEntry.objects.filter(action__startswith="article.").count(),
        )

    before = counts()
    assert before[0] == 6
    seed(path, "Hà Nam")
    assert counts() == before
    # Run again, the two steps cost a few queries, whatever the province.
    units = {u.kind: u for u in Unit.objects.filter(kind__in=["ministry", "department", "office"])}
    school = Unit.objects.get(name="Trường THCS Trần Phú")
    with django_assert_max_num_queries(2):
        assert (
            seed_demo_news(
                ministry=units["ministry"], department=units["department"], office=units["office"], school=school
            )
            == 0
        )
    giaovien, hocsinh = User.objects.get(username="giaovien"), User.objects.get(username="hocsinh")
    with django_assert_max_num_queries(4):
        assert seed_demo_teacher_work(teacher=giaovien, student=hocsinh) == 0
    # `--if-empty` still loads nothing into a database that has data.
    out = seed(path, "Hà Nam", "--if-empty")
    assert counts() == before and "hocsinh" in out
