"""truonghoc/fragments.py: shared fragments keyed by what they show; personal ones kept a minute, dropped by
the person's own writes."""

import pytest
from django.http import HttpResponse
from django.test import RequestFactory
from django.utils import translation

from tests.accounts.factories import make_person
from truonghoc import fragments
from units.models import Role

pytestmark = pytest.mark.django_db


class Counter:
    def __init__(self):
        self.calls = 0

    def __call__(self):
        self.calls += 1
        return f"built {self.calls}"


def test_shared_is_built_once_per_key_and_again_for_other_parts():
    build = Counter()
    assert fragments.shared("t", build, 1, "a") == "built 1"
    assert fragments.shared("t", build, 1, "a") == "built 1"
    assert fragments.shared("t", build, 1, "b") == "built 2"  # another input: another key
    assert build.calls == 2


def test_shared_keys_carry_the_language():
    build = Counter()
    fragments.shared("t", build, 1)
    with translation.override("en"):
        assert fragments.shared("t", build, 1) == "built 2"
    assert build.calls == 2


def test_personal_is_off_at_zero_seconds(settings, tree):
    settings.PERSONAL_CACHE_SECONDS = 0
    user = make_person(unit=tree.c1, role=Role.STUDENT)
    build = Counter()
    fragments.personal(user, "home", build)
    fragments.personal(user, "home", build)
    assert build.calls == 2


def test_personal_is_kept_per_person_until_they_write(settings, tree):
    settings.PERSONAL_CACHE_SECONDS = 60
    one, other = make_person(unit=tree.c1, role=Role.STUDENT), make_person(unit=tree.c1, role=Role.STUDENT)
    build = Counter()
    assert fragments.personal(one, "home", build) == "built 1"
    assert fragments.personal(one, "home", build) == "built 1"  # kept
    assert fragments.personal(other, "home", build) == "built 2"  # each person their own
    fragments.personal_changed(one.pk)
    assert fragments.personal(one, "home", build) == "built 3"  # their write: built again
    assert fragments.personal(other, "home", build) == "built 2"  # nobody else's is touched


@pytest.mark.parametrize(
    ("method", "status", "dropped"),
    [("POST", 302, True), ("POST", 200, True), ("POST", 400, False), ("POST", 403, False), ("GET", 200, False)],
)
def test_the_middleware_drops_after_a_write_that_did_not_fail(settings, method, status, dropped, tree):
    settings.PERSONAL_CACHE_SECONDS = 60
    user = make_person(unit=tree.c1, role=Role.STUDENT)
    build = Counter()
    fragments.personal(user, "home", build)
    request = RequestFactory().generic(method, "/")
    request.user = user
    fragments.PersonalCacheMiddleware(lambda r: HttpResponse(status=status))(request)
    fragments.personal(user, "home", build)
    assert build.calls == (2 if dropped else 1)


def test_a_post_through_the_site_drops_the_persons_fragments(client, settings, tree):
    """The middleware is in the site's stack: the person's language switch (a POST) drops their fragments."""
    settings.PERSONAL_CACHE_SECONDS = 60
    user = make_person(unit=tree.c1, role=Role.STUDENT)
    client.force_login(user)
    build = Counter()
    fragments.personal(user, "home", build)
    response = client.post("/i18n/setlang/", {"language": "vi", "next": "/"})
    assert response.status_code < 400
    fragments.personal(user, "home", build)
    assert build.calls == 2


def test_with_csrf_fills_every_slot_with_one_valid_token_per_request():
    from django.middleware.csrf import CsrfViewMiddleware, _does_token_match

    request = RequestFactory().get("/")
    CsrfViewMiddleware(lambda r: HttpResponse()).process_request(request)
    card = f'<input name="csrfmiddlewaretoken" value="{fragments.CSRF_SLOT}">'
    first = fragments.with_csrf(request, card)
    second = fragments.with_csrf(request, card + card)
    token = first.split('value="')[1].split('"')[0]
    assert fragments.CSRF_SLOT not in second and second == first + first  # the same token in every card
    assert len(token) == 64 and _does_token_match(token, request.META["CSRF_COOKIE"])  # the request's secret
    other = RequestFactory().get("/")
    CsrfViewMiddleware(lambda r: HttpResponse()).process_request(other)
    assert fragments.with_csrf(other, card) != first  # each request its own


def test_people_changed_drops_those_peoples_fragments_once_the_transaction_commits(
    settings, tree, django_capture_on_commit_callbacks
):
    settings.PERSONAL_CACHE_SECONDS = 60
    one, other = make_person(unit=tree.c1, role=Role.STUDENT), make_person(unit=tree.c1, role=Role.STUDENT)
    build = Counter()
    fragments.personal(one, "home", build)
    fragments.personal(other, "home", build)
    with django_capture_on_commit_callbacks(execute=True):  # the test's transaction, committed at the end
        fragments.people_changed([one.pk])
        assert fragments.personal(one, "home", build) == "built 1"  # not before the commit
    assert fragments.personal(one, "home", build) == "built 3"
    assert fragments.personal(other, "home", build) == "built 2"
