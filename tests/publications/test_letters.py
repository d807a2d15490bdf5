"""Official letters: issuing (numbers, recipients, attachments, citations), forwarding, read receipts and
reminders; who sees what (issuer, recipient, sibling, above, anonymous); the pages for the right role,
the wrong role and the wrong unit; bad input; and pages that cost the same for 3 or 30 rows."""

import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from notifications.models import Notification
from publications.models import Letter, LetterAttachment, LetterRecipient, ReportRequest
from publications.permissions.letters import can_view_letter, can_view_receipts, letters_visible_q
from publications.services import letters as services
from tests.accounts.factories import make_person
from units.models import AuditEntry, Role, Unit
from units.services import UnitSpec, units_bulk_create

from .factories import docx_file, exe_named_pdf, pdf_file

A = ReportRequest.Audience


def make_letter(*, actor, issuer, number=1364, symbol="SGDĐT-GDTrH", kinds=(), units=(), issue=True, **extra):
    letter = services.letter_create(
        actor=actor,
        issuer=issuer,
        number=number,
        symbol=symbol,
        issued_on=extra.pop("issued_on", timezone.localdate()),
        subject=extra.pop("subject", "Hướng dẫn thực hiện nhiệm vụ năm học 2025-2026"),
        signer_name=extra.pop("signer_name", "Nguyễn Văn Bình"),
        signer_title=extra.pop("signer_title", "Phó Giám đốc"),
        body=extra.pop("body", "Căn cứ kế hoạch năm học, Sở hướng dẫn các đơn vị như sau."),
        kinds=kinds,
        units=units,
        **extra,
    )
    if issue:
        letter = services.letter_issue(actor=actor, letter=letter)
    return Letter.objects.get(pk=letter.pk)


def notified(user) -> int:
    return Notification.objects.filter(recipient=user).count()


def row(letter, unit) -> LetterRecipient:
    return LetterRecipient.objects.get(letter=letter, unit=unit)


def messages_of(excinfo) -> str:
    return " ".join(excinfo.value.messages)


@pytest.fixture
def more(tree):
    """People the shared `people` fixture does not have."""
    return type(
        "More",
        (),
        {
            "student": make_person(unit=tree.c1, role=Role.STUDENT),
            "s2_teacher": make_person(unit=tree.g3, role=Role.TEACHER),
            "s3_admin": make_person(unit=tree.s3, role=Role.SCHOOL_ADMIN),
            "phong_b1": make_person(unit=tree.office_b1, role=Role.OFFICE_STAFF),
        },
    )


@pytest.fixture
def to_s1(tree, people):
    """Office A1's letter to School S1 only."""
    letter = make_letter(actor=people.phong, issuer=tree.office_a1, symbol="PGDĐT", units=[tree.s1])
    Notification.objects.all().delete()
    return letter


# --- issuing ------------------------------------------------------------------------------------


def test_issue_reaches_exactly_the_chosen_units_and_notifies_their_managers_once(tree, people, more):
    letter = make_letter(actor=people.so, issuer=tree.dept_a, kinds=[A.THCS], units=[tree.t1, tree.s1])
    units = set(letter.recipients.values_list("unit__code", flat=True))
    assert units == {tree.s1.code, tree.s2.code, tree.t1.code}  # S3 is another Department's
    assert letter.status == Letter.Status.ISSUED and letter.issued_at is not None
    assert letter.reference == "1364/SGDĐT-GDTrH"
    for manager in (people.s1_admin, people.s1_principal, people.s2_admin, people.t1_principal):
        assert notified(manager) == 1
    for other in (people.teacher, people.leader, more.s3_admin, people.phong, people.so):
        assert notified(other) == 0
    note = Notification.objects.get(recipient=people.s1_admin)
    assert note.url == reverse("letters:detail", args=[letter.pk])
    assert AuditEntry.objects.filter(action="letter.issue").count() == 1
    assert "1364/sgddt-gdtrh" in letter.search_text and "so gddt ha nam" in letter.search_text
    assert "nguyen van binh" in letter.search_text and "huong dan thuc hien" in letter.search_text


def test_a_draft_is_sent_to_nobody_and_seen_only_by_its_issuer(tree, people):
    letter = make_letter(actor=people.so, issuer=tree.dept_a, kinds=[A.THCS], issue=False)
    assert letter.status == Letter.Status.DRAFT and not letter.recipients.exists()
    assert Notification.objects.count() == 0
    assert can_view_letter(people.so, letter)
    assert not can_view_letter(people.s1_admin, letter)
    assert not can_view_letter(people.bo, letter)


