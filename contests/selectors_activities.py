"""Reads of experiential activities that depend on who asks: a teacher's classes and activities (and the
school's, for its principal), a student's activities, an activity's board (stages × teams × products),
the assessments as the teacher sees them (names) and as a student sees them (aggregated, anonymous), and
the contest rounds a team's product may be entered into. Each list costs the same few queries whatever
its length."""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Exists, Min, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.utils import timezone

from accounts.selectors import class_students
from gradebook.selectors import assignments_of_teacher
from units.models import Role, RoleAssignment, Unit, ancestor_paths
from units.permissions import units_where
from units.selectors import school_year_for

from .models import (
    Activity,
    ActivityContestEntry,
    ActivityStudent,
    ActivityTeam,
    ActivityTeamMember,
    Assessment,
    Audience,
    Contest,
    Participation,
    Round,
    Stage,
    StageProduct,
    StageProductVersion,
)
from .permissions_activities import OVERSEER_ROLES, teaches_at


def classes_for_teacher(*, user) -> list[Unit]:
    """The classes a teacher may set activities for: those they teach this school year (the grade book's
    assignments) and those they are the homeroom teacher of. Two queries."""
    home = getattr(user, "unit", None)
    if home is None:
        return []
    year = school_year_for(home).label
    found = {a.school_class.pk: a.school_class for a in assignments_of_teacher(teacher=user, school_year=year)}
    for school_class in Unit.objects.filter(homeroom_teacher_id=user.pk, kind=Unit.Kind.CLASS, is_active=True):
        found.setdefault(school_class.pk, school_class)
    classes = [c for c in found.values() if c.is_active and teaches_at(user, c.school_path)]
    return sorted(classes, key=lambda c: (c.grade or 0, c.name_folded))


def overseen_school_paths(user) -> list[str]:
    return sorted({held.path for held in units_where(user, OVERSEER_ROLES, kinds=Unit.SCHOOL_KINDS)})


def _counted(rows: QuerySet[Activity]) -> QuerySet[Activity]:
    stages = Stage.objects.filter(activity=OuterRef("pk")).values("activity").annotate(n=Count("id")).values("n")
    teams = ActivityTeam.objects.filter(activity=OuterRef("pk")).values("activity").annotate(n=Count("id")).values("n")
    return rows.select_related("school_class", "owner").annotate(
        stage_count=Subquery(stages), team_count=Subquery(teams)
    )


def activities_for_teacher(*, user, scope: str = "mine") -> QuerySet[Activity]:
    """The teacher's own activities (`mine`), or every activity of the schools the user oversees
    (`school`: principal, vice-principal), newest first, with their stage and team counts."""
    if scope == "school":
        paths = overseen_school_paths(user)
        rows = Activity.objects.filter(school__path__in=paths) if paths else Activity.objects.none()
    else:
        rows = Activity.objects.filter(owner_id=user.pk)
    return _counted(rows).order_by("-created_at", "-id")


def activities_for_student(*, user, now=None) -> QuerySet[Activity]:
    """The open and closed activities the student takes part in (their class's, for the whole class or
    with them chosen), with their team's name and the next stage's due date."""
    now = now or timezone.now()
    classes = RoleAssignment.objects.filter(user_id=user.pk, role=Role.STUDENT, unit__kind=Unit.Kind.CLASS).values(
        "unit_id"
    )
    chosen = ActivityStudent.objects.filter(activity=OuterRef("pk"), student_id=user.pk)
    team = ActivityTeamMember.objects.filter(activity=OuterRef("pk"), student_id=user.pk).values("team__name")[:1]
    next_due = (
        Stage.objects.filter(activity=OuterRef("pk"), due_at__gt=now)
        .values("activity")
        .annotate(first=Min("due_at"))
        .values("first")
    )
    return (
        Activity.objects.filter(school_class_id__in=classes, status__in=[Activity.Status.OPEN, Activity.Status.CLOSED])
        .filter(Q(whole_class=True) | Exists(chosen))
        .select_related("school_class", "owner")
        .annotate(my_team=Subquery(team), next_due=Subquery(next_due))
        .order_by("status", "-opened_at", "-id")
    )


def activity_students(*, activity: Activity) -> list:
    """Who takes part: the class's active students, or those chosen who are still in the class. One query."""
    students = class_students(school_class=activity.school_class)
    if activity.whole_class:
        return students
    chosen = set(ActivityStudent.objects.filter(activity=activity).values_list("student_id", flat=True))
    return [s for s in students if s.pk in chosen]


def activity_stages(*, activity: Activity) -> list[Stage]:
    return list(activity.stages.order_by("position"))


def activity_teams(*, activity: Activity) -> list[ActivityTeam]:
    """The teams with their members (leader first) and the teacher's comment: two queries."""
    members = ActivityTeamMember.objects.select_related("student").order_by("-is_leader", "student__name_sort")
    return list(
        activity.teams.select_related("teacher_comment")
        .prefetch_related(Prefetch("members", queryset=members))
        .order_by("name", "id")
    )


