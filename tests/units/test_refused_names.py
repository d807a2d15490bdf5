"""Unit, class and cluster names are refused at entry when a spreadsheet would run them as a formula
or they hold bidi controls (truonghoc.text.refuse_formula_or_bidi; issue #14 point 8)."""

import pytest
from django.core.exceptions import ValidationError

from tests.units.factories import make_unit
from units.models import Unit
from units.services import class_promote, cluster_create, unit_create, unit_rename

K = Unit.Kind


def test_a_unit_is_not_created_or_renamed_with_a_formula_name(tree):
    before = Unit.objects.count()
    with pytest.raises(ValidationError) as caught:
        unit_create(actor=None, parent=tree.s1, code="X1", name="=HYPERLINK(1)", kind=K.GROUP)
    assert "name" in caught.value.message_dict
    assert Unit.objects.count() == before
    with pytest.raises(ValidationError):
        unit_rename(actor=None, unit=tree.g1, name="Tổ \u202eToán")
    tree.g1.refresh_from_db()
    assert tree.g1.name == "Tổ Khoa học tự nhiên"


def test_class_promotion_refuses_such_a_new_name(tree):
    with pytest.raises(ValidationError) as caught:
        class_promote(actor=None, school_class=tree.c1, new_name="@7A1")
    assert "new_name" in caught.value.message_dict
    tree.c1.refresh_from_db()
    assert (tree.c1.name, tree.c1.grade) == ("6A1", 6)


def test_a_cluster_is_not_created_with_a_formula_name(tree):
    with pytest.raises(ValidationError):
        cluster_create(actor=None, owner=tree.office_a1, code="CUM1", name="+Cụm 1", schools=[tree.s1, tree.s2])


def test_ordinary_names_still_work(tree):
    unit = make_unit(tree.s1, K.GROUP, "Tổ Toán – Tin")
    assert unit.name == "Tổ Toán – Tin"
