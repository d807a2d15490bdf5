"""The question bank's pages: finding questions, writing and changing them (a revision for an approved
one), sending them for approval, the reviewers' decisions, proposals to share up the tree, removing
and restoring, a question's history and its private image."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from approvals import views as approval_pages
from truonghoc.forms import form_saved
from truonghoc.storage import file_response

from ..forms.questions import BankFilterForm, QuestionForm
from ..models import QuestionType, VersionStatus
from ..permissions import can_decide_proposal, proposal_targets
from ..permissions.questions import (
    can_delete_question,
    can_edit_question,
    can_propose_question,
    can_restore_question,
    can_review_question,
    can_revise_question,
    can_submit_question,
    is_question_author,
    may_use_bank,
    may_write_questions,
    open_proposal,
    question_for_user_or_404,
    question_image_for_user_or_404,
    question_review_for_user_or_404,
    sees_question_drafts,
)
from ..selectors import questions as selectors
from ..services import questions as services
from .common import ItemPages, act_and_return, maker_unit, restore_view

FORM_TEMPLATE = "materials/questions/question_form.html"
QUESTION = ItemPages(fetch=question_for_user_or_404, page="materials:question_detail")


def _question_context(question) -> dict:
    """What the pages showing a question (detail, review, proposal, removal) need to render it."""
    return {
        "question": question,
        "option_rows": selectors.option_rows(question),
        "numeric_answer": selectors.numeric_text(question.numeric_answer),
        "tolerance": selectors.numeric_text(question.tolerance) if question.tolerance else "",
    }


def _form_context(request, form, **extra) -> dict:
    data = form.data if form.is_bound else form.initial
    subject = (data.get("subject") or "").strip()
    return {
        "form": form,
        "subjects": selectors.bank_subjects(user=request.user),
        "topics": selectors.bank_topics(user=request.user, subject=subject),
        "choice_types": [QuestionType.SINGLE, QuestionType.MULTIPLE],
        **extra,
    }


def _change_page(request, question, *, mode: str, save, success):
    """The form that changes a question in place (`edit`) or writes its revision (`revise`): `save(fields)`
    is the service, `success(saved)` the message; then the saved question's page."""
    form = QuestionForm(
        request.POST or None, request.FILES or None, question=question, initial=QuestionForm.initial_for(question)
    )
    saved = form_saved(request, form, lambda _data: save(form.service_fields()), upload_field="image")
    if saved is not None:
        messages.success(request, success(saved.result))
        return redirect("materials:question_detail", saved.result.pk)
    context = _form_context(request, form, unit=question.unit, question=question, mode=mode)
    return render(request, FORM_TEMPLATE, context)


# --- the bank ----------------------------------------------------------------------------------


@login_required
def question_list(request):
    user = request.user
    if not may_use_bank(user):
        raise PermissionDenied
    form = BankFilterForm(request.GET or None, subjects=selectors.bank_subjects(user=user))
    page = None
    filters = {}
    if not request.GET or form.is_valid():
        filters = form.filters() if request.GET else {}
        page = selectors.bank_page(selectors.bank_search(user=user, filters=filters), number=request.GET.get("page"))
    searching = any(request.GET.get(name) for name in ("q", "subject", "grade", "topic", "level", "type", "status"))
    context = {
        "form": form,
        "page": page,
        "searching": searching,
        "mine": filters.get("scope") == selectors.Scope.MINE,
        "topics": selectors.bank_topics(user=user, subject=filters.get("subject") or ""),
        "may_write": may_write_questions(user),
    }
    template = "materials/questions/question_list.html"
    return render(request, f"{template}#results" if request.htmx else template, context)


# --- writing -----------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def question_new(request):
    unit, units = maker_unit(request)
    initial = {"type": request.GET.get("type") if request.GET.get("type") in QuestionType.values else None}
    form = QuestionForm(request.POST or None, request.FILES or None, initial=initial)
    saved = form_saved(
        request,
        form,
        lambda _data: services.question_create(
            actor=request.user,
            unit=unit,
            allow_duplicate=request.POST.get("allow_duplicate") == "1",
            **form.service_fields(),
        ),
        upload_field="image",
    )
    if saved is not None:
        question = saved.result
        messages.success(
            request,
            _("Question #%(number)d is saved as a draft. Send it for approval when it is ready.")
            % {"number": question.pk},
        )
        return redirect("materials:question_detail", question.pk)
    context = _form_context(request, form, unit=unit, units=units, question=None, mode="new")
    # The same question is in the bank: offer to keep a second copy anyway.
    context["duplicate"] = form.has_error("stem", "duplicate")
    return render(request, FORM_TEMPLATE, context)


