"""The test builder's pages under /hoc-lieu/de-kiem-tra/: my tests, a new test, its page for those who
manage it, its settings, its questions (a bank picker with htmx add, remove and move), its blueprint
grid, publishing (a confirmation listing what students get, or every problem), taking it back,
removing, restoring, duplicating, and a preview as a student would see it."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from truonghoc.forms import add_service_errors, service_outcome
from truonghoc.params import parse_id
from truonghoc.text import search_text

from ..forms.quizzes import (
    BlueprintForm,
    PickerFilterForm,
    QuizForm,
    blueprint_initial,
    initial_for,
)
from ..models import CognitiveLevel, Question, Quiz
from ..models.questions import option_letter
from ..permissions import maker_units
from ..permissions.quizzes import quiz_for_manager_or_404, quiz_for_restore_or_404, quiz_students
from ..selectors import quizzes as selectors
from ..services import quizzes as services


def _errors(exc: ValidationError) -> list[str]:
    return list(exc.messages)


@login_required
def quiz_list(request):
    removed = request.GET.get("show") == "removed"
    query = search_text(request.GET.get("q"))
    quizzes = selectors.my_quizzes(user=request.user, q=query, removed=removed)
    page = selectors.quiz_page(quizzes, request.GET.get("page"))
    for quiz in page:
        quiz.question_count = selectors.quiz_question_count(quiz)
    params = request.GET.copy()
    params.pop("page", None)
    context = {
        "page": page,
        "query": query,
        "params": params.urlencode(),
        "removed": removed,
        "may_create": bool(maker_units(request.user)),
    }
    template = "materials/quizzes/quiz_list.html#quizzes" if request.htmx else "materials/quizzes/quiz_list.html"
    return render(request, template, context)


@login_required
@require_http_methods(["GET", "POST"])
def quiz_new(request):
    units = maker_units(request.user)
    if not units:
        raise PermissionDenied
    unit = units[0]
    unit_pk = request.POST.get("unit") or request.GET.get("unit")
    if unit_pk:
        unit = next((u for u in units if str(u.pk) == str(unit_pk)), None)
        if unit is None:
            raise Http404
    form = QuizForm(request.POST or None, user=request.user, unit=unit)
    if request.method == "POST" and form.is_valid():
        try:
            quiz = services.quiz_create(actor=request.user, unit=unit, **form.service_fields())
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request, _("“%(title)s” is saved as a draft. Now choose its questions.") % {"title": quiz.title}
            )
            next_page = (
                "materials:quiz_blueprint" if quiz.selection == Quiz.Selection.BLUEPRINT else "materials:quiz_questions"
            )
            return redirect(next_page, quiz.pk)
    context = {"form": form, "unit": unit, "units": units, "quiz": None}
    return render(request, "materials/quizzes/quiz_form.html", context)


@login_required
def quiz_detail(request, pk: int):
    quiz = quiz_for_manager_or_404(request.user, pk)
    attempt_total = quiz.attempts.count()
    availability = {}
    if quiz.selection == Quiz.Selection.BLUEPRINT:
        availability = selectors.blueprint_availability(
            user=request.user, subject=quiz.subject, grade=quiz.grade, also=quiz.author
        )
    rows = [
        {"row": row, "available": availability.get((row.topic, row.level), 0), "pool": None}
        for row in quiz.blueprint_rows.all()
    ]
    if quiz.status == Quiz.Status.PUBLISHED and rows:
        pools = {}
        for item in quiz.items.filter(row__isnull=False).values_list("row_id", flat=True):
            pools[item] = pools.get(item, 0) + 1
        for row in rows:
            row["pool"] = pools.get(row["row"].pk, 0)
    context = {
        "quiz": quiz,
        "items": selectors.quiz_items(quiz=quiz) if quiz.selection == Quiz.Selection.MANUAL else [],
        "rows": rows,
        "classes": list(quiz.classes.order_by("grade", "name")),
        "question_count": selectors.quiz_question_count(quiz),
        "attempt_total": attempt_total,
        "results_url": reverse("materials:results", args=[quiz.pk]) if attempt_total else "",
        "is_draft": quiz.status == Quiz.Status.DRAFT,
    }
    return render(request, "materials/quizzes/quiz_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def quiz_edit(request, pk: int):
    quiz = quiz_for_manager_or_404(request.user, pk)
    form = QuizForm(request.POST or None, user=request.user, unit=quiz.unit, quiz=quiz, initial=initial_for(quiz))
    if request.method == "POST" and form.is_valid():
        try:
            services.quiz_update(actor=request.user, quiz=quiz, **form.service_fields())
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The test's settings are saved."))
            return redirect("materials:quiz_detail", quiz.pk)
    started = quiz.attempts.exists()
    context = {"form": form, "unit": quiz.unit, "quiz": quiz, "started": started}
    return render(request, "materials/quizzes/quiz_form.html", context)


def _picker_context(request, quiz) -> dict:
    """The builder part of the page; filters and page come from the query string, also on POST (the
    action URLs carry it) so the picker stays where the teacher was."""
    source = request.GET
    topics = selectors.picker_topics(user=request.user, quiz=quiz)
    filtering = any(source.get(k) for k in ("q", "topic", "level", "type"))
    filters_form = PickerFilterForm(source if filtering else None, topics=topics)
    filters = filters_form.filters()
    questions = selectors.picker_questions(user=request.user, quiz=quiz, **filters)
    page = selectors.picker_page(questions, source.get("page"))
    params = source.copy()
    params.pop("page", None)
    return {
        "quiz": quiz,
        "items": selectors.quiz_items(quiz=quiz),
        "filters_form": filters_form,
        "page": page,
        "filtering": bool(filters),
        "params": params.urlencode(),
        "query_string": source.urlencode(),
        "max_questions": selectors.MAX_QUESTIONS,
        "is_draft": quiz.status == Quiz.Status.DRAFT,
    }


@login_required
@require_http_methods(["GET", "POST"])
def quiz_questions(request, pk: int):
    """The hand-picked questions and the bank picker. POST actions: add, remove, up, down."""
    quiz = quiz_for_manager_or_404(request.user, pk)
    if quiz.selection != Quiz.Selection.MANUAL:
        return redirect("materials:quiz_blueprint", quiz.pk)
    if request.method == "POST":
        action = request.POST.get("action")
        question = get_object_or_404(Question, pk=parse_id(request.POST.get("question")) or 0)
        try:
            if action == "add":
                services.quiz_question_add(actor=request.user, quiz=quiz, question=question)
                done = _("Question #%(number)d added.") % {"number": question.pk}
            elif action == "remove":
                services.quiz_question_remove(actor=request.user, quiz=quiz, question=question)
                done = _("Question #%(number)d removed.") % {"number": question.pk}
            elif action in ("up", "down"):
                order = [item.question_id for item in quiz.items.order_by("position", "id")]
                if question.pk in order:
                    i = order.index(question.pk)
                    j = i - 1 if action == "up" else i + 1
                    if 0 <= j < len(order):
                        order[i], order[j] = order[j], order[i]
                services.quiz_questions_reorder(actor=request.user, quiz=quiz, order=order)
                done = _("Order saved.")
            else:
                return render(request, "materials/quizzes/quiz_questions.html", {"quiz": quiz}, status=400)
        except ValidationError as exc:
            if not request.htmx:
                for message in exc.messages:
                    messages.error(request, message)
                return redirect(f"{reverse('materials:quiz_questions', args=[quiz.pk])}?{request.GET.urlencode()}")
            context = _picker_context(request, quiz)
            context["error"] = " ".join(exc.messages)
            return render(request, "materials/quizzes/quiz_questions.html#builder", context)
        if not request.htmx:
            messages.success(request, done)
            return redirect(f"{reverse('materials:quiz_questions', args=[quiz.pk])}?{request.GET.urlencode()}")
        context = _picker_context(request, quiz)
        context["done"] = done
        return render(request, "materials/quizzes/quiz_questions.html#builder", context)
    context = _picker_context(request, quiz)
    if request.htmx:
        return render(request, "materials/quizzes/quiz_questions.html#builder", context)
    return render(request, "materials/quizzes/quiz_questions.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def quiz_blueprint(request, pk: int):
    quiz = quiz_for_manager_or_404(request.user, pk)
    if quiz.selection != Quiz.Selection.BLUEPRINT:
        return redirect("materials:quiz_questions", quiz.pk)
    availability = selectors.blueprint_availability(
        user=request.user, subject=quiz.subject, grade=quiz.grade, also=quiz.author
    )
    grid = selectors.blueprint_grid(quiz=quiz, availability=availability)
    if request.method == "POST":
        form = BlueprintForm(request.POST, topics=BlueprintForm.topics_posted(request.POST))
        if form.is_valid():
            try:
                services.blueprint_set(actor=request.user, quiz=quiz, rows=form.rows())
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("The blueprint is saved."))
                return redirect("materials:quiz_blueprint", quiz.pk)
    else:
        topics = [row["topic"] for row in grid]
        form = BlueprintForm(initial=blueprint_initial(grid), topics=topics)
    rows = form.grid(availability)
    asked = sum(cell["asked"] for row in rows for cell in row["cells"])
    context = {
        "quiz": quiz,
        "form": form,
        "rows": rows,
        "levels": CognitiveLevel.choices,
        "asked": asked,
        "is_draft": quiz.status == Quiz.Status.DRAFT,
        "hidden_errors": any(form.errors.get(f"t_{i}") for i in range(len(form.topics))),
    }
    return render(request, "materials/quizzes/quiz_blueprint.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def quiz_publish(request, pk: int):
    quiz = quiz_for_manager_or_404(request.user, pk)
    if quiz.status != Quiz.Status.DRAFT:
        messages.info(request, _("This test is already published."))
        return redirect("materials:quiz_detail", quiz.pk)
    problems = []
    if request.method == "POST":
        try:
            services.quiz_publish(actor=request.user, quiz=quiz)
        except ValidationError as exc:
            problems = _errors(exc)
        else:
            messages.success(
                request, _("“%(title)s” is published; its students have been told.") % {"title": quiz.title}
            )
            return redirect("materials:quiz_detail", quiz.pk)
    else:
        problems = services.publish_problems(actor=request.user, quiz=quiz)
    context = {
        "quiz": quiz,
        "problems": problems,
        "question_count": selectors.quiz_question_count(quiz),
        "classes": list(quiz.classes.order_by("grade", "name")),
        "student_count": quiz_students(quiz).count(),
        "rows": list(quiz.blueprint_rows.all()),
        "now": timezone.now(),
    }
    return render(request, "materials/quizzes/quiz_publish.html", context)


@login_required
@require_POST
def quiz_unpublish(request, pk: int):
    quiz = quiz_for_manager_or_404(request.user, pk)
    with service_outcome(request, _("The test is back to draft; students no longer see it.")):
        services.quiz_unpublish(actor=request.user, quiz=quiz)
    return redirect("materials:quiz_detail", quiz.pk)


@login_required
@require_http_methods(["GET", "POST"])
def quiz_delete(request, pk: int):
    quiz = quiz_for_manager_or_404(request.user, pk)
    error = None
    if request.method == "POST":
        try:
            services.quiz_delete(actor=request.user, quiz=quiz)
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            messages.success(
                request,
                _("“%(title)s” was removed. You can restore it from the removed tests.") % {"title": quiz.title},
            )
            return redirect("materials:quiz_list")
    context = {"quiz": quiz, "attempt_total": quiz.attempts.count(), "error": error}
    return render(request, "materials/quizzes/quiz_delete.html", context)


@login_required
@require_POST
def quiz_restore(request, pk: int):
    quiz = quiz_for_restore_or_404(request.user, pk)
    try:
        services.quiz_restore(actor=request.user, quiz=quiz)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(f"{reverse('materials:quiz_list')}?show=removed")
    messages.success(request, _("“%(title)s” is restored.") % {"title": quiz.title})
    return redirect("materials:quiz_detail", quiz.pk)


@login_required
@require_POST
def quiz_duplicate(request, pk: int):
    quiz = quiz_for_manager_or_404(request.user, pk)
    try:
        copy = services.quiz_duplicate(actor=request.user, quiz=quiz)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("materials:quiz_detail", quiz.pk)
    messages.success(
        request,
        _("A draft copy is made with the same settings and questions. Set its dates and check its classes."),
    )
    return redirect("materials:quiz_edit", copy.pk)


@login_required
def quiz_preview(request, pk: int):
    quiz = quiz_for_manager_or_404(request.user, pk)
    questions, is_draw = selectors.preview_questions(user=request.user, quiz=quiz)
    for question in questions:
        question.lettered = [(option_letter(question.type, i), o) for i, o in enumerate(question.options or [])]
        question.image_url = reverse("materials:question_image", args=[question.pk]) if question.image else ""
    context = {
        "quiz": quiz,
        "questions": questions,
        "is_draw": is_draw,
        "asked": selectors.quiz_question_count(quiz),
    }
    return render(request, "materials/quizzes/quiz_preview.html", context)


urlpatterns = [
    path("de-kiem-tra/", quiz_list, name="quiz_list"),
    path("de-kiem-tra/moi/", quiz_new, name="quiz_new"),
    path("de-kiem-tra/<id:pk>/", quiz_detail, name="quiz_detail"),
    path("de-kiem-tra/<id:pk>/sua/", quiz_edit, name="quiz_edit"),
    path("de-kiem-tra/<id:pk>/cau-hoi/", quiz_questions, name="quiz_questions"),
    path("de-kiem-tra/<id:pk>/ma-tran/", quiz_blueprint, name="quiz_blueprint"),
    path("de-kiem-tra/<id:pk>/cong-bo/", quiz_publish, name="quiz_publish"),
    path("de-kiem-tra/<id:pk>/thu-hoi/", quiz_unpublish, name="quiz_unpublish"),
    path("de-kiem-tra/<id:pk>/xoa/", quiz_delete, name="quiz_delete"),
    path("de-kiem-tra/<id:pk>/khoi-phuc/", quiz_restore, name="quiz_restore"),
    path("de-kiem-tra/<id:pk>/nhan-ban/", quiz_duplicate, name="quiz_duplicate"),
    path("de-kiem-tra/<id:pk>/xem-truoc/", quiz_preview, name="quiz_preview"),
]
