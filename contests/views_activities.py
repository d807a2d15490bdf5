"""Pages of experiential activities (issue #18 point 5). Thin: each checks permission
(contests.permissions_activities), calls a form, a service (contests.activities) or a selector
(contests.selectors_activities) and renders. Who is not allowed sees a 404, as for the contests."""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.selectors import children_of, class_students, classes_students
from truonghoc.forms import form_saved, service_outcome
from truonghoc.params import parse_id, parse_int
from truonghoc.storage import file_response
from units.permissions import TEACHING_ROLES, has_role

from . import activities as services
from . import selectors_activities as selectors
from .forms_activities import (
    ActivityForm,
    AssessmentForm,
    CommentForm,
    EnterContestForm,
    StageForm,
    StageProductForm,
    TeamForm,
)
from .models import Activity, ActivityTeam, Assessment, Stage, StageProductVersion
from .permissions_activities import (
    activity_for_student_or_404,
    activity_for_teacher_or_404,
    can_download_stage_file,
    can_manage_activity,
    parent_child_in,
    team_for_teacher_or_404,
    team_member,
)

PAGE_SIZE = 20


def _page(request, rows):
    return Paginator(rows, PAGE_SIZE).get_page(parse_int(request.GET.get("page"), default=1))


# --- the teacher ------------------------------------------------------------------------------------


@login_required
def activity_list(request):
    """The teacher's activities (and, for a principal or vice-principal, the school's)."""
    classes = selectors.classes_for_teacher(user=request.user)
    overseen = selectors.overseen_school_paths(request.user)
    scope = "school" if request.GET.get("xem") == "truong" and overseen else "mine"
    if not (classes or overseen or has_role(request.user, *TEACHING_ROLES)):
        raise PermissionDenied
    page = _page(request, selectors.activities_for_teacher(user=request.user, scope=scope))
    return render(
        request,
        "contests/activities/activity_list.html",
        {"page": page, "classes": classes, "oversees": bool(overseen), "scope": scope},
    )


@login_required
def activity_new(request):
    classes = selectors.classes_for_teacher(user=request.user)
    if not classes:
        raise PermissionDenied
    by_class = classes_students(class_ids=[c.pk for c in classes])
    students = [s for c in classes for s in by_class.get(c.pk, [])]
    initial = {}
    chosen = parse_id(request.GET.get("lop"))
    if chosen and any(c.pk == chosen for c in classes):
        initial["school_class"] = chosen
    form = ActivityForm(request.POST or None, classes=classes, students=students, initial=initial)
    saved = form_saved(
        request,
        form,
        lambda data: services.activity_create(
            actor=request.user,
            school_class=data["school_class"],
            title=data["title"],
            goal=data["goal"],
            description=data["description"],
            whole_class=data["whole_class"],
            students=list(data["students"]),
        ),
    )
    if saved:
        messages.success(request, _("The activity is created as a draft: add its stages and teams, then open it."))
        return redirect("contests:activity", pk=saved.result.pk)
    return render(request, "contests/activities/activity_form.html", {"form": form, "activity": None})


@login_required
def activity_edit(request, pk: int):
    activity = activity_for_teacher_or_404(request.user, pk, write=True)
    students = class_students(school_class=activity.school_class)
    initial = {
        "title": activity.title,
        "goal": activity.goal,
        "description": activity.description,
        "whole_class": activity.whole_class,
        "students": list(activity.chosen_students.values_list("student_id", flat=True)),
    }
    form = ActivityForm(
        request.POST or None, classes=[], students=students, fixed_class=activity.school_class, initial=initial
    )
    saved = form_saved(
        request,
        form,
        lambda data: services.activity_update(
            actor=request.user,
            activity=activity,
            title=data["title"],
            goal=data["goal"],
            description=data["description"],
            whole_class=data["whole_class"],
            students=list(data["students"]),
        ),
    )
    if saved:
        messages.success(request, _("Saved."))
        return redirect("contests:activity", pk=activity.pk)
    return render(request, "contests/activities/activity_form.html", {"form": form, "activity": activity})


