"""One pager (issue #15): the structure list, the clusters list and the rollover list of the schools use
templates/components/pagination.html, whose page links keep the search and the filter."""

import re

import pytest
from django.urls import reverse

from accounts.services.rollover import rollover_apply, rollover_preview
from tests.accounts.factories import make_person
from tests.units.factories import make_unit
from units import views_structure
from units.models import Role, Unit
from units.services import cluster_create, unit_close

K = Unit.Kind
PAGER = re.compile(r'<a class="page-link" href="([^"]*)" data-testid="page-(next|previous)"')


def links(html: str) -> dict[str, str]:
    """The pager's links of a page: "next"/"previous" → their href (with &amp; read as &)."""
    return {which: href.replace("&amp;", "&") for href, which in PAGER.findall(html)}


def names_in(html: str, names) -> set[str]:
    return {name for name in names if f">{name}<" in html}


@pytest.fixture
def small_pages(monkeypatch):
    monkeypatch.setattr(views_structure, "PAGE_SIZE", 2)


def test_the_structure_list_s_page_two_keeps_the_search_and_the_status(client, tree, small_pages):
    schools = [make_unit(tree.office_a2, K.SCHOOL, f"Trường THCS Đông {n}", school_level="thcs") for n in range(5)]
    make_unit(tree.office_a2, K.SCHOOL, "Trường THCS Tây", school_level="thcs")
    unit_close(actor=None, unit=schools[4])
    client.force_login(make_person(unit=tree.dept_a, role=Role.DEPARTMENT_STAFF))
    url = reverse("units:structure", args=[tree.office_a2.pk])

    first = client.get(url, {"q": "dong", "status": "all"}).content.decode()
    second_url = links(first)["next"]
    assert second_url == "?q=dong&status=all&page=2"
    second = client.get(url + second_url).content.decode()
    # Page 2 is still the search, with the closed school in it ("all"), and never the school it does not match.
    assert links(second) == {"previous": "?q=dong&status=all&page=1", "next": "?q=dong&status=all&page=3"}
    names = [school.name for school in schools] + ["Trường THCS Tây"]
    shown = names_in(second, names)
    assert len(shown) == 2 and "Trường THCS Tây" not in shown
    third = client.get(url + links(second)["next"]).content.decode()
    assert names_in(third, names) == {"Trường THCS Đông 4"}  # the closed one, kept by status=all
    assert set(links(third)) == {"previous"}


def test_the_clusters_list_s_page_two_keeps_the_search(client, tree, small_pages):
    for n in range(3):
        cluster_create(actor=None, owner=tree.office_a1, code=f"CUM{n}", name=f"Cụm Bắc {n}", schools=[tree.s1])
    cluster_create(actor=None, owner=tree.office_a1, code="CUMN", name="Cụm Nam", schools=[tree.s2])
    client.force_login(make_person(unit=tree.office_a1, role=Role.OFFICE_STAFF))
    url = reverse("units:clusters", args=[tree.office_a1.pk])

    first = client.get(url, {"q": "Bắc"}).content.decode()
    assert links(first) == {"next": "?q=B%E1%BA%AFc&page=2"}
    second = client.get(url + links(first)["next"]).content.decode()
    assert names_in(second, ["Cụm Bắc 0", "Cụm Bắc 1", "Cụm Bắc 2", "Cụm Nam"]) == {"Cụm Bắc 2"}
    assert links(second) == {"previous": "?q=B%E1%BA%AFc&page=1"}


@pytest.fixture
def rolled(tree, monkeypatch):
    """Office A2 with five THCS schools, one rolled over (S1's rollover is under Office A1: not counted)."""
    from reports import views as report_views

    monkeypatch.setattr(report_views, "ROLLOVER_PAGE_SIZE", 2)
    schools = [make_unit(tree.office_a2, K.SCHOOL, f"Trường THCS Hòa {n}", school_level="thcs") for n in range(4)]
    other = make_unit(tree.office_a2, K.SCHOOL, "Trường THCS Vinh", school_level="thcs")
    admin = make_person(unit=schools[0], role=Role.SCHOOL_ADMIN, account_type="teacher")
    make_unit(schools[0], K.CLASS, "6A1", grade=6)
    rollover_apply(actor=admin, school=schools[0], plan=rollover_preview(school=schools[0]))
    return schools, other


def test_the_rollover_list_filters_and_its_page_two_keeps_the_filter(client, tree, rolled, english_pages):
    schools, other = rolled
    client.force_login(make_person(unit=tree.dept_a, role=Role.DEPARTMENT_STAFF))
    url = reverse("reports:rollovers", args=[tree.office_a2.pk])
    names = [school.name for school in schools] + [other.name]

    pending = client.get(url, {"state": "pending", "q": "hoa"}).content.decode()
    assert "1 of 5 schools have rolled over." in pending  # the counts are the unit's, whatever the filter
    assert links(pending) == {"next": "?state=pending&q=hoa&page=2"}
    second = client.get(url + links(pending)["next"]).content.decode()
    # The three Hòa schools not rolled over, two on page 1, the last on page 2; never Vinh, never Hòa 0.
    assert names_in(pending, names) | names_in(second, names) == {s.name for s in schools[1:]}
    assert len(names_in(second, names)) == 1 and links(second) == {"previous": "?state=pending&q=hoa&page=1"}

    done = client.get(url, {"state": "done"}).content.decode()
    assert names_in(done, names) == {schools[0].name} and links(done) == {}

    nothing = client.get(url, {"q": "khong co truong nay"}).content.decode()
    assert 'data-testid="no-match"' in nothing and 'data-testid="no-schools"' not in nothing


def test_an_unknown_state_or_page_shows_the_first_page_of_every_school(client, tree, rolled):
    client.force_login(make_person(unit=tree.dept_a, role=Role.DEPARTMENT_STAFF))
    url = reverse("reports:rollovers", args=[tree.office_a2.pk])
    response = client.get(url, {"state": "<script>", "page": "x"})
    assert response.status_code == 200
    assert links(response.content.decode()) == {"next": "?state=%3Cscript%3E&page=2"}
