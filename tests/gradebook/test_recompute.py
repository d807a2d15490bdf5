"""The results recompute writes only what changed ("Speed and scale" of issue #16): the full school path and
the per-student path give the same rows, a second run writes nothing, a changed mark rewrites exactly its
rows, a deleted mark takes its derived rows with it, the province task covers each school once; and the
bulk upsert helper of truonghoc/bulk.py (COPY on PostgreSQL, multi-row INSERT … ON CONFLICT elsewhere)."""

from datetime import timedelta
from decimal import Decimal as D

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from gradebook import services, tasks
from gradebook.models import Mark, StudentResult, SubjectResult
from tests.accounts.factories import make_person
from tests.gradebook.test_results import fill, put
from tests.units.factories import make_unit
from truonghoc.bulk import upsert_rows
from units.models import Role, Unit

pytestmark = pytest.mark.django_db

STORED = ("student_id", "school_id", "school_class_id", "school_year", "semester", "subject", "average", "level")


def stored_results() -> tuple[list, list]:
    subjects = sorted(SubjectResult.objects.values_list(*STORED))
    students = sorted(
        StudentResult.objects.values_list(
            "student_id", "school_id", "school_class_id", "semester", "learning", "needs_retest", "after_retest"
        )
    )
    return subjects, students


def stamps() -> dict:
    """{(table, student, semester[, subject]): computed_at} of every stored result."""
    subjects = SubjectResult.objects.values_list("student_id", "semester", "subject", "computed_at")
    students = StudentResult.objects.values_list("student_id", "semester", "computed_at")
    return {
        **{("subject", *key): at for *key, at in subjects},
        **{("student", *key): at for *key, at in students},
    }


def writes(queries) -> list[str]:
    verbs = ("INSERT", "UPDATE", "DELETE", "COPY")
    return [q["sql"] for q in queries.captured_queries if q["sql"].lstrip().split()[0].upper() in verbs]


@pytest.fixture
def marked(book):
    """Three students of 6A1: all marks 8,5; all 6,0 with Toán 3,0 (re-assessment); a few Toán marks only."""
    first, second, third = book.students
    fill(book, first, "8.5")
    fill(book, second, "6.0", override={"Toán": "3.0"})
    for index, value in enumerate(["8", "7", "9", "6"], start=1):
        put(book, third, "Toán", 1, "tx", index, value=D(value))
    put(book, third, "Toán", 1, "gk", value=D("7"))
    return book


def test_the_full_recompute_equals_the_per_student_path(marked):
    for student in marked.students:
        services.results_recompute_student(student_id=student.pk, school_year=marked.year)
    per_student = stored_results()
    assert len(per_student[0]) > 60 and len(per_student[1]) == 3 + 3 + 3
    SubjectResult.objects.all().delete()
    StudentResult.objects.all().delete()
    counts = services.results_recompute_counts(school=marked.school, school_year=marked.year)
    assert stored_results() == per_student
    assert counts.students == 3 and counts.written == counts.computed == len(per_student[0]) + len(per_student[1])
    # and the other way round: the per-student path over the full path's rows finds nothing to change
    for student in marked.students:
        assert services.results_recompute_student(student_id=student.pk, school_year=marked.year).written == 0


def test_a_second_recompute_with_nothing_changed_writes_nothing(marked):
    services.results_recompute(school=marked.school, school_year=marked.year)
    before, rows = stamps(), stored_results()
    with CaptureQueriesContext(connection) as queries:
        counts = services.results_recompute_counts(school=marked.school, school_year=marked.year)
    assert (counts.students, counts.written, counts.deleted) == (3, 0, 0) and counts.computed == len(before)
    assert writes(queries) == []
    assert stamps() == before and stored_results() == rows


def test_a_changed_mark_rewrites_exactly_its_rows(marked):
    student = marked.students[0]
    services.results_recompute(school=marked.school, school_year=marked.year)
    before = stamps()
    # Toán semester 1: (4 × 8,5 + 2 × 8,5 + 3 × 9) / 9 = 8,67 → 8,7; year (8,7 + 2 × 8,5) / 3 = 8,57 → 8,6
    put(marked, student, "Toán", 1, "ck", value=D("9.0"))
    counts = services.results_recompute_counts(school=marked.school, school_year=marked.year)
    after = stamps()
    changed = {key for key in after if after[key] != before[key]}
    assert changed == {("subject", student.pk, 1, "Toán"), ("subject", student.pk, 0, "Toán")}
    assert (counts.written, counts.deleted) == (2, 0) and set(after) == set(before)
    averages = dict(SubjectResult.objects.filter(student=student, subject="Toán").values_list("semester", "average"))
    assert averages == {1: D("8.7"), 2: D("8.5"), 0: D("8.6")}
    assert StudentResult.objects.get(student=student, semester=0).learning == "T"  # unchanged, not rewritten


