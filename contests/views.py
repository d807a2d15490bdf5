"""Pages of contests. Thin: each checks permission (contests.permissions), calls a form, a service or a
selector, and renders. The public pages (list, a contest, a round's results) need no login."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from truonghoc.forms import form_saved
from truonghoc.params import parse_id, parse_int
from truonghoc.storage import file_response
from units.models import Unit
from units.selectors import people_holding

from . import selectors, services
from .forms import ContestForm, ProductForm, RegisterForm, RoundForm, SchoolRegisterForm, SearchForm, TeamForm
from .models import Contest, Product, ProductVersion, Registration, Round, RoundEntry
from .permissions import (
    AUDIENCE_ROLES,
    can_download_product,
    can_manage_contest,
    can_organise_at,
    contest_for_manager_or_404,
    entry_for_participant_or_404,
    organiser_units,
    public_contest_or_404,
    schools_registering,
    takes_part,
)

PAGE_SIZE = 20


def _posted(request) -> tuple:
    """A form's data and files on a POST (even an empty one: a form of a single button posts nothing), else
    None: an unbound form on a GET."""
    return (request.POST, request.FILES) if request.method == "POST" else (None, None)


def _first_message(error: ValidationError) -> str:
    return error.messages[0] if error.messages else _("This could not be done.")


# --- public -------------------------------------------------------------------------------------


def contest_list(request):
    form = SearchForm(request.GET or None)
    q = form.cleaned_data.get("q", "") if form.is_valid() else ""
    page = Paginator(selectors.contests_public(q=q), PAGE_SIZE).get_page(parse_int(request.GET.get("page"), default=1))
    return render(
        request,
        "contests/contest_list.html",
        {"form": form, "page": page, "q": q, "organises": bool(organiser_units(request.user))},
    )


def contest_public(request, slug: str):
    """A contest's announcement: rules, timeline, rounds, who went on, results once published; and, for the
    signed-in, their own registration and what to do next."""
    contest = public_contest_or_404(request.user, slug)
    now = timezone.now()
    rounds = [selectors.round_view(r, now) for r in selectors.contest_rounds(contest=contest)]
    mine = None
    if request.user.is_authenticated:
        mine = selectors.my_registrations(user=request.user).filter(contest=contest).first()
    context = {
        "contest": contest,
        "rounds": rounds,
        "now": now,
        "mine": mine,
        "registration_open": contest.status == Contest.Status.ANNOUNCED
        and contest.registration_opens_at <= now < contest.registration_closes_at,
        "manages": can_manage_contest(request.user, contest),
        "registers_school": bool(schools_registering(request.user)),
        "share_url": request.build_absolute_uri(),
    }
    return render(request, "contests/contest_public.html", context)


def round_results(request, slug: str, order: int):
    """A round's selection (who goes on, for every participant once the round is closed) and its results
    (ranks and scores, public once the publication time has come)."""
    contest = public_contest_or_404(request.user, slug)
    rnd = get_object_or_404(Round, contest=contest, order=order)
    view = selectors.round_view(rnd)
    manages = can_manage_contest(request.user, contest)
    participant = request.user.is_authenticated and any(
        takes_part(request.user, r) for r in selectors.my_registrations(user=request.user).filter(contest=contest)
    )
    show_selection = view.qualified_visible and (participant or manages or view.results_visible)
    if not (view.results_visible or show_selection):
        return render(request, "contests/round_results.html", {"contest": contest, "view": view, "page": None})
    status = None if view.results_visible or manages else RoundEntry.Status.QUALIFIED
    page = selectors.round_results_page(rnd=rnd, status=status, number=request.GET.get("page"))
    return render(
        request,
        "contests/round_results.html",
        {"contest": contest, "view": view, "page": page, "show_scores": view.results_visible or manages},
    )


# --- participants -------------------------------------------------------------------------------


@login_required
def my_contests(request):
    rows = selectors.my_registrations(user=request.user)
    page = Paginator(rows, PAGE_SIZE).get_page(parse_int(request.GET.get("page"), default=1))
    return render(
        request,
        "contests/my_contests.html",
        {"page": page, "open_now": list(selectors.open_for_registration(user=request.user)[:10])},
    )


@login_required
def register(request, slug: str):
    """Register oneself (individual contests) or one's team, with oneself as its leader."""
    contest = public_contest_or_404(request.user, slug)
    form_class = TeamForm if contest.is_team else RegisterForm
    form = form_class(_posted(request)[0], contest=contest)

    def save(data):
        if contest.is_team:
            return services.team_register(
                actor=request.user, contest=contest, name=data["name"], leader=request.user,
                members=data["member_users"], subject=data.get("subject", ""),
            )  # fmt: skip
        return services.registration_create(
            actor=request.user, contest=contest, user=request.user, subject=data.get("subject", "")
        )

    saved = form_saved(request, form, save)
    if saved:
        messages.success(request, _("You are registered for %(contest)s.") % {"contest": contest.title})
        return redirect("contests:public", slug=contest.slug)
    return render(request, "contests/register.html", {"contest": contest, "form": form})


