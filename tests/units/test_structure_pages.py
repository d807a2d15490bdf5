"""The structure pages of issue #15: a permission matrix per level (who gets the page, who a 403, who a
404, and nothing changed), then the journeys — create, rename, move, merge, close, reopen, clusters —
with each bad input refused in words and the tree unchanged."""

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.accounts.factories import make_person
from units.models import AuditEntry, Cluster, Role, Unit
from units.services import cluster_create, unit_close

K = Unit.Kind

PEOPLE = {
    "ministry": ("ministry", Role.MINISTRY_STAFF),
    "dept_a": ("dept_a", Role.DEPARTMENT_STAFF),
    "dept_b": ("dept_b", Role.DEPARTMENT_STAFF),
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


def _state():
    return (
        list(Unit.objects.order_by("pk").values_list("pk", "code", "name", "path", "is_active", "closed_on")),
        AuditEntry.objects.count(),
        list(Cluster.objects.order_by("pk").values_list("pk", "name")),
    )


# The structure page of each level: 200 for its managers, 403 for those who see the unit without
# managing it, 404 for those who do not see it.
STRUCTURE_PAGE = {
    "ministry": {"ministry": 200, "dept_a": 404, "office_a1": 404, "principal_s1": 404, "teacher_s1": 404},
    "dept_a": {"ministry": 200, "dept_a": 200, "dept_b": 404, "office_a1": 404, "principal_s1": 404},
    "office_a1": {"dept_a": 200, "office_a1": 200, "office_b1": 404, "principal_s1": 404, "student_c1": 404},
    "s1": {
        "office_a1": 200,
        "principal_s1": 200,
        "admin_s1": 200,
        "leader_g1": 403,
        "teacher_s1": 403,
        "student_c1": 403,
        "office_b1": 404,
        "dept_b": 404,
    },
    "g1": {"principal_s1": 403, "ministry": 403, "office_b1": 404},  # a group holds no unit
}


def _cases(matrix):
    return [(unit, person, status) for unit, row in matrix.items() for person, status in row.items()]


@pytest.mark.parametrize(("unit_key", "person", "status"), _cases(STRUCTURE_PAGE))
def test_matrix_structure_page(client, tree, people, unit_key, person, status):
    client.force_login(people[person])
    unit = getattr(tree, unit_key)
    before = _state()
    for name in ("units:structure", "units:unit_add"):
        assert client.get(reverse(name, args=[unit.pk])).status_code == status, name
    post = {"kind": "group:", "code": "NEW", "name": "Tổ Mới"}
    response = client.post(reverse("units:unit_add", args=[unit.pk]), post)
    if status == 200:
        assert response.status_code in (200, 302)  # created, or the form again (no group under a Ministry)
    else:
        assert response.status_code == status
        assert _state() == before  # nothing created


# Renaming (the same rule as moving, merging and closing): only from strictly above the unit.
CHANGE_PAGES = ("units:unit_edit", "units:unit_move", "units:unit_merge", "units:unit_close")
CHANGE_MATRIX = {
    "dept_a": {"ministry": 200, "dept_a": 403, "dept_b": 404, "office_a1": 404},
    "office_a1": {"dept_a": 200, "office_a1": 403, "office_b1": 404, "principal_s1": 404},
    "s1": {"office_a1": 200, "dept_a": 200, "principal_s1": 403, "admin_s1": 403, "office_b1": 404},
    "g1": {"principal_s1": 200, "admin_s1": 200, "leader_g1": 403, "teacher_s1": 403, "office_b1": 404},
    "c1": {"principal_s1": 200, "student_c1": 403, "teacher_s1": 403},
}


@pytest.mark.parametrize(("unit_key", "person", "status"), _cases(CHANGE_MATRIX))
def test_matrix_rename_move_merge_close_pages(client, tree, people, unit_key, person, status):
    client.force_login(people[person])
    unit = getattr(tree, unit_key)
    before = _state()
    for name in CHANGE_PAGES:
        assert client.get(reverse(name, args=[unit.pk])).status_code == status, name
        if status != 200:
            post = {"name": "Bị đổi", "code": "HACK", "on": timezone.localdate().isoformat(), "confirm": "on"}
            assert client.post(reverse(name, args=[unit.pk]), post).status_code == status, name
    assert client.post(reverse("units:unit_reopen", args=[unit.pk])).status_code in (status, 302)
    if status != 200:
        assert _state() == before  # nothing changed


def test_anonymous_is_sent_to_login(client, tree):
    response = client.get(reverse("units:structure", args=[tree.s1.pk]))
    assert response.status_code == 302 and "/tai-khoan/login/" in response.url


def test_structure_entry_point_on_the_space_page_only_for_managers(client, tree, people):
    url = reverse("units:space", args=[tree.s1.pk])
    client.force_login(people["principal_s1"])
    assert reverse("units:structure", args=[tree.s1.pk]) in client.get(url).content.decode()
    client.force_login(people["teacher_s1"])
    assert reverse("units:structure", args=[tree.s1.pk]) not in client.get(url).content.decode()


# --- Journeys ------------------------------------------------------------------------------------


def test_a_school_creates_its_groups_and_classes(client, tree, people, english_pages):
    client.force_login(people["principal_s1"])
    url = reverse("units:unit_add", args=[tree.s1.pk])
    kinds = [value for value, _label in client.get(url).context["form"].fields["kind"].choices]
    assert kinds == ["group:", "class:"]
    response = client.post(url, {"kind": "group:", "code": "S1-TOAN", "name": "Tổ Toán"})
    assert response.status_code == 302
    response = client.post(url, {"kind": "class:", "code": "S1-6A2", "name": "6A2", "grade": "6"})
    assert response.status_code == 302
    assert Unit.objects.get(code="S1-6A2").grade == 6
    assert Unit.objects.get_parent(Unit.objects.get(code="S1-TOAN")) == tree.s1
    page = client.get(reverse("units:structure", args=[tree.s1.pk]))
    assert {child.code for child, _c, _m in page.context["rows"]} >= {"S1-TOAN", "S1-6A2"}
    # A class with no grade, a code used twice: refused in words, nothing created.
    before = _state()
    response = client.post(url, {"kind": "class:", "code": "S1-6A3", "name": "6A3"})
    assert "A class needs a grade from 1 to 12." in response.content.decode()
    response = client.post(url, {"kind": "group:", "code": tree.g1.code, "name": "Tổ Văn"})
    assert response.status_code == 200
    assert f"The code {tree.g1.code} is already used by Tổ Khoa học tự nhiên" in response.content.decode()
    assert _state() == before


def test_an_office_creates_primary_and_thcs_schools_but_no_thpt(client, tree, people, english_pages):
    client.force_login(people["office_a1"])
    url = reverse("units:unit_add", args=[tree.office_a1.pk])
    assert client.post(url, {"kind": "school:th", "code": "TH-PL", "name": "Trường TH Phủ Lý"}).status_code == 302
    assert Unit.objects.get(code="TH-PL").school_level == "th"
    before = _state()
    response = client.post(url, {"kind": "school:thpt", "code": "THPT-PL", "name": "Trường THPT B"})
    assert response.status_code == 200 and response.context["form"].errors["kind"]
    assert _state() == before


def test_a_department_creates_an_office_and_a_thpt_school(client, tree, people):
    client.force_login(people["dept_a"])
    url = reverse("units:unit_add", args=[tree.dept_a.pk])
    assert client.post(url, {"kind": "office:", "code": "P-KB", "name": "Phòng GDĐT Kim Bảng"}).status_code == 302
    assert (
        client.post(url, {"kind": "school:thpt", "code": "THPT-KB", "name": "Trường THPT Kim Bảng"}).status_code == 302
    )
    assert Unit.objects.get_parent(Unit.objects.get(code="P-KB")) == tree.dept_a
    assert AuditEntry.objects.filter(action="unit.create", actor=people["dept_a"]).count() == 2


def test_rename_through_the_page_is_audited(client, tree, people):
    client.force_login(people["office_a1"])
    response = client.post(
        reverse("units:unit_edit", args=[tree.s2.pk]), {"name": "Trường THCS Tiên Tân 2", "code": "TT2"}
    )
    assert response.status_code == 302
    s2 = Unit.objects.get(pk=tree.s2.pk)
    assert (s2.name, s2.code) == ("Trường THCS Tiên Tân 2", "TT2")
    assert AuditEntry.objects.filter(action="unit.rename", unit=s2, actor=people["office_a1"]).exists()


def test_a_department_moves_a_school_between_its_offices_but_not_out_of_its_province(client, tree, people):
    client.force_login(people["dept_a"])
    url = reverse("units:unit_move", args=[tree.s2.pk])
    before = _state()
    # Another province's Office is not offered: the form refuses it, nothing moves.
    response = client.post(url, {"new_parent": tree.office_b1.pk})
    assert response.status_code == 200 and response.context["form"].errors["new_parent"]
    # Its own child (a cycle) and a THPT under an Office are not offered either.
    assert client.post(url, {"new_parent": tree.g3.pk}).status_code == 200
    assert (
        client.post(reverse("units:unit_move", args=[tree.t1.pk]), {"new_parent": tree.office_a1.pk}).status_code == 200
    )
    assert _state() == before
    response = client.post(url, {"new_parent": tree.office_a2.pk})
    assert response.status_code == 302
    s2 = Unit.objects.get(pk=tree.s2.pk)
    assert Unit.objects.get_parent(s2) == tree.office_a2
    assert Unit.objects.get_parent(Unit.objects.get(pk=tree.g3.pk)) == s2  # its group followed
    assert AuditEntry.objects.filter(action="unit.move", unit=s2).exists()


def test_an_office_cannot_move_its_school_to_another_office(client, tree, people, english_pages):
    client.force_login(people["office_a1"])
    url = reverse("units:unit_move", args=[tree.s2.pk])
    response = client.get(url)
    assert response.context["empty_choice"] and 'data-testid="no-choice"' in response.content.decode()
    before = _state()
    assert client.post(url, {"new_parent": tree.office_a2.pk}).status_code == 200
    assert _state() == before


def test_merge_through_the_page_refuses_itself_and_merges_into_a_sibling(client, tree, people, english_pages):
    client.force_login(people["principal_s1"])
    url = reverse("units:unit_merge", args=[tree.g2.pk])
    before = _state()
    response = client.post(url, {"into": tree.g2.pk, "confirm": "on"})  # into itself: not offered
    assert response.status_code == 200 and response.context["form"].errors["into"]
    response = client.post(url, {"into": tree.g1.pk})  # not confirmed
    assert response.status_code == 200 and response.context["form"].errors["confirm"]
    assert _state() == before
    assert client.post(url, {"into": tree.g1.pk, "confirm": "on"}).status_code == 302
    g2 = Unit.objects.get(pk=tree.g2.pk)
    assert (g2.is_active, g2.merged_into_id) == (False, tree.g1.pk)


def test_closing_a_unit_with_people_is_refused_with_the_count_then_closes(client, tree, people, english_pages):
    client.force_login(people["office_a1"])
    make_person(unit=tree.s2, role=Role.TEACHER)
    url = reverse("units:unit_close", args=[tree.s2.pk])
    page = client.get(url)
    assert page.context["blockers"] == {"accounts": 1, "children": 1}
    before = _state()
    response = client.post(url, {"on": timezone.localdate().isoformat(), "confirm": "on"})
    assert response.status_code == 200
    assert "1 active accounts still belong to it" in response.content.decode()
    assert _state() == before
    # An empty unit closes; it leaves the active lists and shows under the "closed" filter.
    client.force_login(people["principal_s1"])
    today = timezone.localdate()
    response = client.post(reverse("units:unit_close", args=[tree.c2.pk]), {"on": today.isoformat(), "confirm": "on"})
    assert response.status_code == 302
    assert Unit.objects.get(pk=tree.c2.pk).closed_on == today
    structure = reverse("units:structure", args=[tree.s1.pk])
    assert tree.c2.pk not in [c.pk for c, _n, _m in client.get(structure).context["rows"]]
    closed = client.get(structure, {"status": "closed"})
    assert [c.pk for c, _n, _m in closed.context["rows"]] == [tree.c2.pk]
    assert tree.c2.pk not in [
        c.pk for c, _n, _l in client.get(reverse("units:space", args=[tree.s1.pk])).context["rows"]
    ]
    # And it reopens.
    assert client.post(reverse("units:unit_reopen", args=[tree.c2.pk])).status_code == 302
    assert Unit.objects.get(pk=tree.c2.pk).is_active


def test_structure_list_searches_without_accents_and_pages(client, tree, people):
    client.force_login(people["office_a1"])
    url = reverse("units:structure", args=[tree.office_a1.pk])
    rows = client.get(url, {"q": "tien tan"}).context["rows"]
    assert [child.pk for child, _c, _m in rows] == [tree.s2.pk]
    assert all(may for _c, _n, may in client.get(url).context["rows"])
    from units.services import UnitSpec, units_bulk_create

    units_bulk_create(
        actor=None,
        parent=tree.s1,
        specs=[UnitSpec(code=f"S1-C{i}", name=f"8A{i}", kind=K.CLASS, grade=8) for i in range(60)],
    )
    client.force_login(people["principal_s1"])
    page = client.get(reverse("units:structure", args=[tree.s1.pk]), {"page": 2}).context["page"]
    assert page.number == 2 and page.paginator.count == 64


# --- Clusters --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("person", "status"),
    [
        ("office_a1", 200),
        ("dept_a", 200),
        ("ministry", 200),
        ("office_b1", 404),
        ("principal_s1", 404),
        ("teacher_s1", 404),
    ],
)
def test_matrix_cluster_pages(client, tree, people, person, status):
    cluster = cluster_create(actor=None, owner=tree.office_a1, code="CUM", name="Cụm 1", schools=[tree.s1])
    client.force_login(people[person])
    before = _state()
    assert client.get(reverse("units:clusters", args=[tree.office_a1.pk])).status_code == status
    assert client.get(reverse("units:cluster_add", args=[tree.office_a1.pk])).status_code == status
    assert client.get(reverse("units:cluster_edit", args=[cluster.pk])).status_code == status
    if status != 200:
        assert (
            client.post(reverse("units:cluster_edit", args=[cluster.pk]), {"code": "X", "name": "X"}).status_code
            == status
        )
        assert client.post(reverse("units:cluster_remove", args=[cluster.pk])).status_code == status
        assert _state() == before


