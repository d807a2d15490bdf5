"""Issue #12, points 5 and 6: a read receipt means the unit read the letter (a head of the unit, or whoever
the letter is addressed to — never a student, nor a teacher of a letter written to the heads); students
see only letters addressed to everyone; the issuer sees who read it, as what, and when. And the "Căn cứ":
letters on the system and typed references to documents that are not, kept and shown in order."""

import importlib
import re
import unicodedata

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from notifications.models import Notification
from publications.models import Letter, LetterCitation, LetterRecipient
from publications.permissions.letters import can_view_letter
from publications.selectors import front
from publications.selectors.letters import letter_inbox
from publications.services import letters as services
from tests.accounts.factories import make_person
from units.models import Role

from .test_letters import make_letter, row

Addressees = Letter.Addressees
migration = importlib.import_module("publications.migrations.0004_i12_letter_addressees")


@pytest.fixture
def school(tree):
    """School S1's people: its two heads, a teacher of a group, a teacher held at the school, a student."""
    from types import SimpleNamespace

    return SimpleNamespace(
        principal=make_person(unit=tree.s1, role=Role.PRINCIPAL),
        admin=make_person(unit=tree.s1, role=Role.SCHOOL_ADMIN),
        teacher=make_person(unit=tree.g1, role=Role.TEACHER),
        school_teacher=make_person(unit=tree.s1, role=Role.TEACHER),
        student=make_person(unit=tree.c1, role=Role.STUDENT),
        s2_principal=make_person(unit=tree.s2, role=Role.PRINCIPAL),
    )


def office_letter(people, tree, *, number=1, addressed_to=None, units=None, **extra):
    return make_letter(
        actor=people.phong,
        issuer=tree.office_a1,
        number=number,
        symbol="PGDĐT",
        units=units or [tree.s1, tree.s2],
        addressed_to=addressed_to,
        subject=extra.pop("subject", f"V/v kiểm tra nề nếp đầu năm số {number}"),
        **extra,
    )


# --- who reads for the unit -------------------------------------------------------------------------


def test_an_offices_letter_is_addressed_to_the_heads_and_only_their_opening_counts(tree, people, school):
    letter = office_letter(people, tree)
    assert letter.addressed_to == Addressees.HEADS
    assert services.letter_mark_read(letter=letter, user=school.student) == 0
    assert services.letter_mark_read(letter=letter, user=school.teacher) == 0
    assert services.letter_mark_read(letter=letter, user=school.school_teacher) == 0
    assert row(letter, tree.s1).read_at is None and row(letter, tree.s1).read_by is None
    before = timezone.now()
    assert services.letter_mark_read(letter=letter, user=school.principal) == 1
    receipt = row(letter, tree.s1)
    assert receipt.read_by == school.principal and receipt.read_role == Role.PRINCIPAL
    assert receipt.read_at >= before
    assert row(letter, tree.s2).read_at is None  # only the principal's own school
    # The first head's opening stays the receipt.
    assert services.letter_mark_read(letter=letter, user=school.admin) == 0
    assert row(letter, tree.s1).read_by == school.principal


def test_a_letter_addressed_to_the_teachers_counts_a_teachers_opening_but_never_a_students(tree, people, school):
    letter = office_letter(people, tree, addressed_to=Addressees.STAFF)
    assert services.letter_mark_read(letter=letter, user=school.student) == 0
    assert services.letter_mark_read(letter=letter, user=school.teacher) == 1  # a teacher of a group of S1
    receipt = row(letter, tree.s1)
    assert receipt.read_by == school.teacher and receipt.read_role == Role.TEACHER
    everyone = office_letter(people, tree, number=2, addressed_to=Addressees.EVERYONE)
    assert can_view_letter(school.student, everyone)
    assert services.letter_mark_read(letter=everyone, user=school.student) == 0
    assert row(everyone, tree.s1).read_at is None
    assert services.letter_mark_read(letter=everyone, user=school.school_teacher) == 1


def test_a_group_leader_reads_for_the_group_a_teacher_only_when_addressed_to_the_teachers(tree, people):
    heads = make_letter(
        actor=people.s1_admin, issuer=tree.s1, symbol="THCSTP", units=[tree.g1], addressed_to=Addressees.HEADS
    )
    assert services.letter_mark_read(letter=heads, user=people.teacher) == 0
    assert services.letter_mark_read(letter=heads, user=people.leader) == 1
    assert row(heads, tree.g1).read_role == Role.GROUP_LEADER
    # A school's letter to its groups is written to their teachers unless said otherwise.
    staff = make_letter(actor=people.s1_admin, issuer=tree.s1, number=2, symbol="THCSTP", units=[tree.g1])
    assert staff.addressed_to == Addressees.STAFF
    assert services.letter_mark_read(letter=staff, user=people.teacher) == 1


