"""The approval engine through its two users, library items (a version moves, the item is shared) and
questions (one row does both): the same steps, trail, queues and refusals for both kinds."""

import ast
import dataclasses
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from approvals import selectors, services
from approvals.models import Decision, Level, ReviewStep, Status
from materials.models import Kind, MaterialReview, QuestionReview
from materials.services.library import LIBRARY, material_create
from materials.services.questions import BANK
from notifications.models import Notification
from tests.materials.factories import make_question
from units.models import AuditEntry


@pytest.fixture(autouse=True)
def _in_english():
    with translation.override("en"):
        yield


def _material_draft(people, tree, author=None, unit=None):
    material = material_create(
        actor=author or people.teacher,
        unit=unit or tree.g1,
        kind=Kind.SIMULATION,
        title="Mô phỏng con lắc",
        link_url="https://phet.colorado.edu/vi/simulations/pendulum-lab",
    )
    return material, material.versions.get()


def _question_draft(people, tree, author=None, unit=None):
    question = make_question(author=author or people.teacher, unit=unit or tree.g1, approved=False)
    return question, question


DRAFTS = {"material": (LIBRARY, _material_draft), "question": (BANK, _question_draft)}


@pytest.fixture(params=sorted(DRAFTS))
def flow(request, people, tree):
    """(kind, make) for each user of the engine; make(author=, unit=) → (item, subject) as a draft."""
    kind, make = DRAFTS[request.param]
    return kind, lambda **who: make(people, tree, **who)


def test_trail_tables_are_the_abstract_step():
    for model in (MaterialReview, QuestionReview):
        assert issubclass(model, ReviewStep) and not model._meta.abstract
        assert model.Level is Level and model.Decision is Decision
    assert MaterialReview._meta.db_table == "materials_materialreview"
    assert QuestionReview._meta.db_table == "materials_questionreview"
    names = {c.name for c in QuestionReview._meta.constraints}
    assert names == {"question_refusal_has_reason", "question_one_open_proposal_per_unit"}


def test_every_step_up_to_the_ministry(flow, people, tree):
    kind, make = flow
    item, subject = make()
    services.submit(kind, actor=people.teacher, subject=subject)
    assert selectors.waiting_at_steps(type(subject).objects.all(), user=people.leader, item=_path(kind)).count() == 1
    services.approve_group(kind, actor=people.leader, subject=subject)
    services.approve_school(kind, actor=people.principal, subject=subject)
    item.refresh_from_db()
    subject.refresh_from_db()
    assert subject.status == Status.APPROVED and item.shared_with == tree.s1

    review = services.propose(kind, actor=people.principal, item=item, target=tree.office_a1)
    assert review.is_open and review.level == Level.OFFICE
    assert list(selectors.waiting_proposals(kind.review_model, user=people.office)) == [review]
    assert list(selectors.waiting_proposals(kind.review_model, user=people.other_office)) == []
    services.decide_proposal(kind, actor=people.office, review=review, approve=True)
    item.refresh_from_db()
    assert item.shared_with == tree.office_a1

    trail = selectors.trail(kind.review_model, items=[item])
    assert [(step.decision, step.level) for step in trail] == [
        (Decision.SUBMITTED, Level.GROUP),
        (Decision.APPROVED, Level.GROUP),
        (Decision.APPROVED, Level.SCHOOL),
        (Decision.PROPOSED, Level.OFFICE),
        (Decision.APPROVED, Level.OFFICE),
    ]
    actions = list(AuditEntry.objects.filter(action__startswith=f"{kind.name}.").values_list("action", flat=True))
    for verb in ("submit", "approve_group", "approve", "propose", "share"):
        assert f"{kind.name}.{verb}" in actions
    # The author heard of every step; the Office's staff of the proposal.
    assert Notification.objects.filter(recipient=people.teacher).count() == 4
    assert Notification.objects.filter(recipient=people.office).count() == 1


def _path(kind) -> str:
    return "material__" if kind is LIBRARY else ""


