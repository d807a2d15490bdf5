"""The pages, as a matrix of who asks: organiser, participant, school admin, another unit's staff, anonymous.
Public pages need no login; drafts and management are the organiser's only; refusals change nothing."""

import re
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from contests import services
from contests.models import Contest, ProductVersion, Registration, Round, RoundEntry
from tests.accounts.factories import make_person
from tests.contests.conftest import contest_fields, make_contest
from units.models import Role


@pytest.fixture
def contest(tree, people):
    contest = make_contest(actor=people.office, organiser=tree.office_a1, rounds=2, summary="Sân chơi khoa học")
    services.registration_create(actor=people.student, contest=contest, user=people.student)
    return contest


def get(client, user, url):
    if user is not None:
        client.force_login(user)
    return client.get(url)


def test_the_public_pages_need_no_login_and_read_in_vietnamese(client, contest):
    page = client.get(reverse("contests:public", args=[contest.slug]))
    assert page.status_code == 200
    text = page.content.decode()
    assert contest.title in text and "Thể lệ" in text and "<script>alert" not in text
    assert "Đăng nhập để đăng ký" in text and "Vòng 1" in text
    listing = client.get(reverse("contests:list"), {"q": "khoa hoc"})
    assert contest.title in listing.content.decode()
    assert "Không có cuộc thi nào khớp" in client.get(reverse("contests:list"), {"q": "zzz"}).content.decode()


def test_a_draft_is_hidden_from_everyone_but_its_organisers(client, tree, people):
    draft = make_contest(actor=people.office, organiser=tree.office_a1, announce=False, title="Bản nháp")
    url = reverse("contests:public", args=[draft.slug])
    for who in (None, people.student, people.admin, people.dept, people.bo):
        client.logout()
        assert get(client, who, url).status_code == 404
    client.logout()
    assert get(client, people.office, url).status_code == 200
    assert draft.title not in client.get(reverse("contests:list")).content.decode()


@pytest.mark.parametrize(
    ("who", "status"),
    [("office", 200), ("dept", 404), ("bo", 404), ("admin", 404), ("student", 404), (None, 302)],
)
def test_the_management_page_is_the_organiser_units(client, contest, people, who, status):
    response = get(client, getattr(people, who) if who else None, reverse("contests:manage", args=[contest.pk]))
    assert response.status_code == status


@pytest.mark.parametrize(("who", "status"), [("office", 200), ("admin", 200), ("dept", 403), ("student", 403)])
def test_only_organisers_create_contests_of_their_unit(client, tree, people, who, status):
    client.force_login(getattr(people, who))
    unit = tree.office_a1 if who != "admin" else tree.s1
    assert client.get(reverse("contests:new"), {"unit": unit.pk}).status_code == status


def test_creating_a_contest_and_a_round_through_the_pages(client, tree, people):
    client.force_login(people.office)
    now = timezone.localtime()
    response = client.post(
        reverse("contests:new") + f"?unit={tree.office_a1.pk}",
        {
            "title": "Olympic Toán",
            "audience": "students",
            "participation": "individual",
            "team_min": 1,
            "team_max": 1,
            "grades": ["6", "7"],
            "rules": "Thi trực tuyến.",
            "registration_opens_at": now.strftime("%d/%m/%Y %H:%M"),
            "registration_closes_at": (now + timedelta(days=2)).strftime("%d/%m/%Y %H:%M"),
        },
    )
    contest = Contest.objects.get(title="Olympic Toán")
    assert response.status_code == 302 and contest.grades == [6, 7]
    response = client.post(
        reverse("contests:round_new", args=[contest.pk]),
        {
            "title": "Vòng trường",
            "level": "school",
            "kind": "product",
            "closes_at": (now + timedelta(days=5)).strftime("%d/%m/%Y %H:%M"),
            "allowed_types": ["pdf"],
            "max_file_mb": 10,
            "qualify_rule": "none",
            "judges_per_product": 2,
            "disagreement_margin": "2",
        },
    )
    assert response.status_code == 302 and contest.rounds.count() == 1
    client.post(reverse("contests:announce", args=[contest.pk]))
    contest.refresh_from_db()
    assert contest.status == Contest.Status.ANNOUNCED


