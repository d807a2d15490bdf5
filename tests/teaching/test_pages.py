"""The plans' pages: the list (filters, empty state, paging), creating a plan, the lessons table and its
htmx partials, submitting, deciding, the read-only view after approval, the share page; each for the
right role, the wrong role and another school."""

import pytest
from django.urls import reverse

from approvals.models import Status
from teaching import services
from teaching.models import LessonMode, PlanLesson, PlanLevel, TeachingPlan
from teaching.selectors import online_share

from .conftest import approve, group_plan

pytestmark = pytest.mark.django_db


def test_the_list_shows_an_empty_state_then_the_plans(client, school):
    client.force_login(school.teacher)
    page = client.get(reverse("teaching:plans"))
    assert page.status_code == 200
    assert b'data-testid="empty"' in page.content
    plan = group_plan(school)
    client.force_login(school.leader)
    page = client.get(reverse("teaching:plans"))
    assert reverse("teaching:plan", kwargs={"pk": plan.pk}).encode() in page.content
    filtered = client.get(reverse("teaching:plans"), {"subject": "Toán", "grade": "7"})
    assert b'data-testid="empty-filtered"' in filtered.content
    hostile = client.get(reverse("teaching:plans"), {"grade": "x", "status": "nope", "page": "999"})
    assert hostile.status_code == 200


def test_creating_a_plan_from_the_page(client, school):
    client.force_login(school.leader)
    page = client.get(reverse("teaching:plan_new"))
    assert page.status_code == 200
    answer = client.post(
        reverse("teaching:plan_new"),
        {"level": PlanLevel.GROUP, "group": str(school.group.pk), "subject_grade": "6|Toán", "source": ""},
    )
    plan = TeachingPlan.objects.get(subject="Toán", grade=6)
    assert answer.status_code == 302 and answer.url == reverse("teaching:plan_edit", kwargs={"pk": plan.pk})
    assert plan.lessons.count() == 35 and plan.level == PlanLevel.GROUP
    again = client.post(
        reverse("teaching:plan_new"),
        {"level": PlanLevel.GROUP, "group": str(school.group.pk), "subject_grade": "6|Toán", "source": ""},
    )
    assert again.status_code == 200 and TeachingPlan.objects.count() == 1  # refused with its message


def test_a_teacher_may_not_create_a_group_plan_from_the_page(client, school):
    client.force_login(school.teacher)
    answer = client.post(
        reverse("teaching:plan_new"),
        {"level": PlanLevel.GROUP, "group": str(school.group.pk), "subject_grade": "6|Toán"},
    )
    assert answer.status_code == 200
    assert not TeachingPlan.objects.exists()


def test_a_student_or_an_office_cannot_create(client, school):
    from tests.accounts.factories import make_person

    student = make_person(unit=school.tree.c1, role="student")
    client.force_login(student)
    assert client.get(reverse("teaching:plan_new")).status_code == 403


def test_the_lessons_table_answers_htmx_with_its_partial(client, school):
    plan = group_plan(school)
    lesson = plan.lessons.get(position=1)
    client.force_login(school.leader)
    page = client.get(reverse("teaching:plan_edit", kwargs={"pk": plan.pk}))
    assert page.status_code == 200 and b'id="lessons-table"' in page.content
    answer = client.post(
        reverse("teaching:lesson_save", kwargs={"pk": lesson.pk}),
        {"title": "Tập hợp", "periods": "4", "week": "1", "mode": LessonMode.LMS, "live_session": "", "section": ""},
        HTTP_HX_REQUEST="true",
    )
    assert answer.status_code == 200
    content = answer.content.decode()
    assert content.lstrip().startswith('<div id="lessons-table"') and "<html" not in content
    lesson.refresh_from_db()
    assert (lesson.title, lesson.mode) == ("Tập hợp", LessonMode.LMS)
    bad = client.post(
        reverse("teaching:lesson_save", kwargs={"pk": lesson.pk}),
        {"title": "Tập hợp", "periods": "0", "week": "60", "mode": LessonMode.LMS},
        HTTP_HX_REQUEST="true",
    )
    assert b'data-testid="row-error"' in bad.content
    lesson.refresh_from_db()
    assert lesson.periods == 4
    client.post(reverse("teaching:lesson_add", kwargs={"pk": plan.pk}), HTTP_HX_REQUEST="true")
    assert plan.lessons.count() == 36
    last = plan.lessons.order_by("-position").first()
    client.post(reverse("teaching:lesson_up", kwargs={"pk": last.pk}), HTTP_HX_REQUEST="true")
    last.refresh_from_db()
    assert last.position == 35
    client.post(reverse("teaching:lesson_remove", kwargs={"pk": last.pk}), HTTP_HX_REQUEST="true")
    assert plan.lessons.count() == 35


def test_others_cannot_edit_the_lessons(client, school):
    plan = group_plan(school)
    lesson = plan.lessons.get(position=1)
    data = {"title": "X", "periods": "4", "week": "1", "mode": LessonMode.DIRECT}
    client.force_login(school.teacher)  # sees nothing of the group's draft? The leader's draft: not theirs
    assert client.post(reverse("teaching:lesson_save", kwargs={"pk": lesson.pk}), data).status_code == 404
    client.force_login(school.stranger)
    assert client.get(reverse("teaching:plan", kwargs={"pk": plan.pk})).status_code == 404
    assert client.post(reverse("teaching:lesson_remove", kwargs={"pk": lesson.pk})).status_code == 404
    client.force_login(school.principal)  # sees it, does not write the group's plan
    assert client.get(reverse("teaching:plan", kwargs={"pk": plan.pk})).status_code == 200
    assert client.post(reverse("teaching:lesson_save", kwargs={"pk": lesson.pk}), data).status_code == 403
    assert PlanLesson.objects.get(pk=lesson.pk).title != "X"