def latest_versions(*, teams, stages) -> dict[tuple[int, int], StageProductVersion]:
    """{(team id, stage id): the last version handed in}: one query."""
    rows = StageProductVersion.objects.filter(
        product__team__in=[t.pk for t in teams], product__stage__in=[s.pk for s in stages]
    ).select_related("product")
    found: dict[tuple[int, int], StageProductVersion] = {}
    for version in rows.order_by("product_id", "-number"):
        key = (version.product.team_id, version.product.stage_id)
        found.setdefault(key, version)
    return found


def team_versions(*, team: ActivityTeam) -> dict[int, list[StageProductVersion]]:
    """{stage id: every version the team handed in at that stage, newest first}: one query."""
    found: dict[int, list[StageProductVersion]] = defaultdict(list)
    rows = StageProductVersion.objects.filter(product__team=team).select_related("product", "submitted_by")
    for version in rows.order_by("product__stage__position", "-number"):
        found[version.product.stage_id].append(version)
    return found


@dataclass
class BoardRow:
    team: ActivityTeam
    cells: list  # per stage, in order: the last version or None


def activity_board(*, activity: Activity) -> tuple[list[Stage], list[BoardRow]]:
    """Stages × teams with each team's last version per stage: four queries whatever the size."""
    stages = activity_stages(activity=activity)
    teams = activity_teams(activity=activity)
    latest = latest_versions(teams=teams, stages=stages)
    return stages, [BoardRow(team=t, cells=[latest.get((t.pk, s.pk)) for s in stages]) for t in teams]


def _average(scores: list[int]) -> Decimal | None:
    if not scores:
        return None
    return (Decimal(sum(scores)) / len(scores)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


@dataclass
class StudentAssessments:
    """One student's assessments: their own score, and the ratings their teammates gave them."""

    student: object
    team: ActivityTeam | None = None
    self_score: int | None = None
    self_comment: str = ""
    peers: list[Assessment] = field(default_factory=list)

    @property
    def peer_average(self) -> Decimal | None:
        return _average([a.score for a in self.peers])

    @property
    def peer_count(self) -> int:
        return len(self.peers)


def assessments_for_teacher(*, activity: Activity) -> list[StudentAssessments]:
    """Every team member with their self-assessment and each peer's rating by name (for the teacher and the
    school's principal): two queries."""
    rows: dict[int, StudentAssessments] = {}
    members = (
        ActivityTeamMember.objects.filter(activity=activity)
        .select_related("student", "team")
        .order_by("team__name", "-is_leader", "student__name_sort")
    )
    for member in members:
        rows[member.student_id] = StudentAssessments(student=member.student, team=member.team)
    for assessment in activity.assessments.select_related("assessor").order_by("assessor__name_sort"):
        row = rows.get(assessment.subject_id)
        if row is None:
            continue
        if assessment.kind == Assessment.Kind.SELF:
            row.self_score, row.self_comment = assessment.score, assessment.comment
        else:
            row.peers.append(assessment)
    return list(rows.values())


@dataclass
class MyAssessments:
    """What a student sees: what they gave (self and each teammate) and, of what they received from their
    teammates, only the count, the average and the comments without names."""

    given: dict[int, Assessment]
    received_count: int
    received_average: Decimal | None
    received_comments: list[str]


def assessments_for_student(*, activity: Activity, student) -> MyAssessments:
    """Two queries."""
    given = {a.subject_id: a for a in activity.assessments.filter(assessor_id=student.pk)}
    received = list(
        activity.assessments.filter(subject_id=student.pk, kind=Assessment.Kind.PEER)
        .order_by("comment", "score")  # by their words, not by who wrote them: an order would name them
        .values_list("score", "comment")
    )
    return MyAssessments(
        given=given,
        received_count=len(received),
        received_average=_average([score for score, _ in received]),
        received_comments=[comment for _, comment in received if comment],
    )


def contest_entries_of(*, activity: Activity) -> list[ActivityContestEntry]:
    """The products of the activity's teams entered into contests, with the contest and round: one query."""
    return list(
        ActivityContestEntry.objects.filter(team__activity=activity)
        .select_related("team", "entry__round__contest", "version")
        .order_by("-created_at", "-id")
    )


def rounds_to_enter(*, activity: Activity, now=None) -> list[Round]:
    """Product rounds open now of announced or running team contests for students whose organiser is the
    activity's school or a unit above it: where a team's product may be entered (contests' services check
    the rest: registration window, quota, grades, the open set, team size). One query."""
    now = now or timezone.now()
    return list(
        Round.objects.filter(
            kind=Round.Kind.PRODUCT,
            closed_at__isnull=True,
            closes_at__gt=now,
            contest__status__in=[Contest.Status.ANNOUNCED, Contest.Status.RUNNING],
            contest__participation=Participation.TEAM,
            contest__audience__in=[Audience.STUDENTS, Audience.BOTH],
            contest__organiser__path__in=ancestor_paths(activity.school.path),
        )
        .filter(Q(opens_at__isnull=True) | Q(opens_at__lte=now))
        .select_related("contest__organiser")
        .order_by("closes_at", "id")[:50]
    )


def stage_product(*, team: ActivityTeam, stage: Stage) -> StageProduct | None:
    return StageProduct.objects.filter(team=team, stage=stage).first()