def test_an_unknown_addressee_is_refused_and_nothing_is_saved(tree, people):
    with pytest.raises(ValidationError) as excinfo:
        office_letter(people, tree, addressed_to="parents", issue=False)
    assert "addressed_to" in excinfo.value.message_dict
    assert not Letter.objects.exists()


def test_notifications_go_to_those_the_letter_is_addressed_to(tree, people, school):
    office_letter(people, tree)
    assert Notification.objects.filter(recipient=school.principal).count() == 1
    for person in (school.teacher, school.school_teacher, school.student):
        assert not Notification.objects.filter(recipient=person).exists()
    Notification.objects.all().delete()
    office_letter(people, tree, number=2, addressed_to=Addressees.STAFF)
    for person in (school.principal, school.teacher, school.school_teacher):
        assert Notification.objects.filter(recipient=person).count() == 1
    assert not Notification.objects.filter(recipient=school.student).exists()


# --- what students see --------------------------------------------------------------------------


def test_students_never_see_letters_written_to_the_heads(client, tree, people, school):
    heads = office_letter(people, tree, subject="V/v họp hiệu trưởng các trường")
    staff = office_letter(people, tree, number=2, addressed_to=Addressees.STAFF, subject="V/v bồi dưỡng giáo viên")
    everyone = office_letter(people, tree, number=3, addressed_to=Addressees.EVERYONE, subject="V/v an toàn giao thông")
    assert not can_view_letter(school.student, heads) and not can_view_letter(school.student, staff)
    assert list(letter_inbox(user=school.student)) == [everyone]
    assert [x.pk for x in front.personal_front(user=school.student)["letters"]] == [everyone.pk]
    assert [x.pk for x in front.unit_front(unit=tree.s1, user=school.student)["letters"]] == [everyone.pk]
    client.force_login(school.student)
    html = client.get(reverse("home")).content.decode()
    assert everyone.subject in html and heads.subject not in html and staff.subject not in html
    html = client.get(reverse("letters:inbox")).content.decode()
    assert everyone.subject in html and heads.subject not in html
    html = client.get(reverse("letters:archive"), {"q": "V/v"}).content.decode()
    assert everyone.subject in html and heads.subject not in html and staff.subject not in html
    # Its link tells the student why it does not open, and records nothing.
    response = client.get(reverse("letters:detail", args=[heads.pk]))
    assert response.status_code == 403
    assert "is addressed to: The heads of each unit" in response.content.decode()
    assert "not addressed to students" in response.content.decode()
    assert row(heads, tree.s1).read_at is None
    # A student of another school gets a 404, as if the letter did not exist.
    client.force_login(make_person(unit=tree.s3, role=Role.STUDENT))
    assert client.get(reverse("letters:detail", args=[heads.pk])).status_code == 404
    client.force_login(school.student)
    html = client.get(reverse("letters:detail", args=[everyone.pk])).content.decode()
    assert 'data-testid="not-counted"' in html
    assert row(everyone, tree.s1).read_at is None
    # Teachers keep seeing the letters to their school, and are told when their opening does not count.
    client.force_login(school.teacher)
    html = client.get(reverse("letters:detail", args=[heads.pk])).content.decode()
    assert heads.subject in html and 'data-testid="not-counted"' in html
    html = client.get(reverse("letters:detail", args=[staff.pk])).content.decode()
    assert 'data-testid="not-counted"' not in html and row(staff, tree.s1).read_by == school.teacher
    # A group's leader heads the group, not the school: told too. The principal is not.
    client.force_login(people.leader)
    assert 'data-testid="not-counted"' in client.get(reverse("letters:detail", args=[heads.pk])).content.decode()
    client.force_login(school.principal)
    html = client.get(reverse("letters:detail", args=[heads.pk])).content.decode()
    assert 'data-testid="not-counted"' not in html and row(heads, tree.s1).read_by == school.principal


def test_a_students_inbox_costs_the_same_for_3_or_30_letters(
    client, tree, people, school, django_assert_max_num_queries
):
    from .test_letters import _queries

    for number in range(1, 4):
        office_letter(people, tree, number=number, addressed_to=Addressees.EVERYONE)
        office_letter(people, tree, number=100 + number)
    client.force_login(school.student)
    _queries(client, reverse("letters:inbox"))
    few = _queries(client, reverse("letters:inbox"))
    for number in range(4, 31):
        office_letter(people, tree, number=number, addressed_to=Addressees.EVERYONE)
        office_letter(people, tree, number=100 + number)
    many = _queries(client, reverse("letters:inbox"))
    assert many == few
    with django_assert_max_num_queries(12):
        html = client.get(reverse("letters:inbox")).content.decode()
    assert html.count('data-testid="inbox-row"') == 30


