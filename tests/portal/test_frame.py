"""The page frame every logged-in page pays for (templates/base.html, issue #19 point 9): the menu's fixed
links are reversed once per process, the bell's count is one COUNT however often the bell is drawn, and each
person gets the menu of their own roles."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.accounts.factories import complete_profile, make_person
from truonghoc.links import FRAME_URL_NAMES, frame_urls
from units.models import Role

pytestmark = pytest.mark.django_db

MISSING = "/khong-co-trang-nay/"  # the 404 page: the frame and nothing else


def test_the_fixed_links_are_the_reversed_urls():
    assert frame_urls() == {name.replace(":", "_"): reverse(name) for name in FRAME_URL_NAMES}


def test_each_role_gets_its_own_menu(client, tree):
    teacher = complete_profile(make_person(unit=tree.g1, role=Role.TEACHER, full_name="Cô Lan"))
    student = make_person(unit=tree.c1, role=Role.STUDENT, full_name="Em Minh")
    client.force_login(teacher)
    html = client.get(MISSING).content.decode()
    assert f'href="{reverse("materials:quiz_list")}" data-testid="nav-quizzes"' in html
    assert reverse("materials:quiz_taking_list") not in html
    assert "Cô Lan" in html and reverse("admin:index") not in html
    client.force_login(student)
    html = client.get(MISSING).content.decode()
    assert f'href="{reverse("materials:quiz_taking_list")}" data-testid="nav-quizzes"' in html
    assert 'data-testid="nav-quizzes"' in html and reverse("materials:quiz_list") + '"' not in html
    assert "Em Minh" in html and "Cô Lan" not in html
    for testid in ("nav-letters", "nav-news", "nav-materials", "nav-contests", "menu-help", "logout"):
        assert f'data-testid="{testid}"' in html
    assert f'action="{reverse("account_logout")}"' in html and f'action="{reverse("set_language")}"' in html


def test_staff_see_the_administration(client, tree):
    staff = make_person(unit=tree.dept_a, role=Role.DEPARTMENT_STAFF, is_staff=True)
    client.force_login(staff)
    assert f'href="{reverse("admin:index")}"' in client.get(MISSING).content.decode()


def test_the_frame_costs_a_few_queries_and_one_count_for_both_bells(client, tree):
    teacher = complete_profile(make_person(unit=tree.g1, role=Role.TEACHER))
    client.force_login(teacher)
    client.get(MISSING)
    with CaptureQueriesContext(connection) as queries:
        html = client.get(MISSING).content.decode()
    assert html.count('data-testid="notification-bell"') == 2
    counts = [q["sql"] for q in queries if "notifications_notification" in q["sql"]]
    assert len(counts) == 1 and "COUNT(" in counts[0]
    # The session, the person, their roles and the unread count: nothing per link of the menu.
    assert len(queries) <= 4, [q["sql"] for q in queries]


def test_the_menu_is_drawn_once_per_person_with_the_live_bell_path_and_token(client, tree, partials_rendered):
    from accounts.models import User
    from notifications.services import notify
    from truonghoc import frame_tags

    rendered = partials_rendered(frame_tags)
    teacher = complete_profile(make_person(unit=tree.g1, role=Role.TEACHER, full_name="Cô Lan"))
    client.force_login(teacher)
    client.get(MISSING)
    assert rendered.count("components/frame_nav.html") == 1
    notify(recipients=[teacher], title="Công văn mới")
    html = client.get(MISSING + "?q=a&page=2").content.decode()
    assert rendered.count("components/frame_nav.html") == 1  # from the cache…
    assert 'badge rounded-pill bg-danger">1</span>' in html  # …with the count of now
    assert 'name="next" type="hidden" value="/khong-co-trang-nay/?q=a&amp;page=2"' in html
    assert fragments_slots_filled(html) and html.count('name="csrfmiddlewaretoken"') == 2
    User.objects.filter(pk=teacher.pk).update(full_name="Cô Lan Anh")  # a new name: a new menu
    html = client.get(MISSING).content.decode()
    assert rendered.count("components/frame_nav.html") == 2 and "Cô Lan Anh" in html


def test_a_form_posted_with_the_menus_token_passes_the_csrf_check(tree):
    from django.test import Client

    teacher = complete_profile(make_person(unit=tree.g1, role=Role.TEACHER))
    client = Client(enforce_csrf_checks=True)
    client.force_login(teacher)
    client.get(MISSING)  # the menu kept in the cache, then served with this request's token
    html = client.get(MISSING).content.decode()
    token = html.split('name="csrfmiddlewaretoken" value="')[1].split('"')[0]
    response = client.post(reverse("set_language"), {"language": "en", "next": "/", "csrfmiddlewaretoken": token})
    assert response.status_code == 302


def fragments_slots_filled(html: str) -> bool:
    from truonghoc import fragments, frame_tags

    return not any(slot in html for slot in (fragments.CSRF_SLOT, frame_tags.BELL_SLOT, frame_tags.NEXT_SLOT))
