"""The structure services of issue #15: codes used twice, wrong parents, cycles, merges into oneself,
closing and reopening units, changing and removing clusters — each refusal changes nothing — and the
permission rules of the structure pages (who may manage which level), as a matrix."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from tests.accounts.factories import UserFactory, make_person
from units.models import AuditEntry, Cluster, Role, Unit
from units.permissions import (
    can_change_unit,
    can_manage_clusters,
    can_manage_structure,
    can_merge_into,
    can_place_under,
    structure_merge_targets_for,
    structure_parents_for,
)
from units.services import (
    child_kinds_allowed,
    cluster_create,
    cluster_remove,
    cluster_update,
    unit_close,
    unit_create,
    unit_merge,
    unit_move,
    unit_rename,
    unit_reopen,
)

K = Unit.Kind
pytestmark = pytest.mark.usefixtures("in_english")


def _tree_state():
    return list(Unit.objects.order_by("pk").values_list("pk", "code", "name", "path", "is_active", "closed_on"))


def _refused(call, *, match: str):
    before, audits = _tree_state(), AuditEntry.objects.count()
    with pytest.raises(ValidationError) as error:
        call()
    assert match in " ".join(error.value.messages)
    assert _tree_state() == before and AuditEntry.objects.count() == audits  # nothing changed
    return error.value


def test_a_code_used_twice_is_refused_naming_the_unit_that_has_it(tree):
    error = _refused(
        lambda: unit_create(
            actor=None,
            parent=tree.office_a1,
            code=tree.s2.code,
            name="Trường THCS Mới",
            kind=K.SCHOOL,
            school_level="thcs",
        ),
        match=f"The code {tree.s2.code} is already used by Trường THCS Tiên Tân",
    )
    assert "code" in error.error_dict
    _refused(
        lambda: unit_rename(actor=None, unit=tree.s1, name=tree.s1.name, code=f" {tree.t1.code} "),
        match="already used by Trường THPT A Phủ Lý",
    )
    # Keeping its own code is no clash.
    unit_rename(actor=None, unit=tree.s1, name="Trường THCS Trần Phú mới", code=tree.s1.code)
    assert Unit.objects.get(pk=tree.s1.pk).name == "Trường THCS Trần Phú mới"


def test_a_thpt_school_under_an_office_is_refused(tree):
    _refused(
        lambda: unit_create(
            actor=None, parent=tree.office_a1, code="THPT-X", name="Trường THPT X", kind=K.SCHOOL, school_level="thpt"
        ),
        match="cannot be placed under Office of Education",
    )
    _refused(lambda: unit_move(actor=None, unit=tree.t1, new_parent=tree.office_a1), match="cannot be placed under")


def test_a_cycle_is_refused(tree):
    _refused(
        lambda: unit_move(actor=None, unit=tree.dept_a, new_parent=tree.office_a1), match="cannot be moved under itself"
    )
    _refused(lambda: unit_move(actor=None, unit=tree.s1, new_parent=tree.s1), match="cannot be moved under itself")


def test_a_merge_into_itself_or_below_itself_or_another_kind_is_refused(tree):
    _refused(lambda: unit_merge(actor=None, source=tree.s1, into=tree.s1), match="cannot be merged into itself")
    _refused(lambda: unit_merge(actor=None, source=tree.s1, into=tree.g1), match="same kind")
    _refused(lambda: unit_merge(actor=None, source=tree.office_a1, into=tree.dept_a), match="same kind")


def test_closing_a_unit_with_active_accounts_is_refused_saying_how_many(tree):
    for _ in range(2):
        make_person(unit=tree.s2, role=Role.TEACHER)
    make_person(unit=tree.g3, role=Role.GROUP_LEADER)
    make_unit_closed = Unit.objects.get(pk=tree.g3.pk)
    _refused(
        lambda: unit_close(actor=None, unit=tree.s2),
        match="3 active accounts still belong to it (deactivate or transfer them first); 1 units below it",
    )
    _refused(lambda: unit_close(actor=None, unit=make_unit_closed), match="1 active accounts still belong to it")


def test_closing_refuses_a_future_date_and_a_second_close(tree):
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    _refused(lambda: unit_close(actor=None, unit=tree.c2, on=tomorrow), match="cannot be in the future")
    unit_close(actor=None, unit=tree.c2)
    _refused(lambda: unit_close(actor=None, unit=tree.c2), match="is already closed")


def test_a_closed_unit_keeps_its_row_and_date_and_leaves_pickers_and_placements(tree):
    principal = make_person(unit=tree.s1, role=Role.PRINCIPAL)
    office = make_person(unit=tree.office_a1, role=Role.OFFICE_STAFF)
    today = timezone.localdate()
    unit_close(actor=principal, unit=tree.c2, on=today)
    c2 = Unit.objects.get(pk=tree.c2.pk)
    assert (c2.is_active, c2.closed_on, c2.name) == (False, today, "7A1")
    entry = AuditEntry.objects.get(action="unit.close")
    assert (entry.unit_id, entry.actor, entry.after) == (c2.pk, principal, {"closed_on": today.isoformat()})
    # Nothing is created under a closed unit, nothing moved under it, and pickers leave it out.
    unit_close(actor=None, unit=tree.office_a2)
    _refused(
        lambda: unit_create(
            actor=None, parent=tree.office_a2, code="N1", name="Trường TH N", kind=K.SCHOOL, school_level="th"
        ),
        match="is no longer active",
    )
    _refused(lambda: unit_move(actor=None, unit=tree.s2, new_parent=tree.office_a2), match="is no longer active")
    assert Unit.objects.get(pk=tree.office_a2.pk) not in structure_parents_for(office, tree.s2)
    assert c2 not in structure_merge_targets_for(principal, tree.c1)


def test_reopening_a_closed_unit_and_what_cannot_be_reopened(tree):
    unit_close(actor=None, unit=tree.office_a2)
    unit_reopen(actor=None, unit=tree.office_a2)
    reopened = Unit.objects.get(pk=tree.office_a2.pk)
    assert (reopened.is_active, reopened.closed_on) == (True, None)
    assert AuditEntry.objects.filter(action="unit.reopen", unit=reopened).exists()
    _refused(lambda: unit_reopen(actor=None, unit=reopened), match="is not closed")
    # A merged unit stays merged; a unit under a closed one waits for it.
    unit_merge(actor=None, source=tree.g2, into=tree.g1)
    _refused(lambda: unit_reopen(actor=None, unit=tree.g2), match="a merged unit cannot be reopened")
    school = unit_create(
        actor=None, parent=tree.office_a2, code="TH-Z", name="Trường TH Z", kind=K.SCHOOL, school_level="th"
    )
    unit_close(actor=None, unit=school)
    unit_close(actor=None, unit=tree.office_a2)
    _refused(lambda: unit_reopen(actor=None, unit=school), match="is closed: reopen it first")


def test_cluster_update_renames_adds_and_removes_schools_audited(tree):
    staff = make_person(unit=tree.office_a1, role=Role.OFFICE_STAFF)
    cluster = cluster_create(actor=staff, owner=tree.office_a1, code="CUM1", name="Cụm 1", schools=[tree.s1])
    cluster_update(actor=staff, cluster=cluster, name="Cụm Phủ Lý", schools=[tree.s2])
    cluster.refresh_from_db()
    assert (cluster.name, list(cluster.schools.all())) == ("Cụm Phủ Lý", [tree.s2])
    entry = AuditEntry.objects.get(action="cluster.update")
    assert entry.after["added"] == [tree.s2.code] and entry.after["removed"] == [tree.s1.code]
    # A school outside the owner, or a closed one, is refused and nothing changes.
    for schools, match in (([tree.s3], "not schools under"), ([tree.t1], "not schools under")):
        with pytest.raises(ValidationError, match=match):
            cluster_update(actor=staff, cluster=cluster, name="Khác", schools=schools)
    make_person(unit=tree.s2, role=Role.TEACHER)
    s1 = tree.s1
    for child in Unit.objects.children(s1):
        unit_close(actor=None, unit=child)
    unit_close(actor=None, unit=s1)
    with pytest.raises(ValidationError, match="These schools are closed"):
        cluster_update(actor=staff, cluster=cluster, schools=[Unit.objects.get(pk=s1.pk)])
    cluster.refresh_from_db()
    assert (cluster.name, list(cluster.schools.all())) == ("Cụm Phủ Lý", [tree.s2])
    assert AuditEntry.objects.filter(action="cluster.update").count() == 1


def test_cluster_remove_deletes_it_audited_and_leaves_its_schools(tree):
    cluster = cluster_create(actor=None, owner=tree.dept_a, code="CUM2", name="Cụm 2", schools=[tree.s1, tree.t1])
    cluster_remove(actor=None, cluster=cluster)
    assert not Cluster.objects.filter(code="CUM2").exists()
    entry = AuditEntry.objects.get(action="cluster.remove")
    assert entry.unit_id == tree.dept_a.pk and entry.before["schools"] == sorted([tree.s1.code, tree.t1.code])
    assert Unit.objects.filter(pk__in=[tree.s1.pk, tree.t1.pk], is_active=True).count() == 2


def test_what_each_level_may_add():
    def kinds(kind, **extra):
        return child_kinds_allowed(Unit(kind=kind, **extra))

    assert kinds(K.MINISTRY) == [(K.DEPARTMENT, ""), (K.UNIVERSITY, "")]
    assert kinds(K.DEPARTMENT) == [
        (K.OFFICE, ""),
        (K.UNIVERSITY, ""),
        (K.SCHOOL, "thpt"),
        (K.SCHOOL, "lien_cap"),
        (K.SCHOOL, "gdtx"),
    ]
    assert kinds(K.OFFICE) == [(K.SCHOOL, "th"), (K.SCHOOL, "thcs"), (K.SCHOOL, "lien_cap")]
    assert kinds(K.SCHOOL, school_level="thcs") == [(K.GROUP, ""), (K.CLASS, "")]
    assert kinds(K.GROUP) == []


# --- Who manages which level (permissions.py), a matrix -------------------------------------------

PEOPLE = {
    "ministry": ("ministry", Role.MINISTRY_STAFF),
    "dept_a": ("dept_a", Role.DEPARTMENT_STAFF),
    "office_a1": ("office_a1", Role.OFFICE_STAFF),
    "office_b1": ("office_b1", Role.OFFICE_STAFF),
    "principal_s1": ("s1", Role.PRINCIPAL),
    "admin_s1": ("s1", Role.SCHOOL_ADMIN),
    "leader_g1": ("g1", Role.GROUP_LEADER),
    "teacher_s1": ("s1", Role.TEACHER),
    "student_c1": ("c1", Role.STUDENT),
}


@pytest.fixture
def people(tree):
    return {key: make_person(unit=getattr(tree, unit), role=role) for key, (unit, role) in PEOPLE.items()}


# Who may open the structure page of (create under) each unit.
MANAGE_STRUCTURE = {
    "ministry": {"ministry"},
    "dept_a": {"ministry", "dept_a"},
    "office_a1": {"ministry", "dept_a", "office_a1"},
    "s1": {"ministry", "dept_a", "office_a1", "principal_s1", "admin_s1"},
    "s3": {"ministry", "office_b1"},
    "g1": set(),  # a group holds no unit
}
# Who may rename, move, merge or close each unit: only from strictly above it.
CHANGE = {
    "ministry": set(),
    "dept_a": {"ministry"},
    "office_a1": {"ministry", "dept_a"},
    "s1": {"ministry", "dept_a", "office_a1"},
    "g1": {"ministry", "dept_a", "office_a1", "principal_s1", "admin_s1"},
    "c1": {"ministry", "dept_a", "office_a1", "principal_s1", "admin_s1"},
}


@pytest.mark.parametrize("unit_key", list(MANAGE_STRUCTURE))
def test_matrix_who_manages_the_structure_of_each_level(tree, people, unit_key):
    unit = getattr(tree, unit_key)
    allowed = {key for key, person in people.items() if can_manage_structure(person, unit)}
    assert allowed == MANAGE_STRUCTURE[unit_key]


@pytest.mark.parametrize("unit_key", list(CHANGE))
def test_matrix_who_changes_each_unit_never_their_own_or_above(tree, people, unit_key):
    unit = getattr(tree, unit_key)
    allowed = {key for key, person in people.items() if can_change_unit(person, unit)}
    assert allowed == CHANGE[unit_key]


def test_moves_and_merges_stay_inside_the_managers_subtree(tree, people):
    office, dept = people["office_a1"], people["dept_a"]
    # An Office cannot hand its school to another Office: that takes the Department.
    assert not can_place_under(office, tree.s2, tree.office_a2)
    assert can_place_under(dept, tree.s2, tree.office_a2)
    assert not can_place_under(dept, tree.s2, tree.office_b1)  # another province
    assert list(structure_parents_for(office, tree.s2)) == []
    assert set(structure_parents_for(dept, tree.s2)) == {tree.office_a2}  # not its own Office, not B1
    assert can_merge_into(office, tree.s2, tree.s1) and not can_merge_into(office, tree.s1, tree.s3)
    assert set(structure_merge_targets_for(office, tree.s2)) == {tree.s1}
    assert tree.s2 not in structure_merge_targets_for(people["ministry"], tree.s2)


def test_clusters_are_run_by_their_office_or_department(tree, people):
    assert {k for k, p in people.items() if can_manage_clusters(p, tree.office_a1)} == {
        "ministry",
        "dept_a",
        "office_a1",
    }
    assert {k for k, p in people.items() if can_manage_clusters(p, tree.dept_a)} == {"ministry", "dept_a"}
    assert not any(can_manage_clusters(p, tree.s1) for p in people.values())


# --- The admin closes and reopens through the services ---------------------------------------------


def test_admin_closes_and_reopens_units_through_the_services(client, tree, english_pages):
    superuser = UserFactory(is_superuser=True, is_staff=True, account_type="staff")
    make_person(unit=tree.s2, role=Role.TEACHER)
    client.force_login(superuser)
    url = reverse("admin:units_unit_changelist")
    response = client.post(url, {"action": "close_units", "_selected_action": [tree.c2.pk, tree.s2.pk]}, follow=True)
    assert response.status_code == 200
    assert not Unit.objects.get(pk=tree.c2.pk).is_active
    assert Unit.objects.get(pk=tree.s2.pk).is_active  # refused: a teacher and a group still there
    assert "cannot be closed" in response.content.decode()
    assert list(AuditEntry.objects.filter(action="unit.close").values_list("unit_id", flat=True)) == [tree.c2.pk]
    client.post(url, {"action": "reopen_units", "_selected_action": [tree.c2.pk]})
    assert Unit.objects.get(pk=tree.c2.pk).is_active
    assert AuditEntry.objects.filter(action="unit.reopen", actor=superuser).exists()


# --- Moves are kept for the statistics of earlier periods -------------------------------------------


def test_parent_path_at_keeps_a_moved_school_under_its_old_office_before_the_move(tree):
    from units.models import UnitMove
    from units.selectors import parent_path_at

    today = timezone.localdate()
    yesterday = today - datetime.timedelta(days=1)
    unit_move(actor=None, unit=tree.s2, new_parent=tree.office_a2)
    s2 = Unit.objects.get(pk=tree.s2.pk)
    move = UnitMove.objects.get(unit=s2)
    assert (move.old_parent, move.new_parent) == (tree.office_a1, tree.office_a2)
    assert parent_path_at(s2, yesterday) == tree.office_a1.path  # a period that ended before the move
    assert parent_path_at(s2, today) == Unit.objects.get(pk=tree.office_a2.pk).path
    # Moved twice: each period sees the parent of its time; a merge's moved children are kept too.
    UnitMove.objects.filter(pk=move.pk).update(at=timezone.now() - datetime.timedelta(days=10))
    unit_move(actor=None, unit=s2, new_parent=tree.office_b1)
    s2.refresh_from_db()
    assert parent_path_at(s2, today - datetime.timedelta(days=20)) == tree.office_a1.path
    assert parent_path_at(s2, yesterday) == Unit.objects.get(pk=tree.office_a2.pk).path
    assert parent_path_at(s2, today) == Unit.objects.get(pk=tree.office_b1.pk).path
    unit_merge(actor=None, source=tree.g2, into=tree.g1)  # no children: nothing to keep
    unit_merge(actor=None, source=tree.office_a1, into=tree.office_a2)
    s1 = Unit.objects.get(pk=tree.s1.pk)
    assert parent_path_at(s1, yesterday) == tree.office_a1.path
    assert parent_path_at(s1, today) == Unit.objects.get(pk=tree.office_a2.pk).path