def test_an_office_creates_changes_and_removes_a_cluster(client, tree, people, english_pages):
    client.force_login(people["office_a1"])
    list_url = reverse("units:clusters", args=[tree.office_a1.pk])
    assert client.get(reverse("units:clusters", args=[tree.s1.pk])).status_code == 403  # a school runs none
    assert 'data-testid="clusters-empty"' in client.get(list_url).content.decode()
    add = reverse("units:cluster_add", args=[tree.office_a1.pk])
    # A school of another Office is not offered.
    before = _state()
    response = client.post(add, {"code": "CUM-PL", "name": "Cụm Phủ Lý", "schools": [tree.s3.pk]})
    assert response.status_code == 200 and response.context["form"].errors["schools"]
    assert _state() == before
    assert (
        client.post(add, {"code": "CUM-PL", "name": "Cụm Phủ Lý", "schools": [tree.s1.pk, tree.s2.pk]}).status_code
        == 302
    )
    cluster = Cluster.objects.get(code="CUM-PL")
    response = client.post(
        reverse("units:cluster_edit", args=[cluster.pk]),
        {"code": "CUM-PL", "name": "Cụm trường Phủ Lý", "schools": [tree.s2.pk]},
    )
    assert response.status_code == 302
    cluster.refresh_from_db()
    assert (cluster.name, list(cluster.schools.all())) == ("Cụm trường Phủ Lý", [tree.s2])
    assert client.post(reverse("units:cluster_remove", args=[cluster.pk])).status_code == 302
    assert not Cluster.objects.filter(pk=cluster.pk).exists()
    actions = set(AuditEntry.objects.filter(unit=tree.office_a1).values_list("action", flat=True))
    assert {"cluster.create", "cluster.update", "cluster.remove"} <= actions


def test_closed_units_are_left_out_of_the_cluster_picker(client, tree, people):
    for child in Unit.objects.children(tree.s2):
        unit_close(actor=None, unit=child)
    unit_close(actor=None, unit=tree.s2)
    client.force_login(people["office_a1"])
    form = client.get(reverse("units:cluster_add", args=[tree.office_a1.pk])).context["form"]
    assert list(form.fields["schools"].queryset) == [tree.s1]


@pytest.mark.parametrize("value", ["²", "9" * 30, "abc", "-1"])
def test_a_hostile_unit_id_in_the_move_and_merge_forms_is_an_invalid_choice(client, tree, people, value):
    client.force_login(people["dept_a"])
    before = _state()
    for name, field in (("units:unit_move", "new_parent"), ("units:unit_merge", "into")):
        response = client.post(reverse(name, args=[tree.s2.pk]), {field: value, "confirm": "on"})
        assert response.status_code == 200 and response.context["form"].errors[field]
    assert _state() == before
