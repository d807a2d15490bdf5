"""Experiential activities, the pages: the permission matrix (the owner, the principal read-only, another
teacher, another school, the class's students — their own team only —, a parent, anonymous), the forms
through the pages, and list pages whose queries do not grow with their rows."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from contests import activities
from contests.models import Activity, ActivityContestEntry, Assessment, Participation, Stage, StageProductVersion
from tests.contests.activities_world import make_world, pdf
from tests.contests.conftest import make_contest


@pytest.fixture
def w(tree):
    world = make_world(tree)
    world.version = activities.stage_product_submit(actor=world.an, stage=world.survey, title="Phiếu", upload=pdf())
    activities.assessment_submit(actor=world.binh, activity=world.activity, subject=world.an, score=4, comment="Tốt")
    activities.assessment_submit(actor=world.cuong, activity=world.activity, subject=world.an, score=5)
    activities.team_comment_set(actor=world.teacher, team=world.sun, comment="Nhóm làm việc chăm chỉ", mark="9")
    return world


def get(client, user, url):
    client.logout()
    if user is not None:
        client.force_login(user)
    return client.get(url)


TEACHER_PAGE = [
    ("teacher", 200),
    ("principal", 200),
    ("maths", 404),
    ("other_teacher", 404),
    ("far_teacher", 404),
    ("an", 404),
    ("mother", 404),
    (None, 302),
]


@pytest.mark.parametrize(("who", "status"), TEACHER_PAGE)
def test_the_teachers_pages_are_the_owners_and_the_principals(client, w, who, status):
    user = getattr(w, who) if who else None
    for url in (reverse("contests:activity", args=[w.activity.pk]), reverse("contests:activity_team", args=[w.sun.pk])):
        assert get(client, user, url).status_code == status, url


@pytest.mark.parametrize(
    ("who", "status"), [("teacher", 200), ("principal", 404), ("maths", 404), ("an", 404), (None, 302)]
)
def test_only_the_owner_reaches_the_writing_pages(client, w, who, status):
    user = getattr(w, who) if who else None
    for name, pk in (
        ("contests:activity_edit", w.activity.pk),
        ("contests:activity_stage_new", w.activity.pk),
        ("contests:activity_team_new", w.activity.pk),
        ("contests:activity_stage_edit", w.survey.pk),
        ("contests:activity_enter", w.sun.pk),
    ):
        assert get(client, user, reverse(name, args=[pk])).status_code == status, name


def test_the_principal_reads_without_buttons_and_cannot_write(client, w):
    page = get(client, w.principal, reverse("contests:activity", args=[w.activity.pk])).content.decode()
    assert "Dự án: Em yêu môi trường" in page and "Nhóm Mặt Trời" in page and "Trần Thị Bình: 4" in page
    assert 'data-testid="activity-close"' not in page and "Thêm giai đoạn" not in page
    assert client.post(reverse("contests:activity_close", args=[w.activity.pk])).status_code == 404
    assert client.post(reverse("contests:activity_team", args=[w.sun.pk]), {"comment": "x"}).status_code == 404
    assert Activity.objects.get(pk=w.activity.pk).status == Activity.Status.OPEN
    owner = get(client, w.teacher, reverse("contests:activity", args=[w.activity.pk])).content.decode()
    assert 'data-testid="activity-close"' in owner and "<script>alert" not in owner


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("an", 200),
        ("dung", 200),
        ("mother", 200),
        ("other_parent", 200),
        ("hoa", 404),
        ("khac", 404),
        ("teacher", 404),
        ("principal", 404),
        (None, 302),
    ],
)
def test_the_students_page_is_the_class_students_and_their_parents(client, w, who, status):
    user = getattr(w, who) if who else None
    assert get(client, user, reverse("contests:my_activity", args=[w.activity.pk])).status_code == status


def test_a_student_sees_their_own_team_only_and_peer_ratings_without_names(client, w):
    url = reverse("contests:my_activity", args=[w.activity.pk])
    an = get(client, w.an, url).content.decode()
    assert "Nhóm Mặt Trời" in an and "Nhóm làm việc chăm chỉ" in an and "Phiếu" in an
    assert "4,5/5" in an or "4.5/5" in an  # the average of Bình's 4 and Cường's 5
    assert "Tốt" in an and "Trần Thị Bình: 4" not in an
    dung = get(client, w.dung, url).content.decode()
    assert "Nhóm Ngôi Sao" in dung and "Nhóm làm việc chăm chỉ" not in dung and "san-pham.pdf" not in dung
    # An's mother reads An's team and the teacher's comment, and hands in nothing.
    mother = get(client, w.mother, url).content.decode()
    assert "Nhóm làm việc chăm chỉ" in mother and 'data-testid="assess-form"' not in mother
    assert 'data-testid="stage-submit"' not in mother
    # Dũng's father reads Dũng's team, not An's.
    father = get(client, w.other_parent, url).content.decode()
    assert "Nhóm Ngôi Sao" in father and "Nhóm làm việc chăm chỉ" not in father


def test_a_draft_is_nobodys_but_its_teachers(client, w):
    draft = activities.activity_create(actor=w.teacher, school_class=w.tree.c1, title="Nháp bí mật")
    for who in (w.an, w.mother):
        assert get(client, who, reverse("contests:my_activity", args=[draft.pk])).status_code == 404
        assert "Nháp bí mật" not in get(client, who, reverse("contests:my_activities")).content.decode()
    assert get(client, w.teacher, reverse("contests:activity", args=[draft.pk])).status_code == 200


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("an", 200),
        ("binh", 200),
        ("teacher", 200),
        ("principal", 200),
        ("mother", 200),
        ("dung", 404),
        ("other_parent", 404),
        ("hoa", 404),
        ("maths", 404),
        ("far_teacher", 404),
        (None, 302),
    ],
)
def test_a_stage_file_goes_to_its_team_the_teacher_the_principal_and_a_members_parent(client, w, who, status):
    user = getattr(w, who) if who else None
    response = get(client, user, reverse("contests:activity_file", args=[w.version.pk]))
    assert response.status_code == status
    if status == 200:
        assert b"".join(response.streaming_content).startswith(b"%PDF")


# --- through the pages ---------------------------------------------------------------------------------


def test_the_teacher_creates_an_activity_with_a_stage_and_a_team_through_the_pages(client, w):
    client.force_login(w.teacher)
    response = client.post(
        reverse("contests:activity_new"),
        {"school_class": w.tree.c1.pk, "title": "Trồng cây xanh", "goal": "Hiểu về cây", "whole_class": "on"},
    )
    made = Activity.objects.get(title="Trồng cây xanh")
    assert response.status_code == 302 and made.status == Activity.Status.DRAFT
    due = timezone.localtime() + timedelta(days=3)
    client.post(
        reverse("contests:activity_stage_new", args=[made.pk]),
        {"stage-name": "Gieo hạt", "stage-due_at": due.strftime("%d/%m/%Y %H:%M")},
    )
    late = client.post(
        reverse("contests:activity_stage_new", args=[made.pk]),
        {"stage-name": "Sớm hơn", "stage-due_at": (due - timedelta(days=1)).strftime("%d/%m/%Y %H:%M")},
    )
    assert late.status_code == 200 and "Giai đoạn trước (Gieo hạt)" in late.content.decode()
    assert list(made.stages.values_list("name", flat=True)) == ["Gieo hạt"]
    client.post(
        reverse("contests:activity_team_new", args=[made.pk]),
        {"team-name": "Nhóm Lá", "team-members": [w.an.pk, w.binh.pk], "team-leader": w.binh.pk},
    )
    team = made.teams.get()
    assert team.members.get(is_leader=True).student == w.binh
    stranger = client.post(
        reverse("contests:activity_team_new", args=[made.pk]),
        {"team-name": "Nhóm Lạ", "team-members": [w.hoa.pk]},
    )
    assert stranger.status_code == 200 and made.teams.count() == 1
    client.post(reverse("contests:activity_open", args=[made.pk]))
    assert Activity.objects.get(pk=made.pk).status == Activity.Status.OPEN


def test_a_student_hands_in_and_rates_through_the_pages(client, w):
    client.force_login(w.binh)
    url = reverse("contests:activity_stage_submit", args=[w.poster.pk])
    response = client.post(url, {"title": "Poster", "file": pdf("poster.pdf")})
    assert response.status_code == 302
    assert StageProductVersion.objects.filter(product__stage=w.poster, product__team=w.sun).count() == 1
    wrong = client.post(url, {"title": "Poster", "file": pdf("poster.pdf", b"not a pdf at all")})
    assert wrong.status_code == 200 and "poster.pdf có đuôi .pdf nhưng nội dung không đúng" in wrong.content.decode()
    assert StageProductVersion.objects.filter(product__stage=w.poster).count() == 1
    assess = reverse("contests:activity_assess", args=[w.activity.pk])
    client.post(assess, {"subject": w.binh.pk, "kind": "self", "score": "4"})
    client.post(assess, {"subject": w.an.pk, "kind": "peer", "score": "5", "comment": "Trưởng nhóm giỏi"})
    refused = client.post(assess, {"subject": w.binh.pk, "kind": "peer", "score": "5"}, follow=True)
    assert "tự đánh giá" in refused.content.decode() or "yourself" in refused.content.decode()
    client.post(assess, {"subject": w.an.pk, "kind": "peer", "score": "9"})
    rows = Assessment.objects.filter(assessor=w.binh)
    assert {(a.subject_id, a.kind, a.score) for a in rows} == {(w.binh.pk, "self", 4), (w.an.pk, "peer", 5)}


def test_the_teacher_enters_a_product_into_a_contest_through_the_page(client, w, people):
    contest = make_contest(
        actor=people.office, organiser=w.tree.office_a1, participation=Participation.TEAM, team_min=2, team_max=5
    )
    rnd = contest.rounds.get(order=1)
    client.force_login(w.teacher)
    url = reverse("contests:activity_enter", args=[w.sun.pk])
    page = client.get(url).content.decode()
    assert contest.title in page and "Phiếu" in page
    response = client.post(url, {"round": rnd.pk, "version": w.version.pk, "team_name": ""})
    assert response.status_code == 302
    row = ActivityContestEntry.objects.get()
    assert row.entry.round == rnd and row.team == w.sun
    # The star team's product cannot be entered from the sun team's page.
    star = activities.stage_product_submit(actor=w.dung, stage=w.survey, description="Sao")
    assert client.post(url, {"round": rnd.pk, "version": star.pk}).status_code == 200
    assert ActivityContestEntry.objects.count() == 1


# --- lists: pagination, empty states, queries that do not grow -------------------------------------------


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def _more_activities(w, n):
    now = timezone.now()
    for i in range(n):
        made = activities.activity_create(actor=w.teacher, school_class=w.tree.c1, title=f"Hoạt động {i}")
        activities.stage_add(actor=w.teacher, activity=made, name="Một", due_at=now + timedelta(days=3))
        activities.activity_open(actor=w.teacher, activity=made)


def test_the_list_pages_cost_the_same_queries_with_more_rows(client, w):
    lists = [
        (w.teacher, reverse("contests:activities")),
        (w.principal, reverse("contests:activities") + "?xem=truong"),
        (w.an, reverse("contests:my_activities")),
    ]
    before = []
    for user, url in lists:
        client.force_login(user)
        before.append(_queries(client, url))
    _more_activities(w, 6)
    for (user, url), count in zip(lists, before, strict=True):
        client.force_login(user)
        assert _queries(client, url) == count, url
        assert "Hoạt động 5" in client.get(url).content.decode()


def test_the_activity_page_costs_the_same_queries_with_more_teams_and_products(client, w):
    client.force_login(w.teacher)
    url = reverse("contests:activity", args=[w.activity.pk])
    first = _queries(client, url)
    activities.stage_product_submit(actor=w.dung, stage=w.survey, description="Sao")
    activities.stage_product_submit(actor=w.cuong, stage=w.poster, description="Poster")
    activities.assessment_submit(actor=w.em, activity=w.activity, subject=w.dung, score=3)
    activities.team_comment_set(actor=w.teacher, team=w.star, comment="Cố gắng")
    assert _queries(client, url) == first


def test_empty_lists_say_so(client, tree):
    world = make_world(tree, open_it=False)
    client.force_login(world.hoa)
    assert 'data-testid="empty"' in client.get(reverse("contests:my_activities")).content.decode()
    client.force_login(world.other_teacher)
    page = client.get(reverse("contests:activities")).content.decode()
    assert 'data-testid="empty"' in page and 'data-testid="activity-new"' not in page
    assert client.get(reverse("contests:activity_new")).status_code == 403


def test_the_home_pages_link_the_activities(client, w):
    client.force_login(w.teacher)
    assert 'data-testid="home-activities"' in client.get(reverse("home")).content.decode()
    client.force_login(w.an)
    assert 'data-testid="home-my-activities"' in client.get(reverse("home")).content.decode()


def test_a_stage_past_its_due_date_offers_no_form(client, w):
    Stage.objects.filter(pk=w.survey.pk).update(due_at=timezone.now() - timedelta(minutes=1))
    client.force_login(w.an)
    page = client.get(reverse("contests:activity_stage_submit", args=[w.survey.pk])).content.decode()
    assert 'data-testid="deadline-passed"' in page and 'data-testid="stage-product-form"' not in page
    response = client.post(reverse("contests:activity_stage_submit", args=[w.survey.pk]), {"description": "Muộn"})
    assert response.status_code == 200 and StageProductVersion.objects.filter(product__stage=w.survey).count() == 1


def test_a_parent_lists_their_own_childs_activities_only(client, w):
    url = reverse("contests:child_activities")
    page = get(client, w.mother, url).content.decode()
    assert "Dự án: Em yêu môi trường" in page and f"?hs={w.an.pk}" in page
    assert get(client, w.mother, f"{url}?hs={w.an.pk}").status_code == 200
    assert get(client, w.other_parent, f"{url}?hs={w.an.pk}").status_code == 404
    for who in (w.an, w.teacher):
        assert get(client, who, url).status_code == 404
    activity = reverse("contests:my_activity", args=[w.activity.pk])
    assert get(client, w.other_parent, f"{activity}?hs={w.an.pk}").status_code == 404
    assert "Nhóm làm việc chăm chỉ" in get(client, w.mother, f"{activity}?hs={w.an.pk}").content.decode()
    assert 'data-testid="child-activities"' in get(client, w.mother, reverse("home")).content.decode()


def test_a_student_in_no_team_joins_one_from_the_activity_page(client, w, tree):
    loner = activities.activity_create(actor=w.teacher, school_class=tree.c1, title="Tự chọn nhóm")
    activities.stage_add(actor=w.teacher, activity=loner, name="Một", due_at=w.poster.due_at)
    team = activities.team_create(actor=w.teacher, activity=loner, name="Nhóm Tự Do", members=[w.an])
    activities.activity_open(actor=w.teacher, activity=loner)
    page = get(client, w.binh, reverse("contests:my_activity", args=[loner.pk])).content.decode()
    assert 'data-testid="team-join"' in page and "Nhóm Tự Do" in page
    client.post(reverse("contests:activity_team_join", args=[team.pk]))
    assert team.members.filter(student=w.binh).exists()
    page = client.get(reverse("contests:my_activity", args=[loner.pk])).content.decode()
    assert 'data-testid="team-join"' not in page and 'data-testid="my-team"' in page
    # A pupil of another class cannot join (the activity is not theirs).
    client.force_login(w.hoa)
    assert client.post(reverse("contests:activity_team_join", args=[team.pk])).status_code == 404
    assert not team.members.filter(student=w.hoa).exists()