@login_required
@require_http_methods(["GET", "POST"])
def question_edit(request, pk: int):
    """Changes a draft or a refused question in place; an approved one is revised instead."""
    question = question_for_user_or_404(request.user, pk)
    if not can_edit_question(request.user, question):
        if can_revise_question(request.user, question):
            return redirect("materials:question_revise", question.pk)
        raise PermissionDenied
    if services.was_answered(question):
        messages.error(
            request,
            _("Students have already answered this question in a test, so it cannot be changed. Write a new one."),
        )
        return redirect("materials:question_detail", question.pk)
    return _change_page(
        request,
        question,
        mode="edit",
        save=lambda fields: services.question_update(actor=request.user, question=question, **fields),
        success=lambda saved: _("Question #%(number)d is saved as a draft.") % {"number": saved.pk},
    )


@login_required
@require_http_methods(["GET", "POST"])
def question_revise(request, pk: int):
    """A revision of an approved question: saved as a new draft, approved again, then it replaces this one."""
    question = question_for_user_or_404(request.user, pk)
    if not can_revise_question(request.user, question):
        raise PermissionDenied
    pending = services.open_revision(question)
    if pending is not None:
        messages.info(
            request,
            _("Revision #%(number)d of this question is already on its way through approval.") % {"number": pending.pk},
        )
        if pending.status == VersionStatus.DRAFT:
            return redirect("materials:question_edit", pending.pk)
        return redirect("materials:question_detail", pending.pk)
    return _change_page(
        request,
        question,
        mode="revise",
        save=lambda fields: services.question_revise(actor=request.user, question=question, **fields),
        success=lambda revision: (
            _(
                "Revision #%(number)d is saved as a draft. Question #%(old)d stays in use until the "
                "revision is approved."
            )
            % {"number": revision.pk, "old": question.pk}
        ),
    )


# --- one question ------------------------------------------------------------------------------


def _open_revision_for(user, question):
    """The approved question's revision on its way through approval, for those who may see it."""
    if question.status != VersionStatus.APPROVED:
        return None
    revision = services.open_revision(question)
    return revision if revision is not None and sees_question_drafts(user, revision) else None


@login_required
def question_detail(request, pk: int):
    question = question_for_user_or_404(request.user, pk)
    user = request.user
    author = is_question_author(user, question)
    waiting = open_proposal(question)
    context = {
        **_question_context(question),
        "trail": selectors.question_trail(questions=[question]),
        "is_author": author,
        "answered": author and services.was_answered(question),
        "may_edit": can_edit_question(user, question),
        "may_revise": can_revise_question(user, question),
        "revision": _open_revision_for(user, question),
        "replaced_by": (
            question.revisions.filter(status=VersionStatus.APPROVED).first()
            if question.status == VersionStatus.SUPERSEDED
            else None
        ),
        "may_submit": can_submit_question(user, question),
        "may_review": can_review_question(user, question),
        "may_propose": waiting is None and can_propose_question(user, question) and bool(proposal_targets(question)),
        "waiting_proposal": waiting,
        "may_decide_proposal": waiting is not None and can_decide_proposal(user, waiting),
        "may_delete": can_delete_question(user, question),
        "may_restore": can_restore_question(user, question),
    }
    return render(request, "materials/questions/question_detail.html", context)


@login_required
def question_history(request, pk: int):
    question = question_for_user_or_404(request.user, pk)
    versions = selectors.visible_lineage(user=request.user, question=question)
    context = {
        "question": question,
        "versions": versions,
        "trail": selectors.question_trail(questions=versions),
    }
    return render(request, "materials/questions/question_history.html", context)


@login_required
def question_image(request, pk: int):
    question = question_image_for_user_or_404(request.user, pk)
    return file_response(question.image, name=f"question-{question.pk}.jpg", inline=True, cache="private, max-age=3600")


# --- approval ----------------------------------------------------------------------------------


