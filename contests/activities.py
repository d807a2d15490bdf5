"""Every write of experiential activities (hoạt động trải nghiệm sáng tạo, issue #18 point 5): the activity
and its stages, teams, the teams' products per stage (with versions), self- and peer-assessment, the
teacher's comment, and entering a good product into a contest's product round.

Like contests/services.py: keyword-only, atomic, a refusal is a ValidationError with a clear message and
writes nothing, each change leaves an audit entry (units.services.audit_log). Entering a contest goes
through contests' own services (`team_register`, `product_submit`) with every check they make.
"""

from collections import defaultdict

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.selectors import class_students
from truonghoc.marks import parse_mark
from truonghoc.richtext import clean_html
from truonghoc.text import nfc
from truonghoc.uploads import check_upload
from units.models import Unit
from units.selectors import school_year_for
from units.services import audit_log

from . import services
from .models import (
    ACTIVITY_FILE_TYPES,
    ACTIVITY_MAX_FILE_MB,
    ASSESSMENT_MAX,
    ASSESSMENT_MIN,
    TEAM_SIZE_LIMIT,
    Activity,
    ActivityContestEntry,
    ActivityStudent,
    ActivityTeam,
    ActivityTeamMember,
    Assessment,
    Registration,
    Round,
    RoundEntry,
    Stage,
    StageProduct,
    StageProductVersion,
    TeamComment,
    link_validator,
)
from .permissions_activities import can_manage_activity, can_set_activity_for, can_view_as_student, team_member
from .selectors_activities import activity_students

MB = 1024 * 1024


def _fmt(moment) -> str:
    return services._fmt(moment)


def _locked(activity: Activity) -> Activity:
    return (
        Activity.objects.select_for_update(of=("self",))
        .select_related("school", "school_class", "owner")
        .get(pk=activity.pk)
    )


def _managed(actor, activity: Activity) -> Activity:
    activity = _locked(activity)
    if not can_manage_activity(actor, activity):
        raise PermissionDenied
    return activity


def _not_closed(activity: Activity) -> None:
    if activity.status == Activity.Status.CLOSED:
        raise ValidationError(_("This activity is closed: it no longer changes."), code="closed")


def _snapshot(activity: Activity) -> dict:
    return {"title": activity.title, "status": activity.status, "class": activity.school_class_id}


# --- the activity ---------------------------------------------------------------------------------


def _check_students(school_class: Unit, whole_class: bool, students) -> list:
    """The chosen students, all of the class; refused with the names of those who are not."""
    if whole_class:
        return []
    students = list({s.pk: s for s in students or []}.values())
    if not students:
        raise ValidationError({"students": _("Choose the students taking part, or set it for the whole class.")})
    in_class = {s.pk for s in class_students(school_class=school_class)}
    strangers = [s.full_name or s.get_username() for s in students if s.pk not in in_class]
    if strangers:
        raise ValidationError(
            {
                "students": _("Not students of %(class)s: %(names)s.")
                % {"class": school_class.name, "names": ", ".join(strangers)}
            },
            code="other_class",
        )
    return students


def _clean_words(activity: Activity) -> None:
    activity.title = nfc(activity.title)
    activity.goal = nfc(activity.goal)
    activity.description = clean_html(activity.description)
    if not activity.title:
        raise ValidationError({"title": _("Give the activity a title.")})


@transaction.atomic
def activity_create(
    *,
    actor,
    school_class: Unit,
    title: str,
    goal: str = "",
    description: str = "",
    whole_class: bool = True,
    students=None,
    now=None,
) -> Activity:
    """A draft activity of `actor` for `school_class` (a class they teach this year or are the homeroom
    teacher of), for the whole class or for the chosen students of it."""
    now = now or timezone.now()
    if not can_set_activity_for(actor, school_class):
        raise PermissionDenied
    chosen = _check_students(school_class, whole_class, students)
    activity = Activity(
        school=Unit.objects.get(path=school_class.school_path),
        school_class=school_class,
        owner=actor,
        title=title,
        goal=goal,
        description=description,
        whole_class=whole_class,
        school_year=school_year_for(school_class, timezone.localdate(now)).label,
        created_at=now,
        updated_at=now,
    )
    _clean_words(activity)
    activity.full_clean()
    activity.save()
    ActivityStudent.objects.bulk_create(ActivityStudent(activity=activity, student=s) for s in chosen)
    audit_log(actor=actor, action="contest.activity_create", unit=activity.school, target=activity,
              after={**_snapshot(activity), "students": sorted(s.pk for s in chosen)})  # fmt: skip
    return activity


