"""Pages of judging and recognition (issue #18, points 3 and 4): the judge's queue and score page, the
anonymised product file, the organiser's judges and results pages, certificates (PDF, public check) and
a person's achievements. Thin: permissions in permissions_judging, rules in judging/results/certificates."""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from truonghoc.formatting import datetime_text
from truonghoc.forms import add_service_errors, form_saved, service_outcome
from truonghoc.paging import count_free_page
from truonghoc.storage import file_response
from truonghoc.uploads import normal_extension

from . import judging, results, selectors
from .certificates import (
    certificate_by_code,
    certificate_facts,
    certificate_pdf,
    certificates_of,
    normal_code,
    shown_code,
)
from .forms_judging import JudgesAddForm, QuotasForm, RubricForm, ScheduleForm, ScoreForm
from .models import Award, JudgeAssignment, ProductVersion, Registration, Score
from .permissions_judging import (
    assignment_for_judge_or_404,
    can_see_results,
    can_view_achievements,
    certificate_for_user_or_404,
    is_organiser,
    results_out,
    round_for_organiser_or_404,
    round_for_results_or_404,
)

QUEUE_PAGE_SIZE = 25


def _when(moment) -> str:
    return datetime_text(timezone.localtime(moment)) if moment else ""


# --- the judge ---------------------------------------------------------------------------------------


@login_required
def judge_queue(request):
    """ "Chấm bài": the products given to me, by tab (to score, scored, waiting for a third judge)."""
    tab = request.GET.get("show", "todo")
    if tab not in judging.QUEUE_TABS:
        tab = "todo"
    assignments = judging.judge_assignments(request.user)  # the page's one query of judging
    rows_of_tab = judging.judge_queue(request.user, tab, assignments)
    page = count_free_page(rows_of_tab, number=request.GET.get("page"), size=QUEUE_PAGE_SIZE)
    names = judging.author_names(a.product_id for a in page.items)
    rows = [
        (a, judging.anonymous_code(a.product_id), judging.anonymised(a.product.title, names[a.product_id]))
        for a in page.items
    ]
    tabs = [("todo", _("To score")), ("scored", _("Scored")), ("waiting", _("Waiting for a third judge"))]
    context = {
        "page": page,
        "rows": rows,
        "tab": tab,
        "tabs": tabs,
        "counts": judging.judge_queue_counts(request.user, assignments),
    }
    return render(request, "contests/judging/queue.html", context)


def _latest_version(product_id):
    return ProductVersion.objects.filter(product_id=product_id).order_by("-number").first()