def test_ticked_choices_are_each_a_form_check_with_its_own_label(client, tree, people, contest):
    """The grades, subjects and file types are ticked: each box sits in its Bootstrap form-check beside its
    label (Django's own markup, a box inside its label with form-check-input, piled the labels on one another
    so the boxes could not be clicked)."""
    client.force_login(people.office)
    pages = {
        "grades": reverse("contests:new") + f"?unit={tree.office_a1.pk}",
        "subjects": reverse("contests:new") + f"?unit={tree.office_a1.pk}",
        "allowed_types": reverse("contests:round_new", args=[contest.pk]),
    }
    draft = services.contest_create(actor=people.office, organiser=tree.office_a1, **contest_fields(title="Nháp"))
    pages["allowed_types"] = reverse("contests:round_new", args=[draft.pk])
    for name, url in pages.items():
        html = client.get(url).content.decode()
        boxes = re.findall(rf'<input type="checkbox" name="{name}"[^>]*id="(id_{name}_\d+)"', html)
        assert len(boxes) > 3, name
        for box in boxes:
            assert re.search(rf'<div class="form-check"><input type="checkbox" name="{name}"[^>]*id="{box}"[^>]*>'
                             rf'<label class="form-check-label" for="{box}">', html), box  # fmt: skip
        assert f'<label for="{boxes[0]}"><input' not in html


def test_closing_a_round_and_publishing_results_ask_first(client, people, contest):
    """Both cannot be undone (scores locked and who goes on chosen; every participant told): the buttons ask."""
    first = contest.rounds.get(order=1)
    Round.objects.filter(pk=first.pk).update(closes_at=timezone.now() - timedelta(minutes=1))
    client.force_login(people.office)
    manage = client.get(reverse("contests:manage", args=[contest.pk])).content.decode()
    assert re.search(r'action="[^"]*/dong/"[^>]*data-confirm="Đóng vòng thi này\?', manage)
    prizes = client.get(reverse("contests:round_prizes", args=[first.pk])).content.decode()
    assert re.search(r'action="[^"]*/ket-qua/cong-bo/"[^>]*data-confirm="Công bố kết quả\?', prizes)


def test_a_bad_round_is_shown_with_its_errors_and_nothing_saved(client, tree, people):
    contest = services.contest_create(actor=people.office, organiser=tree.office_a1, **contest_fields())
    client.force_login(people.office)
    response = client.post(
        reverse("contests:round_new", args=[contest.pk]),
        {"title": "X", "level": "school", "kind": "test", "closes_at": "01/01/2020 10:00", "max_file_mb": 10,
         "qualify_rule": "none", "judges_per_product": 2, "disagreement_margin": "2"},
    )  # fmt: skip
    assert response.status_code == 200
    assert "Chọn đề kiểm tra dùng cho vòng thi." in response.content.decode()
    assert not contest.rounds.exists()


def test_a_student_registers_through_the_page_and_sees_my_contests(client, tree, people, contest):
    client.force_login(people.student_b)
    response = client.post(reverse("contests:register", args=[contest.slug]))
    assert response.status_code == 302
    assert Registration.objects.filter(contest=contest, user=people.student_b).exists()
    mine = client.get(reverse("contests:mine"))
    assert contest.title in mine.content.decode()
    # Registering twice: the page shows why, nothing changes.
    again = client.post(reverse("contests:register", args=[contest.slug]))
    assert again.status_code == 200 and "đã đăng ký" in again.content.decode()
    assert Registration.objects.filter(contest=contest, user=people.student_b).count() == 1