# --- the issuer's receipts ----------------------------------------------------------------------


def test_the_receipts_page_shows_per_unit_who_read_it_as_what_and_when(client, tree, people, school):
    letter = office_letter(people, tree)
    services.letter_mark_read(letter=letter, user=school.student)
    services.letter_mark_read(letter=letter, user=school.principal)
    when = timezone.localtime(row(letter, tree.s1).read_at).strftime("%d/%m/%Y %H:%M")
    client.force_login(people.phong)
    html = client.get(reverse("letters:receipts", args=[letter.pk])).content.decode()
    assert 'data-testid="count-read">1<' in html and 'data-testid="count-unread">1<' in html
    assert when in html and school.principal.full_name in html and "Principal" in html
    assert school.student.full_name not in html
    assert 'data-testid="receipts-rule"' in html


# --- the existing receipts, fixed by the migration ----------------------------------------------


def test_the_migration_clears_receipts_that_were_not_the_units_reading(tree, people, school):
    letter = office_letter(people, tree)
    earlier = office_letter(people, tree, number=9, subject="V/v trước đó")
    later = office_letter(people, tree, number=10, cites=[earlier])
    to_group = make_letter(actor=people.s1_admin, issuer=tree.s1, symbol="THCSTP", units=[tree.g1])
    now = timezone.now()
    # As the old rule recorded them: S1 read by its student, S2 by its principal, G1 by a teacher.
    LetterRecipient.objects.filter(letter=letter, unit=tree.s1).update(read_at=now, read_by=school.student)
    LetterRecipient.objects.filter(letter=letter, unit=tree.s2).update(read_at=now, read_by=school.s2_principal)
    LetterRecipient.objects.filter(letter=to_group).update(read_at=now, read_by=people.teacher, read_role="")
    Letter.objects.filter(pk=to_group.pk).update(addressed_to=Addressees.HEADS)
    LetterCitation.objects.all().delete()

    migration.forwards(apps, None)

    assert row(letter, tree.s1).read_at is None and row(letter, tree.s1).read_by is None
    assert row(letter, tree.s2).read_by == school.s2_principal and row(letter, tree.s2).read_role == Role.PRINCIPAL
    to_group.refresh_from_db()
    assert to_group.addressed_to == Addressees.STAFF  # a school's letters are to its groups' teachers
    assert row(to_group, tree.g1).read_by == people.teacher and row(to_group, tree.g1).read_role == Role.TEACHER
    assert [(c.position, c.cited_id, c.text) for c in later.citations.all()] == [(1, earlier.pk, "")]


# --- căn cứ: letters on the system and typed references -----------------------------------------


def test_typed_references_are_kept_beside_letters_in_the_order_written(tree, people):
    earlier = office_letter(people, tree, number=5, subject="V/v kế hoạch năm học")
    nfd = unicodedata.normalize("NFD", "Nghị định 30/2020/NĐ-CP ngày 05/3/2020 của Chính phủ về công tác văn thư")
    letter = office_letter(
        people,
        tree,
        number=6,
        cites=[
            "Căn cứ Công văn số 4567/BGDĐT-GDTrH ngày 05/9/2024 của Bộ GDĐT;",
            earlier,
            "<b>" + nfd + "</b><script>alert(1)</script>",
            "công văn số 4567/bgdđt-gdtrh ngày 05/9/2024 của bộ gdđt",  # the same one again
        ],
    )
    lines = [(c.position, c.cited_id, c.text) for c in letter.citations.all()]
    assert lines == [
        (1, None, "Công văn số 4567/BGDĐT-GDTrH ngày 05/9/2024 của Bộ GDĐT"),
        (2, earlier.pk, ""),
        (
            3,
            None,
            unicodedata.normalize("NFC", "Nghị định 30/2020/NĐ-CP ngày 05/3/2020 của Chính phủ về công tác văn thư"),
        ),
    ]
    assert list(letter.cites.all()) == [earlier] and list(earlier.cited_by.all()) == [letter]
    # The archive finds the letter by a document it is based on, with or without accents.
    assert "nghi dinh 30/2020/nd-cp" in letter.search_text
    services.letter_issue(actor=people.phong, letter=office_letter(people, tree, number=7, cites=[nfd], issue=False))
    assert "nghi dinh 30/2020/nd-cp" in Letter.objects.get(number=7).search_text


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("Nghị định " + "rất dài " * 60, "a reference can have at most 400"),
        ("NĐ", "too short to say which document"),
        ("<script>alert(1)</script>", "no reference left once markup is removed"),
    ],
)
def test_a_bad_typed_reference_is_refused_with_a_clear_message_and_nothing_saved(tree, people, typed, message):
    with pytest.raises(ValidationError) as excinfo:
        office_letter(people, tree, cites=[typed], issue=False)
    assert message in " ".join(excinfo.value.message_dict["cites"])
    assert not Letter.objects.exists() and not LetterCitation.objects.exists()