@login_required
def activity_detail(request, pk: int):
    """The teacher's page of an activity: stages, teams, the board of products, assessments, comments and
    the products entered into contests. The principal reads the same page without the buttons."""
    activity = activity_for_teacher_or_404(request.user, pk)
    manages = can_manage_activity(request.user, activity)
    stages, board = selectors.activity_board(activity=activity)
    students = selectors.activity_students(activity=activity)
    in_teams = {m.student_id for row in board for m in row.team.members.all()}
    free = [s for s in students if s.pk not in in_teams]
    context = {
        "activity": activity,
        "manages": manages,
        "stages": stages,
        "board": board,
        "students": students,
        "free": free,
        "assessments": selectors.assessments_for_teacher(activity=activity),
        "entries": selectors.contest_entries_of(activity=activity),
        "now": timezone.now(),
    }
    if manages and activity.status != Activity.Status.CLOSED:
        context["stage_form"] = StageForm(prefix="stage")
        context["team_form"] = TeamForm(prefix="team", students=free)
    return render(request, "contests/activities/activity_detail.html", context)


@login_required
@require_POST
def activity_open(request, pk: int):
    activity = activity_for_teacher_or_404(request.user, pk, write=True)
    with service_outcome(request, _("The activity is open: its students see it and hand in their products.")):
        services.activity_open(actor=request.user, activity=activity)
    return redirect("contests:activity", pk=activity.pk)


@login_required
@require_POST
def activity_close(request, pk: int):
    activity = activity_for_teacher_or_404(request.user, pk, write=True)
    with service_outcome(request, _("The activity is closed: nothing more is handed in or rated.")):
        services.activity_close(actor=request.user, activity=activity)
    return redirect("contests:activity", pk=activity.pk)


@login_required
def stage_new(request, pk: int):
    activity = activity_for_teacher_or_404(request.user, pk, write=True)
    form = StageForm(request.POST or None, prefix="stage")
    saved = form_saved(
        request,
        form,
        lambda data: services.stage_add(
            actor=request.user,
            activity=activity,
            name=data["name"],
            due_at=data["due_at"],
            description=data["description"],
        ),
    )
    if saved:
        messages.success(request, _("The stage is added."))
        return redirect("contests:activity", pk=activity.pk)
    return render(request, "contests/activities/stage_form.html", {"form": form, "activity": activity, "stage": None})


@login_required
def stage_edit(request, pk: int):
    stage = get_object_or_404(Stage, pk=pk)
    activity = activity_for_teacher_or_404(request.user, stage.activity_id, write=True)
    initial = {"name": stage.name, "due_at": timezone.localtime(stage.due_at), "description": stage.description}
    form = StageForm(request.POST or None, prefix="stage", initial=initial)
    saved = form_saved(
        request,
        form,
        lambda data: services.stage_update(
            actor=request.user, stage=stage, name=data["name"], due_at=data["due_at"], description=data["description"]
        ),
    )
    if saved:
        messages.success(request, _("Saved."))
        return redirect("contests:activity", pk=activity.pk)
    return render(request, "contests/activities/stage_form.html", {"form": form, "activity": activity, "stage": stage})


@login_required
def team_new(request, pk: int):
    activity = activity_for_teacher_or_404(request.user, pk, write=True)
    form = TeamForm(request.POST or None, prefix="team", students=selectors.activity_students(activity=activity))
    saved = form_saved(
        request,
        form,
        lambda data: services.team_create(
            actor=request.user,
            activity=activity,
            name=data["name"],
            members=list(data["members"]),
            leader=data["leader"],
        ),
    )
    if saved:
        messages.success(request, _("The team %(name)s is formed.") % {"name": saved.result.name})
        return redirect("contests:activity", pk=activity.pk)
    return render(request, "contests/activities/team_form.html", {"form": form, "activity": activity})


@login_required
@require_POST
def team_remove(request, pk: int):
    team = team_for_teacher_or_404(request.user, pk, write=True)
    activity_pk = team.activity_id
    with service_outcome(request, _("The team is removed.")):
        services.team_remove(actor=request.user, team=team)
    return redirect("contests:activity", pk=activity_pk)