def test_refusals_say_why_and_stop_the_wrong_people(flow, people):
    kind, make = flow
    item, subject = make()
    services.submit(kind, actor=people.teacher, subject=subject)
    with pytest.raises(ValidationError) as no_reason:
        services.refuse(kind, actor=people.leader, subject=subject, reason="  ")
    assert "reason" in no_reason.value.message_dict
    with pytest.raises(ValidationError) as own:
        services.refuse(kind, actor=people.teacher, subject=subject, reason="Tự chối")
    assert own.value.code == "own"
    with pytest.raises(ValidationError) as other_group:
        services.approve_group(kind, actor=people.leader2, subject=subject)
    assert other_group.value.code == "forbidden"
    with pytest.raises(ValidationError) as too_early:
        services.approve_school(kind, actor=people.principal, subject=subject)
    assert too_early.value.code == "stale"

    services.refuse(kind, actor=people.leader, subject=subject, reason="Thiếu lời giải")
    subject.refresh_from_db()
    assert subject.status == Status.REFUSED
    last = selectors.trail(kind.review_model, items=[item])[-1]
    assert (last.decision, last.reason, last.by) == (Decision.REFUSED, "Thiếu lời giải", people.leader)
    with pytest.raises(ValidationError) as again:
        services.refuse(kind, actor=people.leader, subject=subject, reason="Lần nữa")
    assert again.value.code == "stale"


def test_only_the_author_submits_a_draft(flow, people):
    kind, make = flow
    _item, subject = make()
    with pytest.raises(ValidationError) as stranger:
        services.submit(kind, actor=people.teacher2, subject=subject)
    assert stranger.value.code == "forbidden"
    services.submit(kind, actor=people.teacher, subject=subject)
    with pytest.raises(ValidationError) as twice:
        services.submit(kind, actor=people.teacher, subject=subject)
    assert twice.value.code == "not_draft"


def test_a_group_leaders_own_item_waits_for_the_school_not_for_them(flow, people, tree):
    """Nobody approves their own item: the school's managers take the group step, and the queues say so
    for both kinds (the library's queue used to list the leader's own item to the leader, and not to the
    school's managers who decide it)."""
    kind, make = flow
    _item, subject = make(author=people.leader)
    services.submit(kind, actor=people.leader, subject=subject)
    subjects = type(subject).objects.all()
    assert not selectors.waiting_at_steps(subjects, user=people.leader, item=_path(kind)).exists()
    assert list(selectors.waiting_at_steps(subjects, user=people.principal, item=_path(kind))) == [subject]
    services.approve_group(kind, actor=people.principal, subject=subject)
    subject.refresh_from_db()
    assert subject.status == Status.GROUP_APPROVED


def test_refused_proposal_needs_a_reason_and_leaves_the_sharing(flow, people, tree):
    kind, make = flow
    item, subject = make()
    services.submit(kind, actor=people.teacher, subject=subject)
    services.approve_group(kind, actor=people.leader, subject=subject)
    services.approve_school(kind, actor=people.principal, subject=subject)
    item.refresh_from_db()
    review = services.propose(kind, actor=people.principal, item=item, target=tree.dept_a)
    with pytest.raises(ValidationError) as twice:
        services.propose(kind, actor=people.principal, item=item, target=tree.office_a1)
    assert "already waiting for a decision on sharing" in twice.value.message_dict["target"][0]
    with pytest.raises(ValidationError):
        services.decide_proposal(kind, actor=people.dept, review=review, approve=False, reason="")
    with pytest.raises(ValidationError) as not_theirs:
        services.decide_proposal(kind, actor=people.office, review=review, approve=True)
    assert not_theirs.value.code == "forbidden"
    services.decide_proposal(kind, actor=people.dept, review=review, approve=False, reason="Chưa đạt")
    item.refresh_from_db()
    assert item.shared_with == tree.s1
    assert AuditEntry.objects.filter(action=f"{kind.name}.share_refuse").exists()
    assert not list(selectors.waiting_proposals(kind.review_model, user=people.dept))


def test_the_engine_imports_no_app_that_uses_it():
    """approvals sits after units, notifications and accounts: the kinds plug in, never the other way."""
    allowed = {"approvals", "units", "notifications", "accounts", "truonghoc", "django"}
    root = Path(__file__).resolve().parents[2] / "approvals"
    for source in root.glob("*.py"):
        for node in ast.walk(ast.parse(source.read_text())):
            if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                top = node.module.split(".")[0]
            elif isinstance(node, ast.Import):
                top = node.names[0].name.split(".")[0]
            else:
                continue
            assert top in allowed or top in {"collections", "dataclasses", "typing"}, f"{source.name} imports {top}"


def test_a_kind_declares_every_word_up_front():
    with pytest.raises(ValueError, match="lacks the words"):
        dataclasses.replace(LIBRARY, words={"submit_forbidden": "…"})