@transaction.atomic
def activity_update(
    *, actor, activity: Activity, title: str, goal: str = "", description: str = "", whole_class=None, students=None
) -> Activity:
    """Change an activity's words; who takes part (the whole class or the chosen) only while it is a draft:
    once open, its students have teams and products."""
    activity = _managed(actor, activity)
    _not_closed(activity)
    before = _snapshot(activity)
    activity.title, activity.goal, activity.description = title, goal, description
    _clean_words(activity)
    if whole_class is not None:
        current = set(ActivityStudent.objects.filter(activity=activity).values_list("student_id", flat=True))
        wanted = set() if whole_class else {s.pk for s in students or []}
        if whole_class != activity.whole_class or (not whole_class and wanted != current):
            if activity.status != Activity.Status.DRAFT:
                raise ValidationError(
                    {"students": _("Who takes part cannot change once the activity is open.")}, code="open"
                )
            chosen = _check_students(activity.school_class, whole_class, students)
            activity.whole_class = whole_class
            ActivityStudent.objects.filter(activity=activity).delete()
            ActivityStudent.objects.bulk_create(ActivityStudent(activity=activity, student=s) for s in chosen)
    activity.updated_at = timezone.now()
    activity.full_clean()
    activity.save()
    audit_log(actor=actor, action="contest.activity_update", unit=activity.school, target=activity, before=before,
              after=_snapshot(activity))  # fmt: skip
    return activity


@transaction.atomic
def activity_open(*, actor, activity: Activity, now=None) -> Activity:
    """Draft → open: the students see it and hand in. It needs a stage, the last one due in the future."""
    now = now or timezone.now()
    activity = _managed(actor, activity)
    if activity.status != Activity.Status.DRAFT:
        raise ValidationError(_("This activity is already open."), code="open")
    last = activity.stages.order_by("-position").first()
    if last is None:
        raise ValidationError(_("Add at least one stage before opening the activity."), code="no_stage")
    if last.due_at <= now:
        raise ValidationError(
            _("The last stage was due at %(time)s, which has passed: give it a later date.")
            % {"time": _fmt(last.due_at)},
            code="past",
        )
    activity.status, activity.opened_at, activity.updated_at = Activity.Status.OPEN, now, now
    activity.save(update_fields=["status", "opened_at", "updated_at"])
    audit_log(actor=actor, action="contest.activity_open", unit=activity.school, target=activity,
              after=_snapshot(activity))  # fmt: skip
    return activity


@transaction.atomic
def activity_close(*, actor, activity: Activity, now=None) -> Activity:
    """Open → closed: nothing more is handed in or rated; the teacher may still comment and enter products
    into contests."""
    now = now or timezone.now()
    activity = _managed(actor, activity)
    if activity.status != Activity.Status.OPEN:
        raise ValidationError(_("Only an open activity can be closed."), code="not_open")
    activity.status, activity.closed_at, activity.updated_at = Activity.Status.CLOSED, now, now
    activity.save(update_fields=["status", "closed_at", "updated_at"])
    audit_log(actor=actor, action="contest.activity_close", unit=activity.school, target=activity,
              after=_snapshot(activity))  # fmt: skip
    return activity


# --- stages -----------------------------------------------------------------------------------------


