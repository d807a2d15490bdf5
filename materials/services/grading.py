"""The one place an attempt's score is computed from its answers (after hand-in, after an essay is
graded, after a regrade)."""

from django.db import transaction

from ..models import Attempt
from ..scoring import score_on_ten


@transaction.atomic
def attempt_rescore(*, attempt: Attempt) -> Attempt:
    """Score on the 10-point scale from every answer's credit (an essay not graded yet counts 0 for
    now) and the status: graded once every answer has a credit, else waiting for essays. Only for an
    attempt that was handed in."""
    if attempt.status == Attempt.Status.IN_PROGRESS:
        raise ValueError("an attempt in progress has no score yet")
    credits = list(attempt.answers.order_by("position").values_list("credit", flat=True))
    attempt.score = score_on_ten(credits)
    attempt.status = Attempt.Status.GRADED if all(c is not None for c in credits) else Attempt.Status.SUBMITTED
    attempt.save(update_fields=["score", "status"])
    return attempt
