"""Letters' edge cases, each pinned by a test that failed before its fix: bad query strings and form values
that crashed pages, and the duplicate-number race when two letters are issued at once."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from notifications.models import Notification
from publications.models import Letter, ReportRequest
from publications.services import letters as services

from .test_letters import make_letter, messages_of

A = ReportRequest.Audience
HUGE = "99999999999999999999"


def test_archive_year_beyond_what_a_date_holds_is_a_form_error_not_a_crash(client, tree, people):
    # max_value set after the field was built added no validator: the query then overflowed (500).
    for year in (HUGE, "10000"):
        response = client.get(reverse("letters:archive") + f"?year={year}")
        assert response.status_code == 200
        assert "Ensure this value is less than or equal to" in response.content.decode()


def test_sent_search_with_a_nul_character_does_not_crash(client, tree, people):
    # PostgreSQL refuses NUL in a parameter ("A string literal cannot contain NUL").
    client.force_login(people.phong)
    assert client.get(reverse("letters:sent") + "?q=ab%00cd").status_code == 200


def test_a_unit_id_past_64_bits_is_a_form_error_not_a_crash(client, tree, people):
    # SQLite's driver raised OverflowError on the id (500).
    client.force_login(people.phong)
    data = {
        "issuer": tree.office_a1.pk,
        "number": "3",
        "symbol": "PGDĐT",
        "issued_on": timezone.localdate().strftime("%d/%m/%Y"),
        "subject": "Về việc kiểm tra",
        "signer_name": "Lê Văn C",
        "signer_title": "Trưởng phòng",
        "units": [HUGE],
    }
    response = client.post(reverse("letters:new"), data)
    assert response.status_code == 200
    assert "Choose units from the list." in response.content.decode()
    assert not Letter.objects.exists()


def test_two_letters_issued_at_once_with_one_number_give_the_duplicate_message(tree, people, monkeypatch):
    """The second issue passes the check before the first one commits, then meets the unique index: it
    must be refused with the duplicate message and write nothing, not fail with a 500."""
    a = make_letter(actor=people.so, issuer=tree.dept_a, number=9, kinds=[A.THCS], issue=False, subject="Thư A")
    b = make_letter(actor=people.so, issuer=tree.dept_a, number=9, kinds=[A.THCS], issue=False)
    services.letter_issue(actor=people.so, letter=a)
    Notification.objects.all().delete()
    real = services._duplicate_number
    calls = []

    def check_before_the_other_commits(letter):
        calls.append(letter.pk)
        return None if len(calls) == 1 else real(letter)

    monkeypatch.setattr(services, "_duplicate_number", check_before_the_other_commits)
    with pytest.raises(ValidationError) as excinfo:
        services.letter_issue(actor=people.so, letter=b)
    assert len(calls) == 2  # the unique index, not the first check, refused it
    assert "9/SGDĐT-GDTrH" in messages_of(excinfo) and "Thư A" in messages_of(excinfo)
    b.refresh_from_db()
    assert b.status == Letter.Status.DRAFT and b.issued_at is None
    assert not b.recipients.exists() and Notification.objects.count() == 0