def _check_stage_order(stage: Stage) -> None:
    """Each stage is due after the one before it and before the one after it."""
    siblings = list(stage.activity.stages.exclude(pk=stage.pk).order_by("position"))
    before = [s for s in siblings if s.position < stage.position]
    after = [s for s in siblings if s.position > stage.position]
    if before and stage.due_at <= before[-1].due_at:
        raise ValidationError(
            {
                "due_at": _("The stage before (%(name)s) is due at %(time)s: this one must be due later.")
                % {"name": before[-1].name, "time": _fmt(before[-1].due_at)}
            },
            code="order",
        )
    if after and stage.due_at >= after[0].due_at:
        raise ValidationError(
            {
                "due_at": _("The stage after (%(name)s) is due at %(time)s: this one must be due earlier.")
                % {"name": after[0].name, "time": _fmt(after[0].due_at)}
            },
            code="order",
        )


def _clean_stage(stage: Stage) -> None:
    stage.name = nfc(stage.name)
    stage.description = clean_html(stage.description)
    if not stage.name:
        raise ValidationError({"name": _("Give the stage a name.")})
    if stage.due_at is None:
        raise ValidationError({"due_at": _("Give the stage's due date.")})
    _check_stage_order(stage)


@transaction.atomic
def stage_add(*, actor, activity: Activity, name: str, due_at, description: str = "") -> Stage:
    """A new last stage, due after the one before."""
    activity = _managed(actor, activity)
    _not_closed(activity)
    last = activity.stages.order_by("-position").first()
    stage = Stage(
        activity=activity, position=(last.position + 1) if last else 1, name=name, description=description,
        due_at=due_at,
    )  # fmt: skip
    _clean_stage(stage)
    stage.full_clean()
    stage.save()
    audit_log(actor=actor, action="contest.stage_add", unit=activity.school, target=stage,
              after={"name": stage.name, "due_at": stage.due_at.isoformat()})  # fmt: skip
    return stage


@transaction.atomic
def stage_update(*, actor, stage: Stage, name: str, due_at, description: str = "") -> Stage:
    """Rename a stage or move its due date (still between its neighbours'), until the activity closes."""
    activity = _managed(actor, stage.activity)
    _not_closed(activity)
    stage = Stage.objects.select_for_update().get(pk=stage.pk)
    stage.activity = activity
    before = {"name": stage.name, "due_at": stage.due_at.isoformat()}
    stage.name, stage.due_at, stage.description = name, due_at, description
    _clean_stage(stage)
    stage.full_clean()
    stage.save()
    audit_log(actor=actor, action="contest.stage_update", unit=activity.school, target=stage, before=before,
              after={"name": stage.name, "due_at": stage.due_at.isoformat()})  # fmt: skip
    return stage


# --- teams ------------------------------------------------------------------------------------------


@transaction.atomic
def team_create(*, actor, activity: Activity, name: str, members: list, leader=None) -> ActivityTeam:
    """A team of students taking part in the activity, none already in another team of it; the leader is
    one of them (the first when none is named)."""
    activity = _managed(actor, activity)
    _not_closed(activity)
    name = nfc(name)
    if not name:
        raise ValidationError({"name": _("Give the team a name.")})
    members = list({m.pk: m for m in members or []}.values())
    if not members:
        raise ValidationError({"members": _("Choose the team's members.")})
    leader = leader or members[0]
    if leader.pk not in {m.pk for m in members}:
        raise ValidationError({"leader": _("The leader is one of the team's members.")}, code="leader")
    taking_part = {s.pk for s in activity_students(activity=activity)}
    strangers = [m.full_name or m.get_username() for m in members if m.pk not in taking_part]
    if strangers:
        raise ValidationError(
            {
                "members": _("Not taking part in this activity (not in %(class)s or not chosen): %(names)s.")
                % {"class": activity.school_class.name, "names": ", ".join(strangers)}
            },
            code="other_class",
        )
    taken = ActivityTeamMember.objects.filter(activity=activity, student__in=members).select_related("student", "team")
    taken = list(taken)
    if taken:
        raise ValidationError(
            {
                "members": _("Already in a team of this activity: %(names)s.")
                % {"names": ", ".join(f"{t.student.full_name} ({t.team.name})" for t in taken)}
            },
            code="taken",
        )
    if activity.teams.filter(name=name).exists():
        raise ValidationError({"name": _("This activity already has a team of that name.")}, code="name")
    team = ActivityTeam.objects.create(activity=activity, name=name)
    ActivityTeamMember.objects.bulk_create(
        ActivityTeamMember(team=team, activity=activity, student=m, is_leader=m.pk == leader.pk) for m in members
    )
    audit_log(actor=actor, action="contest.activity_team_create", unit=activity.school, target=team,
              after={"name": name, "members": sorted(m.pk for m in members), "leader": leader.pk})  # fmt: skip
    return team


