"""Issue #12, point 7: a notification naming a question quotes the start of its text without cutting a
formula in two (a formula that does not fit is left out whole; one that fits is kept with its delimiters,
for the notification page to render)."""

import pytest

from materials.services import questions as services
from notifications.models import Notification

from .factories import make_question

pytestmark = pytest.mark.django_db


def _title_for_leader(people, tree, stem):
    question = make_question(author=people.teacher, unit=tree.g1, approved=False, stem=stem)
    services.question_submit(actor=people.teacher, question=question)
    return question, Notification.objects.filter(recipient=people.leader).latest("pk").title


def test_a_formula_across_the_cut_is_left_out_whole(tree, people):
    stem = "Cho tam giác ABC vuông tại A có cạnh AB bằng 3, tính \\(\\sqrt{AB^2 + AC^2}\\) khi AC = 4."
    question, title = _title_for_leader(people, tree, stem)
    assert f"#{question.pk} Cho tam giác ABC vuông tại A có cạnh AB bằng 3, tính…" in title
    assert "\\(" not in title and "\\sqrt" not in title


def test_a_formula_that_fits_is_quoted_whole(tree, people):
    question, title = _title_for_leader(people, tree, "Tính \\(\\frac{1}{2} + \\frac{1}{3}\\) rồi rút gọn kết quả nhé.")
    assert f"#{question.pk} Tính \\(\\frac{{1}}{{2}} + \\frac{{1}}{{3}}\\) rồi rút gọn kết quả nhé." in title
