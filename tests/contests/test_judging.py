"""Fair judging (issue #18, point 3): the pool, the automatic assignment with conflicts excluded, scores
within the rubric, the third judge, the final score rule and the lock."""

from collections import Counter
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from contests import judging
from contests.models import JudgeAssignment, RoundEntry, Score
from tests.accounts.factories import make_person
from units.models import AuditEntry, Role

from .judging_world import enter_product, world

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def w(tree):
    return world(tree)


def _pool(w, *keys):
    judging.judges_add(actor=w.organiser, round_=w.round, judges=[w.judges[k] for k in keys or w.judges])


def _score(w, judge, product, content, form):
    assignment = JudgeAssignment.objects.get(judge=judge, product=product)
    return judging.score_submit(
        actor=judge, assignment=assignment, values={f"c{w.content.pk}": content, f"c{w.form.pk}": form}
    )


def _schools_of(user):
    return judging.judge_school_paths([user.pk])[user.pk]


def test_automatic_assignment_gives_each_product_two_judges_never_of_its_school(w):
    _pool(w)
    made = judging.judges_assign_auto(actor=w.organiser, round_=w.round)
    assert made == 6
    for key, product in w.products.items():
        judges = list(JudgeAssignment.objects.filter(product=product).select_related("judge"))
        assert len(judges) == 2
        assert w.judges[key] not in [a.judge for a in judges]  # the judge of the product's own school
        for assignment in judges:
            assert not _schools_of(assignment.judge) & {product.entry.registration.school.path}
    loads = Counter(JudgeAssignment.objects.values_list("judge_id", flat=True))
    assert max(loads.values()) - min(loads.values()) <= 1  # balanced: 6 assignments over 4 judges
    # Running it again adds nothing: every product has its judges.
    assert judging.judges_assign_auto(actor=w.organiser, round_=w.round) == 0
    assert AuditEntry.objects.filter(action="contest.judges_assign").count() == 2


def test_assignment_refused_when_conflicts_leave_too_few_judges_and_nothing_is_assigned(w, in_english):
    _pool(w, "s1", "s2")  # S1's product can only be judged by S2's judge, and S2's by S1's
    with pytest.raises(ValidationError) as refused:
        judging.judges_assign_auto(actor=w.organiser, round_=w.round)
    assert "cannot get 2 judges" in refused.value.messages[0]
    assert judging.anonymous_code(w.products["s1"].pk) in refused.value.messages[0]
    assert not JudgeAssignment.objects.exists()


def test_pool_refuses_students(w, in_english):
    with pytest.raises(ValidationError, match="cannot be a judge"):
        judging.judges_add(actor=w.organiser, round_=w.round, judges=[w.students["s1"]])
    assert not w.round.judges.exists()


def test_team_members_schools_count_as_conflicts(w):
    """A team mixing schools: a judge of any member's school is excluded."""
    leader = make_person(unit=w.tree.c2, role=Role.STUDENT, full_name="Đội Trưởng")
    partner = make_person(unit=w.tree.s3, role=Role.STUDENT, full_name="Thành Viên")
    product = enter_product(w.round, person=leader, school=w.tree.s1, team_members=[(partner, w.tree.s3)])
    assert judging.product_school_paths([product])[product.pk] == {w.tree.s1.path, w.tree.s3.path}
    _pool(w)
    judging.judges_assign_auto(actor=w.organiser, round_=w.round)
    assert set(JudgeAssignment.objects.filter(product=product).values_list("judge_id", flat=True)) == {
        w.judges["s2"].pk,
        w.judges["office"].pk,
    }


def test_score_within_the_rubric_is_saved_with_its_weighted_total(w):
    _pool(w)
    judging.judges_assign_auto(actor=w.organiser, round_=w.round)
    judge = JudgeAssignment.objects.filter(product=w.products["s1"]).first().judge
    score = _score(w, judge, w.products["s1"], "8,5", "4")
    assert score.total == D("21.00")  # 8.5 × 2 + 4 × 1
    assert score.values == {str(w.content.pk): "8.5", str(w.form.pk): "4"}
    assert AuditEntry.objects.filter(action="contest.score").count() == 1


