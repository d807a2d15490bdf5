import pytest
from django.core import mail
from django.urls import reverse

from notifications.models import Notification
from notifications.services import notify
from notifications.tasks import notifications_send_email
from tests.accounts.factories import UserFactory


@pytest.mark.django_db
def test_notify_creates_one_entry_per_active_recipient():
    a, b = UserFactory(), UserFactory()
    gone = UserFactory(is_active=False)
    notify(recipients=[a, b, a, gone], title="Có công văn mới", url="/cong-van/1/", email=False)
    assert Notification.objects.filter(recipient=a).count() == 1
    assert Notification.objects.filter(recipient=b).count() == 1
    assert not Notification.objects.filter(recipient=gone).exists()


@pytest.mark.django_db(transaction=True)
def test_email_is_sent_after_commit_from_a_task_once(settings):
    settings.NOTIFICATIONS_EMAIL = True
    user = UserFactory(email="gv@example.edu.vn", full_name="Nguyễn Văn A")
    no_email = UserFactory(email="")
    notify(recipients=[user, no_email], title="Bạn có câu hỏi mới", body="Học sinh hỏi về bài 3.")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["gv@example.edu.vn"]
    assert "Bạn có câu hỏi mới" in message.subject
    assert "Nguyễn Văn A" in message.body
    note = Notification.objects.get(recipient=user)
    assert note.emailed_at is not None
    # Running the task again (a retry) sends nothing twice.
    assert notifications_send_email([note.pk]) == 0
    assert len(mail.outbox) == 1


def test_bell_shows_the_unread_count_and_marking_read_clears_it(client, db):
    user = UserFactory()
    notify(recipients=[user], title="Thông báo 1", email=False)
    notify(recipients=[user], title="Thông báo 2", email=False)
    client.force_login(user)
    page = client.get(reverse("home")).content.decode()
    assert 'data-testid="notification-bell"' in page
    assert ">2</span>" in page
    listing = client.get(reverse("notifications:list"))
    assert [n.title for n in listing.context["page"]] == ["Thông báo 2", "Thông báo 1"]
    first = Notification.objects.get(title="Thông báo 1")
    client.post(reverse("notifications:read"), {"id": first.pk, "next": reverse("notifications:list")})
    assert ">1</span>" in client.get(reverse("home")).content.decode()
    client.post(reverse("notifications:read"), {"next": "https://evil.example/"})
    assert Notification.objects.filter(recipient=user, read_at__isnull=True).count() == 0


def test_one_cannot_mark_someone_elses_notifications(client, db):
    owner, intruder = UserFactory(), UserFactory()
    note = notify(recipients=[owner], title="Riêng tư", email=False)[0]
    client.force_login(intruder)
    client.post(reverse("notifications:read"), {"id": note.pk})
    note.refresh_from_db()
    assert note.read_at is None
