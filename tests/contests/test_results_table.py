"""One results table (issue #18): the organiser's results page (contests:round_prizes) prints the public round
page's table (the `ranking` fragment of contests/round_results.html, from selectors.round_entries), with the
prizes, and keeps only the organiser's actions of its own."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from contests import results
from contests.models import Award, Round, RoundEntry

from .judging_world import world

pytestmark = pytest.mark.django_db


@pytest.fixture
def w(tree):
    w = world(tree)
    for key, score in {"s1": 20, "s2": 25, "s3": 20}.items():
        RoundEntry.objects.filter(pk=w.products[key].entry_id).update(score=Decimal(score))
    Round.objects.filter(pk=w.round.pk).update(scores_locked=True)
    results.quotas_set(actor=w.organiser, round_=w.round, quotas={Award.Prize.FIRST: ("count", 1)})
    results.awards_assign(actor=w.organiser, round_=w.round)
    return w


def _rows(response):
    return [(e.rank, e.score, e.prize) for e in response.context["page"].object_list]


def test_both_pages_print_the_same_table_with_the_ranks_the_prizes_follow(w, client):
    # The ranks the prizes were given by are stored, so the table shows them before the round closes.
    assert dict(RoundEntry.objects.values_list("pk", "rank")) == {
        w.products["s2"].entry_id: 1, w.products["s1"].entry_id: 2, w.products["s3"].entry_id: 2,
    }  # fmt: skip
    Round.objects.filter(pk=w.round.pk).update(
        closed_at=timezone.now() - timedelta(hours=1), results_publish_at=timezone.now() - timedelta(minutes=1)
    )
    organiser_page = reverse("contests:round_prizes", args=[w.round.pk])
    public_page = reverse("contests:round_results", args=[w.contest.slug, w.round.order])
    client.force_login(w.organiser)
    mine = client.get(organiser_page)
    client.logout()
    public = client.get(public_page)
    expected = [(1, Decimal(25), Award.Prize.FIRST), (2, Decimal(20), ""), (2, Decimal(20), "")]
    assert _rows(mine) == _rows(public) == expected
    for response in (mine, public):
        page = response.content.decode()
        assert page.count('data-testid="results"') == 1 and page.count('data-testid="result-row"') == 3
        assert page.count("text-bg-warning") == 1  # the one prize given
    # The organiser's actions are on the organiser's page only.
    assert 'data-testid="publish"' in mine.content.decode()
    assert 'data-testid="publish"' not in public.content.decode()
