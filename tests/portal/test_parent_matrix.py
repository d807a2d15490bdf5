"""The permission matrix of parents across the site (issue #17 point 6): a parent reads exactly their
own children's pages (home tab, homeroom conversation, letters addressed to them), and gets a 404 or 403
(or the login/redirect) on every other child's page, on staff pages and on courses they are not in."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.selectors import children_of
from courses.models import Submission
from forums.homeroom import homeroom_message_send
from publications.services import letters
from tests.accounts.family import make_family
from tests.courses.factories import enrol, make_assignment, make_course

pytestmark = pytest.mark.django_db
REFUSED = (302, 403, 404)


@pytest.fixture
def f(tree):
    return make_family(tree)


def _letter(f, *, number, parents_unit):
    made = letters.letter_create(
        actor=f.principal, issuer=f.tree.s1, number=number, symbol="TB", issued_on=timezone.localdate(),
        subject=f"Thông báo {number}", signer_name="Phạm Hiệu Trưởng", signer_title="Hiệu trưởng", body="Kính gửi.",
        kinds=(), units=[f.tree.g1], parents_unit=parents_unit,
    )  # fmt: skip
    return letters.letter_issue(actor=f.principal, letter=made)


def test_a_parent_sees_exactly_their_children(client, f):
    assert [link.child for link in children_of(parent=f.mother)] == [f.an, f.hoa]
    assert [link.child for link in children_of(parent=f.father)] == [f.an]
    client.force_login(f.mother)
    home = client.get(reverse("home"))
    assert [link.child for link in home.context["links"]] == [f.an, f.hoa]
    for child in (f.an, f.hoa):
        assert client.get(reverse("home") + f"?hs={child.pk}").status_code == 200
        assert client.get(reverse("forums:homeroom", args=[child.pk])).status_code == 200


def test_a_parent_gets_nothing_of_another_child_or_of_staff_pages(client, f):
    t = f.tree
    course = make_course(unit=t.s1, author=f.maths, title="Toán 6")  # a course of the school, An not in it
    enrol(course=course, user=f.cuong)
    assignment = make_assignment(course=course, due_in=-timedelta(days=1))
    submission = Submission.objects.create(assignment=assignment, learner=f.cuong, submitted_by=f.cuong)
    homeroom_message_send(actor=f.cuong_parent, child=f.cuong, body="Phụ huynh em Cường xin phép.")
    staff_letter = _letter(f, number=1, parents_unit=None)
    other_class_letter = _letter(f, number=2, parents_unit=t.c2)  # 7A1: Hoa's class, not An's
    client.force_login(f.father)  # An's father only
    pages = {}
    for child in (f.cuong, f.other, f.hoa):  # a classmate, a child of another school, his wife's other child
        pages[f"home tab of {child}"] = reverse("home") + f"?hs={child.pk}"
        pages[f"homeroom of {child}"] = reverse("forums:homeroom", args=[child.pk])
        pages[f"profile of {child}"] = reverse("accounts:account_detail", args=[child.pk])
        pages[f"record of {child}"] = reverse("courses:record", args=[child.pk])
    pages.update({
        "course not in": reverse("courses:course", args=[course.pk]),
        "course progress": reverse("courses:progress", args=[course.pk]),
        "submission": reverse("courses:submission", args=[submission.pk]),
        "grading": reverse("courses:grading", args=[assignment.pk]),
        "class book": reverse("gradebook:class_book", args=[t.c1.pk, 1]),
        "class absences": reverse("gradebook:absences", args=[t.c1.pk]),
        "report cards": reverse("gradebook:report_cards_pdf", args=[t.c1.pk]),
        "school accounts": reverse("accounts:school_accounts", args=[t.s1.pk]),
        "issue an account": reverse("accounts:account_new", args=[t.s1.pk]),
        "parents' requests": reverse("accounts:parent_requests", args=[t.s1.pk]),
        "issue a parent": reverse("accounts:parent_new", args=[f.cuong.pk]),
        "school directory": reverse("units:people", args=[t.s1.pk]),
        "stats": reverse("reports:dashboard", args=[t.s1.pk]),
        "new letter": reverse("letters:new"),
        "staff letter": reverse("letters:detail", args=[staff_letter.pk]),
        "another class's letter": reverse("letters:detail", args=[other_class_letter.pk]),
        "school forum": reverse("forums:unit_forum", args=[t.s1.pk]),
    })  # fmt: skip
    for name, url in pages.items():
        status = client.get(url).status_code
        assert status in REFUSED, (name, status)
    # lists scoped to the person open, empty: nothing of the school's children in them
    for url in (reverse("forums:moderation"), reverse("teaching:plans"), reverse("letters:inbox")):
        response = client.get(url)
        assert response.status_code in (200, *REFUSED) and "Lê Văn Cường" not in response.text, url
    # and no write reaches another child: a message about Cường is refused as missing
    response = client.post(reverse("forums:homeroom", args=[f.cuong.pk]), {"body": "Tôi là bố em An"})
    assert response.status_code == 404
    # the homeroom list of a parent is empty: parents are no homeroom teachers
    assert not list(client.get(reverse("forums:homeroom_list")).context["page"].object_list)
