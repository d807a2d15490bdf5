"""The results of a test: scores by class (search, filter, pages, export), the class summary with its
chart, item statistics with their flags and the cancelling of a bad question, the essay queue and the
essay marking form, and the review of one attempt for the student and the teacher."""

from functools import partial

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from truonghoc.formatting import datetime_text
from truonghoc.forms import BootstrapFormMixin, add_service_errors
from truonghoc.marks import MarkField, mark_text
from truonghoc.params import parse_id
from truonghoc.text import search_text
from truonghoc.xlsx import xlsx_bytes, xlsx_response
from units.permissions import can_see_usernames
from units.services import audit_export

from ..models import Attempt, AttemptAnswer, Question, QuestionType, QuizItem
from ..permissions.quizzes import (
    attempt_for_user_or_404,
    can_manage_quiz,
    can_view_results,
    quiz_for_manager_or_404,
    quiz_for_results_or_404,
)
from ..scoring import TEN
from ..selectors import library as library_selectors
from ..selectors import results as selectors
from ..services import results as services

SCORES_PAGE = 50
TABS = ("scores", "summary", "items")


# --- results page ---------------------------------------------------------------------------------


@login_required
def results(request, pk: int):
    quiz = quiz_for_results_or_404(request.user, pk)
    tab = request.GET.get("tab") if request.GET.get("tab") in TABS else "scores"
    may_manage = can_manage_quiz(request.user, quiz)
    context = {
        "quiz": quiz,
        "tab": tab,
        "may_manage": may_manage,
        "quiz_url": reverse("materials:quiz_detail", args=[quiz.pk]),
        "essays_waiting": selectors.essays_waiting_count(quiz=quiz),
        "released": quiz.results_released_at(timezone.now()),
        "show_usernames": can_see_usernames(request.user, quiz.unit),
    }
    if tab == "scores":
        rows = selectors.quiz_scores(quiz=quiz)
        class_id = parse_id(request.GET.get("class"))
        query = search_text(request.GET.get("q"), max_length=100)
        shown = selectors.filter_scores(rows, class_id=class_id, words=library_selectors.search_words(query))
        page = Paginator(shown, SCORES_PAGE).get_page(request.GET.get("page"))
        context.update(
            page=page,
            query=query,
            class_id=class_id,
            classes=selectors.score_classes(rows),
            total=len(rows),
            filtered=class_id is not None or bool(query),
        )
        if request.htmx:
            return render(request, "materials/results/results.html#scores", context)
    elif tab == "summary":
        classes, overall = selectors.class_summary(quiz=quiz)
        context.update(
            classes=classes,
            overall=overall,
            bands=[label for _low, _high, label in selectors.BANDS],
            chart=selectors.chart_data(classes),
        )
    else:
        stats = selectors.item_statistics(quiz=quiz)
        for stat in stats:
            stat.url = reverse("materials:question_detail", args=[stat.question.pk])
        context.update(stats=stats, min_answers=selectors.MIN_ANSWERS, flagged=sum(s.is_flagged for s in stats))
    return render(request, "materials/results/results.html", context)


@login_required
def results_export(request, pk: int):
    """The scores as xlsx: one row per student with a class column (one class with ?class=), and each
    question's credit in the best attempt with ?questions=1."""
    quiz = quiz_for_results_or_404(request.user, pk)
    rows = selectors.quiz_scores(quiz=quiz)
    class_id = parse_id(request.GET.get("class"))
    if class_id is not None:
        rows = selectors.filter_scores(rows, class_id=class_id)
    header = [
        _("Student"),
        _("Username"),
        _("Class"),
        _("Attempts"),
        _("Best score"),
        _("Status"),
        _("Last handed in"),
    ]
    questions = None
    if request.GET.get("questions") == "1":
        questions = list(
            QuizItem.objects.filter(quiz=quiz).order_by("position", "id").values_list("question_id", flat=True)
        )
        header += [_("Q%(number)d (#%(id)d)") % {"number": n, "id": qid} for n, qid in enumerate(questions, 1)]
    content = xlsx_bytes(
        title=quiz.title,
        header=header,
        rows=selectors.export_rows(quiz=quiz, rows=rows, questions=questions),
        sheet_name=_("Scores"),
    )
    audit = partial(audit_export, actor=request.user, kind="quiz_results", unit=quiz.unit, target=quiz)
    return xlsx_response(content, f"ket-qua-de-{quiz.pk}.xlsx", audit=audit)