@pytest.mark.parametrize(
    ("content", "form", "words"),
    [("11", "4", "between 0 and 10"), ("-1", "4", "between 0 and 10"), ("8", "6", "between 0 and 5"),
     ("abc", "4", "must be a number"), ("", "4", "Give a score"), ("8.555", "4", "two decimals")],
)  # fmt: skip
def test_score_outside_the_range_is_refused_and_nothing_is_saved(w, in_english, content, form, words):
    _pool(w)
    judging.judges_assign_auto(actor=w.organiser, round_=w.round)
    judge = JudgeAssignment.objects.filter(product=w.products["s1"]).first().judge
    with pytest.raises(ValidationError) as refused:
        _score(w, judge, w.products["s1"], content, form)
    assert words in " ".join(refused.value.messages)
    assert not Score.objects.exists()
    assert RoundEntry.objects.get(pk=w.products["s1"].entry_id).score is None


def test_a_judge_of_the_products_school_cannot_score_it(w, in_english):
    """Assigned before they moved, or by hand: the conflict is checked again when scoring."""
    assignment = JudgeAssignment.objects.create(
        round=w.round, judge=w.judges["s1"], product=w.products["s1"], assigned_by=w.organiser
    )
    with pytest.raises(ValidationError, match="own school"):
        judging.score_submit(
            actor=w.judges["s1"], assignment=assignment, values={f"c{w.content.pk}": "9", f"c{w.form.pk}": "5"}
        )
    assert not Score.objects.exists()


def test_someone_elses_assignment_is_refused(w, in_english):
    _pool(w)
    judging.judges_assign_auto(actor=w.organiser, round_=w.round)
    assignment = JudgeAssignment.objects.filter(product=w.products["s3"]).exclude(judge=w.judges["s2"]).first()
    with pytest.raises(ValidationError, match="not given to you"):
        judging.score_submit(
            actor=w.judges["s2"], assignment=assignment, values={f"c{w.content.pk}": "9", f"c{w.form.pk}": "5"}
        )


def test_disagreement_brings_a_third_judge_and_the_final_score_is_the_mean_of_the_closest_two(w):
    _pool(w)
    judging.judges_assign_auto(actor=w.organiser, round_=w.round)
    product = w.products["s3"]
    first, second = [a.judge for a in JudgeAssignment.objects.filter(product=product).order_by("pk")]
    _score(w, first, product, "9", "5")  # 23
    assert RoundEntry.objects.get(pk=product.entry_id).score is None  # one score: no final score yet
    _score(w, second, product, "6", "3")  # 15: 8 apart, the margin is 2
    third = JudgeAssignment.objects.get(product=product, is_third=True)
    assert third.judge not in (first, second, w.judges["s3"])  # a free judge, not of S3
    assert RoundEntry.objects.get(pk=product.entry_id).score == D("19.00")  # meanwhile the mean of the two
    assert judging.judge_queue_counts(first)["waiting"] == 1
    _score(w, third.judge, product, "8", "5")  # 21: closest to 23
    assert RoundEntry.objects.get(pk=product.entry_id).score == D("22.00")
    assert JudgeAssignment.objects.filter(product=product).count() == 3  # only one third judge, ever
    assert judging.judge_queue_counts(first)["waiting"] == 0


def test_close_scores_need_no_third_judge(w):
    _pool(w)
    judging.judges_assign_auto(actor=w.organiser, round_=w.round)
    product = w.products["s2"]
    first, second = [a.judge for a in JudgeAssignment.objects.filter(product=product)]
    _score(w, first, product, "8", "4")  # 20
    _score(w, second, product, "8.5", "4")  # 21: within the margin of 2
    assert not JudgeAssignment.objects.filter(is_third=True).exists()
    assert RoundEntry.objects.get(pk=product.entry_id).score == D("20.50")


@pytest.mark.parametrize(
    ("totals", "final"),
    [([], None), ([D(10)], None), ([D(10), D(14)], D("12.00")), ([D(23), D(15), D(21)], D("22.00")),
     ([D(10), D(14), D(18)], D("16.00")),  # a tie between pairs: the higher pair
     ([D("7.25"), D("7.5")], D("7.38"))],
)  # fmt: skip
def test_final_score_rule(totals, final):
    assert judging.final_score(totals) == final