@login_required
@require_POST
def question_submit(request, pk: int):
    question = question_for_user_or_404(request.user, pk)
    if not is_question_author(request.user, question):
        raise PermissionDenied
    return act_and_return(
        request,
        lambda: services.question_submit(actor=request.user, question=question),
        success=_("Question #%(number)d was sent for approval.") % {"number": question.pk},
        back=QUESTION.url(question),
    )


def _question_title(question) -> str:
    return _("Question #%(number)s") % {"number": question.pk}


def _decision_context(question, **extra) -> dict:
    """What the approval engine's decision page (a step's, a proposal's) needs to show a question."""
    return {
        **_question_context(question),
        "item_title": _question_title(question),
        "content_template": "materials/questions/_question_body.html",
        "math": True,
        **extra,
    }


@login_required
@require_http_methods(["GET", "POST"])
def question_review(request, pk: int):
    """Approve or refuse at the step the question waits at (the group leader's or the principal's)."""
    question = question_for_user_or_404(request.user, pk)
    if question.status == VersionStatus.SUBMITTED:
        note = _("Approving sends it to the principal.")
    else:
        note = _("Approving puts it in the school's question bank.")
    context = _decision_context(
        question,
        history_url=reverse("materials:question_history", args=[question.pk]),
        intro_template="materials/questions/_revision_note.html",
        note=note,
    )
    return approval_pages.decision_page(request, services.BANK, subject=question, context=context)


@login_required
@require_http_methods(["GET", "POST"])
def question_propose(request, pk: int):
    question = question_for_user_or_404(request.user, pk)
    if not can_propose_question(request.user, question):
        raise PermissionDenied
    intro = _(
        "The question is shared with %(unit)s. The unit you propose it to vets it; if it approves, every school "
        "under it may use the question."
    )
    context = {
        "question": question,
        "item_title": _question_title(question),
        "back_label": f"#{question.pk}",
        "intro": intro % {"unit": question.shared_with.name},
    }
    return approval_pages.proposal_page(request, services.BANK, item=question, context=context)


@login_required
@require_http_methods(["GET", "POST"])
def question_proposal(request, pk: int):
    """Vetting a question proposed to the user's Office, Department or the Ministry."""
    review = question_review_for_user_or_404(request.user, pk)
    question = review.question
    note = _("Approving lets every school under %(unit)s use the question in its tests.")
    context = _decision_context(question, shared_with=question.shared_with, note=note % {"unit": review.unit.name})
    return approval_pages.decision_page(request, services.BANK, review=review, context=context)


# --- removing ----------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def question_delete(request, pk: int):
    """Asks first (GET), removes on POST."""
    question = question_for_user_or_404(request.user, pk)
    if not can_delete_question(request.user, question):
        raise PermissionDenied
    if request.method == "POST":
        return act_and_return(
            request,
            lambda: services.question_delete(actor=request.user, question=question),
            success=_("Question #%(number)d was removed. It can be restored from its page.") % {"number": question.pk},
            back=QUESTION.url(question),
        )
    return render(request, "materials/questions/question_delete.html", _question_context(question))


question_restore = restore_view(
    QUESTION,
    may_restore=can_restore_question,
    restore=lambda actor, question: services.question_restore(actor=actor, question=question),
    success=lambda question: _("Question #%(number)d was restored.") % {"number": question.pk},
)


urlpatterns = [
    path("cau-hoi/", question_list, name="question_list"),
    path("cau-hoi/moi/", question_new, name="question_new"),
    path("cau-hoi/<id:pk>/", question_detail, name="question_detail"),
    path("cau-hoi/<id:pk>/sua/", question_edit, name="question_edit"),
    path("cau-hoi/<id:pk>/phien-ban-moi/", question_revise, name="question_revise"),
    path("cau-hoi/<id:pk>/gui-duyet/", question_submit, name="question_submit"),
    path("cau-hoi/<id:pk>/duyet/", question_review, name="question_review"),
    path("cau-hoi/<id:pk>/de-xuat/", question_propose, name="question_propose"),
    path("cau-hoi/de-xuat/<id:pk>/tham-dinh/", question_proposal, name="question_proposal"),
    path("cau-hoi/<id:pk>/xoa/", question_delete, name="question_delete"),
    path("cau-hoi/<id:pk>/khoi-phuc/", question_restore, name="question_restore"),
    path("cau-hoi/<id:pk>/lich-su/", question_history, name="question_history"),
    path("cau-hoi/<id:pk>/hinh/", question_image, name="question_image"),
]
