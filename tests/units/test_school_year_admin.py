"""The admin's school years (issue #15): added and changed only through `school_year_set` /
`school_year_adjust` (audited), their refusals shown as the form's errors with nothing written, never
deleted; an adjustment keeps its Department and label."""

from datetime import date

import pytest
from django.urls import reverse

from tests.accounts.factories import UserFactory
from units.models import AuditEntry, SchoolYear
from units.services import school_year_adjust, school_year_set

from .test_school_year import ADJUSTED, dates


@pytest.fixture
def root(db):
    return UserFactory(is_superuser=True, is_staff=True, account_type="staff")


@pytest.fixture
def admin_client(client, root):
    client.force_login(root)
    return client


def form(label: str = "", department=None, **values) -> dict:
    data = {name: value.isoformat() for name, value in values.items()}
    if label:
        data["label"] = label
    if department is not None:
        data["department"] = str(department.pk)
    return data


def state():
    return (
        list(SchoolYear.objects.order_by("pk").values_list("pk", "label", "department", "start", "semester1_end")),
        AuditEntry.objects.filter(action__startswith="school_year.").count(),
    )


def test_the_ministry_s_year_is_added_through_the_service_and_audited(admin_client, root, tree):
    response = admin_client.post(reverse("admin:units_schoolyear_add"), form("2026 – 2027", **dates(2026)))
    assert response.status_code == 302, response.context["adminform"].form.errors
    year = SchoolYear.objects.get()
    assert (year.label, year.department, year.set_by, year.semester1_end) == (
        "2026-2027",  # the service's clean label, not the typed one
        None,
        root,
        date(2027, 1, 17),
    )
    entry = AuditEntry.objects.get(action="school_year.create")
    assert (entry.actor, entry.unit, entry.target_id) == (root, tree.ministry, str(year.pk))


def test_a_department_s_adjustment_is_added_through_the_service(admin_client, root, tree):
    school_year_set(actor=None, label="2026-2027", **dates(2026))
    response = admin_client.post(
        reverse("admin:units_schoolyear_add"), form("2026-2027", department=tree.dept_a, **ADJUSTED)
    )
    assert response.status_code == 302
    own = SchoolYear.objects.get(department=tree.dept_a)
    assert (own.label, own.semester1_end, own.set_by) == ("2026-2027", date(2027, 1, 10), root)
    entry = AuditEntry.objects.get(action="school_year.adjust")
    assert (entry.actor, entry.unit) == (root, tree.dept_a)


@pytest.mark.parametrize(
    ("label", "values", "field"),
    [
        ("2026-2027", dates(2026, semester2_start=date(2027, 1, 10)), "semester2_start"),  # before semester 1 ends
        ("2026-2027", dates(2026, end=date(2028, 5, 31)), "end"),  # outside its two calendar years
        ("2025-2026", dates(2026), "start"),  # the label says another year
        ("2026", dates(2026), "label"),
    ],
)
def test_a_refused_year_is_a_form_error_beside_its_field_and_nothing_is_written(
    admin_client, tree, label, values, field, english_pages
):
    before = state()
    response = admin_client.post(reverse("admin:units_schoolyear_add"), form(label, **values))
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert field in errors, errors
    assert state() == before


def test_an_overlap_and_a_label_taken_are_refused_in_words(admin_client, tree, english_pages):
    school_year_set(actor=None, label="2026-2027", **dates(2026))
    before = state()
    response = admin_client.post(reverse("admin:units_schoolyear_add"), form("2026-2027", **dates(2026)))
    assert "already exists" in str(response.context["adminform"].form.errors["label"])
    overlapping = dates(
        2027,
        start=date(2027, 5, 30),
        semester1_start=date(2027, 5, 30),
        end=date(2028, 5, 25),
        semester2_end=date(2028, 5, 20),
    )
    response = admin_client.post(reverse("admin:units_schoolyear_add"), form("2027-2028", **overlapping))
    assert "overlap" in str(response.context["adminform"].form.errors["start"])
    assert state() == before