def test_scores_lock_when_the_round_closes(w, in_english):
    _pool(w)
    judging.judges_assign_auto(actor=w.organiser, round_=w.round)
    product = w.products["s1"]
    judge = JudgeAssignment.objects.filter(product=product).first().judge
    _score(w, judge, product, "7", "3")
    judging.scores_lock(actor=w.organiser, round_=w.round)
    with pytest.raises(ValidationError, match="locked"):
        _score(w, judge, product, "10", "5")
    assert Score.objects.get().total == D("17.00")
    with pytest.raises(ValidationError, match="locked"):
        judging.judges_assign_auto(actor=w.organiser, round_=w.round)


def test_anonymous_codes_are_stable_and_reveal_nothing(w):
    codes = {judging.anonymous_code(p.pk) for p in w.products.values()}
    assert len(codes) == 3
    assert judging.anonymous_code(w.products["s1"].pk) == judging.anonymous_code(w.products["s1"].pk)
    assert all(code.startswith("SP-") and len(code) == 10 for code in codes)


def test_closing_the_round_reads_the_final_score_rule_and_locks(w, in_english):
    """contests.services.round_close scores product entries with judging's rule, then the scores are locked."""
    from contests.services import round_close

    _pool(w)
    judging.judges_assign_auto(actor=w.organiser, round_=w.round)
    product = w.products["s3"]
    first, second = [a.judge for a in JudgeAssignment.objects.filter(product=product).order_by("pk")]
    _score(w, first, product, "9", "5")  # 23
    _score(w, second, product, "6", "3")  # 15
    third = JudgeAssignment.objects.get(product=product, is_third=True)
    _score(w, third.judge, product, "8", "5")  # 21
    round_close(actor=w.organiser, rnd=w.round)
    assert RoundEntry.objects.get(pk=product.entry_id).score == D("22.00")  # not the mean of all three (19.67)
    assert RoundEntry.objects.get(pk=w.products["s1"].entry_id).score is None  # nobody scored it
    with pytest.raises(ValidationError, match="locked"):
        _score(w, first, product, "10", "5")


def test_names_in_a_products_text_are_masked(w):
    product = w.products["s1"]
    names = judging.author_names([product.pk])[product.pk]
    assert names == {"Nguyễn Thị Tác Giả", w.tree.s1.name}
    text = "Bài của NGUYỄN THỊ TÁC GIẢ, Trường THCS Trần Phú"
    assert judging.anonymised(text, names) == "Bài của ***, ***"


def test_rubric_set_replaces_the_criteria_until_a_judge_scores(w, in_english):
    from contests.forms_judging import RubricForm

    form = RubricForm({"lines": "Nội dung; 3; 10; Tốt 8–10, Khá 6,5–7,75\nTrình bày; 1; 5\n"})
    assert form.is_valid(), form.errors
    judging.rubric_set(actor=w.organiser, round_=w.round, criteria=form.cleaned_data["lines"])
    criteria = judging.criteria_of(w.round)
    assert [(c.title, c.weight, c.max_score) for c in criteria] == [("Nội dung", 3, 10), ("Trình bày", 1, 5)]
    assert [(b.label, b.min_score, b.max_score) for b in criteria[0].bands.all()] == [
        ("Tốt", D(8), D(10)),
        ("Khá", D("6.5"), D("7.75")),
    ]
    bad = RubricForm({"lines": "Nội dung; ba; 10\nTrình bày; 1; 5; Tốt tám"})
    assert not bad.is_valid() and len(bad.errors["lines"]) == 2
    with pytest.raises(ValidationError, match="band"):
        band = [("Tốt", D(4), D(9))]
        judging.rubric_set(
            actor=w.organiser,
            round_=w.round,
            criteria=[{"title": "X", "weight": D(1), "max_score": D(5), "bands": band}],
        )
    assert len(judging.criteria_of(w.round)) == 2  # the refused rubric changed nothing
    _pool(w)
    judging.judges_assign_auto(actor=w.organiser, round_=w.round)
    assignment = JudgeAssignment.objects.filter(product=w.products["s2"]).first()
    judging.score_submit(actor=assignment.judge, assignment=assignment,
                         values={f"c{c.pk}": "4" for c in criteria})  # fmt: skip
    with pytest.raises(ValidationError, match="already scored"):
        judging.rubric_set(actor=w.organiser, round_=w.round, criteria=[{"title": "Y", "weight": D(1),
                                                                         "max_score": D(5)}])  # fmt: skip
