"""How a product round's entries are scored from the judges' scores: the rule of contests/judging.py (the
mean of the two closest totals; no score with fewer than two). `services.round_close` reads it once per
round."""

from collections import defaultdict
from decimal import Decimal

from .judging import final_score
from .models import RoundEntry, Score

TWO_PLACES = Decimal("0.01")


def product_round_scores(rnd, entries: list[RoundEntry]) -> dict[int, Decimal | None]:
    """entry id → score, for the entries that handed in a product (None: not scored yet). One query."""
    totals: dict[int, list[Decimal]] = defaultdict(list)
    wanted = {e.pk for e in entries}
    rows = Score.objects.filter(assignment__round=rnd).values_list("assignment__product__entry_id", "total")
    for entry_id, total in rows:
        totals[entry_id].append(total)
    handed_in = wanted & set(
        RoundEntry.objects.filter(round=rnd, product__version_count__gt=0).values_list("pk", flat=True)
    )
    return {pk: final_score(totals[pk]) for pk in handed_in}
