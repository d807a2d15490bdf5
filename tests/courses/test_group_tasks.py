"""Tasks given to professional groups (issue #15, point 6; letter 1754): the principal gives a group a
task with a deadline, the leader assigns members and marks it done with a link to the result, the
principal follows the progress, reopens and removes. Services, the pages end to end, and the permission
matrix (principal, leader, member, another group's teacher, another school's principal, student)."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from courses.models import Course, GroupTask, Product
from courses.selectors.group_tasks import home_group_tasks, my_group_tasks, school_progress, school_tasks
from courses.services.group_tasks import (
    group_task_assign,
    group_task_complete,
    group_task_create,
    group_task_delete,
    group_task_reopen,
)
from notifications.models import Notification
from tests.accounts.factories import complete_profile, make_person
from tests.courses.factories import make_course
from units.models import AuditEntry, Role

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english_pages")]

TOPIC = GroupTask.Kind.TOPIC


def soon(days=7):
    return timezone.now() + timedelta(days=days)


@pytest.fixture
def more(tree, people):
    """Another school's principal (S2) and the leader of its group G3."""
    people.other_principal = make_person(unit=tree.s2, role=Role.PRINCIPAL, full_name="Phan Văn Quý")
    people.other_leader = complete_profile(make_person(unit=tree.g3, role=Role.GROUP_LEADER, full_name="Kha Thị Mơ"))
    return people


def give(people, tree, **fields):
    fields.setdefault("kind", TOPIC)
    fields.setdefault("title", "Chuyên đề dạy học STEM lớp 6")
    fields.setdefault("deadline", soon())
    return group_task_create(actor=people.principal, group=tree.g1, **fields)


def topic_of(tree, people):
    return make_course(unit=tree.g1, author=people.teacher, kind=Course.Kind.TOPIC, title="STEM lớp 6")


def notes_of(user):
    return list(Notification.objects.filter(recipient=user).values_list("title", flat=True))


def actions():
    return list(AuditEntry.objects.filter(action__startswith="group_task.").values_list("action", flat=True))


def unchanged(task):
    """The task as stored, for comparing before and after a refused step."""
    row = GroupTask.objects.get(pk=task.pk)
    assignees = sorted(row.assignments.values_list("user_id", flat=True))
    return (row.status, row.done_at, row.result_url, row.deadline, row.deleted_at, assignees)


# --- services -------------------------------------------------------------------------------------


def test_principal_gives_a_task_the_leader_is_told_and_it_is_audited(tree, people):
    task = give(people, tree, description="Chuẩn bị chuyên đề cho buổi sinh hoạt tháng 12.")
    assert (task.group, task.status, task.state, task.created_by) == (tree.g1, "waiting", "waiting", people.principal)
    assert any("New task for Tổ Khoa học tự nhiên" in t for t in notes_of(people.leader))
    assert notes_of(people.teacher) == []  # members hear of it once assigned
    entry = AuditEntry.objects.get(action="group_task.create")
    assert (entry.actor, entry.unit, entry.target_id) == (people.principal, tree.g1, str(task.pk))


@pytest.mark.parametrize(
    ("deadline", "field", "message"),
    [
        (timedelta(hours=-1), "deadline", "The deadline must be in the future."),
        (timedelta(0), "deadline", "The deadline must be in the future."),
    ],
)
def test_a_deadline_in_the_past_is_refused(tree, people, deadline, field, message):
    with pytest.raises(ValidationError) as exc:
        give(people, tree, deadline=timezone.now() + deadline)
    assert exc.value.message_dict[field] == [message]
    assert not GroupTask.objects.exists() and actions() == []


def test_a_formula_title_is_refused(tree, people):
    with pytest.raises(ValidationError) as exc:
        give(people, tree, title="=HYPERLINK(1)")
    assert "title" in exc.value.message_dict
    assert not GroupTask.objects.exists()


@pytest.mark.parametrize("who", ["leader", "teacher", "admin", "office", "other_principal", "student"])
def test_only_the_schools_principal_gives_tasks(tree, more, who):
    with pytest.raises(ValidationError) as exc:
        group_task_create(actor=getattr(more, who), group=tree.g1, kind=TOPIC, title="Báo cáo", deadline=soon())
    assert "principal" in exc.value.messages[0]
    assert not GroupTask.objects.exists()


def test_a_group_of_another_school_or_not_a_group_is_refused(tree, people):
    for unit in (tree.g3, tree.c1, tree.s1):
        with pytest.raises(ValidationError):
            group_task_create(actor=people.principal, group=unit, kind=TOPIC, title="Báo cáo", deadline=soon())
    assert not GroupTask.objects.exists()