def test_search_text_follows_every_change(tree, people):
    letter = make_letter(actor=people.phong, issuer=tree.office_a1, units=[tree.s1], issue=False)
    services.letter_update(
        actor=people.phong,
        letter=letter,
        number=77,
        symbol="PGDĐT-TH",
        issued_on=letter.issued_on,
        subject="Tổ chức Hội khỏe Phù Đổng",
        signer_name="Trần Thị Hoa",
        signer_title="Trưởng phòng",
        body="<p>Kính gửi các trường</p>",
        units=[tree.s1],
    )
    letter.refresh_from_db()
    assert "77/pgddt-th" in letter.search_text and "hoi khoe phu dong" in letter.search_text
    assert "tran thi hoa" in letter.search_text and "kinh gui cac truong" in letter.search_text
    assert "huong dan" not in letter.search_text


def test_a_school_sends_letters_to_its_groups(tree, people):
    letter = make_letter(actor=people.s1_admin, issuer=tree.s1, symbol="THCSTP", units=[tree.g1])
    assert list(letter.recipients.values_list("unit", flat=True)) == [tree.g1.pk]
    assert notified(people.leader) == 1  # the group's leader manages it
    assert can_view_letter(people.teacher, letter)
    assert services.letter_mark_read(letter=letter, user=people.s1_principal) == 0  # the issuer's own
    assert services.letter_mark_read(letter=letter, user=people.teacher) == 1
    assert row(letter, tree.g1).read_by == people.teacher


def test_only_the_units_own_managers_issue(tree, people):
    for actor, issuer in ((people.teacher, tree.s1), (people.so, tree.office_a1), (people.phong, tree.dept_a)):
        with pytest.raises(ValidationError) as excinfo:
            make_letter(actor=actor, issuer=issuer, units=[], kinds=[A.THCS])
        assert "cannot issue letters on behalf of" in messages_of(excinfo)
    assert Letter.objects.count() == 0


# --- bad input ----------------------------------------------------------------------------------


def test_duplicate_number_for_the_issuer_and_year_is_refused_naming_the_letter(tree, people):
    first = make_letter(actor=people.so, issuer=tree.dept_a, kinds=[A.THCS], subject="Về kế hoạch tuyển sinh")
    with pytest.raises(ValidationError) as excinfo:
        make_letter(actor=people.so, issuer=tree.dept_a, kinds=[A.THCS], symbol="SGDĐT-VP")
    assert "1364/SGDĐT-GDTrH" in messages_of(excinfo) and "Về kế hoạch tuyển sinh" in messages_of(excinfo)
    assert Letter.objects.count() == 1
    # A draft may carry the number until one of the two is issued: the second is then refused, unchanged.
    a = make_letter(actor=people.so, issuer=tree.dept_a, number=5, kinds=[A.THCS], issue=False)
    b = make_letter(actor=people.so, issuer=tree.dept_a, number=5, kinds=[A.THCS], issue=False)
    services.letter_issue(actor=people.so, letter=a)
    Notification.objects.all().delete()
    with pytest.raises(ValidationError) as excinfo:
        services.letter_issue(actor=people.so, letter=b)
    assert "5/SGDĐT-GDTrH" in messages_of(excinfo)
    b.refresh_from_db()
    assert b.status == Letter.Status.DRAFT and not b.recipients.exists() and Notification.objects.count() == 0
    # The same number is free in another year and for another issuer.
    last_year = timezone.localdate().replace(year=timezone.localdate().year - 1, day=1)
    make_letter(actor=people.so, issuer=tree.dept_a, kinds=[A.THCS], issued_on=last_year)
    make_letter(actor=people.so_b, issuer=tree.dept_b, kinds=[A.THCS])
    assert first.pk and Letter.objects.filter(number=1364, status="issued").count() == 3