# --- cancelling a bad question --------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def results_cancel_question(request, pk: int, question_pk: int):
    quiz = quiz_for_manager_or_404(request.user, pk)
    question = get_object_or_404(Question, pk=question_pk, quiz_items__quiz=quiz)
    cancelled = question.pk in selectors.cancelled_questions(quiz)
    if request.method == "POST":
        cancel = request.POST.get("action") != "restore"
        try:
            count = services.quiz_regrade_question(
                actor=request.user, quiz=quiz, question=question, give_everyone_credit=cancel
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            if cancel:
                message = _("The question is cancelled: %(count)d attempts were given full credit for it and rescored.")
            else:
                message = _("The cancellation is undone: %(count)d attempts were graded again from the key.")
            messages.success(request, message % {"count": count})
        return redirect(reverse("materials:results", args=[quiz.pk]) + "?tab=items")
    context = {
        "quiz": quiz,
        "question": question,
        "cancelled": cancelled,
        "answers": AttemptAnswer.objects.filter(
            attempt__quiz=quiz, attempt__status__in=selectors.HANDED_IN, question=question
        ).count(),
        "still_open": quiz.is_open_at(timezone.now()),
        "in_progress": Attempt.objects.filter(quiz=quiz, status=Attempt.Status.IN_PROGRESS).count(),
    }
    return render(request, "materials/results/cancel_question.html", context)


# --- essays ---------------------------------------------------------------------------------------


class EssayGradeForm(BootstrapFormMixin, forms.Form):
    score = MarkField(
        label=gettext_lazy("Mark (0 to 10)"),
        help_text=gettext_lazy("The mark for this question on the 10-point scale; decimals with a comma."),
    )
    feedback = forms.CharField(
        label=gettext_lazy("Feedback for the student"),
        required=False,
        max_length=services.FEEDBACK_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


@login_required
def essay_queue(request, pk: int):
    quiz = quiz_for_manager_or_404(request.user, pk)
    after_pk = parse_id(request.GET.get("after"))
    after = None
    if after_pk:
        after = (
            AttemptAnswer.objects.select_related("attempt")
            .filter(pk=after_pk, attempt__quiz=quiz, attempt__submitted_at__isnull=False)
            .first()
        )
    essays = selectors.essays_to_grade(quiz=quiz, after=after, limit=selectors.ESSAY_PAGE + 1)
    context = {
        "quiz": quiz,
        "essays": essays[: selectors.ESSAY_PAGE],
        "next_after": essays[selectors.ESSAY_PAGE - 1].pk if len(essays) > selectors.ESSAY_PAGE else None,
        "paged": after is not None,
        "waiting": selectors.essays_waiting_count(quiz=quiz),
    }
    return render(request, "materials/results/essay_queue.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def essay_grade(request, pk: int):
    answer = get_object_or_404(
        AttemptAnswer.objects.select_related(
            "attempt__quiz__unit", "attempt__quiz__author", "attempt__student", "question", "graded_by"
        ),
        pk=pk,
        question__type=QuestionType.ESSAY,
    )
    attempt, quiz = answer.attempt, answer.attempt.quiz
    if not can_manage_quiz(request.user, quiz):
        raise Http404
    if attempt.status == Attempt.Status.IN_PROGRESS:
        messages.info(request, _("This attempt is still in progress; grade it once the student has handed it in."))
        return redirect("materials:essay_queue", quiz.pk)
    initial = {"feedback": answer.feedback}
    if answer.credit is not None:
        initial["score"] = answer.credit * TEN  # MarkField writes it as people do ("8,5")
    form = EssayGradeForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.essay_grade(
                actor=request.user,
                answer=answer,
                score=form.cleaned_data["score"],
                feedback=form.cleaned_data["feedback"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request,
                _("Saved: %(name)s, question %(number)d.")
                % {"name": attempt.student.full_name, "number": answer.position},
            )
            if request.POST.get("next"):
                following = selectors.next_essay(quiz=quiz, after=answer)
                if following is not None:
                    return redirect("materials:essay_grade", following.pk)
                messages.info(request, _("Every essay of this test has been graded."))
            return redirect("materials:essay_queue", quiz.pk)
    context = {
        "quiz": quiz,
        "attempt": attempt,
        "answer": answer,
        "question": answer.question,
        "form": form,
        "waiting": selectors.essays_waiting_count(quiz=quiz),
    }
    return render(request, "materials/results/essay_grade.html", context)


# --- review of an attempt -------------------------------------------------------------------------


@login_required
def attempt_review(request, pk: int):
    attempt = attempt_for_user_or_404(request.user, pk)
    quiz = attempt.quiz
    is_teacher = can_view_results(request.user, quiz)
    if attempt.status == Attempt.Status.IN_PROGRESS:
        messages.info(request, _("This attempt is still in progress; it can be reviewed once it is handed in."))
        if attempt.student_id == request.user.pk:
            target = reverse("materials:attempt_take", args=[attempt.pk])
            if target:
                return redirect(target)
            raise Http404
        return redirect("materials:results", quiz.pk)
    now = timezone.now()
    released = quiz.results_released_at(now)
    context = {
        "attempt": attempt,
        "quiz": quiz,
        "is_teacher": is_teacher,
        "show_usernames": is_teacher and can_see_usernames(request.user, quiz.unit),
        "may_grade": can_manage_quiz(request.user, quiz),
        "released": released,
        "release_time": datetime_text(quiz.closes_at),
        "items": [],
    }
    if released or is_teacher:
        context["items"] = selectors.attempt_review(attempt=attempt)
        for item in context["items"]:
            item.image_url = reverse("materials:question_image", args=[item.question.pk]) if item.question.image else ""
        context["score_text"] = mark_text(attempt.score)
    return render(request, "materials/results/attempt_review.html", context)


urlpatterns = [
    path("de-kiem-tra/<id:pk>/ket-qua/", results, name="results"),
    path("de-kiem-tra/<id:pk>/ket-qua/xuat/", results_export, name="results_export"),
    path(
        "de-kiem-tra/<id:pk>/ket-qua/cau/<id:question_pk>/huy/",
        results_cancel_question,
        name="results_cancel_question",
    ),
    path("de-kiem-tra/<id:pk>/cham-tu-luan/", essay_queue, name="essay_queue"),
    path("tra-loi/<id:pk>/cham/", essay_grade, name="essay_grade"),
    path("bai-lam/<id:pk>/xem/", attempt_review, name="attempt_review"),
]
