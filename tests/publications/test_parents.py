"""Letters and news addressed to parents (issue #17): a letter is also addressed to the parents of a
unit (the issuer itself, all the parents below it; for a school, one of its classes); approved news
"for parents too". A parent sees exactly those reaching their children's classes and schools, never a
staff-only letter, a draft, or another school's."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from publications.models import Letter
from publications.selectors.parents import parent_letters, parent_news
from publications.services import letters as services
from tests.accounts.factories import make_person
from tests.accounts.family import make_family
from units.models import Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def f(tree):
    family = make_family(tree)
    family.office = make_person(unit=tree.office_a1, role=Role.OFFICE_STAFF, full_name="Cán bộ Phòng")
    return family


def letter(*, actor, issuer, units, number, parents_unit=None, issue=True, subject="Thư gửi cha mẹ học sinh"):
    made = services.letter_create(
        actor=actor, issuer=issuer, number=number, symbol="TB-THCS", issued_on=timezone.localdate(),
        subject=subject, signer_name="Phạm Hiệu Trưởng", signer_title="Hiệu trưởng",
        body="Kính gửi quý phụ huynh.", kinds=(), units=units, parents_unit=parents_unit,
    )  # fmt: skip
    return services.letter_issue(actor=actor, letter=made) if issue else made


def test_each_parent_sees_the_letters_for_their_childrens_class_school_and_above(f):
    t = f.tree
    to_6a1 = letter(actor=f.principal, issuer=t.s1, units=[t.g1], number=1, parents_unit=t.c1, subject="Họp 6A1")
    to_7a1 = letter(actor=f.principal, issuer=t.s1, units=[t.g1], number=2, parents_unit=t.c2, subject="Họp 7A1")
    to_s1 = letter(actor=f.principal, issuer=t.s1, units=[t.g1], number=3, parents_unit=t.s1, subject="Toàn trường")
    to_office = letter(actor=f.office, issuer=t.office_a1, units=[t.s1, t.s2], number=4, parents_unit=t.office_a1)
    staff_only = letter(actor=f.principal, issuer=t.s1, units=[t.g1], number=5, subject="Chỉ giáo viên")
    draft = letter(actor=f.principal, issuer=t.s1, units=[t.g1], number=6, parents_unit=t.s1, issue=False)

    def seen(parent):
        return set(parent_letters(user=parent))

    assert seen(f.mother) == {to_6a1, to_7a1, to_s1, to_office}  # An in 6A1, Hoa in 7A1
    assert seen(f.father) == {to_6a1, to_s1, to_office}
    assert seen(f.cuong_parent) == {to_6a1, to_s1, to_office}
    assert seen(f.other_parent) == {to_office}  # S2 is under the same Office
    for parent in (f.mother, f.father, f.cuong_parent, f.other_parent):
        assert staff_only not in seen(parent) and draft not in seen(parent)
    # students and teachers are not parents: the parents' list is empty for them
    assert not parent_letters(user=f.an).exists() and not parent_letters(user=f.maths).exists()


def test_whose_parents_a_letter_may_address(f):
    t = f.tree
    for wrong in (t.s2, t.office_a1):  # another school's, or a unit above the issuer
        with pytest.raises(ValidationError) as refused:
            letter(actor=f.principal, issuer=t.s1, units=[t.g1], number=9, parents_unit=wrong, issue=False)
        assert "parents_unit" in refused.value.message_dict
    assert not Letter.objects.exists()
    with pytest.raises(ValidationError):  # an Office addresses its own parents, not one class
        letter(actor=f.office, issuer=t.office_a1, units=[t.s1], number=9, parents_unit=t.c1, issue=False)


def test_the_pages(client, f):
    t = f.tree
    to_6a1 = letter(actor=f.principal, issuer=t.s1, units=[t.g1], number=1, parents_unit=t.c1, subject="Họp 6A1")
    staff_only = letter(actor=f.principal, issuer=t.s1, units=[t.g1], number=2, subject="Chỉ giáo viên")
    client.force_login(f.father)
    home = client.get(reverse("home"))
    assert "Họp 6A1" in home.text and "Chỉ giáo viên" not in home.text
    listing = client.get(reverse("letters:parents"))
    assert listing.status_code == 200 and [x.pk for x in listing.context["page"].items] == [to_6a1.pk]
    assert client.get(reverse("letters:detail", args=[to_6a1.pk])).status_code == 200
    assert client.get(reverse("letters:detail", args=[staff_only.pk])).status_code == 404
    client.force_login(f.other_parent)
    assert client.get(reverse("letters:detail", args=[to_6a1.pk])).status_code == 404
    client.force_login(f.maths)
    assert client.get(reverse("letters:parents")).status_code == 404  # staff have their inbox


def test_a_letter_form_offers_the_school_and_its_classes(client, f):
    client.force_login(f.principal)
    page = client.get(reverse("letters:new"))
    choices = dict(page.context["form"].fields["parents_unit"].choices)
    assert set(choices) == {"", f.tree.s1.pk, f.tree.c1.pk, f.tree.c2.pk}


def test_news_for_parents(f):
    t = f.tree
    from tests.publications.test_news import published

    for_parents = published(f.principal, f.office, t.s1, title="Ngày hội đọc sách", for_parents=True)
    published(f.principal, f.office, t.s1, title="Sinh hoạt tổ chuyên môn")
    assert list(parent_news(user=f.mother)) == [for_parents]
    assert list(parent_news(user=f.other_parent)) == []
    assert list(parent_news(user=f.maths)) == []