def test_recipients_outside_the_issuers_subtree_are_refused(tree, people):
    with pytest.raises(ValidationError) as excinfo:
        make_letter(actor=people.phong, issuer=tree.office_a1, units=[tree.s1, tree.s3, tree.t1])
    text = messages_of(excinfo)
    assert "not under Phòng GDĐT Phủ Lý" in text and tree.s3.name in text and tree.t1.name in text
    assert tree.s1.name not in text
    assert Letter.objects.count() == 0
    with pytest.raises(ValidationError) as excinfo:
        make_letter(actor=people.phong, issuer=tree.office_a1, kinds=[A.DEPARTMENTS])
    assert "no units of these kinds below it" in messages_of(excinfo)
    with pytest.raises(ValidationError) as excinfo:
        make_letter(actor=people.phong, issuer=tree.office_a1)
    assert "Choose the recipients" in messages_of(excinfo)
    with pytest.raises(ValidationError) as excinfo:
        make_letter(actor=people.phong, issuer=tree.office_a1, units=[tree.g1])
    assert "cannot send letters to these units: Tổ Khoa học tự nhiên" in messages_of(excinfo)
    with pytest.raises(ValidationError) as excinfo:
        make_letter(actor=people.s1_admin, issuer=tree.s1, units=[tree.c1, tree.g3])
    assert tree.c1.name in messages_of(excinfo) and "not under" in messages_of(excinfo)


def test_attachments_are_checked_and_a_refusal_leaves_no_file(tree, people, settings):
    big = pdf_file("cong-van.pdf")
    big.size = 200 * 1024 * 1024
    with pytest.raises(ValidationError) as excinfo:
        make_letter(actor=people.phong, issuer=tree.office_a1, units=[tree.s1], attachments=[pdf_file(), big])
    assert "cong-van.pdf" in messages_of(excinfo) and "30" in messages_of(excinfo)
    with pytest.raises(ValidationError) as excinfo:
        make_letter(
            actor=people.phong, issuer=tree.office_a1, units=[tree.s1], attachments=[exe_named_pdf("ke-hoach.pdf")]
        )
    assert "ke-hoach.pdf" in messages_of(excinfo)
    with pytest.raises(ValidationError) as excinfo:
        make_letter(
            actor=people.phong,
            issuer=tree.office_a1,
            units=[tree.s1],
            attachments=[pdf_file(f"{i}.pdf") for i in range(11)],
        )
    assert "at most 10" in messages_of(excinfo)
    assert Letter.objects.count() == 0 and LetterAttachment.objects.count() == 0
    private = Path(settings.PRIVATE_ROOT)
    assert not private.exists() or not any(p.is_file() for p in private.rglob("*"))
    letter = make_letter(
        actor=people.phong, issuer=tree.office_a1, units=[tree.s1], attachments=[pdf_file(), docx_file()]
    )
    assert sorted(letter.attachments.values_list("name", flat=True)) == ["bao-cao.docx", "bao-cao.pdf"]


def test_scripts_in_the_body_are_never_stored(tree, people):
    letter = make_letter(
        actor=people.phong,
        issuer=tree.office_a1,
        units=[tree.s1],
        body='<p onclick="steal()">Kính gửi</p><script>alert(1)</script><a href="javascript:alert(2)">x</a>',
    )
    assert "<script" not in letter.body and "onclick" not in letter.body and "javascript:" not in letter.body
    assert "Kính gửi" in letter.body
    assert "alert" not in letter.search_text


def test_a_letter_without_text_or_file_and_a_future_date_are_not_issued(tree, people):
    letter = make_letter(actor=people.phong, issuer=tree.office_a1, units=[tree.s1], body="", issue=False)
    with pytest.raises(ValidationError) as excinfo:
        services.letter_issue(actor=people.phong, letter=letter)
    assert "neither text nor an attached file" in messages_of(excinfo)
    later = make_letter(
        actor=people.phong,
        issuer=tree.office_a1,
        number=2,
        units=[tree.s1],
        issued_on=timezone.localdate() + timedelta(days=3),
        issue=False,
    )
    with pytest.raises(ValidationError) as excinfo:
        services.letter_issue(actor=people.phong, letter=later)
    assert "in the future" in messages_of(excinfo)
    no_number = make_letter(actor=people.phong, issuer=tree.office_a1, number=None, units=[tree.s1], issue=False)
    with pytest.raises(ValidationError) as excinfo:
        services.letter_issue(actor=people.phong, letter=no_number)
    assert "Type the letter's number" in messages_of(excinfo)
    assert not LetterRecipient.objects.exists()


def test_an_issued_letter_is_final(tree, people, to_s1):
    with pytest.raises(ValidationError) as excinfo:
        services.letter_update(
            actor=people.phong,
            letter=to_s1,
            number=9,
            symbol="X",
            issued_on=to_s1.issued_on,
            subject="Khác",
            signer_name="A",
            signer_title="B",
            units=[tree.s1],
        )
    assert "can no longer be changed" in messages_of(excinfo)
    to_s1.refresh_from_db()
    assert to_s1.number == 1364


