"""Graduated students (issue #15: accounts kept, read-only, excluded from active counts) do not keep a
class or a school from closing, and are left out of the people counts of a unit's children."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts.models import User
from tests.accounts.factories import make_person
from tests.units.factories import make_unit
from units.models import Role, Unit
from units.selectors import people_counts_by_child
from units.services import unit_close, unit_close_blockers

K = Unit.Kind


@pytest.fixture
def graduated_class(tree):
    """A grade-9 class of S2 whose two students graduated (the year-end rollover sets `graduated_at`)."""
    nine = make_unit(tree.s2, K.CLASS, "9A1", grade=9)
    students = [make_person(unit=nine, role=Role.STUDENT) for _ in range(2)]
    User.objects.filter(pk__in=[s.pk for s in students]).update(graduated_at=timezone.now())
    return nine


def test_graduates_do_not_block_closing_their_class(tree, graduated_class):
    assert unit_close_blockers(unit=graduated_class) == {"accounts": 0, "children": 0}
    unit_close(actor=None, unit=graduated_class)
    assert not Unit.objects.get(pk=graduated_class.pk).is_active


def test_graduates_do_not_block_closing_their_school_but_a_student_still_does(tree, graduated_class, in_english):
    school = Unit.objects.get(pk=tree.s2.pk)
    unit_close(actor=None, unit=graduated_class)
    unit_close(actor=None, unit=tree.g3)
    still_here = make_person(unit=school, role=Role.STUDENT)  # a student of the school, in no class
    assert unit_close_blockers(unit=school) == {"accounts": 1, "children": 0}
    with pytest.raises(ValidationError, match="1 active accounts still belong to it"):
        unit_close(actor=None, unit=school)
    User.objects.filter(pk=still_here.pk).update(graduated_at=timezone.now())
    unit_close(actor=None, unit=school)
    assert Unit.objects.get(pk=school.pk).closed_on == timezone.localdate()


def test_graduates_are_not_counted_in_a_unit_s_children(tree, graduated_class):
    make_person(unit=graduated_class, role=Role.STUDENT)  # one who has not graduated
    inside = people_counts_by_child(unit=Unit.objects.get(pk=tree.s2.pk), user_model=User)
    assert inside[graduated_class.path] == {"student": 1}
    above = people_counts_by_child(unit=Unit.objects.get(pk=tree.office_a1.pk), user_model=User)
    assert above[tree.s2.path]["student"] == 1
