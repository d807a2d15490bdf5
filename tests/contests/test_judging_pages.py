"""Judging pages (issue #18, points 3 and 4): the judge's queue (anonymised, constant queries), scoring
through the page with its refusals, the product file under its code, and who may open what (organiser,
judge, participant, another unit, anonymous)."""

from decimal import Decimal

import pytest
from django.urls import reverse

from contests import judging
from contests.models import JudgeAssignment, Score
from tests.accounts.factories import make_person
from units.models import Role

from .judging_world import enter_product, world

pytestmark = pytest.mark.django_db


@pytest.fixture
def w(tree):
    w = world(tree)
    judging.judges_add(actor=w.organiser, round_=w.round, judges=list(w.judges.values()))
    judging.judges_assign_auto(actor=w.organiser, round_=w.round)
    w.other_unit = make_person(unit=tree.dept_b, role=Role.DEPARTMENT_STAFF, full_name="Sở Khác")
    return w


def _assignment(w, judge_key="office"):
    return JudgeAssignment.objects.filter(judge=w.judges[judge_key]).order_by("pk").first()


def _post_score(client, w, assignment, content, form):
    return client.post(
        reverse("contests:judge_score", args=[assignment.pk]),
        {f"c{w.content.pk}": content, f"c{w.form.pk}": form, "comment": "Tốt"},
    )


def test_queue_shows_codes_never_names_or_schools(w, client):
    judge = w.judges["office"]
    client.force_login(judge)
    page = client.get(reverse("contests:judge_queue")).content.decode()
    mine = JudgeAssignment.objects.filter(judge=judge)
    assert page.count('data-testid="queue-row"') == mine.count() > 0
    for assignment in mine:
        assert judging.anonymous_code(assignment.product_id) in page
    for student in w.students.values():  # their titles name them ("Sản phẩm của …"): masked
        assert student.full_name not in page
    for school in (w.tree.s1, w.tree.s2, w.tree.s3):
        assert school.name not in page


def test_score_page_and_file_are_anonymous(w, client):
    assignment = _assignment(w)
    student = assignment.product.entry.registration.user
    client.force_login(w.judges["office"])
    page = client.get(reverse("contests:judge_score", args=[assignment.pk])).content.decode()
    assert judging.anonymous_code(assignment.product_id) in page
    assert student.username not in page and student.full_name not in page
    assert "Sản phẩm của ***" in page
    assert assignment.product.entry.registration.school.name not in page
    response = client.get(reverse("contests:judge_file", args=[assignment.pk]))
    assert response.status_code == 200
    disposition = response["Content-Disposition"]
    assert judging.anonymous_code(assignment.product_id) in disposition
    assert student.username not in disposition and "bai" not in disposition


def test_queue_costs_the_same_queries_for_few_or_many_products(w, client, django_assert_max_num_queries):
    judge = w.judges["office"]
    client.force_login(judge)
    client.get(reverse("contests:judge_queue"))  # warm the session
    before = JudgeAssignment.objects.filter(judge=judge).count()
    with django_assert_max_num_queries(8) as few:
        client.get(reverse("contests:judge_queue"))
    for n in range(20):
        person = make_person(unit=w.tree.c2, role=Role.STUDENT, full_name=f"Học Sinh {n}")
        product = enter_product(w.round, person=person, school=w.tree.s1)
        JudgeAssignment.objects.create(round=w.round, judge=judge, product=product, assigned_by=w.organiser)
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(reverse("contests:judge_queue")).content.decode()
    assert page.count('data-testid="queue-row"') == JudgeAssignment.objects.filter(judge=judge).count() == before + 20


def test_scoring_through_the_page(w, client, english_pages):
    assignment = _assignment(w)
    client.force_login(w.judges["office"])
    refused = _post_score(client, w, assignment, "12", "4")
    assert refused.status_code == 200
    assert "must be between 0 and 10" in refused.content.decode()
    assert not Score.objects.exists()
    saved = _post_score(client, w, assignment, "9", "4,5")
    assert saved.status_code == 302
    assert Score.objects.get().total == Decimal("22.50")


def test_score_after_the_lock_changes_nothing(w, client, english_pages):
    assignment = _assignment(w)
    client.force_login(w.judges["office"])
    _post_score(client, w, assignment, "9", "4")
    judging.scores_lock(actor=w.organiser, round_=w.round)
    page = _post_score(client, w, assignment, "1", "1").content.decode()
    assert "scores are locked" in page
    assert Score.objects.get().total == Decimal("22.00")


def test_who_may_open_the_judging_pages(w, client):
    """Organiser, judge, participant, another unit's staff, anonymous."""
    assignment = _assignment(w)
    judges_page = reverse("contests:round_judges", args=[w.round.pk])
    score_page = reverse("contests:judge_score", args=[assignment.pk])
    expected = {
        "organiser": (200, 404),
        "judge": (404, 200),
        "other_judge": (404, 404),
        "participant": (404, 404),
        "other_unit": (404, 404),
    }
    people = {
        "organiser": w.organiser,
        "judge": w.judges["office"],
        "other_judge": next(j for j in w.judges.values() if not JudgeAssignment.objects.filter(
            pk=assignment.pk, judge=j).exists()),
        "participant": w.students["s1"],
        "other_unit": w.other_unit,
    }  # fmt: skip
    for who, (judges_status, score_status) in expected.items():
        client.force_login(people[who])
        assert client.get(judges_page).status_code == judges_status, who
        assert client.get(score_page).status_code == score_status, who
        assert client.get(reverse("contests:judge_file", args=[assignment.pk])).status_code == score_status, who
    client.logout()
    for url in (judges_page, score_page, reverse("contests:judge_queue")):
        response = client.get(url)
        assert response.status_code == 302 and "/login/" in response["Location"]


def test_only_the_organiser_assigns(w, client):
    JudgeAssignment.objects.all().delete()
    url = reverse("contests:round_assign", args=[w.round.pk])
    client.force_login(w.other_unit)
    assert client.post(url).status_code == 404
    assert not JudgeAssignment.objects.exists()
    client.force_login(w.organiser)
    assert client.post(url).status_code == 302
    assert JudgeAssignment.objects.count() == 6


def test_rubric_page(w, client, english_pages):
    url = reverse("contests:round_rubric", args=[w.round.pk])
    client.force_login(w.judges["s1"])
    assert client.get(url).status_code == 404
    client.force_login(w.organiser)
    page = client.get(url).content.decode()
    assert "Nội dung; 2; 10; Tốt 8–10" in page  # the current rubric, as lines
    assert client.post(url, {"lines": "Sáng tạo; 1; 10"}).status_code == 302
    assert [c.title for c in judging.criteria_of(w.round)] == ["Sáng tạo"]
    refused = client.post(url, {"lines": "Sáng tạo; một; 10"})
    assert "Line 1" in refused.content.decode()
    assert [c.title for c in judging.criteria_of(w.round)] == ["Sáng tạo"]