# --- citations ----------------------------------------------------------------------------------


def test_citations_link_both_ways_and_only_to_visible_earlier_letters(tree, people, more):
    earlier = make_letter(
        actor=people.so,
        issuer=tree.dept_a,
        number=10,
        kinds=[A.OFFICES],
        issued_on=timezone.localdate() - timedelta(days=5),
    )
    letter = make_letter(actor=people.phong, issuer=tree.office_a1, symbol="PGDĐT", units=[tree.s1], cites=[earlier])
    assert list(letter.cites.all()) == [earlier] and list(earlier.cited_by.all()) == [letter]
    hidden = make_letter(actor=people.so_b, issuer=tree.dept_b, number=11, kinds=[A.THCS])
    future = make_letter(
        actor=people.so, issuer=tree.dept_a, number=12, kinds=[A.OFFICES], issued_on=timezone.localdate()
    )
    for cited, expected in ((hidden, "that you can see"), (future, "only cite earlier letters")):
        with pytest.raises(ValidationError) as excinfo:
            make_letter(
                actor=people.phong,
                issuer=tree.office_a1,
                number=99,
                symbol="PGDĐT",
                units=[tree.s1],
                cites=[cited],
                issued_on=timezone.localdate() - timedelta(days=1),
            )
        assert expected in messages_of(excinfo)
    draft = make_letter(actor=people.phong, issuer=tree.office_a1, number=3, units=[tree.s1], issue=False)
    with pytest.raises(ValidationError) as excinfo:
        services.letter_update(
            actor=people.phong,
            letter=draft,
            number=3,
            symbol="PGDĐT",
            issued_on=draft.issued_on,
            subject=draft.subject,
            signer_name="A",
            signer_title="B",
            units=[tree.s1],
            cites=[draft],
        )
    assert "cannot cite itself" in messages_of(excinfo)


# --- forwarding ---------------------------------------------------------------------------------


def test_a_department_forwards_a_ministry_letter_to_its_units(tree, people, more):
    letter = make_letter(actor=people.bo, issuer=tree.ministry, symbol="BGDĐT-GDTrH", kinds=[A.DEPARTMENTS])
    Notification.objects.all().delete()
    assert not can_view_letter(people.s1_admin, letter)
    added, skipped = services.letter_forward(
        actor=people.so, letter=letter, from_unit=tree.dept_a, kinds=[A.OFFICES], units=[tree.s1]
    )
    assert (added, skipped) == (3, 0)
    assert row(letter, tree.s1).forwarded_by_unit == tree.dept_a
    assert notified(people.phong) == 1 and notified(people.s1_admin) == 1 and notified(people.s2_admin) == 0
    assert can_view_letter(people.s1_admin, letter) and can_view_letter(people.teacher, letter)
    # The Office forwards on to its schools; S1 already has it and is skipped.
    added, skipped = services.letter_forward(
        actor=people.phong, letter=letter, from_unit=tree.office_a1, kinds=[A.THCS]
    )
    assert (added, skipped) == (1, 1)
    assert row(letter, tree.s2).forwarded_by_unit == tree.office_a1
    with pytest.raises(ValidationError) as excinfo:
        services.letter_forward(actor=people.phong, letter=letter, from_unit=tree.office_a1, units=[tree.s1, tree.s2])
    assert "already received" in messages_of(excinfo)
    # Only from a unit that received it, by the people who speak for it, to units below it.
    for actor, unit in ((people.phong_a2, tree.office_a2), (people.s1_admin, tree.s1), (more.phong_b1, tree.office_b1)):
        with pytest.raises(ValidationError):
            services.letter_forward(actor=actor, letter=letter, from_unit=unit, kinds=[A.THCS])
    with pytest.raises(ValidationError) as excinfo:
        services.letter_forward(actor=people.phong, letter=letter, from_unit=tree.office_a1, units=[tree.s3])
    assert "not under" in messages_of(excinfo)
    assert AuditEntry.objects.filter(action="letter.forward").count() == 2


# --- read receipts and reminders ----------------------------------------------------------------