def test_the_leader_assigns_members_and_changes_them(tree, people):
    task = give(people, tree)
    task = group_task_assign(actor=people.leader, task=task, members=[people.teacher, people.teacher2])
    assert task.status == "in_progress"
    assert set(task.assignees.all()) == {people.teacher, people.teacher2}
    assert any("You have been assigned the task" in t for t in notes_of(people.teacher))
    task = group_task_assign(actor=people.leader, task=task, members=[people.teacher])
    assert list(task.assignees.all()) == [people.teacher]
    assert len(notes_of(people.teacher)) == 1  # not told twice
    task = group_task_assign(actor=people.leader, task=task, members=[])
    assert (task.status, task.assignees.count()) == ("waiting", 0)
    entries = AuditEntry.objects.filter(action="group_task.assign").order_by("pk")
    assert [(e.before["assignees"], e.after["assignees"]) for e in entries] == [
        ([], sorted([people.teacher.pk, people.teacher2.pk])),
        (sorted([people.teacher.pk, people.teacher2.pk]), [people.teacher.pk]),
        ([people.teacher.pk], []),
    ]


@pytest.mark.parametrize("who", ["teacher3", "other_school", "student", "principal"])
def test_a_member_of_another_group_cannot_be_assigned(tree, more, who):
    task = give(more, tree)
    group_task_assign(actor=more.leader, task=task, members=[more.teacher])
    before = unchanged(task)
    with pytest.raises(ValidationError) as exc:
        group_task_assign(actor=more.leader, task=task, members=[more.teacher, getattr(more, who)])
    assert "is not a member of Tổ Khoa học tự nhiên" in exc.value.message_dict["members"][0]
    assert unchanged(task) == before


@pytest.mark.parametrize("who", ["principal", "teacher", "teacher3", "other_leader", "student"])
def test_only_the_groups_leader_assigns_and_marks_done(tree, more, who):
    task = give(more, tree)
    before = unchanged(task)
    with pytest.raises(ValidationError) as exc:
        group_task_assign(actor=getattr(more, who), task=task, members=[more.teacher])
    assert "Only the leader of Tổ Khoa học tự nhiên" in exc.value.messages[0]
    link = reverse("courses:course", args=[topic_of(tree, more).pk])
    with pytest.raises(ValidationError):
        group_task_complete(actor=getattr(more, who), task=task, link=link)
    assert unchanged(task) == before


def test_the_leader_marks_it_done_with_a_topic_and_the_principal_is_told(tree, people):
    task = give(people, tree)
    group_task_assign(actor=people.leader, task=task, members=[people.teacher])
    topic = topic_of(tree, people)
    task = group_task_complete(
        actor=people.leader, task=task, link=f"{reverse('courses:course', args=[topic.pk])}?tab=1", note="Đã xong."
    )
    assert (task.status, task.state, task.done_by, task.result_course, task.done_note) == (
        "done", "done", people.leader, topic, "Đã xong.",
    )  # fmt: skip
    assert task.done_at is not None and task.result_url.startswith("/khoa-hoc/")
    assert any("has done the task" in t for t in notes_of(people.principal))
    assert any("has done the task" in t for t in notes_of(people.teacher))
    entry = AuditEntry.objects.get(action="group_task.done")
    assert entry.after["late"] is False and entry.before["status"] == "in_progress"


def test_an_address_on_this_sites_host_names_the_product(tree, people):
    task = give(people, tree)
    product = Product.objects.create(unit=tree.g1, author=people.teacher, title="Giáo án STEM", link_url="")
    url = "http://localhost" + reverse("courses:product", args=[product.pk])
    task = group_task_complete(actor=people.leader, task=task, link=url)
    assert task.result_product == product
    assert task.result_url == reverse("courses:product", args=[product.pk])


@pytest.mark.parametrize(
    ("link", "words"),
    [
        ("https://evil.example/khoa-hoc/1/", "not another site"),
        ("//evil.example/khoa-hoc/", "not another site"),
        ("javascript:alert(1)", "not another site"),
        ("ftp://localhost/khoa-hoc/", "not another site"),
        ("khoa-hoc/1/", "not another site"),
        ("/khong-co-trang-nay/", "no such page"),
        ("", "Give the link"),
    ],
)
def test_a_link_to_another_site_or_no_page_is_refused(tree, people, link, words):
    task = give(people, tree)
    before = unchanged(task)
    with pytest.raises(ValidationError) as exc:
        group_task_complete(actor=people.leader, task=task, link=link)
    assert words in exc.value.message_dict["link"][0]
    assert unchanged(task) == before and actions() == ["group_task.create"]