def test_adjusting_a_year_the_ministry_has_not_set_or_for_a_non_department_is_refused(
    admin_client, tree, english_pages
):
    before = state()
    response = admin_client.post(
        reverse("admin:units_schoolyear_add"), form("2026-2027", department=tree.dept_a, **ADJUSTED)
    )
    assert "nothing to adjust" in str(response.context["adminform"].form.errors)
    school_year_set(actor=None, label="2026-2027", **dates(2026))
    before = state()
    response = admin_client.post(
        reverse("admin:units_schoolyear_add"), form("2026-2027", department=tree.office_a1, **ADJUSTED)
    )
    assert "Only a Department" in str(response.context["adminform"].form.non_field_errors())
    assert state() == before


def test_a_second_adjustment_of_the_same_year_is_refused_on_add(admin_client, tree, english_pages):
    school_year_set(actor=None, label="2026-2027", **dates(2026))
    school_year_adjust(actor=None, department=tree.dept_a, label="2026-2027", **ADJUSTED)
    before = state()
    changed = dict(ADJUSTED, semester1_end=date(2027, 1, 12), semester2_start=date(2027, 1, 13))
    response = admin_client.post(
        reverse("admin:units_schoolyear_add"), form("2026 – 2027", department=tree.dept_a, **changed)
    )
    assert response.status_code == 200
    assert "has already adjusted the school year 2026-2027" in str(response.context["adminform"].form.errors["label"])
    assert state() == before


def test_changing_a_year_goes_through_the_service_and_keeps_an_adjustment_s_department_and_label(
    admin_client, root, tree
):
    year = school_year_set(actor=None, label="2026-2027", **dates(2026))
    own = school_year_adjust(actor=None, department=tree.dept_a, label="2026-2027", **ADJUSTED)

    url = reverse("admin:units_schoolyear_change", args=[year.pk])
    response = admin_client.post(url, form("2026-2027", **dates(2026, semester1_end=date(2027, 1, 15))))
    assert response.status_code == 302
    year.refresh_from_db()
    assert year.semester1_end == date(2027, 1, 15) and year.department is None and year.set_by == root
    entry = AuditEntry.objects.get(action="school_year.update")
    assert entry.after == {"label": "2026-2027", "semester1_end": "2027-01-15"}

    # An adjustment's label and Department are shown, not changed: a posted other label is ignored.
    url = reverse("admin:units_schoolyear_change", args=[own.pk])
    html = admin_client.get(url).content.decode()
    assert 'name="label"' not in html and 'name="department"' not in html
    changed = dict(ADJUSTED, semester1_end=date(2027, 1, 12), semester2_start=date(2027, 1, 13))
    response = admin_client.post(url, form("2030-2031", department=tree.dept_b, **changed))
    assert response.status_code == 302
    own.refresh_from_db()
    assert (own.label, own.department, own.semester1_end) == ("2026-2027", tree.dept_a, date(2027, 1, 12))
    assert AuditEntry.objects.filter(action="school_year.adjust", unit=tree.dept_a).count() == 2


def test_a_refused_change_leaves_the_year_as_it_was(admin_client, tree, english_pages):
    year = school_year_set(actor=None, label="2026-2027", **dates(2026))
    before = state()
    url = reverse("admin:units_schoolyear_change", args=[year.pk])
    response = admin_client.post(url, form("2026-2027", **dates(2026, semester1_start=date(2026, 8, 1))))
    assert response.status_code == 200 and "semester1_start" in response.context["adminform"].form.errors
    assert state() == before


def test_school_years_are_listed_and_never_deleted(admin_client, tree):
    year = school_year_set(actor=None, label="2026-2027", **dates(2026))
    school_year_adjust(actor=None, department=tree.dept_a, label="2026-2027", **ADJUSTED)
    changelist = admin_client.get(reverse("admin:units_schoolyear_changelist"))
    assert changelist.status_code == 200 and tree.dept_a.name in changelist.content.decode()
    assert admin_client.get(reverse("admin:units_schoolyear_changelist"), {"q": "Hà Nam"}).status_code == 200
    assert admin_client.get(reverse("admin:units_schoolyear_delete", args=[year.pk])).status_code == 403
    admin_client.post(reverse("admin:units_schoolyear_delete", args=[year.pk]), {"post": "yes"})
    assert SchoolYear.objects.filter(pk=year.pk).exists()
    assert 'value="delete_selected"' not in changelist.content.decode()