def test_the_first_opening_by_a_head_of_the_unit_is_recorded_once(tree, people, more, to_s1):
    # Issue #12: to_s1 is addressed to the heads of the school (the default of an Office's letter), so a
    # teacher's opening no longer counts as the school having read it; the school admin's does.
    assert to_s1.addressed_to == Letter.Addressees.HEADS
    assert services.letter_mark_read(letter=to_s1, user=people.phong) == 0  # the issuer's own staff
    assert services.letter_mark_read(letter=to_s1, user=people.so) == 0  # above, not a recipient
    assert services.letter_mark_read(letter=to_s1, user=people.s2_admin) == 0
    assert services.letter_mark_read(letter=to_s1, user=people.teacher) == 0  # not addressed to teachers
    assert row(to_s1, tree.s1).read_at is None
    assert services.letter_mark_read(letter=to_s1, user=people.s1_admin) == 1
    receipt = row(to_s1, tree.s1)
    assert receipt.read_by == people.s1_admin and receipt.read_at is not None
    assert receipt.read_role == Role.SCHOOL_ADMIN
    assert services.letter_mark_read(letter=to_s1, user=people.s1_principal) == 0
    assert services.letter_mark_read(letter=to_s1, user=more.student) == 0
    assert row(to_s1, tree.s1).read_by == people.s1_admin


def test_remind_reaches_unread_units_at_most_every_ten_minutes(tree, people):
    letter = make_letter(actor=people.so, issuer=tree.dept_a, kinds=[A.THCS], units=[tree.t1])
    services.letter_mark_read(letter=letter, user=people.t1_principal)
    Notification.objects.all().delete()
    sent = services.letter_remind(actor=people.so, letter=letter)
    assert sent == {"units": 2, "people": 3}
    assert notified(people.s1_admin) == 1 and notified(people.s2_admin) == 1 and notified(people.t1_principal) == 0
    assert row(letter, tree.s1).reminded_at is not None and row(letter, tree.t1).reminded_at is None
    with pytest.raises(ValidationError) as excinfo:
        services.letter_remind(actor=people.so, letter=letter)
    assert "at most once every 10 minutes" in messages_of(excinfo)
    assert Notification.objects.count() == 3
    LetterRecipient.objects.update(reminded_at=timezone.now() - timedelta(minutes=11))
    services.letter_mark_read(letter=letter, user=people.s1_admin)
    services.letter_mark_read(letter=letter, user=people.s2_admin)
    with pytest.raises(ValidationError) as excinfo:
        services.letter_remind(actor=people.so, letter=letter)
    assert "nobody to remind" in messages_of(excinfo)
    with pytest.raises(ValidationError):
        services.letter_remind(actor=people.s1_admin, letter=letter)
    assert AuditEntry.objects.filter(action="letter.remind").count() == 1


def test_a_forwarding_unit_follows_the_receipts_of_what_it_forwarded(tree, people):
    letter = make_letter(actor=people.bo, issuer=tree.ministry, symbol="BGDĐT", kinds=[A.DEPARTMENTS])
    services.letter_forward(actor=people.so, letter=letter, from_unit=tree.dept_a, kinds=[A.THCS])
    assert can_view_receipts(people.so, letter) and can_view_receipts(people.bo, letter)
    assert not can_view_receipts(people.so_b, letter) and not can_view_receipts(people.s1_admin, letter)
    Notification.objects.all().delete()
    assert services.letter_remind(actor=people.so, letter=letter)["units"] == 2  # S1 and S2, not Dept B
    assert notified(people.so_b) == 0


# --- who sees what ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "sees"),
    [
        ("phong", True),  # issuer
        ("s1_admin", True),  # recipient
        ("teacher", True),  # a teacher in a group of the recipient school
        ("student", False),  # a student in a class of it: the letter is addressed to the heads (issue #12)
        ("s2_admin", False),  # sibling school
        ("s2_teacher", False),
        ("phong_a2", False),  # sibling office
        ("so", True),  # the Department above the issuer oversees it
        ("bo", True),
        ("so_b", False),  # another Department
        ("s3_admin", False),
        ("anonymous", False),
    ],
)
def test_visibility_matrix(tree, people, more, to_s1, who, sees):
    from django.contrib.auth.models import AnonymousUser

    user = AnonymousUser() if who == "anonymous" else getattr(people, who, None) or getattr(more, who)
    assert can_view_letter(user, to_s1) is sees
    assert Letter.objects.filter(letters_visible_q(user), pk=to_s1.pk).exists() is sees


