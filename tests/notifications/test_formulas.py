"""Issue #12, point 7: notifications never show a formula cut in two or raw LaTeX. A title too long for
its column is shortened before a formula, the list page renders formulas with KaTeX (the text keeps its
delimiters, its lines through white-space rather than <br>), and an email, which renders nothing, drops
the delimiters."""

import pytest
from django.core import mail
from django.urls import reverse

from notifications.models import Notification
from notifications.services import TITLE_MAX_CHARS, notify
from notifications.tasks import notifications_send_email
from tests.accounts.factories import UserFactory

FORMULA = "\\(\\sqrt{a^2 + b^2} \\le a + b\\)"


@pytest.mark.django_db
def test_a_long_title_is_shortened_before_a_formula_it_would_cut():
    user = UserFactory()
    start = "Câu hỏi chờ duyệt: " + "chứng minh rằng với mọi số dương " * 7
    title = start + FORMULA + " và dấu bằng khi nào?"
    assert len(start) < TITLE_MAX_CHARS < len(start) + len(FORMULA)
    notify(recipients=[user], title=title, email=False)
    note = Notification.objects.get(recipient=user)
    assert len(note.title) <= TITLE_MAX_CHARS and note.title.endswith("…")
    assert "\\(" not in note.title and note.title.startswith("Câu hỏi chờ duyệt: chứng minh")


@pytest.mark.django_db
def test_a_title_that_fits_is_kept_as_written():
    user = UserFactory()
    notify(recipients=[user], title=f"Tính {FORMULA}", email=False)
    assert Notification.objects.get(recipient=user).title == f"Tính {FORMULA}"


def test_list_page_renders_formulas_and_costs_a_fixed_number_of_queries(client, db, django_assert_max_num_queries):
    user = UserFactory()
    for i in range(30):
        notify(recipients=[user], title=f"Câu {i}: {FORMULA}", body=f"Dòng một {FORMULA}\nDòng hai", email=False)
    client.force_login(user)
    with django_assert_max_num_queries(10):
        response = client.get(reverse("notifications:list"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "vendor/katex/katex.min.js" in html and "js/math.js" in html
    assert html.count('class="fw-semibold math-text text-break" data-testid="notification-title"') == 20
    assert html.count('data-testid="notification-body">Dòng một \\(\\sqrt{a^2 + b^2} \\le a + b\\)\nDòng hai<') == 20


@pytest.mark.django_db(transaction=True)
def test_an_email_drops_the_formula_delimiters(settings):
    settings.NOTIFICATIONS_EMAIL = True
    user = UserFactory(email="gv@example.edu.vn")
    notify(recipients=[user], title=f"Câu hỏi {FORMULA}", body="Chứng minh $x^2 \\ge 0$.")
    assert notifications_send_email([Notification.objects.get().pk]) == 0  # already sent after commit
    message = mail.outbox[0]
    assert "\\(" not in message.subject and "\\sqrt{a^2 + b^2} \\le a + b" in message.subject
    assert "Chứng minh x^2 \\ge 0." in message.body and "$" not in message.body
