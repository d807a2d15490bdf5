"""The student's side of tests: their list of tests, a test's start page, the attempt page (all
questions on one page, every change saved at once with htmx, a timer the server enforces), handing in
with a confirmation, and the receipt.

Without JavaScript the attempt page is a plain form: "Save my answers" and "Hand in" post every
answer to `attempt_save_all`. With it, each question saves itself (`attempt_save`), answers not yet
confirmed by the server wait in the browser's localStorage and are sent again when the connection is
back, and the timer hands in at zero.
"""

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from truonghoc.formatting import time_text
from truonghoc.storage import file_response

from ..models import Attempt, AttemptAnswer, Quiz
from ..permissions.quizzes import (
    attempt_for_student_or_404,
    attempt_for_user_or_404,
    quiz_for_taker_or_404,
    why_cannot_start,
)
from ..selectors import attempts as selectors
from ..services import attempts as services

PAGE_SIZE = 20
TAKE_TEMPLATE = "materials/attempts/attempt_take.html"


def _first_message(error: ValidationError) -> str:
    return next(iter(error.messages), _("This answer could not be saved. Please try again."))


def posted_response(data, position: int):
    """The answer to question `position` as the attempt page posts it: `q<position>` (one value, or
    several for multiple choice) or, for true/false, `q<position>_0` … `q<position>_3`. The service
    checks it against the question's type."""
    name = f"q{position}"
    statements = [f"{name}_{i}" for i in range(4)]
    if any(key in data for key in statements):
        return [data.get(key, "") for key in statements]
    values = data.getlist(name)
    if not values:
        return None
    return values if len(values) > 1 else values[0]


# Without a time limit the deadline is only the test's closing time, often weeks away: a countdown of
# "1439:33:40" says nothing useful, so the page shows one only when the close is this near.
COUNTDOWN_WITHOUT_LIMIT = timedelta(hours=1)


def _remaining_seconds(attempt: Attempt, now) -> int | None:
    """Seconds left for the page's countdown, or None when the page shows no countdown: no deadline, or
    no time limit and a close still further than COUNTDOWN_WITHOUT_LIMIT (the deadline is still enforced)."""
    if attempt.deadline is None:
        return None
    left = attempt.deadline - now
    if not attempt.quiz.time_limit and left > COUNTDOWN_WITHOUT_LIMIT:
        return None
    return max(int(left.total_seconds()), 0)


# --- the student's tests -----------------------------------------------------------------------


