"""A real Celery worker, consuming from the real Redis named by REDIS_URL, runs a task to the end."""

import os
import uuid

import pytest
from django.core import mail

from notifications.models import Notification
from notifications.tasks import notifications_send_email
from tests.accounts.factories import UserFactory
from tests.celery_broker import celery_broker


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_sends_a_notification_email_through_redis():
    redis_url = os.environ.get("REDIS_URL")
    if not redis_url:
        if os.environ.get("CI"):
            pytest.fail("CI must provide REDIS_URL: this test is what proves the worker set-up works.")
        pytest.skip("REDIS_URL is not set: no Redis to run a real worker against (CI always sets it).")
    from celery.contrib.testing.worker import start_worker

    user = UserFactory(email="gv@example.edu.vn")
    note = Notification.objects.create(recipient=user, title="Công văn mới từ Sở")
    queue = f"test-{uuid.uuid4().hex}"  # so that no other worker on this Redis takes our task
    with (
        celery_broker(redis_url, result_backend=redis_url) as app,
        start_worker(app, pool="solo", perform_ping_check=False, queues=[queue], shutdown_timeout=10),
    ):
        result = notifications_send_email.apply_async(args=[[note.pk]], queue=queue)
        assert result.get(timeout=30) == 1
    assert result.successful()
    note.refresh_from_db()
    assert note.emailed_at is not None
    assert [m.to for m in mail.outbox] == [["gv@example.edu.vn"]]