def test_a_topic_of_another_school_or_a_product_of_another_group_is_refused(tree, more):
    task = give(more, tree)
    before = unchanged(task)
    elsewhere = make_course(unit=tree.g3, author=more.other_school, kind=Course.Kind.TOPIC, title="Khác")
    removed = topic_of(tree, more)
    Course.objects.filter(pk=removed.pk).update(deleted_at=timezone.now())
    other_group = Product.objects.create(unit=tree.g2, author=more.teacher3, title="Sản phẩm tổ khác")
    for url in (
        reverse("courses:course", args=[elsewhere.pk]),
        reverse("courses:course", args=[removed.pk]),
        reverse("courses:course", args=[999999]),
        reverse("courses:product", args=[other_group.pk]),
    ):
        with pytest.raises(ValidationError):
            group_task_complete(actor=more.leader, task=task, link=url)
    assert unchanged(task) == before


def test_late_is_not_done_by_the_deadline_and_a_late_done_task_is_done(tree, people):
    late = give(people, tree, title="Báo cáo tháng 11")
    waiting = give(people, tree, title="Sản phẩm tháng 12", kind=GroupTask.Kind.PRODUCT)
    done_late = give(people, tree, title="Chuyên đề tháng 10")
    GroupTask.objects.filter(pk__in=[late.pk, done_late.pk]).update(deadline=timezone.now() - timedelta(days=1))
    done_late.refresh_from_db()
    group_task_complete(actor=people.leader, task=done_late, link=reverse("courses:group_space", args=[tree.g1.pk]))
    late.refresh_from_db()
    assert late.state == "late" and waiting.state == "waiting"
    states = {t.title: t.current_state for t in school_tasks(school=tree.s1)}
    assert states == {"Báo cáo tháng 11": "late", "Sản phẩm tháng 12": "waiting", "Chuyên đề tháng 10": "done"}
    assert [t.title for t in school_tasks(school=tree.s1, state="late")] == ["Báo cáo tháng 11"]
    assert [t.title for t in school_tasks(school=tree.s1, kind="product")] == ["Sản phẩm tháng 12"]
    assert AuditEntry.objects.get(action="group_task.done").after["late"] is True
    progress = {p.group: p.counts for p in school_progress(school=tree.s1)}
    assert progress == {tree.g1: {"late": 1, "waiting": 1, "done": 1}, tree.g2: {}}


def test_the_principal_reopens_a_done_task_with_a_new_deadline(tree, people):
    task = give(people, tree)
    group_task_assign(actor=people.leader, task=task, members=[people.teacher])
    with pytest.raises(ValidationError, match="nothing to reopen"):
        group_task_reopen(actor=people.principal, task=task)
    group_task_complete(actor=people.leader, task=task, link=reverse("courses:group_space", args=[tree.g1.pk]))
    done = unchanged(task)
    with pytest.raises(ValidationError, match="in the future"):
        group_task_reopen(actor=people.principal, task=task, deadline=timezone.now() - timedelta(hours=1))
    with pytest.raises(ValidationError, match="Only the principal"):
        group_task_reopen(actor=people.leader, task=task)
    assert unchanged(task) == done
    new_deadline = soon(14)
    task = group_task_reopen(actor=people.principal, task=task, deadline=new_deadline)
    assert (task.status, task.done_at, task.done_by, task.deadline) == ("in_progress", None, None, new_deadline)
    assert any("has been reopened" in t for t in notes_of(people.leader))
    assert any("has been reopened" in t for t in notes_of(people.teacher))
    assert "group_task.reopen" in actions()


def test_the_principal_removes_a_task_softly(tree, more):
    task = give(more, tree)
    for who in ("leader", "teacher", "other_principal"):
        with pytest.raises(ValidationError):
            group_task_delete(actor=getattr(more, who), task=task)
    assert GroupTask.objects.get(pk=task.pk).deleted_at is None
    group_task_delete(actor=more.principal, task=task)
    row = GroupTask.objects.get(pk=task.pk)
    assert (row.deleted_by, row.is_deleted) == (more.principal, True)
    assert list(school_tasks(school=tree.s1)) == [] and list(my_group_tasks(user=more.leader)) == []
    assert any("has been withdrawn" in t for t in notes_of(more.leader))
    assert "group_task.delete" in actions()
    with pytest.raises(ValidationError):
        group_task_assign(actor=more.leader, task=row, members=[more.teacher])