def test_an_ineligible_student_is_told_why(client, tree, people, contest):
    client.force_login(people.student_far)
    response = client.post(reverse("contests:register", args=[contest.slug]))
    assert response.status_code == 200
    assert not Registration.objects.filter(user=people.student_far).exists()
    assert response.context["form"].non_field_errors()


def test_the_school_admin_registers_their_students(client, tree, people, contest):
    client.force_login(people.admin)
    url = reverse("contests:school_register", args=[contest.slug])
    page = client.get(url)
    assert page.status_code == 200
    candidates = page.context["form"].fields["people"].queryset
    assert people.student_b in candidates and people.student not in candidates and people.student_s2 not in candidates
    response = client.post(url, {"people": [people.student_b.pk, people.student7.pk]})
    assert response.status_code == 302
    assert set(contest.registrations.values_list("user", flat=True)) == {
        people.student.pk,
        people.student_b.pk,
        people.student7.pk,
    }
    # Someone of another school is not offered, and a forged choice is refused.
    response = client.post(url, {"people": [people.student_s2.pk]})
    assert response.status_code == 200 and not contest.registrations.filter(user=people.student_s2).exists()
    client.logout()
    client.force_login(people.student)
    assert client.get(url).status_code == 403


def test_a_participant_hands_in_a_product_others_cannot(client, people, contest):
    entry = RoundEntry.objects.get(registration__user=people.student)
    url = reverse("contests:product", args=[entry.pk])
    client.force_login(people.student_b)
    assert client.get(url).status_code == 404
    client.force_login(people.student)
    fake = SimpleUploadedFile("bai.pdf", b"PK\x03\x04" + b"0" * 200)
    response = client.post(url, {"title": "Bài thi", "file": fake})
    assert response.status_code == 200 and not ProductVersion.objects.exists()
    good = SimpleUploadedFile("bai.pdf", b"%PDF-1.4\n" + b"x" * 500)
    response = client.post(url, {"title": "Bài thi", "file": good})
    assert response.status_code == 302 and ProductVersion.objects.get().number == 1
    # The file is private: its participant and the organisers download it, nobody else.
    file_url = reverse("contests:product_file", args=[ProductVersion.objects.get().pk])
    assert client.get(file_url).status_code == 200
    for who, status in ((people.office, 200), (people.student_b, 404), (people.admin2, 404)):
        client.force_login(who)
        assert client.get(file_url).status_code == status
    client.logout()
    assert client.get(file_url).status_code == 302


def test_selection_is_for_participants_and_results_public_once_published(client, people, contest):
    first = contest.rounds.get(order=1)
    services.product_submit(
        actor=people.student, entry=RoundEntry.objects.get(round=first), title="SP", video_url="https://youtu.be/x"
    )
    services.round_close(actor=people.office, rnd=first, now=first.closes_at)
    url = reverse("contests:round_results", args=[contest.slug, 1])
    anonymous = client.get(url)
    assert anonymous.status_code == 200 and anonymous.context["page"] is None
    client.force_login(people.student)
    participant = client.get(url)
    assert participant.context["page"] is not None and not participant.context["show_scores"]
    Round.objects.filter(pk=first.pk).update(results_publish_at=timezone.now() - timedelta(minutes=1))
    client.logout()
    public = client.get(url)
    assert public.context["page"] is not None and public.context["show_scores"]
    assert people.student.full_name in public.content.decode()


def test_the_home_page_links_organisers_and_those_who_may_register(client, people, contest):
    client.force_login(people.office)
    assert 'data-testid="home-contests-organise"' in client.get("/").content.decode()
    client.force_login(people.student_b)
    assert 'data-testid="home-contests-open"' in client.get("/").content.decode()


def test_list_pages_cost_a_fixed_number_of_queries(client, tree, people, django_assert_max_num_queries):
    for n in range(12):
        make_contest(actor=people.office, organiser=tree.office_a1, title=f"Cuộc thi {n}")
    with django_assert_max_num_queries(8):
        assert client.get(reverse("contests:list")).status_code == 200