def test_submit_decide_and_the_read_only_view(client, school):
    plan = group_plan(school)
    client.force_login(school.leader)
    lesson = plan.lessons.get(position=1)
    client.post(
        reverse("teaching:lesson_save", kwargs={"pk": lesson.pk}),
        {"title": "Bài 1", "periods": "9", "week": "1", "mode": LessonMode.LIVE},
    )
    refused = client.post(reverse("teaching:plan_submit", kwargs={"pk": plan.pk}), follow=True)
    assert "145" in refused.content.decode() and "140" in refused.content.decode()
    plan.refresh_from_db()
    assert plan.status == Status.DRAFT
    client.post(
        reverse("teaching:lesson_save", kwargs={"pk": lesson.pk}),
        {"title": "Bài 1", "periods": "4", "week": "1", "mode": LessonMode.LIVE},
    )
    client.post(reverse("teaching:plan_submit", kwargs={"pk": plan.pk}))
    plan.refresh_from_db()
    assert plan.status == Status.SUBMITTED
    # The leader wrote it: the school's managers take the group step.
    client.force_login(school.principal)
    listing = client.get(reverse("teaching:plans"))
    assert reverse("teaching:plan_decide", kwargs={"pk": plan.pk}).encode() in listing.content
    client.post(reverse("teaching:plan_decide", kwargs={"pk": plan.pk}), {"decision": "approve"})
    client.post(reverse("teaching:plan_decide", kwargs={"pk": plan.pk}), {"decision": "approve"})
    plan.refresh_from_db()
    assert plan.status == Status.APPROVED
    client.force_login(school.leader)
    view = client.get(reverse("teaching:plan", kwargs={"pk": plan.pk}))
    assert b'data-testid="trail"' in view.content and b'data-testid="plan-edit"' not in view.content
    assert client.get(reverse("teaching:plan_edit", kwargs={"pk": plan.pk})).status_code == 302
    client.force_login(school.colleague)  # another group's teacher now sees the approved plan
    assert client.get(reverse("teaching:plan", kwargs={"pk": plan.pk})).status_code == 200
    client.force_login(school.stranger)
    assert (
        client.post(reverse("teaching:plan_decide", kwargs={"pk": plan.pk}), {"decision": "approve"}).status_code == 404
    )


def test_the_share_page_for_the_school_and_above(client, school):
    plan = group_plan(school)
    approve(plan, school)
    url = reverse("teaching:share", kwargs={"unit_id": school.school.pk})
    for user in (school.principal, school.teacher, school.leader):
        client.force_login(user)
        page = client.get(url)
        assert page.status_code == 200 and b'data-testid="below-target"' in page.content
    client.force_login(school.stranger)
    assert client.get(url).status_code == 404
    from tests.accounts.factories import make_person

    office = make_person(unit=school.tree.office_a1, role="office_staff")
    client.force_login(office)
    assert client.get(url).status_code == 200
    office_page = client.get(reverse("teaching:share", kwargs={"unit_id": school.tree.office_a1.pk}))
    assert office_page.status_code == 200 and b'data-testid="share-schools"' in office_page.content
    other_office = reverse("teaching:share", kwargs={"unit_id": school.tree.office_b1.pk})
    assert client.get(other_office).status_code == 404
    assert client.get(url, {"year": "abc"}).status_code == 200


def test_the_share_costs_the_same_queries_for_more_plans(school, django_assert_max_num_queries):
    approve(group_plan(school, "Toán", 6), school)
    online_share(unit=school.school, school_year=school.year)  # warms the programme's cache
    with django_assert_max_num_queries(8):
        online_share(unit=school.school, school_year=school.year)
    for subject in ("Ngữ văn", "Khoa học tự nhiên", "Tin học"):
        approve(group_plan(school, subject, 7), school)
    with django_assert_max_num_queries(8):
        share = online_share(unit=school.school, school_year=school.year)
    assert sum(1 for row in share.schools[0].rows if row.source) == 4


def test_a_plan_downloads_as_xlsx(client, school):
    from io import BytesIO

    from openpyxl import load_workbook

    plan = group_plan(school)
    first = plan.lessons.get(position=1)
    services.lesson_update(actor=school.leader, lesson=first, title="Tập hợp", periods=4, week=1, mode=LessonMode.LMS)
    client.force_login(school.leader)
    answer = client.get(reverse("teaching:plan_xlsx", kwargs={"pk": plan.pk}))
    assert answer.status_code == 200
    assert "ke-hoach-toan-lop-6" in answer["Content-Disposition"]
    sheet = load_workbook(BytesIO(answer.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert "Toán" in rows[0][0] and school.group.name in rows[0][0]
    assert rows[2][:4] == (1, 1, "Tập hợp", 4)
    assert len(rows) == 2 + 35 + 3
    assert rows[-3][3] == 140 and rows[-2][3] == 4 and rows[-1][3] == 140
    client.force_login(school.stranger)
    assert client.get(reverse("teaching:plan_xlsx", kwargs={"pk": plan.pk})).status_code == 404


def test_the_home_page_links_teachers_to_the_plans(client, school):
    from tests.accounts.factories import make_person

    client.force_login(school.teacher)
    assert b'data-testid="home-teaching-plans"' in client.get("/").content
    client.force_login(make_person(unit=school.tree.c1, role="student"))
    assert b'data-testid="home-teaching-plans"' not in client.get("/").content