def test_members_see_the_tasks_assigned_to_them_and_leaders_those_of_their_group(tree, people):
    mine = give(people, tree, title="Việc của An")
    give(people, tree, title="Việc chưa giao")
    group_task_assign(actor=people.leader, task=mine, members=[people.teacher])
    assert [t.title for t in my_group_tasks(user=people.teacher)] == ["Việc của An"]
    assert [t.title for t in my_group_tasks(user=people.teacher2)] == []
    assert {t.title for t in home_group_tasks(user=people.leader)} == {"Việc của An", "Việc chưa giao"}


# --- the pages, end to end ----------------------------------------------------------------------


def test_the_whole_flow_through_the_pages(client, tree, people):
    # The principal finds the page from home and gives a task.
    client.force_login(people.principal)
    home = client.get(reverse("home")).content.decode()
    school_url = reverse("courses:school_group_tasks", args=[tree.s1.pk])
    assert school_url in home
    page = client.get(school_url)
    assert page.status_code == 200 and "No task has been given to the groups yet" in page.content.decode()
    deadline = timezone.localtime(soon(10)).strftime("%d/%m/%Y %H:%M")
    response = client.post(
        reverse("courses:group_task_create", args=[tree.s1.pk]),
        {"group": tree.g1.pk, "kind": "product", "title": "Sản phẩm STEM", "description": "Mỗi tổ một sản phẩm.",
         "deadline": deadline},
    )  # fmt: skip
    task = GroupTask.objects.get()
    assert response.status_code == 302 and response.url == reverse("courses:group_task", args=[task.pk])

    # The leader sees it on the home page and the group's space, and assigns a member.
    client.force_login(people.leader)
    assert "Sản phẩm STEM" in client.get(reverse("home")).content.decode()
    assert "Sản phẩm STEM" in client.get(reverse("courses:group_space", args=[tree.g1.pk])).content.decode()
    detail = client.get(reverse("courses:group_task", args=[task.pk])).content.decode()
    assert 'data-testid="assign-form"' in detail and 'data-testid="done-form"' in detail
    response = client.post(reverse("courses:group_task_assign", args=[task.pk]), {"members": [people.teacher.pk]})
    assert response.status_code == 302
    assert list(GroupTask.objects.get().assignees.all()) == [people.teacher]

    # The member sees what they were given; they cannot mark it done.
    client.force_login(people.teacher)
    assert "Sản phẩm STEM" in client.get(reverse("courses:my_group_tasks")).content.decode()
    detail = client.get(reverse("courses:group_task", args=[task.pk])).content.decode()
    assert "done-form" not in detail and "assign-form" not in detail
    product = Product.objects.create(unit=tree.g1, author=people.teacher, title="Mô hình STEM")

    # A link to another site is refused with a message; the product's page is accepted.
    client.force_login(people.leader)
    response = client.post(reverse("courses:group_task_done", args=[task.pk]), {"link": "https://evil.example/x"})
    assert response.status_code == 400 and "not another site" in response.content.decode()
    assert GroupTask.objects.get().status == "in_progress"
    link = "http://localhost" + reverse("courses:product", args=[product.pk])
    response = client.post(reverse("courses:group_task_done", args=[task.pk]), {"link": link, "note": "Nộp rồi."})
    assert response.status_code == 302
    task.refresh_from_db()
    assert (task.status, task.result_product) == ("done", product)

    # The principal sees the progress, filters, reopens and removes.
    client.force_login(people.principal)
    page = client.get(school_url, {"trang-thai": "done"}).content.decode()
    assert "Sản phẩm STEM" in page and "Mô hình STEM" not in page
    assert "Sản phẩm STEM" not in client.get(school_url, {"trang-thai": "late"}).content.decode()
    detail = client.get(reverse("courses:group_task", args=[task.pk])).content.decode()
    assert "Mô hình STEM" in detail and 'data-testid="reopen-form"' in detail and "data-confirm" in detail
    assert client.post(reverse("courses:group_task_reopen", args=[task.pk]), {"deadline": ""}).status_code == 302
    assert GroupTask.objects.get().status == "in_progress"
    assert client.post(reverse("courses:group_task_remove", args=[task.pk])).status_code == 302
    assert GroupTask.objects.get().is_deleted
    assert "Sản phẩm STEM" not in client.get(school_url).content.decode()


