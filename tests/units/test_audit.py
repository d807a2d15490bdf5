"""The audit log page of a unit: the whole subtree, newest first, filterable, paginated, readable by
the school and the units above but not by a sibling or a teacher; a fixed number of queries."""

from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import translation

from accounts.services.lifecycle import account_deactivate
from tests.accounts.factories import make_person
from units.models import AuditEntry, Role
from units.selectors import audit_changes, audit_entries_for
from units.services import audit_log, unit_rename


def audit_url(unit):
    return reverse("units:audit", args=[unit.pk])


@pytest.fixture
def admin(tree):
    return make_person(unit=tree.s1, role=Role.SCHOOL_ADMIN, full_name="Quản Trị Viên")


def test_the_school_sees_its_whole_subtree_newest_first_and_not_other_schools(client, tree, admin):
    teacher = make_person(unit=tree.g1, role=Role.TEACHER, full_name="Nguyễn Thị Lan")
    account_deactivate(actor=admin, account=teacher, reason="Nghỉ hưu")
    unit_rename(actor=admin, unit=tree.c1, name="6A1 Chất lượng cao")
    audit_log(actor=None, action="unit.rename", unit=tree.s2, target=tree.s2, after={"name": "ở trường khác"})
    client.force_login(admin)
    response = client.get(audit_url(tree.s1))
    assert response.status_code == 200
    entries = [entry for entry, _label, _changes in response.context["rows"]]
    assert all(e.unit.path.startswith(tree.s1.path) for e in entries)
    assert [e.action for e in entries[:2]] == ["unit.rename", "account.deactivate"]  # newest first
    assert entries == sorted(entries, key=lambda e: (e.created_at, e.id), reverse=True)
    page = response.content.decode()
    assert "ở trường khác" not in page
    # Who, what, before → after.
    assert "Quản Trị Viên" in page and "Nguyễn Thị Lan" in page and "Nghỉ hưu" in page
    assert "6A1 Chất lượng cao" in page and "6A1</span> →" in page


def test_dates_are_dd_mm_yyyy_hh_mm_in_vietnam_time(client, tree, admin):
    entry = audit_log(actor=admin, action="quota.set", unit=tree.s1, before={"students": 10}, after={"students": 45})
    AuditEntry.objects.filter(pk=entry.pk).update(created_at=datetime(2025, 1, 2, 23, 4, tzinfo=UTC))
    client.force_login(admin)
    page = client.get(audit_url(tree.s1)).content.decode()
    assert "03/01/2025 06:04" in page
    assert "10</span> → 45" in page


def test_filter_by_action_and_pagination(client, tree, admin):
    base = datetime(2025, 5, 1, tzinfo=UTC)
    AuditEntry.objects.bulk_create(
        [
            AuditEntry(actor=admin, unit=tree.c1, action="role.assign", created_at=base + timedelta(minutes=i))
            for i in range(60)
        ]
        + [AuditEntry(actor=admin, unit=tree.g1, action="class.promote", created_at=base)]
    )
    client.force_login(admin)
    first = client.get(audit_url(tree.s1))
    in_subtree = AuditEntry.objects.filter(unit__path__startswith=tree.s1.path)
    assert first.context["page"].paginator.count == in_subtree.count() > 61
    assert len(first.context["rows"]) == 50
    assert [code for code, _label in first.context["actions"]] == ["class.promote", "role.assign", "unit.create"]
    filtered = client.get(audit_url(tree.s1), {"action": "role.assign", "page": 2})
    assert filtered.context["page"].number == 2
    assert {entry.action for entry, _l, _c in filtered.context["rows"]} == {"role.assign"}
    assert filtered.context["page"].paginator.count == in_subtree.filter(action="role.assign").count() == 61
    assert "action=role.assign&amp;page=1" in filtered.content.decode()
    assert client.get(audit_url(tree.s1), {"action": "nothing.like.this"}).context["page"].paginator.count == 0


@pytest.mark.parametrize(
    ("role", "held_at", "target", "status"),
    [
        (Role.SCHOOL_ADMIN, "s1", "s1", 200),
        (Role.SCHOOL_ADMIN, "s1", "c1", 200),
        (Role.PRINCIPAL, "s1", "s1", 200),
        (Role.OFFICE_STAFF, "office_a1", "s1", 200),
        (Role.DEPARTMENT_STAFF, "dept_a", "s1", 200),
        (Role.SCHOOL_ADMIN, "s2", "s1", 404),  # a sibling school
        (Role.OFFICE_STAFF, "office_a2", "s1", 404),  # a sibling Office
        (Role.SCHOOL_ADMIN, "s1", "office_a1", 404),  # the unit above
        (Role.TEACHER, "g1", "s1", 404),
        (Role.GROUP_LEADER, "g1", "g1", 404),
        (Role.STUDENT, "c1", "c1", 404),
    ],
)
def test_audit_page_scope(client, tree, role, held_at, target, status):
    client.force_login(make_person(unit=getattr(tree, held_at), role=role))
    assert client.get(audit_url(getattr(tree, target))).status_code == status


def test_anonymous_is_sent_to_login(client, tree):
    response = client.get(audit_url(tree.s1))
    assert response.status_code == 302 and "/tai-khoan/login/" in response.url


@pytest.mark.parametrize("entries", [3, 150])
def test_audit_page_costs_the_same_queries_for_few_or_many_entries(
    client, tree, entries, django_assert_max_num_queries
):
    people = [make_person(unit=tree.g1, role=Role.TEACHER) for _ in range(3)]
    AuditEntry.objects.bulk_create(
        [
            AuditEntry(
                actor=people[i % 3], unit=[tree.s1, tree.g1, tree.c1][i % 3], action="role.assign", after={"i": i}
            )
            for i in range(entries)
        ]
    )
    client.force_login(make_person(unit=tree.office_a1, role=Role.OFFICE_STAFF))
    with django_assert_max_num_queries(9):
        response = client.get(audit_url(tree.office_a1))
    assert response.status_code == 200
    expected = AuditEntry.objects.filter(unit__path__startswith=tree.office_a1.path).count()
    assert len(response.context["rows"]) == min(expected, 50) and expected >= entries


def test_selector_and_changes_read_well(tree):
    older = audit_log(actor=None, action="unit.rename", unit=tree.c1)
    entry = audit_log(
        actor=None,
        action="transfer.accept",
        unit=tree.s1,
        before={"school": "A", "roles": ["teacher · Tổ Toán"], "is_active": True},
        after={"school": "B", "transfer": 7, "role": "teacher"},
    )
    assert list(audit_entries_for(unit=tree.office_a1)[:2]) == [entry, older]
    assert list(audit_entries_for(unit=tree.s1, action="unit.rename")) == [older]
    assert not audit_entries_for(unit=tree.s2).filter(pk__in=[entry.pk, older.pk]).exists()
    with translation.override("en"):
        rows = {field: (before, after) for field, before, after in audit_changes(entry)}
    assert rows == {
        "School": ("A", "B"),
        "Roles": ("teacher · Tổ Toán", None),
        "Active": ("yes", None),
        "Transfer no.": (None, "7"),
        "Role": (None, "Teacher"),
    }
