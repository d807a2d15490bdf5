"""The bell's unread count on every page is kept a minute per person (notifications.selectors.unread_count,
issue #19 point 9): a new notification and the person's own reading show at once."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from notifications.models import Notification
from notifications.services import notify
from tests.accounts.factories import complete_profile, make_person
from units.models import Role

pytestmark = pytest.mark.django_db
MISSING = "/khong-co-trang-nay/"


def bell(client) -> tuple[str, int]:
    with CaptureQueriesContext(connection) as queries:
        html = client.get(MISSING).content.decode()
    counts = sum('"notifications_notification"' in q["sql"] for q in queries)
    badge = html.split('data-testid="notification-bell"')[1].split("</a>")[0]
    return ("" if "badge" not in badge else badge.split('bg-danger">')[1].split("<")[0]), counts


def test_the_count_is_kept_and_dropped_by_new_notifications_and_reading(
    client, settings, tree, django_capture_on_commit_callbacks
):
    settings.PERSONAL_CACHE_SECONDS = 60
    teacher = complete_profile(make_person(unit=tree.g1, role=Role.TEACHER))
    client.force_login(teacher)
    assert bell(client) == ("", 1)
    assert bell(client) == ("", 0)  # kept: no COUNT on the next page
    with django_capture_on_commit_callbacks(execute=True):  # as the notifying request commits
        notify(recipients=[teacher], title="Công văn mới")
        notify(recipients=[teacher], title="Bài nộp mới")
    assert bell(client) == ("2", 1)  # the new ones at once
    assert bell(client) == ("2", 0)
    assert Notification.objects.filter(recipient=teacher, read_at__isnull=True).count() == 2
    assert client.post(reverse("notifications:read")).status_code < 400
    assert bell(client) == ("", 1)  # their own reading at once
