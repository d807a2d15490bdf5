"""The admin's group tasks (issue #15): read-only (given, assigned and completed on the portal by the
principal and the group's leader, with their checks and notices), removed (soft) and restored through
units.trash with an audit entry at the group, never deleted; the members on a task shown, not changed."""

from datetime import timedelta

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse
from django.utils import timezone

from courses.models import GroupTask
from courses.services.group_tasks import group_task_assign, group_task_create
from tests.accounts.factories import UserFactory
from units.models import AuditEntry

CHANGELIST = "admin:courses_grouptask_changelist"


@pytest.fixture
def root(db):
    return UserFactory(is_superuser=True, is_staff=True, account_type="staff")


@pytest.fixture
def task(tree, people):
    task = group_task_create(
        actor=people.principal,
        group=tree.g1,
        kind=GroupTask.Kind.TOPIC,
        title="Chuyên đề dạy học STEM lớp 6",
        deadline=timezone.now() + timedelta(days=7),
    )
    return group_task_assign(actor=people.leader, task=task, members=[people.teacher, people.teacher2])


def stored(task):
    row = GroupTask.objects.get(pk=task.pk)
    members = sorted(row.assignments.values_list("user_id", flat=True))
    return (row.title, row.status, row.deadline, row.deleted_at, members)


def test_a_task_and_its_members_are_shown_and_not_editable(client, root, task, people):
    client.force_login(root)
    listed = client.get(reverse(CHANGELIST), {"q": "STEM"})
    assert listed.status_code == 200 and [row.pk for row in listed.context["cl"].result_list] == [task.pk]
    page = client.get(reverse("admin:courses_grouptask_change", args=[task.pk]))
    html = page.content.decode()
    assert page.status_code == 200 and "Chuyên đề dạy học STEM lớp 6" in html
    assert people.teacher.full_name in html and people.teacher2.full_name in html  # the members on the task
    for name in ('name="title"', 'name="deadline', 'name="status"', 'name="assignments-0-user"', "-DELETE"):
        assert name not in html, name
    before = stored(task)
    client.post(reverse("admin:courses_grouptask_change", args=[task.pk]), {"title": "Khác", "status": "done"})
    assert stored(task) == before


def test_tasks_are_not_added_nor_deleted_in_the_admin(client, root, task):
    client.force_login(root)
    assert client.get(reverse("admin:courses_grouptask_add")).status_code == 403
    count = GroupTask.objects.count()
    client.post(reverse("admin:courses_grouptask_add"), {"title": "Mới", "group": task.group_id})
    assert GroupTask.objects.count() == count
    delete_url = reverse("admin:courses_grouptask_delete", args=[task.pk])
    assert client.post(delete_url, {"post": "yes"}).status_code == 403
    assert GroupTask.objects.filter(pk=task.pk, deleted_at__isnull=True).exists()


def test_removal_and_restore_are_soft_and_audited_at_the_group(client, root, task, tree):
    client.force_login(root)
    act = {"action": "soft_remove_selected", ACTION_CHECKBOX_NAME: [task.pk], "index": 0}
    assert client.post(reverse(CHANGELIST), act).status_code == 302
    task.refresh_from_db()
    assert task.is_deleted and task.deleted_by == root
    removed = AuditEntry.objects.get(actor=root)
    assert (removed.action, removed.unit, removed.target_id) == ("admin.soft_remove", tree.g1, str(task.pk))
    assert task.assignments.count() == 2  # kept with the task

    client.post(reverse(CHANGELIST), dict(act, action="soft_restore_selected"))
    task.refresh_from_db()
    assert not task.is_deleted
    restored = AuditEntry.objects.filter(actor=root).exclude(pk=removed.pk).get()
    assert (restored.action, restored.unit) == ("admin.soft_restore", tree.g1)
