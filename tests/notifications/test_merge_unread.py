"""Issue #12: a stream of events about one thing (work handed in for one assignment, posts in one topic)
is batched: while the recipient has not read the entry for that link, it is brought up to date instead
of piling up, and is emailed only once."""

import pytest
from django.core import mail

from notifications.models import Notification
from notifications.services import notifications_mark_read, notify
from tests.accounts.factories import UserFactory

URL = "/khoa-hoc/bai-tap/7/cham-bai/?show=ungraded"


@pytest.mark.django_db
def test_an_unread_entry_with_the_same_link_is_updated_not_repeated():
    teacher, colleague = UserFactory(), UserFactory()
    notify(recipients=[teacher], title="1 bài chờ chấm", body="Em", url=URL, email=False, merge_unread=True)
    first = Notification.objects.get(recipient=teacher)
    notify(recipients=[teacher, colleague], title="2 bài chờ chấm", body="Hà", url=URL, email=False, merge_unread=True)
    [note] = Notification.objects.filter(recipient=teacher)
    assert (note.pk, note.title, note.body) == (first.pk, "2 bài chờ chấm", "Hà")
    assert note.created_at > first.created_at  # moved to the top of the list
    assert Notification.objects.get(recipient=colleague).title == "2 bài chờ chấm"
    # Another link, or no merging asked for: a separate entry.
    notify(recipients=[teacher], title="Khác", url="/khac/", email=False, merge_unread=True)
    notify(recipients=[teacher], title="3 bài chờ chấm", url=URL, email=False)
    assert Notification.objects.filter(recipient=teacher).count() == 3


@pytest.mark.django_db
def test_once_read_the_next_event_brings_a_new_unread_entry():
    teacher = UserFactory()
    notify(recipients=[teacher], title="1 bài chờ chấm", url=URL, email=False, merge_unread=True)
    notifications_mark_read(user=teacher)
    notify(recipients=[teacher], title="2 bài chờ chấm", url=URL, email=False, merge_unread=True)
    rows = list(Notification.objects.filter(recipient=teacher).order_by("id").values_list("title", "read_at"))
    assert [title for title, _read in rows] == ["1 bài chờ chấm", "2 bài chờ chấm"]
    assert rows[0][1] is not None and rows[1][1] is None


@pytest.mark.django_db(transaction=True)
def test_a_merged_entry_is_not_emailed_again(settings):
    settings.NOTIFICATIONS_EMAIL = True
    teacher = UserFactory(email="gv@example.edu.vn")
    notify(recipients=[teacher], title="1 bài chờ chấm", url=URL, merge_unread=True)
    notify(recipients=[teacher], title="2 bài chờ chấm", url=URL, merge_unread=True)
    assert len(mail.outbox) == 1 and "1 bài chờ chấm" in mail.outbox[0].subject
    assert Notification.objects.get(recipient=teacher).title == "2 bài chờ chấm"