def test_public_letters_are_seen_by_everyone(tree, people, more):
    from django.contrib.auth.models import AnonymousUser

    letter = make_letter(actor=people.so, issuer=tree.dept_a, kinds=[A.OFFICES], is_public=True)
    for user in (AnonymousUser(), more.s3_admin, people.so_b):
        assert can_view_letter(user, letter)
        assert Letter.objects.filter(letters_visible_q(user), pk=letter.pk).exists()
    draft = make_letter(actor=people.so, issuer=tree.dept_a, number=2, kinds=[A.OFFICES], is_public=True, issue=False)
    assert not can_view_letter(AnonymousUser(), draft)
    assert not Letter.objects.filter(letters_visible_q(AnonymousUser()), pk=draft.pk).exists()


# --- pages --------------------------------------------------------------------------------------


def get(client, user, url, **kwargs):
    if user is not None:
        client.force_login(user)
    return client.get(url, **kwargs)


def post(client, user, url, data, **kwargs):
    client.force_login(user)
    return client.post(url, data, **kwargs)


def test_inbox_shows_my_units_letters_unread_first_in_bold(client, tree, people, to_s1):
    other = make_letter(actor=people.phong, issuer=tree.office_a1, number=2, symbol="PGDĐT", units=[tree.s1])
    services.letter_mark_read(letter=other, user=people.s1_principal)
    html = get(client, people.s1_admin, reverse("letters:inbox")).content.decode()
    assert html.index(to_s1.reference) < html.index(other.reference)
    assert re.search(r'fw-bold[^>]*data-testid="unread">' + re.escape(to_s1.reference), html)
    assert re.search(r'data-testid="read">' + re.escape(other.reference), html)
    html = get(client, people.s1_admin, reverse("letters:inbox") + "?show=unread").content.decode()
    assert to_s1.reference in html and other.reference not in html
    for user in (people.s2_admin, people.so_b):
        html = get(client, user, reverse("letters:inbox")).content.decode()
        assert to_s1.reference not in html and 'data-testid="inbox-empty"' in html


def test_sent_list_is_for_those_who_issue(client, tree, people, to_s1):
    response = get(client, people.phong, reverse("letters:sent"))
    assert response.status_code == 200 and to_s1.subject in response.content.decode()
    assert 'data-testid="read-count"' in response.content.decode()
    assert get(client, people.teacher, reverse("letters:sent")).status_code == 403
    assert to_s1.subject not in get(client, people.phong_a2, reverse("letters:sent")).content.decode()


def _form_data(tree, **overrides):
    data = {
        "issuer": tree.office_a1.pk,
        "number": "15",
        "symbol": "PGDĐT-THCS",
        "issued_on": timezone.localdate().strftime("%d/%m/%Y"),
        "subject": "V/v tổ chức kiểm tra học kỳ I",
        "signer_name": "Lê Văn Nam",
        "signer_title": "Trưởng phòng",
        "body": "Kính gửi các trường THCS.",
        "kinds": [A.THCS],
        "cites": "",
        "codes": "",
    }
    data.update(overrides)
    return data


def test_new_letter_page_saves_a_draft_then_issues_it(client, tree, people):
    assert get(client, people.teacher, reverse("letters:new")).status_code == 403
    assert get(client, people.phong, reverse("letters:new")).status_code == 200
    data = _form_data(tree, attachments=[pdf_file("cv-15.pdf")])
    response = post(client, people.phong, reverse("letters:new"), data)
    letter = Letter.objects.get()
    assert response.status_code == 302 and response.url == reverse("letters:detail", args=[letter.pk])
    assert letter.status == "draft" and letter.attachments.get().name == "cv-15.pdf"
    html = get(client, people.phong, reverse("letters:issue", args=[letter.pk])).content.decode()
    assert 'data-testid="confirm-issue"' in html and tree.s2.name in html
    response = post(client, people.phong, reverse("letters:issue", args=[letter.pk]), {})
    assert response.status_code == 302
    letter.refresh_from_db()
    assert letter.status == "issued" and letter.recipients.count() == 2
    assert notified(people.s1_admin) == 1


def test_new_letter_page_says_what_is_wrong_and_keeps_what_was_typed(client, tree, people):
    make_letter(actor=people.phong, issuer=tree.office_a1, number=15, symbol="PGDĐT", units=[tree.s1])
    data = _form_data(tree, kinds=[], codes=tree.s3.code, attachments=[exe_named_pdf("de-thi.pdf")])
    html = post(client, people.phong, reverse("letters:new"), data).content.decode()
    assert "de-thi.pdf" in html and "V/v tổ chức kiểm tra học kỳ I" in html and "Lê Văn Nam" in html
    assert 'data-testid="files-not-kept"' in html
    html = post(
        client, people.phong, reverse("letters:new"), _form_data(tree, kinds=[], codes=tree.s3.code)
    ).content.decode()
    assert "not under Phòng GDĐT Phủ Lý" in html and tree.s3.name in html
    html = post(client, people.phong, reverse("letters:new"), _form_data(tree)).content.decode()
    assert "already used by the letter 15/PGDĐT" in html
    html = post(
        client, people.phong, reverse("letters:new"), _form_data(tree, number="16", cites="999/KHONG-CO")
    ).content.decode()
    assert "999/KHONG-CO" in html
    assert Letter.objects.count() == 1