def _form(tree, **overrides):
    data = {
        "issuer": tree.office_a1.pk,
        "number": "15",
        "symbol": "PGDĐT",
        "issued_on": timezone.localdate().strftime("%d/%m/%Y"),
        "subject": "V/v tổ chức kiểm tra học kỳ I",
        "signer_name": "Lê Văn Nam",
        "signer_title": "Trưởng phòng",
        "body": "Kính gửi Hiệu trưởng các trường THCS.",
        "kinds": [],
        "units": [tree.s1.pk],
        "codes": "",
        "cites": "",
        "addressed_to": "heads",
    }
    data.update(overrides)
    return data


def test_the_letter_form_takes_typed_references_and_shows_them_in_order(client, tree, people):
    earlier = office_letter(people, tree, number=5, subject="V/v kế hoạch năm học")
    client.force_login(people.phong)
    html = client.get(reverse("letters:new")).content.decode()
    assert re.search(r'name="addressed_to" value="heads"[^>]*checked', html)  # an Office writes to the heads
    cites = (
        "Nghị định 30/2020/NĐ-CP ngày 05/3/2020 của Chính phủ về công tác văn thư;\n"
        "5/PGDĐT\n"
        "Căn cứ Công văn số 5555/BGDĐT-GDTrH ngày 08/10/2014 của Bộ GDĐT về việc hướng dẫn sinh hoạt chuyên "
        "môn về đổi mới phương pháp dạy học và kiểm tra, đánh giá; tổ chức và quản lí các hoạt động chuyên môn "
        "qua mạng (Công văn 5555);"
    )
    response = client.post(reverse("letters:new"), _form(tree, cites=cites, addressed_to="staff"))
    assert response.status_code == 302
    letter = Letter.objects.get(number=15)
    assert letter.addressed_to == Addressees.STAFF
    assert [c.cited_id or c.text[:20] for c in letter.citations.all()] == [
        "Nghị định 30/2020/NĐ",
        earlier.pk,
        "Công văn số 5555/BGD",
    ]
    html = client.get(reverse("letters:detail", args=[letter.pk])).content.decode()
    first, second, third = (
        html.index("Nghị định 30/2020/NĐ-CP"),
        html.index('data-testid="cites-link">5/PGDĐT'),
        html.index("Công văn số 5555/BGDĐT-GDTrH"),
    )
    assert first < second < third
    assert "kiểm tra, đánh giá; tổ chức và quản lí" in html  # one reference, kept whole
    # The edit form starts from the lines as saved, in order.
    html = client.get(reverse("letters:edit", args=[letter.pk])).content.decode()
    assert html.index("Nghị định 30/2020/NĐ-CP") < html.index("5/PGDĐT (") < html.index("Công văn số 5555")


def test_an_unknown_bare_number_says_how_to_type_a_document_that_is_not_on_the_system(client, tree, people):
    client.force_login(people.phong)
    html = client.post(reverse("letters:new"), _form(tree, cites="30/2020/NĐ-CP")).content.decode()
    assert "No letter you can see has the number 30/2020/NĐ-CP" in html
    assert "write what it is in full" in html
    assert not Letter.objects.exists()
    html = client.post(reverse("letters:new"), _form(tree, addressed_to="parents")).content.decode()
    assert "Choose whom the letter is addressed to from the list." in html
    assert not Letter.objects.exists()
    too_long = "Công văn số 4567/BGDĐT-GDTrH ngày 05/9/2024 về việc " + "hướng dẫn " * 50
    html = client.post(reverse("letters:new"), _form(tree, cites=too_long)).content.decode()
    assert "a reference can have at most 400" in html and "Lê Văn Nam" in html  # what was typed is kept
    assert not Letter.objects.exists() and not LetterCitation.objects.exists()