@pytest.mark.parametrize("path", ["school", "student"])
def test_a_deleted_mark_removes_its_derived_rows(marked, path):
    def recompute(student):
        if path == "school":
            return services.results_recompute_counts(school=marked.school, school_year=marked.year)
        return services.results_recompute_student(student_id=student.pk, school_year=marked.year)

    first, _second, third = marked.students
    services.results_recompute(school=marked.school, school_year=marked.year)
    assert SubjectResult.objects.filter(student=first, subject="Tin học").count() == 3
    Mark.objects.filter(student=first, subject="Tin học").delete()
    counts = recompute(first)
    assert not SubjectResult.objects.filter(student=first, subject="Tin học").exists()
    assert counts.deleted == 3  # semesters 1, 2 and the year
    assert StudentResult.objects.get(student=first, semester=0).learning == ""  # Tin học missing: not known
    Mark.objects.filter(student=third).delete()  # every mark of a student gone: so are all their results
    counts = recompute(third)
    assert not SubjectResult.objects.filter(student=third).exists()
    assert not StudentResult.objects.filter(student=third).exists()
    assert counts.deleted == 3 + 3  # Toán in semesters 1, 2 and the year; the student's three results
    assert SubjectResult.objects.filter(student=first).exists()  # the others untouched


def test_the_per_student_recompute_after_a_save_costs_a_fixed_few_queries(marked, django_assert_max_num_queries):
    student = marked.students[0]
    services.results_recompute(school=marked.school, school_year=marked.year)
    services.rules_of_year(marked.year)  # the process's cached rules, as after the save's own checks
    put(marked, student, "Toán", 1, "ck", value=D("9.0"))
    # marks with their grades, exemptions, conduct, ratings, the two stored results; one upsert (2 rows)
    with django_assert_max_num_queries(7):
        assert services.results_recompute_student(student_id=student.pk, school_year=marked.year).written == 2
    with CaptureQueriesContext(connection) as queries:
        assert services.results_recompute_student(student_id=student.pk, school_year=marked.year).written == 0
    assert len(queries) <= 6 and writes(queries) == []


def test_a_grid_save_with_its_results_recompute_costs_a_fixed_number_of_queries(
    book, grid_client, django_assert_max_num_queries, django_capture_on_commit_callbacks
):
    student = book.students[0]
    data = {"student": student.pk, "kind": "gk", "index": 1, "version": 0, "value": "7"}
    with django_capture_on_commit_callbacks(execute=True):
        assert grid_client.client.post(grid_client.save_url, data).status_code == 200
    # the save itself (tests/gradebook/test_grid.py: at most 16) and the per-student recompute on commit
    with django_assert_max_num_queries(16 + 7), django_capture_on_commit_callbacks(execute=True) as callbacks:
        assert grid_client.client.post(grid_client.save_url, {**data, "value": "8", "version": 1}).status_code == 200
    assert len(callbacks) == 1
    assert SubjectResult.objects.get(student=student, semester=1, subject="Toán").average is None  # no ĐĐGtx yet


def test_the_province_task_runs_every_school_under_the_unit_once(book, monkeypatch):
    fill(book, book.students[0], "8.5")
    tree = book.tree
    other_class = make_unit(tree.s2, Unit.Kind.CLASS, "6B1", grade=6)
    pupils = [make_person(unit=other_class, role=Role.STUDENT) for _ in range(2)]
    for pupil in pupils:
        put(book, pupil, "Toán", 1, "gk", value=D("7"), school_class=other_class)
    Mark.objects.filter(school_class=other_class).update(school=tree.s2)
    seen = []
    real = tasks.results_recompute

    def spy(*, school, school_year):
        seen.append(school.pk)
        return real(school=school, school_year=school_year)

    monkeypatch.setattr(tasks, "results_recompute", spy)
    job = tasks.recompute_results_job(tree.office_a1.pk, book.year)
    assert sorted(signature.args[0][0] for signature in job.tasks) == sorted([tree.s1.pk, tree.s2.pk])
    assert tasks.recompute_results(tree.office_a1.pk, book.year) == 1 + 2  # eager: the students recomputed
    assert sorted(seen) == sorted([tree.s1.pk, tree.s2.pk])  # each school once
    assert set(StudentResult.objects.values_list("school_id", flat=True)) == {tree.s1.pk, tree.s2.pk}
    assert tasks.recompute_results(tree.dept_b.pk, book.year) == 0  # S3 has no marks
    assert tasks.recompute_results(10**9, book.year) == 0  # no such unit
    options = tasks.recompute_school_results
    assert options.acks_late and options.time_limit and options.max_retries and options.autoretry_for