def test_a_200_mb_attachment_dropped_by_the_upload_handler_is_reported(client, tree, people, settings):
    settings.UPLOAD_MAX_BYTES = 1024  # stands for the 500 MB cut-off; the file is far above it
    data = _form_data(tree, attachments=[pdf_file("cong-van-lon.pdf", size=4096)])
    response = post(client, people.phong, reverse("letters:new"), data)
    html = response.content.decode()
    assert response.status_code == 200 and "cong-van-lon.pdf is too large" in html
    assert "V/v tổ chức kiểm tra học kỳ I" in html
    assert Letter.objects.count() == 0


def test_edit_is_for_the_issuers_drafts(client, tree, people, to_s1):
    draft = make_letter(
        actor=people.phong, issuer=tree.office_a1, number=20, units=[tree.s1], attachments=[pdf_file()], issue=False
    )
    url = reverse("letters:edit", args=[draft.pk])
    assert get(client, people.so, url).status_code == 404  # above, but does not speak for the Office
    assert get(client, people.s1_admin, url).status_code == 404
    assert get(client, people.phong, url).status_code == 200
    attachment = draft.attachments.get()
    data = _form_data(tree, number="20", subject="V/v đã sửa", kinds=[], units=[tree.s1.pk])
    data["remove_attachments"] = [str(attachment.pk)]
    response = post(client, people.phong, url, data)
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.subject == "V/v đã sửa" and not draft.attachments.exists()
    response = get(client, people.phong, reverse("letters:edit", args=[to_s1.pk]))
    assert response.status_code == 302 and response.url == reverse("letters:detail", args=[to_s1.pk])


def test_detail_records_the_receipt_and_shows_dates_and_citations(client, tree, people, to_s1):
    later = make_letter(actor=people.phong, issuer=tree.office_a1, number=30, units=[tree.s1], cites=[to_s1])
    html = get(client, people.s1_principal, reverse("letters:detail", args=[to_s1.pk])).content.decode()
    assert row(to_s1, tree.s1).read_by == people.s1_principal  # a head of the school (issue #12)
    assert to_s1.subject in html and "Nguyễn Văn Bình" in html and 'data-testid="dates"' in html
    assert to_s1.issued_on.strftime("%d/%m/%Y") in html
    assert reverse("letters:detail", args=[later.pk]) in html  # cited by
    html = get(client, people.teacher, reverse("letters:detail", args=[later.pk])).content.decode()
    assert f'href="{reverse("letters:detail", args=[to_s1.pk])}" data-testid="cites-link"' in html
    assert 'data-testid="receipts"' not in html and 'data-testid="forward"' not in html
    assert get(client, people.s2_admin, reverse("letters:detail", args=[to_s1.pk])).status_code == 404
    assert get(client, people.so_b, reverse("letters:detail", args=[to_s1.pk])).status_code == 404
    client.logout()
    response = client.get(reverse("letters:detail", args=[to_s1.pk]))
    assert response.status_code == 302 and reverse("account_login") in response.url


def test_anonymous_visitors_read_public_letters_and_their_files(client, tree, people):
    letter = make_letter(
        actor=people.so, issuer=tree.dept_a, kinds=[A.OFFICES], is_public=True, attachments=[pdf_file()]
    )
    response = client.get(reverse("letters:detail", args=[letter.pk]))
    assert response.status_code == 200 and letter.subject in response.content.decode()
    response = client.get(reverse("letters:attachment", args=[letter.attachments.get().pk]))
    assert response.status_code == 200 and response["X-Content-Type-Options"] == "nosniff"


def test_attachment_download_is_permission_checked(client, tree, people):
    letter = make_letter(actor=people.phong, issuer=tree.office_a1, units=[tree.s1], attachments=[pdf_file("cv.pdf")])
    url = reverse("letters:attachment", args=[letter.attachments.get().pk])
    response = get(client, people.s1_admin, url)
    assert response.status_code == 200 and response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Type"] == "application/pdf" and "cv.pdf" in response["Content-Disposition"]
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    assert get(client, people.s2_admin, url).status_code == 404
    client.logout()
    assert client.get(url).status_code == 302