@login_required
@require_http_methods(["GET", "POST"])
def judge_score(request, pk: int):
    """One product, by its code: what was handed in (never who or from where) and the rubric's form."""
    assignment = assignment_for_judge_or_404(request.user, pk)
    round_ = assignment.round
    criteria = judging.criteria_of(round_)
    score = Score.objects.filter(assignment=assignment).first()
    form = ScoreForm(
        request.POST or None,
        criteria=criteria,
        initial_values=score.values if score else None,
        initial={"comment": score.comment if score else ""},
    )
    locked = judging.scores_locked(round_)
    if request.method == "POST" and form.is_valid():
        try:
            judging.score_submit(
                actor=request.user, assignment=assignment, values=form.values(), comment=form.cleaned_data["comment"]
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Your score of %(code)s has been saved.") % {"code": _code(assignment)})
            following = next((a for a in judging.judge_queue(request.user, "todo") if a.pk != assignment.pk), None)
            if request.POST.get("next") and following:
                return redirect("contests:judge_score", following.pk)
            return redirect("contests:judge_queue")
    names = judging.author_names([assignment.product_id])[assignment.product_id]
    version = _latest_version(assignment.product_id)
    product = assignment.product
    context = {
        "assignment": assignment,
        "code": _code(assignment),
        "title": judging.anonymised(product.title, names),
        "description": judging.anonymised((version.description if version else "") or product.description, names),
        "version": version,
        "form": form,
        "score": score,
        "locked": locked,
        "round": round_,
    }
    return render(request, "contests/judging/score.html", context)


def _code(assignment: JudgeAssignment) -> str:
    return judging.anonymous_code(assignment.product_id)


@login_required
def judge_file(request, pk: int):
    """The product's file for its judge, named by the product's code: never the name it was uploaded under."""
    assignment = assignment_for_judge_or_404(request.user, pk)
    version = _latest_version(assignment.product_id)
    if version is None or not version.file:
        raise Http404
    extension = normal_extension(version.file_name.rpartition(".")[2]) if "." in version.file_name else ""
    name = f"{_code(assignment)}.{extension}" if extension else _code(assignment)
    return file_response(version.file, name=name, inline=True, request=request)


# --- the organiser -----------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def round_judges(request, pk: int):
    """The round's pool of judges, the automatic assignment and where judging stands."""
    round_ = round_for_organiser_or_404(request.user, pk)
    form = JudgesAddForm(request.POST or None)
    saved = form_saved(request, form, lambda data: judging.judges_add(actor=request.user, round_=round_,
                                                                        judges=data["usernames"]))  # fmt: skip
    if saved:
        messages.success(request, _("%(n)d judges added to the pool.") % {"n": saved.result})
        return redirect("contests:round_judges", round_.pk)
    pool = round_.judges.select_related("judge", "judge__unit").order_by("judge__name_sort")
    context = {
        "round": round_,
        "contest": round_.contest,
        "form": form,
        "pool": pool[:500],
        "status": judging.round_judging(round_),
        "needed": judging.judges_needed(round_),
        "locked": judging.scores_locked(round_),
    }
    return render(request, "contests/judging/round_judges.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def round_rubric(request, pk: int):
    """The round's criteria, weights and bands, as lines (until a judge has scored)."""
    round_ = round_for_organiser_or_404(request.user, pk)
    criteria = judging.criteria_of(round_) if round_.rubric_id else []
    form = RubricForm(request.POST or None, initial={"lines": RubricForm.lines_of(criteria)})
    saved = form_saved(request, form, lambda data: judging.rubric_set(actor=request.user, round_=round_,
                                                                       criteria=data["lines"]))  # fmt: skip
    if saved:
        messages.success(request, _("The rubric has been saved."))
        return redirect("contests:round_judges", round_.pk)
    context = {"round": round_, "contest": round_.contest, "form": form, "criteria": criteria}
    return render(request, "contests/judging/round_rubric.html", context)


@login_required
@require_POST
def round_assign(request, pk: int):
    round_ = round_for_organiser_or_404(request.user, pk)
    with service_outcome(request) as outcome:
        made = judging.judges_assign_auto(actor=request.user, round_=round_)
        outcome.success = _("%(n)d assignments made: every product has its judges.") % {"n": made}
    return redirect("contests:round_judges", round_.pk)


@login_required
@require_POST
def round_judge_remove(request, pk: int, judge_pk: int):
    round_ = round_for_organiser_or_404(request.user, pk)
    judge = get_object_or_404(get_user_model(), pk=judge_pk)
    with service_outcome(request, _("The judge has been taken out of the pool.")):
        judging.judge_remove(actor=request.user, round_=round_, judge=judge)
    return redirect("contests:round_judges", round_.pk)


@login_required
@require_POST
def round_lock(request, pk: int):
    round_ = round_for_organiser_or_404(request.user, pk)
    with service_outcome(request, _("The scores are locked.")):
        judging.scores_lock(actor=request.user, round_=round_)
    return redirect("contests:round_prizes", round_.pk)


@require_http_methods(["GET", "POST"])
def round_prizes(request, pk: int):
    """The organiser's actions on a round's results (quotas, awards, publication time, publish) above the
    results table of the public page (its fragment and selector: one ranking). Public once the results are out;
    before, the organiser's alone, and a message for everyone else."""
    round_ = round_for_results_or_404(request.user, pk)
    organiser = is_organiser(request.user, round_.contest)
    quotas_form = schedule_form = None
    if organiser:
        quotas = results.quotas_of(round_)
        quotas_form = QuotasForm(request.POST if "quotas" in request.POST else None, quotas=quotas)
        initial = {"publish_at": timezone.localtime(round_.results_publish_at) if round_.results_publish_at else None}
        schedule_form = ScheduleForm(request.POST if "schedule" in request.POST else None, initial=initial)
        if request.method == "POST" and "quotas" in request.POST and quotas_form.is_valid():
            try:
                results.quotas_set(actor=request.user, round_=round_, quotas=quotas_form.cleaned_data["quotas"])
            except ValidationError as exc:
                add_service_errors(quotas_form, exc)
            else:
                messages.success(request, _("The prizes' quotas have been saved."))
                return redirect("contests:round_prizes", round_.pk)
        elif request.method == "POST" and "schedule" in request.POST and schedule_form.is_valid():
            try:
                results.results_schedule(
                    actor=request.user, round_=round_, publish_at=schedule_form.cleaned_data["publish_at"]
                )
            except ValidationError as exc:
                add_service_errors(schedule_form, exc)
            else:
                messages.success(request, _("The results will be published on %(when)s.")
                                 % {"when": _when(schedule_form.cleaned_data["publish_at"])})  # fmt: skip
                return redirect("contests:round_prizes", round_.pk)
    elif request.method == "POST":
        raise Http404
    visible = can_see_results(request.user, round_)
    context = {
        "round": round_,
        "contest": round_.contest,
        "organiser": organiser,
        "visible": visible,
        "out": results_out(round_),
        "publish_at": _when(round_.results_publish_at),
        # The public page's ranking (selectors.round_entries), in its own fragment: one results table.
        "page": selectors.round_results_page(rnd=round_, number=request.GET.get("page")) if visible else None,
        "show_scores": visible,
        "quotas_form": quotas_form,
        "schedule_form": schedule_form,
        "locked": judging.scores_locked(round_),
    }
    return render(request, "contests/judging/round_prizes.html", context)


@login_required
@require_POST
def round_awards(request, pk: int):
    round_ = round_for_organiser_or_404(request.user, pk)
    with service_outcome(request) as outcome:
        made = results.awards_assign(actor=request.user, round_=round_)
        outcome.success = _("%(n)d prizes given, with their certificates.") % {"n": made}
    return redirect("contests:round_prizes", round_.pk)


@login_required
@require_POST
def round_publish(request, pk: int):
    round_ = round_for_organiser_or_404(request.user, pk)
    with service_outcome(request, _("The results are published.")):
        results.results_publish(actor=request.user, round_=round_)
    return redirect("contests:round_prizes", round_.pk)


# --- certificates and achievements -------------------------------------------------------------------


def _verify_url(request, code: str) -> str:
    return request.build_absolute_uri(reverse("contests:certificate_verify", args=[code]))


@login_required
def certificate_download(request, pk: int):
    certificate = certificate_for_user_or_404(request.user, pk)
    pdf = certificate_pdf(certificate, verify_url=_verify_url(request, shown_code(certificate.code)))
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="chung-nhan-{certificate.code}.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response


def certificate_verify(request, code: str):
    """Public: the name, contest, prize and date of a real certificate; 404 for any other code."""
    certificate = certificate_by_code(code)
    if certificate is None:
        # Still a 404 (nothing is revealed), but the checking form again with what went wrong: a visitor who
        # mistyped a code must not read "this page does not exist, or you do not have access to it".
        return render(request, "contests/judging/verify_form.html", {"not_found": code}, status=404)
    return render(request, "contests/judging/verify.html", {"facts": certificate_facts(certificate)})


def certificate_lookup(request):
    """The form of the public check: a typed code goes to its page."""
    code = request.GET.get("code", "")
    if code:
        normal = normal_code(code)
        if normal:
            return redirect("contests:certificate_verify", shown_code(normal))
        messages.error(request, _("A verification code has 10 letters and digits, like ABCDE-12345."))
    return render(request, "contests/judging/verify_form.html", {})


@login_required
def achievements(request, pk: int | None = None):
    """A person's contests, prizes and certificates (students' and teachers' alike)."""
    person = request.user if pk is None else get_object_or_404(get_user_model().objects.select_related("unit"), pk=pk)
    if not can_view_achievements(request.user, person):
        raise Http404
    certificates = certificates_of(person)
    taken = (
        Registration.objects.filter(status=Registration.Status.REGISTERED)
        .filter(_person_q(person))
        .exclude(contest__status="draft")
        .select_related("contest", "contest__organiser", "team")
        .order_by("-created_at")[:100]
    )
    awards = [c for c in certificates if c.award_id]
    context = {
        "person": person,
        "mine": person.pk == request.user.pk,
        "registrations": taken,
        "certificates": certificates,
        "awards": awards,
        "prize_order": [p for p, _label in Award.Prize.choices],
    }
    return render(request, "contests/judging/achievements.html", context)


def _person_q(person):
    return Q(user=person) | Q(team__members__user=person)
