"""Who may judge, see results and certificates (issue #18, points 3 and 4).

- The organiser of a contest (its organiser unit's staff or managers, at that unit: the rule of
  `contests.permissions`) sets the pool of judges, assigns them, sets award quotas, awards and publishes,
  and sees results at any time.
- A judge sees only the products given to them, by code, never who made them; a judge who is not given a
  product gets a 404 for it, as does anybody else.
- Results of a round are public (anyone, without login) once it is closed and its `results_publish_at` has
  come; before, only the organiser sees them. Certificates follow their round's results.
- A person's achievements page: the person, and those who may list the people of the person's unit
  (`units.permissions.can_list_all_people`: staff and teachers of that school or above).
"""

from django.http import Http404
from django.shortcuts import get_object_or_404

from units.permissions import can_list_all_people

from .models import Certificate, JudgeAssignment, Round
from .permissions import can_manage_contest
from .selectors import round_view


def _active(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active)


def is_organiser(user, contest) -> bool:
    """contests.permissions.can_manage_contest: authority at the organiser unit itself."""
    return can_manage_contest(user, contest)


def results_out(round_: Round, now=None) -> bool:
    """The round's results are public: it is closed and its publication time has come (the rule of
    contests.selectors.round_view, which the public round page reads)."""
    return round_view(round_, now).results_visible


def can_see_results(user, round_: Round) -> bool:
    return results_out(round_) or is_organiser(user, round_.contest)


def round_for_organiser_or_404(user, pk) -> Round:
    round_ = get_object_or_404(Round.objects.select_related("contest", "contest__organiser", "rubric"), pk=pk)
    if not is_organiser(user, round_.contest):
        raise Http404
    return round_


def round_for_results_or_404(user, pk) -> Round:
    """A round whose contest is public (or the organiser's own); whether its results show is the view's."""
    round_ = get_object_or_404(Round.objects.select_related("contest", "contest__organiser"), pk=pk)
    if not (round_.contest.is_public or is_organiser(user, round_.contest)):
        raise Http404
    return round_


def assignment_for_judge_or_404(user, pk) -> JudgeAssignment:
    """One of the user's own assignments; anyone else's is a 404 (its existence says nothing)."""
    if not _active(user):
        raise Http404
    return get_object_or_404(
        JudgeAssignment.objects.select_related("round", "round__contest", "round__rubric", "product"),
        pk=pk,
        judge=user,
    )


def can_view_achievements(user, person) -> bool:
    if not _active(user):
        return False
    return user.pk == person.pk or (person.unit_id is not None and can_list_all_people(user, person.unit))


def certificate_for_user_or_404(user, pk) -> Certificate:
    """The holder's (once the results are out) or the organiser's certificate."""
    certificate = get_object_or_404(
        Certificate.objects.select_related(
            "user", "award", "award__round", "registration__contest", "registration__contest__organiser"
        ),
        pk=pk,
    )
    contest = certificate.registration.contest
    if is_organiser(user, contest):
        return certificate
    round_ = certificate.award.round if certificate.award_id else None
    if _active(user) and certificate.user_id == user.pk and (round_ is None or results_out(round_)):
        return certificate
    raise Http404
