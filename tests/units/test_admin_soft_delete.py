"""The admin never hard-deletes what the portal soft-deletes (issue #14, point 7): no delete action or
page for soft-deleted models, "Remove (soft)" and "Restore" through units.trash (audited, the admin user
as actor), a filter alive / removed, inlines that cannot delete, and no deletable admin whose deletion
would cascade into soft-deleted rows."""

import pytest
from django.contrib import admin
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.test import RequestFactory
from django.urls import reverse

from courses.models import Submission
from forums.models import Post
from forums.services import forum_for_unit, thread_create
from materials.models import Question
from tests.accounts.factories import UserFactory, complete_profile, make_person
from tests.courses.factories import make_assignment, make_course
from tests.materials.factories import make_question
from truonghoc.softdelete import SoftDeleted
from units.admin_trash import SoftDeleteAdminMixin, cascades_into_soft_deleted
from units.models import AuditEntry, Role


@pytest.fixture
def root(db):
    return UserFactory(is_superuser=True, is_staff=True, account_type="staff")


@pytest.fixture
def rows(tree):
    """One row of a few soft-deleted models, with the unit its audit entry names."""
    teacher = complete_profile(make_person(unit=tree.g1, role=Role.TEACHER))
    student = make_person(unit=tree.c1, role=Role.STUDENT)
    course = make_course(unit=tree.g1, author=teacher)
    assignment = make_assignment(course=course)
    submission = Submission.objects.create(assignment=assignment, learner=student, submitted_by=student)
    thread = thread_create(actor=teacher, forum=forum_for_unit(unit=tree.g1), title="Chủ đề", body="Mở đầu.")
    question = make_question(author=teacher, unit=tree.g1)
    return {
        "course": (course, tree.g1),
        "submission": (submission, tree.g1),
        "post": (thread.posts.get(), tree.g1),
        "question": (question, tree.g1),
    }


def _superuser_request(root):
    request = RequestFactory().get("/")
    request.user = root
    return request


def test_every_admin_of_a_soft_deleted_model_removes_and_restores_and_never_deletes(root):
    request = _superuser_request(root)
    soft_admins = 0
    for model, model_admin in admin.site._registry.items():
        if issubclass(model, SoftDeleted):
            soft_admins += 1
            assert isinstance(model_admin, SoftDeleteAdminMixin), model
            assert not model_admin.has_delete_permission(request), model
            actions = model_admin.get_actions(request)
            assert "delete_selected" not in actions, model
            assert {"soft_remove_selected", "soft_restore_selected"} <= set(actions), model
        elif model_admin.has_delete_permission(request):
            # Deleting it would not erase soft-deleted rows with it (their foreign keys PROTECT).
            assert not cascades_into_soft_deleted(model), model
        for inline in model_admin.get_inline_instances(request):
            if issubclass(inline.model, SoftDeleted) or cascades_into_soft_deleted(inline.model):
                assert not (inline.can_delete and inline.has_delete_permission(request)), (model, inline)
    assert soft_admins >= 10  # courses (5), forums (2), materials (3)


def _changelist(obj):
    return reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_changelist")


def _act(client, obj, action):
    return client.post(_changelist(obj), {"action": action, ACTION_CHECKBOX_NAME: [obj.pk], "index": 0})


@pytest.mark.parametrize(
    "kind, removed_as, restored_as",
    [
        # Through the app's own service (its rules and follow-ups), which writes through units.trash.
        ("course", "courses.delete", "courses.restore"),
        ("submission", "courses.delete", "courses.restore"),
        ("question", "question.delete", "question.restore"),
        # Forums have no restore service: units.trash's own, audited as the admin's.
        ("post", "forum_post_delete", "admin.soft_restore"),
    ],
)
def test_remove_and_restore_through_the_changelist(client, root, rows, kind, removed_as, restored_as):
    obj, unit = rows[kind]
    model = type(obj)
    client.force_login(root)

    # The delete action is not offered, and posting it deletes nothing.
    page = client.get(_changelist(obj))
    assert page.status_code == 200
    assert 'value="delete_selected"' not in page.text and 'value="soft_remove_selected"' in page.text
    _act(client, obj, "delete_selected")
    assert model.objects.filter(pk=obj.pk).exists()
    # The delete page answers 403.
    delete_url = reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_delete", args=[obj.pk])
    assert client.get(delete_url).status_code == 403
    assert client.post(delete_url, {"post": "yes"}).status_code == 403
    assert model.objects.filter(pk=obj.pk).exists()
    assert not AuditEntry.objects.filter(actor=root).exists()

    assert _act(client, obj, "soft_remove_selected").status_code == 302
    obj.refresh_from_db()
    assert obj.is_deleted and obj.deleted_by == root
    removed = AuditEntry.objects.get(actor=root)
    assert (removed.action, removed.unit, removed.target_id) == (removed_as, unit, str(obj.pk))
    if kind == "submission":
        assert not obj.is_current  # the course's own rule: a removed version is no longer the current one
    # The filter shows removed rows apart from the others.
    listed = client.get(_changelist(obj), {"removed": "yes"}).context["cl"].result_list
    assert [row.pk for row in listed] == [obj.pk]
    assert obj.pk not in [row.pk for row in client.get(_changelist(obj), {"removed": "no"}).context["cl"].result_list]
    # Removing it again is refused: nothing changes, nothing is written.
    _act(client, obj, "soft_remove_selected")
    assert AuditEntry.objects.filter(actor=root).count() == 1

    _act(client, obj, "soft_restore_selected")
    obj.refresh_from_db()
    assert not obj.is_deleted and obj.deleted_by is None
    restored = AuditEntry.objects.filter(actor=root).exclude(pk=removed.pk).get()
    assert (restored.action, restored.unit, restored.target_id) == (restored_as, unit, str(obj.pk))
    if kind == "submission":
        assert obj.is_current


def test_the_change_form_does_not_edit_the_removal(client, root, rows):
    course, _unit = rows["course"]
    client.force_login(root)
    page = client.get(reverse("admin:courses_course_change", args=[course.pk]))
    assert page.status_code == 200
    assert 'name="deleted_at' not in page.text and 'name="deleted_by"' not in page.text
    assert 'name="sections-0-DELETE"' not in page.text


def test_a_staff_member_without_the_change_permission_is_not_offered_the_actions(db):
    staff = UserFactory(is_staff=True, account_type="staff")
    request = _superuser_request(staff)
    assert "soft_remove_selected" not in admin.site._registry[Question].get_actions(request)
    assert "soft_remove_selected" not in admin.site._registry[Post].get_actions(request)
