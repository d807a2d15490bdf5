import pytest
from django.core.exceptions import ValidationError

from tests.accounts.factories import make_person
from units.models import AuditEntry, Role, RoleAssignment, Unit
from units.selectors import subtree
from units.services import (
    UnitSpec,
    cluster_create,
    role_assign,
    unit_create,
    unit_merge,
    unit_move,
    unit_rename,
    units_bulk_create,
)

from .factories import make_unit

K = Unit.Kind


def test_thpt_schools_sit_under_a_department_and_thcs_under_an_office(tree):
    make_unit(tree.dept_a, K.SCHOOL, school_level="thpt")
    make_unit(tree.dept_a, K.SCHOOL, school_level="gdtx")
    make_unit(tree.office_a1, K.SCHOOL, school_level="th")
    with pytest.raises(ValidationError):
        make_unit(tree.office_a1, K.SCHOOL, school_level="thpt")
    with pytest.raises(ValidationError):
        make_unit(tree.dept_a, K.SCHOOL, school_level="thcs")
    with pytest.raises(ValidationError):
        make_unit(tree.dept_a, K.SCHOOL)  # a school needs a level


@pytest.mark.parametrize(
    ("parent", "kind", "extra"),
    [
        ("s1", K.OFFICE, {}),
        ("ministry", K.OFFICE, {}),
        ("office_a1", K.GROUP, {}),
        ("g1", K.CLASS, {"grade": 6}),
        (None, K.DEPARTMENT, {}),
    ],
)
def test_misplaced_units_are_refused_and_nothing_is_written(tree, parent, kind, extra):
    before = Unit.objects.count()
    with pytest.raises(ValidationError):
        make_unit(getattr(tree, parent) if parent else None, kind, **extra)
    assert Unit.objects.count() == before


def test_class_grade_must_be_1_to_12(tree):
    with pytest.raises(ValidationError):
        make_unit(tree.s1, K.CLASS, "13A", grade=13)
    with pytest.raises(ValidationError):
        make_unit(tree.s1, K.CLASS, "Lớp không khối")


def test_duplicate_code_is_refused_but_names_may_repeat(tree):
    make_unit(tree.office_a2, K.SCHOOL, "Trường THCS Trần Phú", school_level="thcs")  # same name as s1
    with pytest.raises(ValidationError):
        make_unit(tree.office_a2, K.SCHOOL, "Khác", school_level="thcs", code=tree.s1.code)


def test_bulk_create_keeps_the_tree_valid_and_appends_after_existing_children(tree):
    specs = [UnitSpec(code=f"X-{i}", name=f"{i}A", kind=K.CLASS, grade=6) for i in range(40)]
    created = units_bulk_create(actor=None, parent=tree.s1, specs=specs)
    assert len(created) == 40
    assert Unit.objects.find_problems() == ([], [], [], [], [])
    tree.s1.refresh_from_db()
    assert tree.s1.numchild == 44
    assert Unit.objects.get_children(tree.s1).count() == 44
    # Adding one the ordinary way afterwards lands after the bulk-created ones.
    late = make_unit(tree.s1, K.GROUP)
    assert late.path > created[-1].path


def test_bulk_create_validates_every_spec_before_writing(tree):
    specs = [UnitSpec(code="OK-1", name="6A", kind=K.CLASS, grade=6), UnitSpec(code="BAD", name="x", kind=K.OFFICE)]
    with pytest.raises(ValidationError):
        units_bulk_create(actor=None, parent=tree.s1, specs=specs)
    assert not Unit.objects.filter(code="OK-1").exists()


def test_names_are_stored_nfc_and_folded_for_search(tree):
    nfd = "Tr\u01b0\u01a1\u0300ng THCS \u0110o\u0302\u0300ng Du"  # "Trường THCS Đồng Du" typed in NFD
    unit = make_unit(tree.office_a1, K.SCHOOL, nfd, school_level="thcs")
    assert unit.name == "Trường THCS Đồng Du"
    assert Unit.objects.filter(name_folded__contains="dong du").get() == unit


def test_rename_keeps_people_and_leaves_an_audit_entry(tree):
    teacher = make_person(unit=tree.g1, role=Role.TEACHER)
    unit_rename(actor=teacher, unit=tree.s1, name="Trường THCS Trần Phú (mới)")
    teacher.refresh_from_db()
    assert teacher.unit.name == "Trường THCS Trần Phú (mới)"
    entry = AuditEntry.objects.filter(action="unit.rename").get()
    assert entry.before["name"] == "Trường THCS Trần Phú"
    assert entry.after["name"] == "Trường THCS Trần Phú (mới)"