@transaction.atomic
def team_join(*, actor, team: ActivityTeam) -> ActivityTeamMember:
    """A student taking part joins a team of their choice while the activity is open, when they are in no
    team of it yet (the teacher may still form the teams instead). The first to join an empty team leads
    it; a team holds at most TEAM_SIZE_LIMIT students."""
    team = ActivityTeam.objects.get(pk=team.pk)
    activity = _locked(team.activity)
    if not can_view_as_student(actor, activity):
        raise PermissionDenied
    if activity.status != Activity.Status.OPEN:
        raise ValidationError(_("Teams are joined while the activity is open."), code="not_open")
    place = team_member(actor, activity)
    if place is not None:
        raise ValidationError(_("You are already in the team %(name)s.") % {"name": place.team.name}, code="taken")
    size = team.members.count()
    if size >= TEAM_SIZE_LIMIT:
        raise ValidationError(
            _("The team %(name)s is full (%(count)d members).") % {"name": team.name, "count": size}, code="full"
        )
    member = ActivityTeamMember.objects.create(team=team, activity=activity, student=actor, is_leader=size == 0)
    audit_log(actor=actor, action="contest.activity_team_join", unit=activity.school, target=team,
              after={"student": actor.pk})  # fmt: skip
    return member


@transaction.atomic
def team_remove(*, actor, team: ActivityTeam) -> None:
    """Undo a team that has handed in nothing and been rated by nobody (its students may join another)."""
    activity = _managed(actor, team.activity)
    _not_closed(activity)
    team = ActivityTeam.objects.select_for_update().get(pk=team.pk)
    if team.products.exists() or team.assessments.exists() or team.contest_entries.exists():
        raise ValidationError(_("This team has already handed in or rated work: it stays."), code="has_work")
    members = sorted(team.members.values_list("student_id", flat=True))
    audit_log(actor=actor, action="contest.activity_team_remove", unit=activity.school, target=team,
              before={"name": team.name, "members": members})  # fmt: skip
    team.delete()


# --- products ----------------------------------------------------------------------------------------


