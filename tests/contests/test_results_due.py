"""Results published at the time set in advance, by Celery beat (issue #18, point 3): every closed round whose
time has come is published exactly once (recorded, audited, participants told); none before its time, and the
organiser's "publish" before it is refused with a clear message and changes nothing."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from contests import results
from contests.models import Award, Round, RoundEntry
from contests.tasks import results_publish_due_task
from notifications.models import Notification
from truonghoc.queues import INTERACTIVE, ROUTES
from units.models import AuditEntry

from .judging_world import world

pytestmark = pytest.mark.django_db


@pytest.fixture
def w(tree):
    w = world(tree)
    for n, product in enumerate(w.products.values()):
        RoundEntry.objects.filter(pk=product.entry_id).update(score=Decimal(20 + n))
    Round.objects.filter(pk=w.round.pk).update(scores_locked=True)
    w.round.refresh_from_db()
    results.quotas_set(actor=w.organiser, round_=w.round, quotas={Award.Prize.FIRST: ("count", 1)})
    results.awards_assign(actor=w.organiser, round_=w.round)
    return w


def _set(round_, **fields):
    Round.objects.filter(pk=round_.pk).update(**fields)
    round_.refresh_from_db()


def test_beat_runs_the_task_every_minute_on_the_interactive_queue():
    entry = settings.CELERY_BEAT_SCHEDULE["publish-due-contest-results"]
    assert entry["task"] == "contests.tasks.results_publish_due_task" and entry["schedule"] == 60.0
    assert ROUTES["contests.tasks.results_publish_due_task"] == INTERACTIVE


def test_a_closed_round_whose_time_has_come_is_published_once(w):
    now = timezone.now()
    _set(w.round, closed_at=now - timedelta(hours=1), results_publish_at=now - timedelta(minutes=1))
    assert results_publish_due_task.apply().get() == 1
    w.round.refresh_from_db()
    assert w.round.results_published_at is not None
    told = set(Notification.objects.values_list("recipient_id", flat=True))
    assert told == {s.pk for s in w.students.values()}
    entry = AuditEntry.objects.get(action="contest.results_publish", target_id=w.round.pk)
    assert entry.actor_id is None  # beat, not a person
    # The next minute's run (or a retried one) publishes nothing again and tells nobody twice.
    published_at = w.round.results_published_at
    assert results_publish_due_task.apply().get() == 0
    w.round.refresh_from_db()
    assert w.round.results_published_at == published_at
    assert Notification.objects.count() == len(told)
    assert AuditEntry.objects.filter(action="contest.results_publish").count() == 1
    # The organiser's button afterwards changes nothing either.
    assert results.results_publish(actor=w.organiser, round_=w.round) is False
    assert Notification.objects.count() == len(told)


def test_nothing_is_published_before_its_time_or_before_the_round_closes(w):
    now = timezone.now()
    _set(w.round, closed_at=now - timedelta(hours=1), results_publish_at=now + timedelta(minutes=5))
    assert results.results_publish_due() == 0
    _set(w.round, closed_at=None, results_publish_at=now - timedelta(minutes=5))  # time come, round still open
    assert results.results_publish_due() == 0
    _set(w.round, closed_at=now - timedelta(hours=1), results_publish_at=None)  # no time set
    assert results.results_publish_due() == 0
    w.round.refresh_from_db()
    assert w.round.results_published_at is None and not Notification.objects.exists()
    # Once the time set in advance has passed, the next run publishes it.
    _set(w.round, results_publish_at=now - timedelta(seconds=1))
    assert results.results_publish_due() == 1


def test_publishing_by_hand_before_the_time_is_refused_with_a_clear_message(w, client):
    later = timezone.now() + timedelta(days=1)
    _set(w.round, closed_at=timezone.now() - timedelta(hours=1))
    results.results_schedule(actor=w.organiser, round_=w.round, publish_at=later)
    client.force_login(w.organiser)
    response = client.post(reverse("contests:round_publish", args=[w.round.pk]), follow=True)
    shown = [m.message for m in response.context["messages"]]
    # The page is in Vietnamese: the refusal names the time set in advance.
    assert any("không thể công bố trước thời điểm đó" in text for text in shown), shown
    w.round.refresh_from_db()
    assert w.round.results_published_at is None and not Notification.objects.exists()
    assert not AuditEntry.objects.filter(action="contest.results_publish").exists()
    # A past moment cannot be set either: the time is set in advance.
    with pytest.raises(ValidationError):
        results.results_schedule(actor=w.organiser, round_=w.round, publish_at=timezone.now() - timedelta(minutes=1))