@login_required
def school_register(request, slug: str):
    """A school's manager registers the school's people (or a team of them)."""
    contest = public_contest_or_404(request.user, slug)
    paths = schools_registering(request.user)
    if not paths:
        raise PermissionDenied
    schools = list(Unit.objects.filter(path__in=paths).order_by("name"))
    school = schools[0]
    if request.GET.get("school"):
        school = next((s for s in schools if s.pk == parse_id(request.GET["school"])), None)
        if school is None:
            raise Http404
    if contest.is_team:
        form = TeamForm(_posted(request)[0], contest=contest, leader_choices=True)
    else:
        candidates = (
            people_holding(roles=AUDIENCE_ROLES[contest.audience], below=school)
            .exclude(
                contest_registrations__contest=contest, contest_registrations__status=Registration.Status.REGISTERED
            )
            .order_by("full_name")
        )
        form = SchoolRegisterForm(_posted(request)[0], contest=contest, candidates=candidates)

    def save(data):
        if contest.is_team:
            if data["leader_user"] is None:
                raise ValidationError({"leader": _("Give the leader's username.")})
            return [
                services.team_register(
                    actor=request.user, contest=contest, name=data["name"], leader=data["leader_user"],
                    members=data["member_users"], subject=data.get("subject", ""),
                )
            ]  # fmt: skip
        return services.registrations_create(
            actor=request.user, contest=contest, users=list(data["people"]), subject=data.get("subject", "")
        )

    saved = form_saved(request, form, save)
    if saved:
        messages.success(request, _("%(count)d registered.") % {"count": len(saved.result)})
        return redirect(f"{reverse('contests:school_register', args=[contest.slug])}?school={school.pk}")
    registered = selectors.school_registrations(contest=contest, school=school)
    return render(
        request,
        "contests/school_register.html",
        {"contest": contest, "form": form, "school": school, "schools": schools, "registered": registered},
    )


@login_required
@require_POST
def withdraw(request, pk: int):
    registration = get_object_or_404(Registration.objects.select_related("contest", "team", "school"), pk=pk)
    try:
        services.registration_withdraw(actor=request.user, registration=registration)
        messages.success(request, _("The registration is withdrawn."))
    except PermissionDenied:
        raise Http404 from None
    except ValidationError as error:
        messages.error(request, _first_message(error))
    return redirect("contests:public", slug=registration.contest.slug)


@login_required
def product_submit(request, pk: int):
    entry = entry_for_participant_or_404(request.user, pk)
    rnd = entry.round
    if rnd.kind != Round.Kind.PRODUCT:
        raise Http404
    product = Product.objects.filter(entry=entry).first()
    form = ProductForm(*_posted(request))
    saved = form_saved(
        request,
        form,
        lambda data: services.product_submit(
            actor=request.user,
            entry=entry,
            title=data["title"],
            description=data["description"],
            video_url=data["video_url"],
            upload=data["file"],
        ),
        upload_field="file",
    )
    if saved:
        messages.success(request, _("Version %(number)d is handed in.") % {"number": saved.result.number})
        return redirect("contests:product", pk=entry.pk)
    versions = list(product.versions.all()) if product else []
    return render(
        request,
        "contests/product_submit.html",
        {
            "entry": entry,
            "round": rnd,
            "contest": rnd.contest,
            "form": form,
            "versions": versions,
            "now": timezone.now(),
        },
    )


@login_required
def product_file(request, pk: int):
    """A version's file, to its participants and the organisers only (private storage, never a public URL)."""
    version = get_object_or_404(
        ProductVersion.objects.select_related(
            "product__entry__round__contest__organiser", "product__entry__registration"
        ),
        pk=pk,
    )
    if not version.file or not can_download_product(request.user, version.product.entry):
        raise Http404
    return file_response(version.file, name=version.file_name)


# --- organisers ---------------------------------------------------------------------------------


@login_required
def organise(request):
    units = organiser_units(request.user)
    if not units:
        raise PermissionDenied
    page = Paginator(selectors.contests_organised(user=request.user), PAGE_SIZE).get_page(
        parse_int(request.GET.get("page"), default=1)
    )
    return render(request, "contests/organise.html", {"page": page, "units": units})