def test_move_a_school_to_another_office_takes_its_subtree(tree):
    teacher = make_person(unit=tree.g1, role=Role.TEACHER)
    unit_move(actor=None, unit=tree.s1, new_parent=tree.office_a2)
    s1 = Unit.objects.get(pk=tree.s1.pk)
    assert Unit.objects.get_parent(s1) == tree.office_a2
    assert set(subtree(unit=s1).values_list("code", flat=True)) == {
        tree.s1.code,
        tree.g1.code,
        tree.g2.code,
        tree.c1.code,
        tree.c2.code,
    }
    assert Unit.objects.find_problems() == ([], [], [], [], [])
    # The teacher's role follows (it points at the group, whose path changed with the move).
    from units.permissions import can

    teacher = type(teacher).objects.get(pk=teacher.pk)
    assert can(teacher, "view", Unit.objects.get(pk=tree.g2.pk))
    with pytest.raises(ValidationError):
        unit_move(actor=None, unit=tree.office_a1, new_parent=tree.s2)  # under its own descendant
    with pytest.raises(ValidationError):
        unit_move(actor=None, unit=s1, new_parent=tree.dept_b)  # a THCS cannot sit under a Department


def test_merging_two_provinces_keeps_people_roles_and_history(tree):
    """Provinces merged in 2025: Dept B joins Dept A; nothing is lost."""
    staff_b = make_person(unit=tree.dept_b, role=Role.DEPARTMENT_STAFF)
    staff_both = make_person(unit=tree.dept_a, role=Role.DEPARTMENT_STAFF)
    role_assign(actor=None, user=staff_both, unit=tree.dept_b, role=Role.DEPARTMENT_STAFF)
    teacher_b = make_person(unit=tree.s3, role=Role.TEACHER)

    unit_merge(actor=None, source=tree.dept_b, into=tree.dept_a)

    dept_b = Unit.objects.get(pk=tree.dept_b.pk)
    dept_a = Unit.objects.get(pk=tree.dept_a.pk)
    assert not dept_b.is_active and dept_b.merged_into == dept_a
    assert Unit.objects.get_parent(Unit.objects.get(pk=tree.office_b1.pk)) == dept_a
    staff_b.refresh_from_db()
    assert staff_b.unit == dept_a
    assert RoleAssignment.objects.filter(user=staff_b, unit=dept_a, role=Role.DEPARTMENT_STAFF).exists()
    assert RoleAssignment.objects.filter(user=staff_both, role=Role.DEPARTMENT_STAFF).count() == 1
    teacher_b.refresh_from_db()
    assert teacher_b.unit == tree.s3  # schools keep their people; only the tree above them changed
    assert Unit.objects.find_problems() == ([], [], [], [], [])
    entry = AuditEntry.objects.get(action="unit.merge")
    assert entry.after["children_moved"] == 1 and entry.after["people_moved"] == 1


def test_merge_refuses_nonsense(tree):
    with pytest.raises(ValidationError):
        unit_merge(actor=None, source=tree.s1, into=tree.office_a1)  # different kinds
    with pytest.raises(ValidationError):
        unit_merge(actor=None, source=tree.s1, into=tree.s1)


def test_roles_can_only_be_held_where_they_make_sense(tree):
    user = make_person(unit=tree.g1, role=Role.TEACHER)
    with pytest.raises(ValidationError):
        role_assign(actor=None, user=user, unit=tree.c1, role=Role.GROUP_LEADER)
    with pytest.raises(ValidationError):
        role_assign(actor=None, user=user, unit=tree.s1, role=Role.DEPARTMENT_STAFF)


def test_clusters_group_schools_of_one_owner(tree):
    cluster = cluster_create(actor=None, owner=tree.dept_a, code="CUM-1", name="Cụm 1", schools=[tree.s1, tree.t1])
    assert set(cluster.schools.all()) == {tree.s1, tree.t1}
    with pytest.raises(ValidationError):
        cluster_create(actor=None, owner=tree.office_a1, code="CUM-2", name="Cụm 2", schools=[tree.s3])
    with pytest.raises(ValidationError):
        unit_create(actor=None, parent=tree.s1, code="G-X", name="x", kind=K.MINISTRY)


def test_teacher_training_universities_sit_under_the_ministry_or_a_department(tree):
    university = make_unit(tree.ministry, K.UNIVERSITY, "Trường Đại học Sư phạm Hà Nội")
    make_unit(tree.dept_a, K.UNIVERSITY, "Trường Cao đẳng Sư phạm Hà Nam")
    lecturers = make_unit(university, K.GROUP, "Khoa Toán – Tin")
    lecturer = make_person(unit=lecturers, role=Role.TEACHER)
    assert lecturer.unit == university
    with pytest.raises(ValidationError):
        make_unit(tree.office_a1, K.UNIVERSITY)
