"""Creating, editing and announcing contests and their rounds: who may, and the refusals."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from contests import services
from contests.models import Contest, Round
from tests.contests.conftest import contest_fields, make_contest
from units.models import AuditEntry

pytestmark = pytest.mark.usefixtures("in_english")


def test_department_staff_create_a_draft_with_a_public_address_and_clean_rules(tree, people):
    contest = services.contest_create(actor=people.dept, organiser=tree.dept_a, **contest_fields())
    assert contest.status == Contest.Status.DRAFT
    assert contest.slug == "tim-hieu-khoa-hoc-tu-nhien"
    assert "<script>" not in contest.rules and "<p>Thể lệ</p>" in contest.rules
    assert contest.search_text.startswith("tim hieu khoa hoc")
    assert AuditEntry.objects.filter(action="contest.create", target_id=contest.pk).exists()
    again = services.contest_create(actor=people.dept, organiser=tree.dept_a, **contest_fields())
    assert again.slug == "tim-hieu-khoa-hoc-tu-nhien-2"


@pytest.mark.parametrize("who", ["bo", "other_dept", "office", "admin", "teacher", "student"])
def test_only_the_organiser_units_own_staff_create_its_contests(tree, people, who):
    with pytest.raises(PermissionDenied):
        services.contest_create(actor=getattr(people, who), organiser=tree.dept_a, **contest_fields())
    assert not Contest.objects.exists()


def test_a_school_admin_organises_a_school_contest(tree, people):
    contest = services.contest_create(actor=people.admin, organiser=tree.s1, **contest_fields())
    assert contest.organiser == tree.s1


def test_bad_contest_input_is_refused_per_field(tree, people):
    now = timezone.now()
    with pytest.raises(ValidationError) as error:
        services.contest_create(
            actor=people.dept,
            organiser=tree.dept_a,
            open_to=[tree.s3],
            **contest_fields(
                title="  ",
                registration_opens_at=now,
                registration_closes_at=now - timedelta(hours=1),
                participation="team",
                team_min=3,
                team_max=2,
                grades=[0, 6],
            ),
        )
    fields = error.value.message_dict
    assert {"title", "registration_closes_at", "team_max", "grades", "open_to"} <= set(fields)
    assert "is not below Sở GDĐT Hà Nam" in fields["open_to"][0]
    assert not Contest.objects.exists()


def test_rounds_go_up_the_levels_and_close_in_order(tree, people):
    contest = services.contest_create(actor=people.dept, organiser=tree.dept_a, **contest_fields())
    now = timezone.now()
    first = services.round_create(
        actor=people.dept, contest=contest, title="Cấp trường", level="office", kind="product",
        closes_at=now + timedelta(days=3), allowed_types=["pdf", "DOCX"], qualify_rule="top_n", qualify_top_n=3,
    )  # fmt: skip
    assert first.order == 1 and first.allowed_types == ["docx", "pdf"]
    with pytest.raises(ValidationError) as error:
        services.round_create(
            actor=people.dept, contest=contest, title="Cấp trường", level="school", kind="product",
            closes_at=now + timedelta(days=2),
        )  # fmt: skip
    assert {"level", "closes_at"} <= set(error.value.message_dict)
    with pytest.raises(ValidationError) as error:
        services.round_create(
            actor=people.dept, contest=contest, title="Cấp Bộ", level="ministry", kind="product",
            closes_at=now + timedelta(days=9),
        )  # fmt: skip
    assert "its own level or below" in error.value.message_dict["level"][0]
    with pytest.raises(ValidationError) as error:
        services.round_create(
            actor=people.dept, contest=contest, title="Trực tuyến", level="department", kind="test",
            closes_at=now + timedelta(days=9), qualify_rule="threshold",
        )  # fmt: skip
    assert {"opens_at", "quiz", "qualify_threshold"} <= set(error.value.message_dict)
    assert contest.rounds.count() == 1


def test_announce_checks_the_contest_is_ready(tree, people):
    contest = services.contest_create(actor=people.dept, organiser=tree.dept_a, **contest_fields(rules=""))
    with pytest.raises(ValidationError) as error:
        services.contest_announce(actor=people.dept, contest=contest)
    assert "Add at least one round." in error.value.messages
    assert "Write the contest's rules." in error.value.messages
    contest.refresh_from_db()
    assert contest.status == Contest.Status.DRAFT


def test_announce_wants_a_rule_for_every_round_but_the_last(tree, people):
    contest = make_contest(actor=people.dept, organiser=tree.dept_a, rounds=2, announce=False)
    Round.objects.filter(contest=contest, order=1).update(qualify_rule="none", qualify_top_n=None)
    with pytest.raises(ValidationError) as error:
        services.contest_announce(actor=people.dept, contest=contest)
    assert "say who goes on" in error.value.messages[0]


def test_an_announced_contest_keeps_its_terms(tree, people):
    contest = make_contest(actor=people.dept, organiser=tree.dept_a)
    assert contest.status == Contest.Status.ANNOUNCED and contest.announced_at
    with pytest.raises(ValidationError) as error:
        services.contest_update(actor=people.dept, contest=contest, per_school_limit=1, title="Mới")
    assert "per_school_limit" in error.value.message_dict
    contest.refresh_from_db()
    assert contest.per_school_limit is None and contest.title != "Mới"
    services.contest_update(actor=people.dept, contest=contest, title="Tên mới")
    contest.refresh_from_db()
    assert contest.title == "Tên mới"
    with pytest.raises(ValidationError):
        services.round_create(
            actor=people.dept, contest=contest, title="Thêm", level="department", kind="product",
            closes_at=timezone.now() + timedelta(days=30),
        )  # fmt: skip
    with pytest.raises(ValidationError):
        services.contest_announce(actor=people.dept, contest=contest)


def test_another_unit_cannot_edit_or_announce(tree, people):
    contest = make_contest(actor=people.dept, organiser=tree.dept_a, announce=False)
    for who in (people.bo, people.other_dept, people.office, people.admin):
        with pytest.raises(PermissionDenied):
            services.contest_update(actor=who, contest=contest, title="X")
        with pytest.raises(PermissionDenied):
            services.contest_announce(actor=who, contest=contest)
    contest.refresh_from_db()
    assert contest.status == Contest.Status.DRAFT and contest.title != "X"