def _contest_data(data: dict) -> tuple[dict, list]:
    data = dict(data)
    open_to = list(data.pop("open_to", []) or [])
    return data, open_to


@login_required
def contest_new(request):
    organiser = get_object_or_404(Unit, pk=parse_id(request.GET.get("unit")) or 0)
    if not can_organise_at(request.user, organiser):
        raise PermissionDenied
    form = ContestForm(_posted(request)[0], organiser=organiser)

    def save(data):
        fields, open_to = _contest_data(data)
        return services.contest_create(actor=request.user, organiser=organiser, open_to=open_to, **fields)

    saved = form_saved(request, form, save)
    if saved:
        messages.success(request, _("The contest is created as a draft. Add its rounds, then announce it."))
        return redirect("contests:manage", pk=saved.result.pk)
    return render(request, "contests/contest_form.html", {"form": form, "organiser": organiser, "contest": None})


@login_required
def contest_edit(request, pk: int):
    contest = contest_for_manager_or_404(request.user, pk)
    initial = {name: getattr(contest, name) for name in services.CONTEST_FIELDS}
    initial["open_to"] = list(contest.open_to.all())
    form = ContestForm(_posted(request)[0], organiser=contest.organiser, initial=initial)

    def save(data):
        fields, open_to = _contest_data(data)
        return services.contest_update(actor=request.user, contest=contest, open_to=open_to, **fields)

    saved = form_saved(request, form, save)
    if saved:
        messages.success(request, _("Saved."))
        return redirect("contests:manage", pk=contest.pk)
    return render(
        request, "contests/contest_form.html", {"form": form, "organiser": contest.organiser, "contest": contest}
    )


@login_required
def contest_manage(request, pk: int):
    contest = contest_for_manager_or_404(request.user, pk)
    now = timezone.now()
    rounds = [selectors.round_view(r, now) for r in selectors.contest_rounds(contest=contest)]
    context = {
        "contest": contest,
        "rounds": rounds,
        "now": now,
        "problems": services.announce_problems(contest, now=now) if contest.status == Contest.Status.DRAFT else [],
        "by_school": selectors.registrations_by_school(contest=contest),
        "open_to": list(contest.open_to.all()),
    }
    return render(request, "contests/contest_manage.html", context)


@login_required
@require_POST
def contest_announce(request, pk: int):
    contest = contest_for_manager_or_404(request.user, pk)
    try:
        services.contest_announce(actor=request.user, contest=contest)
        messages.success(request, _("The contest is announced: its page is public and registration opens on time."))
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    return redirect("contests:manage", pk=contest.pk)


def _round_data(data: dict) -> dict:
    return {k: v for k, v in data.items() if k in services.ROUND_FIELDS}


@login_required
def round_new(request, pk: int):
    contest = contest_for_manager_or_404(request.user, pk)
    form = RoundForm(_posted(request)[0], contest=contest, user=request.user)
    saved = form_saved(
        request, form, lambda data: services.round_create(actor=request.user, contest=contest, **_round_data(data))
    )
    if saved:
        messages.success(request, _("The round is added."))
        return redirect("contests:manage", pk=contest.pk)
    return render(request, "contests/round_form.html", {"form": form, "contest": contest, "round": None})


@login_required
def round_edit(request, pk: int):
    rnd = get_object_or_404(Round.objects.select_related("contest__organiser"), pk=pk)
    contest = contest_for_manager_or_404(request.user, rnd.contest_id)
    initial = {name: getattr(rnd, name) for name in services.ROUND_FIELDS}
    form = RoundForm(_posted(request)[0], contest=contest, user=request.user, initial=initial)
    saved = form_saved(
        request, form, lambda data: services.round_update(actor=request.user, rnd=rnd, **_round_data(data))
    )
    if saved:
        messages.success(request, _("Saved."))
        return redirect("contests:manage", pk=contest.pk)
    return render(request, "contests/round_form.html", {"form": form, "contest": contest, "round": rnd})


@login_required
@require_POST
def round_close(request, pk: int):
    rnd = get_object_or_404(Round.objects.select_related("contest__organiser"), pk=pk)
    contest = contest_for_manager_or_404(request.user, rnd.contest_id)
    try:
        services.round_close(actor=request.user, rnd=rnd)
        messages.success(request, _("The round is closed: entries are ranked and who goes on is chosen."))
    except ValidationError as error:
        messages.error(request, _first_message(error))
    return redirect("contests:manage", pk=contest.pk)