@transaction.atomic
def stage_product_submit(
    *, actor, stage: Stage, title: str = "", description: str = "", link: str = "", upload=None, now=None
) -> StageProductVersion:
    """A team member hands in (a new version of) their team's product at a stage: a file (checked by its
    content), an http(s) link and/or a description. Refused after the stage's due date and once the
    activity is closed."""
    now = now or timezone.now()
    stage = Stage.objects.select_related("activity__school", "activity__school_class", "activity__owner").get(
        pk=stage.pk
    )
    activity = stage.activity
    if not can_view_as_student(actor, activity):
        raise PermissionDenied
    if activity.status != Activity.Status.OPEN:
        raise ValidationError(_("This activity is closed: nothing more is handed in."), code="closed")
    place = team_member(actor, activity)
    if place is None:
        raise ValidationError(_("You are in no team of this activity yet: ask your teacher."), code="no_team")
    if now >= stage.due_at:
        raise ValidationError(
            _("The stage %(name)s was due at %(time)s.") % {"name": stage.name, "time": _fmt(stage.due_at)},
            code="deadline",
        )
    title, description, link = nfc(title) or stage.name, nfc(description), (link or "").strip()
    errors: dict[str, list[str]] = defaultdict(list)
    if link:
        try:
            link_validator(link)
        except ValidationError as exc:
            errors["link"].extend(exc.messages)
    checked = None
    if upload is not None:
        try:
            checked = check_upload(upload, allowed=ACTIVITY_FILE_TYPES, max_bytes=ACTIVITY_MAX_FILE_MB * MB)
        except ValidationError as exc:
            errors["file"].extend(exc.messages)
    if upload is None and not link and not description:
        errors["file"].append(_("Hand in a file, a link or a description of your product."))
    if errors:
        raise ValidationError(dict(errors))
    product, _created = StageProduct.objects.select_for_update().get_or_create(team=place.team, stage=stage)
    product.version_count += 1
    product.updated_at = now
    product.save(update_fields=["version_count", "updated_at"])
    version = StageProductVersion(
        product=product,
        number=product.version_count,
        title=title[:255],
        description=description,
        link=link,
        submitted_by=actor,
        submitted_at=now,
    )
    if checked is not None:
        version.file_name, version.file_size = checked.name, checked.size
    version.full_clean(exclude=["file"])
    if checked is not None:
        version.file.save(checked.name, upload, save=False)
    version.save()
    audit_log(actor=actor, action="contest.stage_product_submit", unit=activity.school, target=version,
              after={"team": place.team_id, "stage": stage.pk, "version": version.number})  # fmt: skip
    return version


# --- assessment -------------------------------------------------------------------------------------


def _score(value) -> int:
    try:
        score = int(str(value).strip())
    except (TypeError, ValueError):
        score = None
    if score is None or not ASSESSMENT_MIN <= score <= ASSESSMENT_MAX:
        raise ValidationError(
            {"score": _("Give a score from %(min)d to %(max)d.") % {"min": ASSESSMENT_MIN, "max": ASSESSMENT_MAX}},
            code="range",
        )
    return score


@transaction.atomic
def assessment_submit(
    *, actor, activity: Activity, subject, score, comment: str = "", kind: str = Assessment.Kind.PEER
) -> Assessment:
    """A student rates their own contribution (`kind` self, `subject` themself) or a teammate's (peer, never
    themself), on the 1–5 scale with a comment, while the activity is open; rating again replaces it."""
    activity = Activity.objects.select_related("school", "school_class", "owner").get(pk=activity.pk)
    if not can_view_as_student(actor, activity):
        raise PermissionDenied
    if activity.status != Activity.Status.OPEN:
        raise ValidationError(_("This activity is closed: assessments no longer change."), code="closed")
    place = team_member(actor, activity)
    if place is None:
        raise ValidationError(_("You are in no team of this activity yet: ask your teacher."), code="no_team")
    if kind == Assessment.Kind.SELF:
        if subject.pk != actor.pk:
            raise ValidationError(_("A self-assessment is of your own contribution."), code="self")
    elif kind == Assessment.Kind.PEER:
        if subject.pk == actor.pk:
            raise ValidationError(
                _("You cannot rate yourself as a teammate: use the self-assessment."), code="self_as_peer"
            )
        if not ActivityTeamMember.objects.filter(team=place.team, student_id=subject.pk).exists():
            raise ValidationError(_("You rate only the members of your own team."), code="not_teammate")
    else:
        raise ValidationError(_("Unknown kind of assessment."), code="kind")
    score = _score(score)
    comment = nfc(comment)[:2000]
    assessment, created = Assessment.objects.select_for_update().get_or_create(
        activity=activity,
        assessor=actor,
        subject=subject,
        defaults={"team": place.team, "kind": kind, "score": score, "comment": comment},
    )
    if not created:
        assessment.team, assessment.kind, assessment.score, assessment.comment = place.team, kind, score, comment
        assessment.updated_at = timezone.now()
        assessment.save(update_fields=["team", "kind", "score", "comment", "updated_at"])
    audit_log(actor=actor, action="contest.assessment_submit", unit=activity.school, target=assessment,
              after={"kind": kind, "subject": subject.pk, "score": score})  # fmt: skip
    return assessment