def test_a_bad_deadline_on_the_form_is_explained_and_nothing_is_made(client, tree, people):
    client.force_login(people.principal)
    url = reverse("courses:group_task_create", args=[tree.s1.pk])
    past = timezone.localtime(timezone.now() - timedelta(days=1)).strftime("%d/%m/%Y %H:%M")
    for deadline, words in ((past, "must be in the future"), ("mai", "dd/mm/yyyy")):
        response = client.post(url, {"group": tree.g1.pk, "kind": "topic", "title": "Báo cáo", "deadline": deadline})
        assert response.status_code == 200 and words in response.content.decode()
    response = client.post(url, {"group": tree.g3.pk, "kind": "topic", "title": "Báo cáo", "deadline": past})
    assert response.status_code == 200  # a group of another school is not among the choices
    assert not GroupTask.objects.exists()


def test_assigning_someone_of_another_group_on_the_page_is_explained(client, tree, people):
    task = give(people, tree)
    client.force_login(people.leader)
    url = reverse("courses:group_task_assign", args=[task.pk])
    response = client.post(url, {"members": [people.teacher.pk, people.teacher3.pk]})
    assert response.status_code == 400 and "Choose members of this group only" in response.content.decode()
    assert (GroupTask.objects.get().status, GroupTask.objects.get().assignees.count()) == ("waiting", 0)


def test_the_list_is_paginated(client, tree, people):
    for n in range(23):
        give(people, tree, title=f"Nhiệm vụ {n:02d}")
    client.force_login(people.principal)
    url = reverse("courses:school_group_tasks", args=[tree.s1.pk])
    first = client.get(url).content.decode()
    second = client.get(url, {"page": 2}).content.decode()
    assert first.count('data-testid="task-row"') == 20 and second.count('data-testid="task-row"') == 3


# --- the permission matrix ----------------------------------------------------------------------

WHO = ["principal", "leader", "teacher", "teacher3", "other_principal", "student", "admin"]

PAGES = {
    # page: the people who see it (everyone else gets a 404)
    "school": {"principal", "admin"},
    "create": {"principal"},
    "group": {"principal", "leader", "teacher", "admin"},
    "detail": {"principal", "leader", "teacher", "admin"},
}


@pytest.mark.parametrize("who", WHO)
@pytest.mark.parametrize("page", sorted(PAGES))
def test_who_sees_the_pages(client, tree, more, who, page):
    task = give(more, tree)
    url = {
        "school": reverse("courses:school_group_tasks", args=[tree.s1.pk]),
        "create": reverse("courses:group_task_create", args=[tree.s1.pk]),
        "group": reverse("courses:group_tasks", args=[tree.g1.pk]),
        "detail": reverse("courses:group_task", args=[task.pk]),
    }[page]
    client.force_login(getattr(more, who))
    assert client.get(url).status_code == (200 if who in PAGES[page] else 404)


# step: (who may, who sees the task and is refused with a message, everyone else 404)
STEPS = {
    "assign": ("leader", {"principal", "teacher", "admin"}),
    "done": ("leader", {"principal", "teacher", "admin"}),
    "reopen": ("principal", {"leader", "teacher", "admin"}),
    "remove": ("principal", {"leader", "teacher", "admin"}),
}


@pytest.mark.parametrize("who", WHO)
@pytest.mark.parametrize("step", sorted(STEPS))
def test_who_may_take_each_step(client, tree, more, who, step):
    task = give(more, tree)
    if step == "reopen":
        group_task_complete(actor=more.leader, task=task, link=reverse("courses:group_space", args=[tree.g1.pk]))
    data = {
        "assign": {"members": [more.teacher.pk]},
        "done": {"link": reverse("courses:group_space", args=[tree.g1.pk]), "note": "Xong"},
        "reopen": {"deadline": ""},
        "remove": {},
    }[step]
    before = unchanged(task)
    client.force_login(getattr(more, who))
    response = client.post(reverse(f"courses:group_task_{step}", args=[task.pk]), data)
    allowed, refused = STEPS[step]
    if who == allowed:
        assert response.status_code == 302 and unchanged(task) != before
        return
    assert response.status_code == (302 if who in refused else 404)
    assert unchanged(task) == before


def test_the_remove_button_asks_first_and_is_shown_to_the_principal_only(client, tree, people):
    task = give(people, tree)
    url = reverse("courses:group_task", args=[task.pk])
    client.force_login(people.principal)
    page = client.get(url).content.decode()
    assert 'data-testid="remove-task"' in page and "Remove this task?" in page
    client.force_login(people.leader)
    assert 'data-testid="remove-task"' not in client.get(url).content.decode()
