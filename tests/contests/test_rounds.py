"""Rounds: an online round taken through the test engine of materials (its window, its scoring), products
with versions and checked files, closing a round (ranking per unit of its level, who goes on, locks)."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from contests import services
from contests.models import Contest, JudgeAssignment, Product, ProductVersion, Round, RoundEntry, Score
from materials.models import Quiz
from materials.permissions.quizzes import is_eligible
from materials.services import attempts as attempt_services
from tests.accounts.factories import make_person
from tests.contests.conftest import contest_fields, make_contest
from tests.materials.factories import make_question, make_quiz
from units.models import Role

pytestmark = pytest.mark.usefixtures("in_english")

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n" + b"x" * 2000


def pdf(name="san-pham.pdf", content=PDF):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


# --- online test rounds ----------------------------------------------------------------------------


@pytest.fixture
def online(tree, people):
    """A Department contest: an online school round (top 1 per school goes on), then a Department round."""
    now = timezone.now()
    questions = [make_question(author=people.teacher, unit=tree.g1) for _ in range(2)]
    quiz = make_quiz(
        author=people.teacher, unit=tree.g1, questions=questions, shuffle_questions=False, shuffle_options=False,
        time_limit=30, closes_at=now + timedelta(hours=2),
    )  # fmt: skip
    contest = services.contest_create(actor=people.dept, organiser=tree.dept_a, **contest_fields(
        registration_closes_at=now + timedelta(minutes=30)))  # fmt: skip
    first = services.round_create(
        actor=people.dept, contest=contest, title="Vòng trường", level="school", kind="test", quiz=quiz,
        opens_at=now - timedelta(minutes=10), closes_at=now + timedelta(hours=1), qualify_rule="top_n",
        qualify_top_n=1, results_publish_at=now + timedelta(hours=1),
    )  # fmt: skip
    second = services.round_create(
        actor=people.dept, contest=contest, title="Vòng tỉnh", level="department", kind="product",
        opens_at=now + timedelta(hours=1), closes_at=now + timedelta(days=5), allowed_types=["pdf"],
    )  # fmt: skip
    contest = services.contest_announce(actor=people.dept, contest=contest)
    for user in (people.student, people.student_b, people.student_s2):
        services.registration_create(actor=user, contest=contest, user=user)
    return contest, quiz, first, second


def take(user, quiz, correct: int):
    attempt = attempt_services.attempt_start(student=user, quiz=quiz)
    for position in range(1, 3):
        attempt_services.answer_save(
            student=user, attempt=attempt, position=position, response=0 if position <= correct else 1
        )
    return attempt_services.attempt_submit(student=user, attempt=attempt)


def test_participants_take_the_rounds_test_in_its_window_only(online, people):
    _contest, quiz, first, _second = online
    assert is_eligible(people.student, quiz)
    assert not is_eligible(people.student7, quiz)  # not registered
    Round.objects.filter(pk=first.pk).update(opens_at=timezone.now() + timedelta(minutes=5))
    assert not is_eligible(people.student, quiz)


def test_closing_an_online_round_scores_ranks_per_school_and_selects(online, people, tree):
    contest, quiz, first, second = online
    take(people.student, quiz, correct=2)
    take(people.student_b, quiz, correct=1)
    take(people.student_s2, quiz, correct=0)
    with pytest.raises(ValidationError) as error:
        services.round_close(actor=people.dept, rnd=first)
    assert "it can be closed after that" in error.value.messages[0]
    with pytest.raises(PermissionDenied):
        services.round_close(actor=people.office, rnd=first, now=first.closes_at + timedelta(minutes=1))
    services.round_close(actor=people.dept, rnd=first, now=first.closes_at + timedelta(minutes=1))
    entries = {e.registration.user_id: e for e in RoundEntry.objects.filter(round=first).select_related("registration")}
    top, second_best, other = entries[people.student.pk], entries[people.student_b.pk], entries[people.student_s2.pk]
    assert (top.score, top.rank, top.rank_unit_id) == (Decimal("10.00"), 1, tree.s1.pk)
    assert (second_best.score, second_best.rank) == (Decimal("5.00"), 2)
    assert (other.score, other.rank, other.rank_unit_id) == (Decimal("0.00"), 1, tree.s2.pk)
    assert top.attempt_id is not None
    assert top.status == other.status == RoundEntry.Status.QUALIFIED
    assert second_best.status == RoundEntry.Status.NOT_QUALIFIED
    following = RoundEntry.objects.filter(round=second).order_by("qualified_from__score")
    assert [e.qualified_from_id for e in following] == [other.pk, top.pk]
    first.refresh_from_db()
    contest.refresh_from_db()
    assert first.scores_locked and first.closed_at and contest.status == Contest.Status.RUNNING
    with pytest.raises(ValidationError):
        services.round_close(actor=people.dept, rnd=first, now=first.closes_at + timedelta(minutes=2))
    assert RoundEntry.objects.filter(round=second).count() == 2


def test_who_never_handed_in_is_absent_and_a_running_attempt_holds_the_close(online, people):
    _contest, quiz, first, _second = online
    attempt_services.attempt_start(student=people.student_b, quiz=quiz)  # 30 minutes to go
    Round.objects.filter(pk=first.pk).update(closes_at=timezone.now() + timedelta(minutes=5))
    first.refresh_from_db()
    with pytest.raises(ValidationError) as error:
        services.round_close(actor=people.dept, rnd=first, now=first.closes_at + timedelta(minutes=1))
    assert "still under way" in error.value.messages[0]
    first.refresh_from_db()
    assert first.closed_at is None
    # Past the attempt's deadline the engine closes it with what was saved; then the round closes.
    services.round_close(actor=people.dept, rnd=first, now=timezone.now() + timedelta(hours=3))
    statuses = dict(RoundEntry.objects.filter(round=first).values_list("registration__user", "status"))
    assert statuses[people.student.pk] == RoundEntry.Status.ABSENT
    assert statuses[people.student_b.pk] == RoundEntry.Status.QUALIFIED  # 0/10, yet the best of the school
    assert statuses[people.student_s2.pk] == RoundEntry.Status.ABSENT


def test_a_test_round_needs_a_published_exam_the_organiser_may_use(tree, people):
    contest = services.contest_create(actor=people.dept, organiser=tree.dept_a, **contest_fields())
    now = timezone.now()
    draft = make_quiz(author=people.teacher, unit=tree.g1, status=Quiz.Status.DRAFT)
    practice = make_quiz(author=people.teacher, unit=tree.g1, mode=Quiz.Mode.PRACTICE)
    far = make_quiz(author=people.teacher, unit=tree.s3)
    for quiz, words in ((draft, "published"), (practice, "exam mode"), (far, "you manage")):
        with pytest.raises(ValidationError) as error:
            services.round_create(
                actor=people.dept, contest=contest, title="V1", level="school", kind="test", quiz=quiz,
                opens_at=now, closes_at=now + timedelta(days=4),
            )  # fmt: skip
        assert words in error.value.message_dict["quiz"][0]
    assert not contest.rounds.exists()


# --- products ------------------------------------------------------------------------------------


@pytest.fixture
def products(tree, people):
    """An Office contest: a product round at school level (score ≥ 7 goes on), then an Office round."""
    contest = make_contest(actor=people.office, organiser=tree.office_a1, rounds=2)
    Round.objects.filter(contest=contest, order=1).update(qualify_rule="threshold", qualify_top_n=None,
                                                          qualify_threshold=Decimal("7"))  # fmt: skip
    regs = {
        u: services.registration_create(actor=u, contest=contest, user=u)
        for u in (people.student, people.student_b, people.student_s2)
    }
    entries = {u: RoundEntry.objects.get(registration=r) for u, r in regs.items()}
    return contest, entries


def test_a_product_is_handed_in_in_versions(products, people):
    _contest, entries = products
    entry = entries[people.student]
    first = services.product_submit(actor=people.student, entry=entry, title="Máy lọc nước", upload=pdf())
    second = services.product_submit(
        actor=people.student, entry=entry, title="Máy lọc nước v2", video_url="https://youtu.be/abc"
    )
    assert (first.number, second.number) == (1, 2)
    product = Product.objects.get(entry=entry)
    assert product.title == "Máy lọc nước v2" and product.version_count == 2
    assert first.file_name == "san-pham.pdf" and first.file.read().startswith(b"%PDF")


@pytest.mark.parametrize(
    ("fields", "words"),
    [
        ({"upload": SimpleUploadedFile("bao-cao.pdf", b"PK\x03\x04" + b"0" * 100)}, "is named .pdf but"),
        ({"upload": SimpleUploadedFile("anh.png", b"\x89PNG\r\n\x1a\n" + b"0" * 100)}, "not an allowed type"),
        ({"video_url": "javascript:alert(1)"}, "http:// or https://"),
        ({}, "Hand in a file or a video link."),
    ],
)
def test_bad_products_are_refused_and_nothing_is_kept(products, people, fields, words):
    _contest, entries = products
    with pytest.raises(ValidationError) as error:
        services.product_submit(actor=people.student, entry=entries[people.student], title="SP", **fields)
    assert any(words in m for m in error.value.messages)
    assert not Product.objects.exists() and not ProductVersion.objects.exists()


def test_only_the_participant_hands_in_before_the_deadline(products, people):
    _contest, entries = products
    entry = entries[people.student]
    with pytest.raises(PermissionDenied):
        services.product_submit(actor=people.student_b, entry=entry, title="SP", upload=pdf())
    with pytest.raises(ValidationError) as error:
        services.product_submit(actor=people.student, entry=entry, title="SP", upload=pdf(), now=entry.round.closes_at)
    assert "The deadline for products was" in error.value.messages[0]
    assert not Product.objects.exists()


def test_closing_a_product_round_uses_the_judges_scores_and_the_threshold(products, people, tree):
    contest, entries = products
    judge = make_person(unit=tree.s3, role=Role.TEACHER)
    scores = {people.student: [Decimal(8), Decimal(7)], people.student_b: [Decimal(6), Decimal(7)]}
    for user, entry in entries.items():
        if user == people.student_s2:
            continue  # hands in nothing
        services.product_submit(actor=user, entry=entry, title="SP", upload=pdf())
        for total in scores[user]:
            assignment = JudgeAssignment.objects.create(
                round=entry.round, judge=make_person(unit=tree.s3, role=Role.TEACHER), product=entry.product,
                assigned_by=people.office,
            )  # fmt: skip
            Score.objects.create(assignment=assignment, total=total)
    assert judge
    first = entries[people.student].round
    services.round_close(actor=people.office, rnd=first, now=first.closes_at)
    got = {e.registration.user_id: (e.score, e.rank, e.status) for e in first.entries.select_related("registration")}
    assert got[people.student.pk] == (Decimal("7.50"), 1, RoundEntry.Status.QUALIFIED)
    assert got[people.student_b.pk] == (Decimal("6.50"), 2, RoundEntry.Status.NOT_QUALIFIED)
    assert got[people.student_s2.pk][2] == RoundEntry.Status.ABSENT
    second = contest.rounds.get(order=2)
    assert list(second.entries.values_list("registration__user", flat=True)) == [people.student.pk]
    # The next round is closed in turn; the contest is then finished.
    services.round_close(actor=people.office, rnd=second, now=second.closes_at)
    contest.refresh_from_db()
    assert contest.status == Contest.Status.FINISHED


def test_rounds_close_in_order(products, people):
    contest, _entries = products
    second = contest.rounds.get(order=2)
    with pytest.raises(ValidationError) as error:
        services.round_close(actor=people.office, rnd=second, now=second.closes_at)
    assert "Close the rounds before this one first." in error.value.messages


def test_ties_share_a_rank_and_top_n_takes_them_all():
    from types import SimpleNamespace

    rnd = SimpleNamespace(qualify_rule=Round.Qualify.TOP_N, qualify_top_n=2)
    entries = [SimpleNamespace(pk=i, rank_unit_id=1, score=Decimal(s), rank=None) for i, s in enumerate([9, 8, 8, 7])]
    services.rank_entries(entries)
    assert [e.rank for e in entries] == [1, 2, 2, 4]
    assert [services.qualifies(rnd, e) for e in entries] == [True, True, True, False]