# --- the teacher's comment ---------------------------------------------------------------------------


@transaction.atomic
def team_comment_set(*, actor, team: ActivityTeam, comment: str, mark=None) -> TeamComment:
    """The teacher's comment on a team's work, with an optional mark on the 10-point scale; the team's
    students (and their parents) read it."""
    activity = _managed(actor, team.activity)
    if activity.status == Activity.Status.DRAFT:
        raise ValidationError(_("Open the activity before commenting on the teams' work."), code="draft")
    comment = nfc(comment)
    if not comment:
        raise ValidationError({"comment": _("Write the comment.")})
    mark = parse_mark(mark, field="mark") if mark not in (None, "") else None
    row = TeamComment.objects.select_for_update().filter(team=team).first() or TeamComment(team=team)
    before = {"comment": row.comment, "mark": str(row.mark) if row.mark is not None else None} if row.pk else None
    row.comment, row.mark, row.written_by, row.updated_at = comment, mark, actor, timezone.now()
    row.full_clean()
    row.save()
    audit_log(actor=actor, action="contest.team_comment", unit=activity.school, target=team, before=before,
              after={"comment": comment, "mark": str(mark) if mark is not None else None})  # fmt: skip
    return row


# --- entering a product into a contest ---------------------------------------------------------------


@transaction.atomic
def activity_enter_contest(
    *, actor, version: StageProductVersion, rnd: Round, team_name: str = "", now=None
) -> ActivityContestEntry:
    """The teacher enters a team's product (a version handed in at a stage) into an open product round of a
    team contest: the team is registered through `services.team_register` (or its earlier registration in
    that contest reused) and the product handed in through `services.product_submit`, with all their checks
    (registration window, school quota, grades, open units, team size, deadline, file types and size).
    Any refusal is theirs, and nothing at all is written."""
    now = now or timezone.now()
    version = StageProductVersion.objects.select_related("product__team__activity", "product__stage").get(pk=version.pk)
    team = version.product.team
    activity = _managed(actor, team.activity)
    team.activity = activity
    rnd = Round.objects.select_related("contest__organiser").get(pk=rnd.pk)
    contest = rnd.contest
    if rnd.kind != Round.Kind.PRODUCT:
        raise ValidationError(_("Choose a product round: an online test round takes no products."), code="kind")
    members = list(team.members.select_related("student").order_by("-is_leader", "id"))
    leader = members[0].student
    earlier = (
        ActivityContestEntry.objects.filter(team=team, entry__registration__contest=contest)
        .select_related("entry__registration")
        .first()
    )
    if earlier is not None and earlier.entry.registration.status == Registration.Status.REGISTERED:
        registration = earlier.entry.registration
    else:
        registration = services.team_register(
            actor=actor,
            contest=contest,
            name=nfc(team_name) or f"{team.name} – {activity.school_class.name}",
            members=[m.student for m in members],
            leader=leader,
            now=now,
            activity_team=team,
        )
    entry = RoundEntry.objects.filter(round=rnd, registration=registration).first()
    if entry is None:
        raise ValidationError(
            _("The team is not in %(round)s: a team enters a contest at its first round and goes on by its results.")
            % {"round": rnd.title},
            code="not_in_round",
        )
    upload = None
    if version.file:
        upload = File(version.file.open("rb"), name=version.file_name)
    try:
        made = services.product_submit(
            actor=actor,
            entry=entry,
            title=version.title,
            description=version.description,
            video_url=version.link,
            upload=upload,
            now=now,
            activity_team=team,
        )
    finally:
        if upload is not None:
            upload.close()
    row = ActivityContestEntry.objects.create(team=team, source=version, entry=entry, version=made, entered_by=actor)
    audit_log(actor=actor, action="contest.activity_enter", unit=activity.school, target=row,
              after={"contest": contest.pk, "round": rnd.pk, "team": team.pk, "version": made.number})  # fmt: skip
    return row