@login_required
def quiz_taking_list(request):
    page = Paginator(selectors.open_quizzes(user=request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    for quiz in page:
        quiz.phase_label = selectors.phase_label(quiz.phase)
        quiz.can_start = quiz.phase == selectors.OPEN and (
            quiz.current_attempt or quiz.attempts_used < quiz.max_attempts
        )
    return render(request, "materials/attempts/quiz_list.html", {"page": page})


@login_required
@require_http_methods(["GET", "POST"])
def take_start(request, pk: int):
    """The test's instructions and rules, and Start (or Continue); POST starts the attempt."""
    quiz = quiz_for_taker_or_404(request.user, pk)
    if request.method == "POST":
        try:
            attempt = services.attempt_start(student=request.user, quiz=quiz)
        except ValidationError as error:
            messages.error(request, _first_message(error))
            return redirect("materials:take_start", quiz.pk)
        return redirect("materials:attempt_take", attempt.pk)
    now = timezone.now()
    mine = list(Attempt.objects.filter(quiz=quiz, student=request.user).order_by("number"))
    current = next((a for a in mine if a.status == Attempt.Status.IN_PROGRESS), None)
    if current is not None and services.is_overdue(current, now):
        current = None  # closed when the student next starts; its answers count as saved
    reason = None if current else why_cannot_start(request.user, quiz, attempts_used=len(mine), now=now)
    context = {
        "quiz": quiz,
        "attempts": [a for a in mine if a.status != Attempt.Status.IN_PROGRESS],
        "current": current,
        "reason": reason,
        "released": quiz.results_released_at(now),
        "now": now,
    }
    return render(request, "materials/attempts/take_start.html", context)


# --- taking ------------------------------------------------------------------------------------


def _closed_on_open(request, attempt: Attempt):
    """An attempt whose time ran out while the student was away is handed in as it stands."""
    services.attempt_submit(student=request.user, attempt=attempt)
    messages.warning(
        request,
        _("Time was up for this attempt. Your answers saved before the deadline were kept and handed in."),
    )
    return redirect("materials:attempt_done", attempt.pk)


def _no_longer_open(request, attempt: Attempt, now):
    """What the taking pages show instead once the attempt takes no more answers: its result page when it
    was handed in, or, past its deadline, the attempt handed in as it stands. None while it is open."""
    if attempt.status != Attempt.Status.IN_PROGRESS:
        return redirect("materials:attempt_done", attempt.pk)
    if services.is_overdue(attempt, now):
        return _closed_on_open(request, attempt)
    return None


def _take_context(attempt: Attempt, answers, *, now, errors=None) -> dict:
    return {
        "attempt": attempt,
        "quiz": attempt.quiz,
        "answers": answers,
        "practice": attempt.quiz.mode == Quiz.Mode.PRACTICE,
        "remaining": _remaining_seconds(attempt, now),
        "answered": sum(1 for a in answers if a.answered),
        "errors": errors or {},
        "js_text": {
            "saving": _("Saving…"),
            "offline": _("No connection: this answer is kept on this device and will be sent again."),
            "pending": _("Not confirmed yet: sending again…"),
            "failed": _("Not saved yet: the server did not answer. It will be sent again."),
        },
    }


@never_cache
@login_required
def attempt_take(request, pk: int):
    attempt = attempt_for_student_or_404(request.user, pk)
    now = timezone.now()
    if (closed := _no_longer_open(request, attempt, now)) is not None:
        return closed
    answers = selectors.attempt_page(attempt=attempt)
    return render(request, TAKE_TEMPLATE, _take_context(attempt, answers, now=now))


def _status_response(*, position: int, state: str, message: str = "", saved_at=None) -> HttpResponse:
    # Rendered without the request: the autosave answers in as few queries as possible.
    html = render_to_string(
        f"{TAKE_TEMPLATE}#save-status",
        {"position": position, "state": state, "message": message, "saved_at": saved_at},
    )
    response = HttpResponse(html)
    response["X-Answer-Status"] = state
    return response


@require_POST
@login_required
def attempt_save(request, pk: int, position: int):
    """Autosave of one question (htmx). Answers 200 with the question's status line and
    X-Answer-Status: saved, refused (a definite no: the page shows why) or retry. A practice "Check"
    answers with the whole question, now locked, with its correct answer and explanation."""
    check = bool(request.POST.get("check"))
    try:
        answer = services.answer_save(
            student=request.user,
            attempt=pk,
            position=position,
            response=posted_response(request.POST, position),
            check=check,
        )
    except AttemptAnswer.DoesNotExist:
        raise Http404 from None
    except ValidationError as error:
        if getattr(error, "code", None) == "closed":
            messages.warning(request, _first_message(error))
            done = reverse("materials:attempt_done", args=[pk])
            if request.htmx:
                response = _status_response(position=position, state="refused", message=_first_message(error))
                response["HX-Redirect"] = done
                return response
            return redirect(done)
        state = "retry" if getattr(error, "code", None) == "retry" else "refused"
        if not request.htmx:
            messages.error(request, _first_message(error))
            return redirect("materials:attempt_take", pk)
        return _status_response(position=position, state=state, message=_first_message(error))
    if not request.htmx:
        return redirect(reverse("materials:attempt_take", args=[pk]) + f"#q-{position}")
    if check:
        practice = answer.attempt.quiz.mode == Quiz.Mode.PRACTICE
        selectors.decorate(answer, practice=practice)
        answer.show_feedback = practice
        html = render_to_string(
            f"{TAKE_TEMPLATE}#question",
            {"answer": answer, "attempt": answer.attempt, "practice": practice, "errors": {}},
        )
        response = HttpResponse(html)
        response["X-Answer-Status"] = "saved"
        return response
    return _status_response(position=position, state="saved", saved_at=answer.saved_at)


@require_POST
@login_required
def attempt_save_all(request, pk: int):
    """The page without JavaScript (and the timer at zero): saves every answer that changed, then
    shows the page again, goes to the hand-in confirmation (then=submit) or hands in (then=submit_now).
    An answer refused is shown again as typed with its message, so nothing typed is lost."""
    attempt = attempt_for_student_or_404(request.user, pk)
    now = timezone.now()
    if (closed := _no_longer_open(request, attempt, now)) is not None:
        return closed
    then = request.POST.get("then", "")
    answers = selectors.attempt_page(attempt=attempt)
    check = request.POST.get("check", "")
    errors: dict[int, str] = {}
    for answer in answers:
        if answer.checked:
            continue
        posted = posted_response(request.POST, answer.position)
        checking = check == str(answer.position)
        try:
            if not checking and services.clean_response(answer.question, posted) == answer.response:
                continue
            saved = services.answer_save(
                student=request.user,
                attempt=attempt,
                position=answer.position,
                response=posted,
                now=now,
                check=checking,
            )
        except ValidationError as error:
            if getattr(error, "code", None) == "closed":
                messages.warning(request, _first_message(error))
                return redirect("materials:attempt_done", attempt.pk)
            errors[answer.position] = answer.error = _first_message(error)
            answer.draft = posted if isinstance(posted, str) else None
            continue
        answer.response, answer.credit = saved.response, saved.credit
        selectors.decorate(answer, practice=attempt.quiz.mode == Quiz.Mode.PRACTICE)
        answer.show_feedback = checking and attempt.quiz.mode == Quiz.Mode.PRACTICE
    if errors:
        messages.error(request, _("Some answers could not be saved: see the questions marked below."))
        return render(request, TAKE_TEMPLATE, _take_context(attempt, answers, now=now, errors=errors))
    if then == "submit_now":
        return _hand_in(request, attempt)
    if then == "submit":
        return redirect("materials:attempt_submit", attempt.pk)
    if check:
        # Practice: show the question just checked with its feedback.
        return render(request, TAKE_TEMPLATE, _take_context(attempt, answers, now=now))
    messages.success(request, _("Your answers were saved at %(time)s.") % {"time": time_text(now, seconds=True)})
    return redirect("materials:attempt_take", attempt.pk)


def _hand_in(request, attempt: Attempt):
    handed = services.attempt_submit(student=request.user, attempt=attempt)
    if not handed.just_submitted:
        messages.info(request, _("This attempt had already been handed in."))
    elif handed.auto_submitted:
        messages.warning(request, _("Time was up: your answers saved before the deadline were kept and handed in."))
    else:
        messages.success(request, _("Your test is handed in."))
    return redirect("materials:attempt_done", attempt.pk)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def attempt_submit(request, pk: int):
    """GET: the confirmation, listing the questions left unanswered. POST: hands in (a second POST,
    from a double click or another tab, finds it handed in already)."""
    attempt = attempt_for_student_or_404(request.user, pk)
    if request.method == "POST":
        return _hand_in(request, attempt)
    now = timezone.now()
    if (closed := _no_longer_open(request, attempt, now)) is not None:
        return closed
    unanswered = selectors.unanswered_positions(attempt=attempt)
    answered, total = selectors.answered_count(attempt=attempt)
    context = {
        "attempt": attempt,
        "quiz": attempt.quiz,
        "unanswered": unanswered,
        "answered": answered,
        "total": total,
        "remaining": _remaining_seconds(attempt, now),
    }
    return render(request, "materials/attempts/attempt_submit.html", context)


@login_required
def attempt_done(request, pk: int):
    """The receipt: when it was handed in, how many questions were answered and, once results are
    released (practice, or the exam has closed), the score."""
    attempt = attempt_for_student_or_404(request.user, pk)
    if attempt.status == Attempt.Status.IN_PROGRESS:
        return redirect("materials:attempt_take", attempt.pk)
    now = timezone.now()
    answered, total = selectors.answered_count(attempt=attempt)
    context = {
        "attempt": attempt,
        "quiz": attempt.quiz,
        "answered": answered,
        "total": total,
        "released": attempt.quiz.results_released_at(now),
        "review_url": reverse("materials:attempt_review", args=[attempt.pk]),
        "can_start_again": why_cannot_start(
            request.user,
            attempt.quiz,
            attempts_used=Attempt.objects.filter(quiz=attempt.quiz, student=request.user).count(),
            now=now,
        )
        is None,
    }
    return render(request, "materials/attempts/attempt_done.html", context)


@login_required
def attempt_image(request, pk: int, position: int):
    """The picture of a question, to whoever may see the attempt (its student, the test's teachers)."""
    attempt = attempt_for_user_or_404(request.user, pk)
    answer = AttemptAnswer.objects.select_related("question").filter(attempt=attempt, position=position).first()
    if answer is None or not answer.question.image:
        raise Http404
    return file_response(answer.question.image, name="image.jpg", inline=True, cache="private, max-age=3600")


urlpatterns = [
    path("bai-kiem-tra/", quiz_taking_list, name="quiz_taking_list"),
    path("bai-kiem-tra/<id:pk>/", take_start, name="take_start"),
    path("bai-lam/<id:pk>/", attempt_take, name="attempt_take"),
    path("bai-lam/<id:pk>/luu/<id:position>/", attempt_save, name="attempt_save"),
    path("bai-lam/<id:pk>/luu-tat-ca/", attempt_save_all, name="attempt_save_all"),
    path("bai-lam/<id:pk>/nop/", attempt_submit, name="attempt_submit"),
    path("bai-lam/<id:pk>/da-nop/", attempt_done, name="attempt_done"),
    path("bai-lam/<id:pk>/anh/<id:position>/", attempt_image, name="attempt_image"),
]