def test_a_participant_of_an_online_round_reaches_the_test_engine(client, tree, people):
    from materials.models import Quiz
    from tests.materials.factories import make_question, make_quiz

    now = timezone.now()
    quiz = make_quiz(
        author=people.teacher, unit=tree.g1, questions=[make_question(author=people.teacher, unit=tree.g1)],
        mode=Quiz.Mode.EXAM, closes_at=now + timedelta(hours=3),
    )  # fmt: skip
    contest = services.contest_create(actor=people.office, organiser=tree.office_a1, **contest_fields())
    services.round_create(
        actor=people.office, contest=contest, title="Thi trực tuyến", level="school", kind="test", quiz=quiz,
        opens_at=now - timedelta(minutes=5), closes_at=now + timedelta(days=3),
    )  # fmt: skip
    services.contest_announce(actor=people.office, contest=contest)
    services.registration_create(actor=people.student, contest=contest, user=people.student)
    client.force_login(people.student)
    page = client.get(reverse("contests:public", args=[contest.slug]))
    take = reverse("materials:take_start", args=[quiz.pk])
    assert take in page.content.decode()
    assert client.get(take).status_code == 200
    assert client.post(take).status_code == 302  # the attempt starts on the engine's own pages
    client.force_login(people.student_b)  # not registered: the test is not theirs
    assert client.get(take).status_code == 404


def test_a_contests_page_and_my_contests_cost_a_fixed_number_of_queries(
    client, tree, people, django_assert_max_num_queries
):
    contest = make_contest(actor=people.office, organiser=tree.office_a1, rounds=3)
    services.registration_create(actor=people.student, contest=contest, user=people.student)
    client.force_login(people.student)
    with django_assert_max_num_queries(14):
        assert client.get(reverse("contests:public", args=[contest.slug])).status_code == 200
    for n in range(5):
        other = make_contest(actor=people.office, organiser=tree.office_a1, rounds=2, title=f"Thi {n}")
        services.registration_create(actor=people.student, contest=other, user=people.student)
    with django_assert_max_num_queries(14):
        assert client.get(reverse("contests:mine")).status_code == 200


def test_teams_register_through_the_pages(client, tree, people):
    contest = make_contest(actor=people.office, organiser=tree.office_a1, participation="team", team_min=2, team_max=3)
    client.force_login(people.student)
    url = reverse("contests:register", args=[contest.slug])
    refused = client.post(url, {"name": "Nhóm A", "members": "khong-co-ai"})
    assert refused.status_code == 200 and "khong-co-ai" in refused.content.decode()
    other_school = client.post(url, {"name": "Nhóm A", "members": people.student_s2.username})
    assert other_school.status_code == 200 and "cùng một trường" in other_school.content.decode()
    assert client.post(url, {"name": "Nhóm A", "members": people.student_b.username}).status_code == 302
    registration = Registration.objects.get(contest=contest)
    assert {m.user_id for m in registration.team.members.all()} == {people.student.pk, people.student_b.pk}
    # The school's admin registers a team with a leader they name.
    client.force_login(people.admin)
    school_url = reverse("contests:school_register", args=[contest.slug])
    response = client.post(school_url, {"name": "Nhóm B", "leader": people.student7.username, "members": ""})
    assert response.status_code == 200 and "Mỗi đội có từ 2 đến 3 thành viên" in response.content.decode()
    third = make_person(unit=tree.c2, role=Role.STUDENT, full_name="Đỗ Văn Tư")
    response = client.post(
        school_url, {"name": "Nhóm B", "leader": people.student7.username, "members": third.username}
    )
    assert response.status_code == 302
    team = Registration.objects.get(contest=contest, team__name="Nhóm B").team
    assert team.members.get(is_leader=True).user == people.student7