# --- truonghoc.bulk.upsert_rows -------------------------------------------------------------------------

COLUMNS = services.SUBJECT_RESULT_COLUMNS
KEYS = services.SUBJECT_RESULT_KEY


def result_rows(book, subjects, average, level, at):
    student = book.students[0]
    return [
        (student.pk, book.school.pk, book.school_class.pk, book.year, 1, subject, average, level, at)
        for subject in subjects
    ]


def check_upsert(book, copy_from):
    at = timezone.now().replace(microsecond=123456)
    # text COPY must carry: a tab, a backslash, a new line, "\N" as text, an empty string, None, Vietnamese
    subjects = ["Toán", "Tab\there", "Back\\slash", "Line\nbreak", "\\N", "Giáo dục thể chất"]
    first = result_rows(book, subjects, D("8.5"), "", at)
    assert upsert_rows(SubjectResult, COLUMNS, KEYS, first, copy_from=copy_from) == 6
    later = at + timedelta(hours=1)
    changed = result_rows(book, subjects[:2], None, "CD", later) + result_rows(book, ["Ngữ văn"], D("10.0"), "", later)
    assert upsert_rows(SubjectResult, COLUMNS, KEYS, changed, copy_from=copy_from) == 3
    values = SubjectResult.objects.values_list("subject", "average", "level", "computed_at")
    stored = {row[0]: row[1:] for row in values}
    assert stored == {
        "Toán": (None, "CD", later),
        "Tab\there": (None, "CD", later),
        "Back\\slash": (D("8.5"), "", at),
        "Line\nbreak": (D("8.5"), "", at),
        "\\N": (D("8.5"), "", at),
        "Giáo dục thể chất": (D("8.5"), "", at),
        "Ngữ văn": (D("10.0"), "", later),
    }
    assert SubjectResult.objects.filter(school=book.school).count() == 7  # updated in place, no duplicate


def test_upsert_rows_with_multi_row_inserts(book):
    with CaptureQueriesContext(connection) as queries:
        check_upsert(book, copy_from=10**6)
    assert not [q for q in queries.captured_queries if q["sql"].startswith("COPY")]
    assert upsert_rows(SubjectResult, COLUMNS, KEYS, []) == 0


@pytest.mark.skipif(connection.vendor != "postgresql", reason="COPY … FROM STDIN is PostgreSQL's; SQLite has none")
def test_upsert_rows_through_copy_on_postgresql(book):
    with CaptureQueriesContext(connection) as queries:
        check_upsert(book, copy_from=1)
    copies = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("COPY")]
    assert len(copies) == 2  # one per call: the rows travel in the stream, not as parameters
    assert not [name for name in connection.introspection.table_names() if name.startswith("_upsert_")]


def test_many_writes_in_one_transaction_recompute_each_student_once(book, django_capture_on_commit_callbacks):
    """A file of marks is applied in one transaction: its students are recomputed once each at commit, not
    once per cell (services.results_recompute_on_commit)."""
    from django.db import transaction

    first, second, _third = book.students
    with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
        for student in (first, second):
            for index, value in enumerate(("8", "7", "9"), start=1):
                services.mark_set(
                    actor=book.maths, student_id=student.pk, school_class=book.school_class, subject="Toán",
                    semester=1, kind="tx", index=index, value=value,
                )  # fmt: skip
        assert not SubjectResult.objects.exists()  # nothing recomputed before the commit
    assert len(callbacks) == 1
    recomputed = set(SubjectResult.objects.filter(subject="Toán").values_list("student_id", flat=True))
    assert recomputed == {first.pk, second.pk}


def test_a_rolled_back_write_schedules_no_recompute(book, django_capture_on_commit_callbacks):
    from django.db import transaction

    student = book.students[0]
    with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
        try:
            with transaction.atomic():
                services.mark_set(
                    actor=book.maths, student_id=student.pk, school_class=book.school_class, subject="Toán",
                    semester=1, kind="tx", index=1, value="8",
                )  # fmt: skip
                raise RuntimeError("the file failed")
        except RuntimeError:
            pass
    assert callbacks == [] and not Mark.objects.exists()