@login_required
def team_detail(request, pk: int):
    """A team as its teacher sees it: every version per stage, the assessments with names, the comment form,
    and entering a product into a contest."""
    team = team_for_teacher_or_404(request.user, pk)
    activity = team.activity
    manages = can_manage_activity(request.user, activity)
    comment = getattr(team, "teacher_comment", None)
    initial = {"comment": comment.comment, "mark": comment.mark} if comment else {}
    comment_form = CommentForm(request.POST or None, initial=initial)
    if request.method == "POST":
        if not manages:
            raise Http404
        saved = form_saved(
            request,
            comment_form,
            lambda data: services.team_comment_set(
                actor=request.user, team=team, comment=data["comment"], mark=data["mark"]
            ),
        )
        if saved:
            messages.success(request, _("The comment is saved: the team's students read it."))
            return redirect("contests:activity_team", pk=team.pk)
    stages = selectors.activity_stages(activity=activity)
    versions = selectors.team_versions(team=team)
    members = list(team.members.select_related("student").order_by("-is_leader", "student__name_sort"))
    rows = [r for r in selectors.assessments_for_teacher(activity=activity) if r.team and r.team.pk == team.pk]
    context = {
        "team": team,
        "activity": activity,
        "manages": manages,
        "members": members,
        "stages": [(s, versions.get(s.pk, [])) for s in stages],
        "assessments": rows,
        "comment": comment,
        "comment_form": comment_form,
    }
    return render(request, "contests/activities/team_detail.html", context)


@login_required
def team_enter_contest(request, pk: int):
    """The teacher enters one of the team's products into an open product round of a team contest."""
    team = team_for_teacher_or_404(request.user, pk, write=True)
    activity = team.activity
    rounds = selectors.rounds_to_enter(activity=activity)
    versions = [v for vs in selectors.team_versions(team=team).values() for v in vs]
    form = EnterContestForm(request.POST or None, rounds=rounds, versions=versions)
    saved = form_saved(
        request,
        form,
        lambda data: services.activity_enter_contest(
            actor=request.user, version=data["version"], rnd=data["round"], team_name=data["team_name"]
        ),
    )
    if saved:
        entry = saved.result.entry
        messages.success(
            request,
            _("The product is entered into %(contest)s (%(round)s).")
            % {"contest": entry.round.contest.title, "round": entry.round.title},
        )
        return redirect("contests:activity_team", pk=team.pk)
    return render(
        request,
        "contests/activities/enter_contest.html",
        {"team": team, "activity": activity, "form": form, "rounds": rounds, "versions": versions},
    )


# --- the student (and their parent) --------------------------------------------------------------------


@login_required
def my_activities(request):
    """The student's "Hoạt động trải nghiệm": the activities they take part in, open ones first."""
    page = _page(request, selectors.activities_for_student(user=request.user))
    return render(request, "contests/activities/my_activities.html", {"page": page, "now": timezone.now()})


@login_required
def child_activities(request):
    """A parent's view of the chosen child's activities (`?hs=<child id>`, else the first child): only
    their own children (current links); another id is a 404."""
    links = children_of(parent=request.user)
    asked = parse_id(request.GET.get("hs"))
    link = next((x for x in links if x.child_id == asked), None) if asked else (links[0] if links else None)
    if link is None:
        raise Http404
    page = _page(request, selectors.activities_for_student(user=link.child))
    return render(
        request,
        "contests/activities/my_activities.html",
        {"page": page, "now": timezone.now(), "child": link.child, "links": links},
    )


def _student_context(activity: Activity, student, *, now) -> dict:
    place = team_member(student, activity)
    team = place.team if place else None
    stages = selectors.activity_stages(activity=activity)
    versions = selectors.team_versions(team=team) if team else {}
    members = list(team.members.select_related("student").order_by("-is_leader", "student__name_sort")) if team else []
    return {
        "activity": activity,
        "student": student,
        "team": team,
        "members": members,
        "stages": [(s, versions.get(s.pk, [])) for s in stages],
        "comment": getattr(team, "teacher_comment", None) if team else None,
        "mine": selectors.assessments_for_student(activity=activity, student=student),
        "now": now,
    }


