"""The portal's pages keep their URLs and names after the move out of truonghoc (issue #13)."""

import pytest
from django.urls import resolve, reverse

from portal import views
from tests.accounts.factories import make_person
from units.models import Role

pytestmark = pytest.mark.django_db


def test_the_home_page_keeps_its_url_and_name():
    assert reverse("home") == "/" and resolve("/").func is views.home


def test_a_visitor_gets_the_front_page_and_a_person_their_space(client, tree):
    response = client.get(reverse("home"))
    assert response.status_code == 200 and "portal/front.html" in [t.name for t in response.templates]
    client.force_login(make_person(unit=tree.g1, role=Role.TEACHER))
    response = client.get(reverse("home"))
    assert response.status_code == 200 and "portal/home.html" in [t.name for t in response.templates]