def test_receipts_page_and_reminder_for_the_issuer_only(client, tree, people, to_s1):
    url = reverse("letters:receipts", args=[to_s1.pk])
    html = get(client, people.phong, url).content.decode()
    assert 'data-testid="not-opened"' in html and 'data-testid="remind"' in html
    for user in (people.s1_admin, people.s2_admin, people.so_b):
        assert get(client, user, url).status_code == 404
    remind = reverse("letters:remind", args=[to_s1.pk])
    assert 'data-testid="confirm-remind"' in get(client, people.phong, remind).content.decode()
    assert get(client, people.s1_admin, remind).status_code == 404
    response = post(client, people.phong, remind, {})
    assert response.status_code == 302 and notified(people.s1_admin) == 1
    assert 'data-testid="throttled"' in get(client, people.phong, remind).content.decode()
    post(client, people.phong, remind, {})
    assert notified(people.s1_admin) == 1
    services.letter_mark_read(letter=to_s1, user=people.s1_admin)
    html = get(client, people.phong, url).content.decode()
    assert 'data-testid="opened"' in html and people.s1_admin.full_name in html


def test_forward_page(client, tree, people):
    letter = make_letter(actor=people.bo, issuer=tree.ministry, symbol="BGDĐT", kinds=[A.DEPARTMENTS])
    url = reverse("letters:forward", args=[letter.pk])
    assert (
        'data-testid="forward"' in get(client, people.so, reverse("letters:detail", args=[letter.pk])).content.decode()
    )
    assert get(client, people.so, url).status_code == 200
    assert get(client, people.phong, url).status_code == 404  # not a recipient yet: cannot even see it
    response = post(client, people.so, url, {"from_unit": tree.dept_a.pk, "units": [tree.office_a1.pk], "codes": ""})
    assert response.status_code == 302 and row(letter, tree.office_a1).forwarded_by_unit == tree.dept_a
    assert get(client, people.phong, url).status_code == 200  # now the Office has it and may pass it on
    html = post(client, people.so, url, {"from_unit": tree.dept_a.pk, "codes": tree.s3.code}).content.decode()
    assert "not under" in html
    s1_url = reverse("letters:forward", args=[letter.pk])
    services.letter_forward(actor=people.phong, letter=letter, from_unit=tree.office_a1, units=[tree.s1])
    assert get(client, people.s1_admin, s1_url).status_code == 403


# --- fixed query counts -------------------------------------------------------------------------


def _schools(tree, count, prefix):
    specs = [
        UnitSpec(code=f"{prefix}-{i:03d}", name=f"Trường THCS số {i}", kind="school", school_level="thcs")
        for i in range(count)
    ]
    return units_bulk_create(actor=None, parent=Unit.objects.get(pk=tree.office_a2.pk), specs=specs)


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_receipts_page_costs_the_same_for_3_or_30_recipients(client, tree, people):
    small = make_letter(actor=people.so, issuer=tree.dept_a, number=1, units=_schools(tree, 3, "A"))
    large = make_letter(actor=people.so, issuer=tree.dept_a, number=2, units=_schools(tree, 30, "B"))
    for letter in (small, large):
        for recipient in letter.recipients.all()[:2]:
            reader = make_person(unit=recipient.unit, role=Role.SCHOOL_ADMIN)
            services.letter_mark_read(letter=letter, user=reader)
    client.force_login(people.so)
    _queries(client, reverse("letters:receipts", args=[small.pk]))  # warm the session and caches
    few = _queries(client, reverse("letters:receipts", args=[small.pk]))
    many = _queries(client, reverse("letters:receipts", args=[large.pk]))
    assert many == few and few <= 15


def test_inbox_costs_the_same_for_3_or_30_letters(client, tree, people, django_assert_max_num_queries):
    for number in range(1, 4):
        make_letter(actor=people.phong, issuer=tree.office_a1, number=number, units=[tree.s1])
    client.force_login(people.s1_admin)
    _queries(client, reverse("letters:inbox"))
    few = _queries(client, reverse("letters:inbox"))
    for number in range(4, 31):
        make_letter(actor=people.phong, issuer=tree.office_a1, number=number, units=[tree.s1])
    many = _queries(client, reverse("letters:inbox"))
    assert many == few
    with django_assert_max_num_queries(12):
        client.get(reverse("letters:inbox"))