def _activity_for_reader(request, pk: int) -> tuple[Activity, object, bool]:
    """The activity and whose side of it the page shows: the student's own, or a parent's child's
    (read-only). Anyone else: 404."""
    activity = get_object_or_404(Activity.objects.select_related("school", "school_class", "owner"), pk=pk)
    child = parent_child_in(request.user, activity, child_id=parse_id(request.GET.get("hs")))
    if child is not None:
        return activity, child, False
    return activity_for_student_or_404(request.user, pk), request.user, True


@login_required
def student_activity(request, pk: int):
    activity, student, own = _activity_for_reader(request, pk)
    context = _student_context(activity, student, now=timezone.now())
    context["own"] = own
    if own and activity.is_open and context["team"] is not None:
        context["product_form"] = StageProductForm()
        context["assessment_form"] = AssessmentForm()
    elif own and activity.is_open:
        context["teams_to_join"] = selectors.activity_teams(activity=activity)
    return render(request, "contests/activities/student_activity.html", context)


@login_required
def stage_submit(request, pk: int):
    stage = get_object_or_404(Stage.objects.select_related("activity"), pk=pk)
    activity = activity_for_student_or_404(request.user, stage.activity_id)
    form = StageProductForm(request.POST or None, request.FILES or None)
    saved = form_saved(
        request,
        form,
        lambda data: services.stage_product_submit(
            actor=request.user,
            stage=stage,
            title=data["title"],
            description=data["description"],
            link=data["link"],
            upload=data["file"],
        ),
        upload_field="file",
    )
    if saved:
        messages.success(request, _("Version %(number)d is handed in.") % {"number": saved.result.number})
        return redirect("contests:my_activity", pk=activity.pk)
    context = _student_context(activity, request.user, now=timezone.now())
    context.update(stage=stage, form=form)
    return render(request, "contests/activities/stage_submit.html", context)


@login_required
@require_POST
def team_join(request, pk: int):
    """A student in no team joins one while the activity is open."""
    team = get_object_or_404(ActivityTeam.objects.select_related("activity"), pk=pk)
    activity = activity_for_student_or_404(request.user, team.activity_id)
    with service_outcome(request, _("You joined the team %(name)s.") % {"name": team.name}):
        services.team_join(actor=request.user, team=team)
    return redirect("contests:my_activity", pk=activity.pk)


@login_required
@require_POST
def assessment_submit(request, pk: int):
    activity = activity_for_student_or_404(request.user, pk)
    subject = get_object_or_404(get_user_model(), pk=parse_id(request.POST.get("subject")) or 0)
    # As posted: a rating of oneself sent as a teammate's is refused by the service, never re-labelled.
    kind = request.POST.get("kind")
    if kind not in Assessment.Kind.values:
        kind = Assessment.Kind.PEER
    form = AssessmentForm(request.POST)
    if not form.is_valid():
        messages.error(
            request, " ".join(str(e) for errors in form.errors.values() for e in errors) or _("Give a score.")
        )
        return redirect("contests:my_activity", pk=activity.pk)
    with service_outcome(request, _("Your assessment is saved.")):
        services.assessment_submit(
            actor=request.user,
            activity=activity,
            subject=subject,
            score=form.cleaned_data["score"],
            comment=form.cleaned_data["comment"],
            kind=kind,
        )
    return redirect("contests:my_activity", pk=activity.pk)


@login_required
def stage_file(request, pk: int):
    """A stage product's file (private storage): its team, the teacher, the principal, a member's parent."""
    version = get_object_or_404(
        StageProductVersion.objects.select_related(
            "product__team__activity__school", "product__team__activity__school_class", "product__team__activity__owner"
        ),
        pk=pk,
    )
    if not version.file or not can_download_stage_file(request.user, version):
        raise Http404
    return file_response(version.file, name=version.file_name)
