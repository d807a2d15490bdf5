"""Studying: the course page (purpose first, dates, draft/closed notes, links to the forums, assignments and
live sessions), marking sections done (idempotent, completion, htmx), the page's fixed query cost, and the
progress table and its export for instructors and overseers only."""

import io
import re
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from courses.models import Course, Enrolment, SectionProgress
from courses.services.authoring import course_publish
from courses.services.enrolment import learning_group_register, section_mark_done
from tests.accounts.factories import complete_profile, make_person
from tests.courses.factories import enrol, make_course, make_section
from units.models import Role

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english_pages")]
HCM = ZoneInfo("Asia/Ho_Chi_Minh")


@pytest.fixture
def course(tree, people):
    course = make_course(unit=tree.s1, author=people.teacher, status=Course.Status.DRAFT, title="GDPT 2018")
    return course_publish(actor=people.teacher, course=course)


def fresh(user):
    return type(user).objects.get(pk=user.pk)


def test_course_page_shows_the_purpose_before_the_sections_and_its_dates(client, course, people):
    make_section(course=course, position=1, title="Phần một", body="<p>Nội dung phần một</p>")
    enrol(course=course, user=people.student)
    client.force_login(people.student)
    html = client.get(reverse("courses:course", args=[course.pk])).content.decode()
    assert html.index('data-testid="purpose"') < html.index("Nội dung phần một")
    assert course.created_at.astimezone(HCM).strftime("%d/%m/%Y %H:%M") in html
    assert course.published_at.astimezone(HCM).strftime("%d/%m/%Y %H:%M") in html
    assert 'data-testid="discussion-link"' in html and 'data-testid="questions-link"' in html
    assert reverse("courses:assignments", args=[course.pk]) in html
    assert reverse("courses:live_sessions", args=[course.pk]) in html
    assert 'data-testid="progress"' in html and "0 of 1 section done" in html


def test_audience_member_sees_titles_not_content_until_registered(client, course, people):
    make_section(course=course, position=1, title="Phần một", body="<p>Bí mật của bài</p>")
    client.force_login(people.teacher3)
    html = client.get(reverse("courses:course", args=[course.pk])).content.decode()
    assert "Phần một" in html and "Bí mật của bài" not in html
    assert 'data-testid="register"' in html and 'data-testid="discussion-link"' not in html


@pytest.mark.parametrize(("who", "status"), [("other_school", 404), ("other_office", 404), ("office", 200)])
def test_course_page_scope(client, course, people, who, status):
    client.force_login(getattr(people, who))
    assert client.get(reverse("courses:course", args=[course.pk])).status_code == status


def test_draft_is_marked_and_hidden_from_learners(client, tree, people):
    course = make_course(unit=tree.s1, author=people.teacher, status=Course.Status.DRAFT, purpose="")
    client.force_login(people.teacher)
    html = client.get(reverse("courses:course", args=[course.pk])).content.decode()
    assert 'data-testid="draft-note"' in html and 'data-testid="status-draft"' in html
    assert 'data-testid="no-purpose"' in html
    client.force_login(people.teacher3)
    assert client.get(reverse("courses:course", args=[course.pk])).status_code == 404


def test_marking_sections_done_completes_the_course(client, course, people):
    first = make_section(course=course, position=1)
    second = make_section(course=course, position=2)
    removed = make_section(course=course, position=3)
    removed.deleted_at = removed.created_at
    removed.save()
    enrolment = enrol(course=course, user=people.student)
    client.force_login(people.student)
    client.post(reverse("courses:section_done", args=[first.pk]))
    client.post(reverse("courses:section_done", args=[first.pk]))
    enrolment.refresh_from_db()
    assert enrolment.sections_done == 1 and enrolment.completed_at is None
    assert SectionProgress.objects.filter(enrolment=enrolment).count() == 1
    response = client.post(reverse("courses:section_done", args=[second.pk]), HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200 and 'data-testid="section-done"' in html
    assert 'hx-swap-oob="true"' in html and "100%" in html
    enrolment.refresh_from_db()
    assert enrolment.sections_done == 2 and enrolment.completed_at is not None
    assert client.post(reverse("courses:section_done", args=[removed.pk])).status_code == 404


def test_only_enrolled_learners_mark_sections(client, course, people):
    section = make_section(course=course)
    client.force_login(people.teacher3)
    response = client.post(reverse("courses:section_done", args=[section.pk]), follow=True)
    assert "Register for the course to record your progress." in response.content.decode()
    response = client.post(reverse("courses:section_done", args=[section.pk]), HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and f'id="done-{section.pk}"' in response.content.decode()
    assert "Register for the course" in response.content.decode()
    client.force_login(people.other_school)
    assert client.post(reverse("courses:section_done", args=[section.pk])).status_code == 404
    assert not SectionProgress.objects.exists()


@pytest.mark.parametrize("sections", [3, 30])
def test_course_page_costs_a_fixed_number_of_queries(
    client, tree, course, people, sections, django_assert_max_num_queries
):
    for n in range(sections):
        make_section(course=course, position=n + 1)
    group = learning_group_register(
        actor=people.leader, course=course, name="Nhóm", scope=f"u{tree.s1.pk}", leader=people.teacher2, members=[]
    )
    for _ in range(sections):
        enrol(course=course, user=make_person(unit=tree.g2, role=Role.TEACHER))
    client.force_login(people.teacher2)
    url = reverse("courses:course", args=[course.pk])
    # The course, its unit and author are one-row reads each (truonghoc.sql.instance), cheaper than one join
    # to build; what matters is that the count does not grow with sections and learners.
    with django_assert_max_num_queries(17):
        html = client.get(url).content.decode()
    assert html.count('data-testid="section"') == sections and group.name in html
    client.force_login(people.teacher)
    with django_assert_max_num_queries(17):
        client.get(url)


# --- everyone's progress -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "status"),
    [("teacher", 200), ("principal", 200), ("office", 200), ("student", 403), ("teacher3", 403), ("other_office", 404)],
)
def test_progress_page_for_instructors_and_overseers(client, course, people, who, status):
    enrol(course=course, user=people.student)
    client.force_login(getattr(people, who))
    response = client.get(reverse("courses:progress", args=[course.pk]))
    assert response.status_code == status
    if status == 200:
        assert people.student.full_name in response.content.decode()


def test_progress_table_and_export(client, tree, course, people, django_assert_max_num_queries):
    sections = [make_section(course=course, position=n) for n in (1, 2, 3, 4)]
    learners = [complete_profile(make_person(unit=tree.c1, role=Role.STUDENT)) for _ in range(12)]
    for learner in learners:
        enrol(course=course, user=learner)
    section_mark_done(actor=fresh(learners[0]), section=sections[0])
    enrolment = Enrolment.objects.get(user=learners[0])
    client.force_login(people.teacher)
    url = reverse("courses:progress", args=[course.pk])
    with django_assert_max_num_queries(15):
        html = client.get(url).content.decode()
    assert html.count('data-testid="progress-row"') == 12
    row = re.search(rf"{re.escape(learners[0].full_name)}.*?</tr>", html, re.S).group(0)
    assert "1 / 4" in row and "25%" in row
    response = client.get(url, {"format": "xlsx"})
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[1][0] == "Learner" and len(rows) == 2 + 12
    exported = next(r for r in rows if r[0] == learners[0].full_name)
    assert exported[4:7] == (1, 4, 25)
    assert exported[8] == enrolment.progress.get().done_at.astimezone(HCM).strftime("%d/%m/%Y %H:%M")
