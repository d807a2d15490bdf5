"""Every write of contests: a contest and its rounds, announcing, registration (people and teams, quotas,
eligibility), products and their versions, and closing a round (scores, ranking per unit, who goes on).

Each service checks who acts (contests.permissions), refuses a bad input with a clear message and writes
nothing then (one transaction), and leaves an audit entry (units.services.audit_log).
"""

from collections import defaultdict
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from materials.models import Attempt, Quiz
from materials.permissions.quizzes import can_manage_quiz
from materials.services.attempts import attempts_close_overdue
from truonghoc.bulk import bulk_update_rows
from truonghoc.formatting import datetime_text
from truonghoc.richtext import clean_html
from truonghoc.text import fold, nfc
from truonghoc.uploads import TYPES, check_upload, normal_extension
from units.models import Unit, ancestor_paths, is_below
from units.permissions import units_where
from units.services import audit_log

from . import scoring
from .models import (
    LEVEL_ORDER,
    Audience,
    Contest,
    Participation,
    Product,
    ProductVersion,
    Registration,
    Round,
    RoundEntry,
    Team,
    TeamMember,
)
from .permissions import (
    AUDIENCE_ROLES,
    STUDENT_ROLES,
    UNIT_LEVEL,
    can_manage_contest,
    can_organise_at,
    can_register_for,
    reaches_school,
    school_managed,
    takes_part,
)
from .permissions_activities import can_enter_for_team

MB = 1024 * 1024
CONTEST_FIELDS = (
    "title",
    "audience",
    "participation",
    "team_min",
    "team_max",
    "team_cross_school",
    "grades",
    "subjects",
    "per_school_limit",
    "summary",
    "rules",
    "registration_opens_at",
    "registration_closes_at",
    "ends_at",
    "certificate_template",
)
# What may still change once the contest is announced: its words, never who may take part or when.
ANNOUNCED_FIELDS = ("title", "summary", "rules", "ends_at", "certificate_template")
ROUND_FIELDS = (
    "title",
    "level",
    "kind",
    "description",
    "quiz",
    "opens_at",
    "closes_at",
    "allowed_types",
    "max_file_mb",
    "qualify_rule",
    "qualify_top_n",
    "qualify_threshold",
    "rubric",
    "judges_per_product",
    "disagreement_margin",
    "results_publish_at",
)
# Once the contest is announced a round keeps its level, kind and test; its times and rule may move
# until it closes.
ROUND_FIXED_AFTER_ANNOUNCE = ("level", "kind", "quiz")


def _fmt(moment) -> str:
    return datetime_text(timezone.localtime(moment)) if moment else ""


def level_rank(level: str) -> int:
    return LEVEL_ORDER.index(level)


def unit_level(unit: Unit) -> str:
    return UNIT_LEVEL[unit.kind]


# --- contests -----------------------------------------------------------------------------------


def _unique_slug(title: str, *, exclude: int | None = None) -> str:
    base = slugify(fold(title))[:60].strip("-") or "cuoc-thi"
    slug, n = base, 1
    while Contest.objects.filter(slug=slug).exclude(pk=exclude).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


def _clean_contest(contest: Contest, open_to: list[Unit] | None) -> None:
    errors: dict[str, list[str]] = defaultdict(list)
    contest.title = nfc(contest.title)
    contest.summary = nfc(contest.summary)
    contest.rules = clean_html(contest.rules)
    contest.certificate_template = nfc(contest.certificate_template)
    if not contest.title:
        errors["title"].append(_("Give the contest a title."))
    if contest.participation == Participation.INDIVIDUAL:
        contest.team_min = contest.team_max = 1
        contest.team_cross_school = False
    elif contest.team_min < 1 or contest.team_max < contest.team_min:
        errors["team_max"].append(_("A team's largest size must be at least its smallest size."))
    elif contest.team_max < 2:
        errors["team_max"].append(_("A team has at least two members at most; choose individual participation."))
    if (
        contest.registration_opens_at
        and contest.registration_closes_at
        and contest.registration_closes_at <= contest.registration_opens_at
    ):
        errors["registration_closes_at"].append(_("Registration must close after it opens."))
    if contest.ends_at and contest.registration_closes_at and contest.ends_at < contest.registration_closes_at:
        errors["ends_at"].append(_("The contest cannot end before registration closes."))
    grades = contest.grades or []
    if any(not isinstance(g, int) or not 1 <= g <= 12 for g in grades):
        errors["grades"].append(_("Grades go from 1 to 12."))
    contest.grades = sorted(set(grades))
    contest.subjects = sorted({nfc(s) for s in contest.subjects or [] if nfc(s)})
    if contest.grades and contest.audience == Audience.TEACHERS:
        errors["grades"].append(_("Grades apply to students; a contest for teachers has none."))
    for unit in open_to or []:
        if not is_below(unit.path, contest.organiser.path, include_self=False):
            errors["open_to"].append(
                _("%(unit)s is not below %(organiser)s: a contest is open only to units below its organiser.")
                % {"unit": unit.name, "organiser": contest.organiser.name}
            )
    if errors:
        raise ValidationError(dict(errors))
    contest.search_text = fold(f"{contest.title} {contest.organiser.name}")[:600]


def _snapshot(contest: Contest) -> dict:
    return {
        "title": contest.title,
        "status": contest.status,
        "registration_opens_at": contest.registration_opens_at.isoformat() if contest.registration_opens_at else None,
        "registration_closes_at": contest.registration_closes_at.isoformat()
        if contest.registration_closes_at
        else None,
        "per_school_limit": contest.per_school_limit,
    }


@transaction.atomic
def contest_create(*, actor, organiser: Unit, open_to: list[Unit] | None = None, **fields) -> Contest:
    """A draft contest organised by `organiser` (the actor holds a role of authority there)."""
    if not can_organise_at(actor, organiser):
        raise PermissionDenied
    data = {k: fields[k] for k in CONTEST_FIELDS if k in fields}
    contest = Contest(organiser=organiser, created_by=actor, **data)
    _clean_contest(contest, open_to)
    contest.slug = _unique_slug(contest.title)
    contest.full_clean(exclude=["open_to"])
    contest.save()
    contest.open_to.set(open_to or [])
    audit_log(actor=actor, action="contest.create", unit=organiser, target=contest, after=_snapshot(contest))
    return contest


def _locked(contest: Contest) -> Contest:
    return Contest.objects.select_for_update(of=("self",)).select_related("organiser").get(pk=contest.pk)


@transaction.atomic
def contest_update(*, actor, contest: Contest, open_to: list[Unit] | None = None, **fields) -> Contest:
    """Change a contest. A draft changes freely; an announced contest only its words (its rules of entry,
    quota and dates were made public and people registered under them)."""
    contest = _locked(contest)
    if not can_manage_contest(actor, contest):
        raise PermissionDenied
    before = _snapshot(contest)
    allowed = CONTEST_FIELDS if contest.status == Contest.Status.DRAFT else ANNOUNCED_FIELDS
    refused = [k for k in fields if k in CONTEST_FIELDS and k not in allowed and fields[k] != getattr(contest, k)]
    if (
        open_to is not None
        and contest.status != Contest.Status.DRAFT
        and {u.pk for u in open_to} != set(contest.open_to.values_list("pk", flat=True))
    ):
        refused.append("open_to")
    if refused:
        raise ValidationError(
            {
                name: _("This cannot change once the contest is announced: people registered under it.")
                for name in refused
            }
        )
    for name in allowed:
        if name in fields:
            setattr(contest, name, fields[name])
    _clean_contest(contest, open_to if open_to is not None else list(contest.open_to.all()))
    contest.updated_at = timezone.now()
    contest.full_clean(exclude=["open_to"])
    contest.save()
    if open_to is not None and contest.status == Contest.Status.DRAFT:
        contest.open_to.set(open_to)
    audit_log(actor=actor, action="contest.update", unit=contest.organiser, target=contest, before=before,
              after=_snapshot(contest))  # fmt: skip
    return contest


def announce_problems(contest: Contest, *, now=None) -> list[str]:
    """Everything that stops `contest` from being announced, as messages; empty when it can be."""
    now = now or timezone.now()
    problems = []
    rounds = list(contest.rounds.order_by("order"))
    if not rounds:
        problems.append(_("Add at least one round."))
    if contest.registration_closes_at <= now:
        problems.append(
            _("Registration closes at %(time)s, which has passed: choose a later time.")
            % {"time": _fmt(contest.registration_closes_at)}
        )
    if not contest.rules:
        problems.append(_("Write the contest's rules."))
    for previous in rounds[:-1]:
        if previous.qualify_rule == Round.Qualify.NONE:
            problems.append(
                _("Round %(round)s is followed by another: say who goes on (the best N of each unit or a score).")
                % {"round": previous.title}
            )
    if rounds and rounds[0].closes_at <= contest.registration_closes_at:
        problems.append(_("The first round must close after registration closes."))
    return problems


@transaction.atomic
def contest_announce(*, actor, contest: Contest, now=None) -> Contest:
    """Draft → announced: the contest becomes public and open for registration."""
    now = now or timezone.now()
    contest = _locked(contest)
    if not can_manage_contest(actor, contest):
        raise PermissionDenied
    if contest.status != Contest.Status.DRAFT:
        raise ValidationError(_("This contest is already announced."), code="announced")
    problems = announce_problems(contest, now=now)
    if problems:
        raise ValidationError(problems, code="not_ready")
    contest.status = Contest.Status.ANNOUNCED
    contest.announced_at = now
    contest.updated_at = now
    contest.save(update_fields=["status", "announced_at", "updated_at"])
    audit_log(actor=actor, action="contest.announce", unit=contest.organiser, target=contest,
              after=_snapshot(contest))  # fmt: skip
    return contest


# --- rounds -------------------------------------------------------------------------------------


def _clean_round(actor, contest: Contest, rnd: Round) -> None:
    errors: dict[str, list[str]] = defaultdict(list)
    rnd.title = nfc(rnd.title)
    rnd.description = clean_html(rnd.description)
    if not rnd.title:
        errors["title"].append(_("Give the round a title."))
    organiser_level = unit_level(contest.organiser)
    if level_rank(rnd.level) > level_rank(organiser_level):
        errors["level"].append(
            _("A contest of %(organiser)s holds rounds at its own level or below.") % {"organiser": contest.organiser}
        )
    siblings = list(contest.rounds.exclude(pk=rnd.pk).order_by("order"))
    before = [r for r in siblings if r.order < rnd.order]
    after = [r for r in siblings if r.order > rnd.order]
    if before and level_rank(rnd.level) < level_rank(before[-1].level):
        errors["level"].append(
            _("The round before is at the %(level)s level: a round is held at that level or above.")
            % {"level": before[-1].get_level_display()}
        )
    if after and level_rank(rnd.level) > level_rank(after[0].level):
        errors["level"].append(_("The round after is at a lower level."))
    if rnd.opens_at and rnd.closes_at and rnd.closes_at <= rnd.opens_at:
        errors["closes_at"].append(_("The round must close after it opens."))
    if before and rnd.closes_at and rnd.closes_at <= before[-1].closes_at:
        errors["closes_at"].append(
            _("The round before closes at %(time)s: this one must close later.") % {"time": _fmt(before[-1].closes_at)}
        )
    if before and rnd.opens_at and rnd.opens_at < before[-1].closes_at:
        errors["opens_at"].append(
            _("The round before closes at %(time)s: this one opens after that.") % {"time": _fmt(before[-1].closes_at)}
        )
    if rnd.results_publish_at and rnd.closes_at and rnd.results_publish_at < rnd.closes_at:
        errors["results_publish_at"].append(_("Results are published after the round closes."))
    if rnd.kind == Round.Kind.TEST:
        if rnd.opens_at is None:
            errors["opens_at"].append(_("An online test round needs an opening time."))
        quiz = rnd.quiz
        if quiz is None:
            errors["quiz"].append(_("Choose the test the round is taken with."))
        elif quiz.is_deleted or quiz.status != Quiz.Status.PUBLISHED:
            errors["quiz"].append(_("Choose a published test."))
        elif quiz.mode != Quiz.Mode.EXAM:
            errors["quiz"].append(_("Choose a test in exam mode: a contest shows results only after it closes."))
        elif not (can_manage_quiz(actor, quiz) or is_below(quiz.unit.path, contest.organiser.path)):
            errors["quiz"].append(_("Choose a test you manage or one made in a unit of the organiser."))
        rnd.allowed_types = []
        rnd.rubric = None
    else:
        rnd.quiz = None
        types = sorted({normal_extension(t) for t in rnd.allowed_types or []})
        unknown = [t for t in types if t not in TYPES]
        if unknown:
            errors["allowed_types"].append(_("Unknown file types: %(types)s.") % {"types": ", ".join(unknown)})
        rnd.allowed_types = types
        if rnd.rubric is not None and rnd.rubric.contest_id != contest.pk:
            errors["rubric"].append(_("Choose a rubric of this contest."))
    if rnd.qualify_rule == Round.Qualify.TOP_N and not rnd.qualify_top_n:
        errors["qualify_top_n"].append(_("Say how many of each unit go on."))
    if rnd.qualify_rule == Round.Qualify.THRESHOLD and rnd.qualify_threshold is None:
        errors["qualify_threshold"].append(_("Say the score needed to go on."))
    if rnd.qualify_rule != Round.Qualify.TOP_N:
        rnd.qualify_top_n = None
    if rnd.qualify_rule != Round.Qualify.THRESHOLD:
        rnd.qualify_threshold = None
    if errors:
        raise ValidationError(dict(errors))


@transaction.atomic
def round_create(*, actor, contest: Contest, **fields) -> Round:
    """A new last round of a draft contest."""
    contest = _locked(contest)
    if not can_manage_contest(actor, contest):
        raise PermissionDenied
    if contest.status != Contest.Status.DRAFT:
        raise ValidationError(_("Rounds are added before the contest is announced."), code="announced")
    last = contest.rounds.order_by("-order").first()
    rnd = Round(
        contest=contest, order=(last.order + 1) if last else 1, **{k: fields[k] for k in ROUND_FIELDS if k in fields}
    )
    _clean_round(actor, contest, rnd)
    rnd.full_clean()
    rnd.save()
    audit_log(actor=actor, action="contest.round_create", unit=contest.organiser, target=rnd,
              after={"title": rnd.title, "level": rnd.level, "kind": rnd.kind})  # fmt: skip
    return rnd


@transaction.atomic
def round_update(*, actor, rnd: Round, **fields) -> Round:
    contest = _locked(rnd.contest)
    if not can_manage_contest(actor, contest):
        raise PermissionDenied
    rnd = Round.objects.select_for_update().get(pk=rnd.pk)
    if rnd.closed_at:
        raise ValidationError(_("This round is closed: it no longer changes."), code="closed")
    if contest.status != Contest.Status.DRAFT:
        fixed = [k for k in ROUND_FIXED_AFTER_ANNOUNCE if k in fields and fields[k] != getattr(rnd, k)]
        if fixed:
            raise ValidationError(
                {k: _("This cannot change once the contest is announced.") for k in fixed}, code="announced"
            )
    for name in ROUND_FIELDS:
        if name in fields:
            setattr(rnd, name, fields[name])
    _clean_round(actor, contest, rnd)
    rnd.full_clean()
    rnd.save()
    audit_log(actor=actor, action="contest.round_update", unit=contest.organiser, target=rnd,
              after={"title": rnd.title, "closes_at": rnd.closes_at.isoformat()})  # fmt: skip
    return rnd


# --- registration -------------------------------------------------------------------------------


@dataclass
class Person:
    """Who a participant is for the contest: their school, their class or group, their grade."""

    user: object
    school: Unit
    unit: Unit | None
    grade: int | None
    is_student: bool


def _person(contest: Contest, user, *, open_paths: list[str]) -> Person:
    """The participant as the contest sees them, or a refusal naming why they cannot take part."""
    name = user.full_name or user.get_username()
    if not user.is_active:
        raise ValidationError(_("%(name)s's account is closed.") % {"name": name}, code="inactive")
    held = units_where(user, AUDIENCE_ROLES[contest.audience])
    if not held:
        raise ValidationError(
            _("%(name)s cannot take part: this contest is for %(audience)s.")
            % {"name": name, "audience": contest.get_audience_display().lower()},
            code="audience",
        )
    inside = [h for h in held if reaches_school(contest, h.school_path, open_paths=open_paths, unit_path=h.path)]
    if not inside:
        raise ValidationError(
            _("%(name)s's school is not among the units this contest is open to.") % {"name": name}, code="unit"
        )
    # A student's class (its grade), else where they teach.
    inside.sort(key=lambda h: (h.role not in STUDENT_ROLES, h.kind != Unit.Kind.CLASS))
    chosen = inside[0]
    units = Unit.objects.in_bulk([chosen.school_path, chosen.path], field_name="path")
    unit = units.get(chosen.path) if chosen.path != chosen.school_path else None
    grade = unit.grade if unit is not None and unit.kind == Unit.Kind.CLASS else None
    is_student = chosen.role in STUDENT_ROLES
    if contest.grades and is_student and grade not in contest.grades:
        raise ValidationError(
            _("%(name)s is in grade %(grade)s; this contest is for grades %(grades)s.")
            % {
                "name": name,
                "grade": grade if grade is not None else "?",
                "grades": ", ".join(str(g) for g in contest.grades),
            },
            code="grade",
        )
    return Person(user=user, school=units[chosen.school_path], unit=unit, grade=grade, is_student=is_student)


def _check_window(contest: Contest, now) -> None:
    if contest.status != Contest.Status.ANNOUNCED:
        raise ValidationError(_("This contest is not open for registration."), code="closed")
    if now < contest.registration_opens_at:
        raise ValidationError(
            _("Registration opens at %(time)s.") % {"time": _fmt(contest.registration_opens_at)}, code="not_yet"
        )
    if now >= contest.registration_closes_at:
        raise ValidationError(
            _("Registration closed at %(time)s.") % {"time": _fmt(contest.registration_closes_at)}, code="deadline"
        )


def _check_subject(contest: Contest, subject: str) -> str:
    subject = nfc(subject)
    if contest.subjects and subject not in contest.subjects:
        raise ValidationError(
            {
                "subject": _("Choose one of the contest's subjects: %(subjects)s.")
                % {"subjects": ", ".join(contest.subjects)}
            },
            code="subject",
        )
    return subject


def _check_quota(contest: Contest, school: Unit) -> None:
    if contest.per_school_limit is None:
        return
    used = contest.registrations.filter(school=school, status=Registration.Status.REGISTERED).count()
    if used >= contest.per_school_limit:
        raise ValidationError(
            _("%(school)s has used all %(limit)d registrations this contest allows a school.")
            % {"school": school.name, "limit": contest.per_school_limit},
            code="quota",
        )


def _already_in(contest: Contest, users) -> list:
    """Those of `users` already registered in the contest, alone or in a team."""
    ids = [u.pk for u in users]
    alone = set(
        contest.registrations.filter(user_id__in=ids, status=Registration.Status.REGISTERED).values_list(
            "user_id", flat=True
        )
    )
    in_team = set(
        TeamMember.objects.filter(
            team__contest=contest, user_id__in=ids, team__registration__status=Registration.Status.REGISTERED
        ).values_list("user_id", flat=True)
    )
    return [u for u in users if u.pk in alone | in_team]


def _enter_first_round(registration: Registration) -> None:
    first = registration.contest.rounds.order_by("order").first()
    if first is None:
        return
    entry, created = RoundEntry.objects.get_or_create(round=first, registration=registration)
    if not created and entry.status != RoundEntry.Status.ENTERED:
        entry.status = RoundEntry.Status.ENTERED
        entry.save(update_fields=["status"])


def _open_paths(contest: Contest) -> list[str]:
    return list(contest.open_to.values_list("path", flat=True))


@transaction.atomic
def registration_create(*, actor, contest: Contest, user, subject: str = "", now=None) -> Registration:
    """Register one person (individual contests), by themself or by a manager of their school."""
    now = now or timezone.now()
    contest = _locked(contest)
    if contest.participation != Participation.INDIVIDUAL:
        raise ValidationError(_("This contest is for teams: register a team."), code="team")
    _check_window(contest, now)
    person = _person(contest, user, open_paths=_open_paths(contest))
    if not can_register_for(actor, participant=user, school=person.school):
        raise PermissionDenied
    subject = _check_subject(contest, subject)
    if _already_in(contest, [user]):
        raise ValidationError(
            _("%(name)s is already registered for this contest.") % {"name": user.full_name}, code="duplicate"
        )
    _check_quota(contest, person.school)
    registration = contest.registrations.filter(user=user).first()  # withdrawn earlier: registered again
    if registration is None:
        registration = Registration(contest=contest, user=user)
    registration.school, registration.unit, registration.grade = person.school, person.unit, person.grade
    registration.subject, registration.registered_by = subject, actor
    registration.status, registration.created_at = Registration.Status.REGISTERED, now
    registration.full_clean(validate_unique=False)
    registration.save()
    _enter_first_round(registration)
    audit_log(actor=actor, action="contest.register", unit=person.school, target=registration,
              after={"contest": contest.pk, "user": user.pk})  # fmt: skip
    return registration


@transaction.atomic
def registrations_create(*, actor, contest: Contest, users: list, subject: str = "", now=None) -> list[Registration]:
    """A school's manager registers several people at once: all or none, every refusal named."""
    done, problems = [], []
    for user in users:
        try:
            done.append(registration_create(actor=actor, contest=contest, user=user, subject=subject, now=now))
        except ValidationError as error:
            problems.extend(error.messages)
    if problems:
        raise ValidationError(problems)
    return done


@transaction.atomic
def team_register(
    *, actor, contest: Contest, name: str, members: list, leader, subject: str = "", now=None, activity_team=None
) -> Registration:
    """Register a team (team contests): its members (the leader among them), all eligible, of the
    leader's school unless the contest lets teams mix schools; counted against the leader's school.
    `activity_team`: the team of an experiential activity its teacher enters (contests.activities), who may
    then register exactly that team's students."""
    now = now or timezone.now()
    contest = _locked(contest)
    if contest.participation != Participation.TEAM:
        raise ValidationError(_("This contest is for individuals: register each person."), code="individual")
    _check_window(contest, now)
    name = nfc(name)
    if not name:
        raise ValidationError({"name": _("Give the team a name.")}, code="name")
    members = list({m.pk: m for m in [leader, *members]}.values())
    if not contest.team_min <= len(members) <= contest.team_max:
        raise ValidationError(
            _("A team has %(min)d to %(max)d members; this one has %(count)d.")
            % {"min": contest.team_min, "max": contest.team_max, "count": len(members)},
            code="size",
        )
    open_paths = _open_paths(contest)
    people = {m.pk: _person(contest, m, open_paths=open_paths) for m in members}
    school = people[leader.pk].school
    if not (
        actor.pk in people
        or school_managed(actor, school)
        or (activity_team is not None and can_enter_for_team(actor, activity_team, people))
    ):
        raise PermissionDenied
    if not contest.team_cross_school:
        for person in people.values():
            if person.school.pk != school.pk:
                raise ValidationError(
                    _("%(name)s is at %(other)s: in this contest a team's members are all of one school (%(school)s).")
                    % {"name": person.user.full_name, "other": person.school.name, "school": school.name},
                    code="other_school",
                )
    subject = _check_subject(contest, subject)
    taken = _already_in(contest, members)
    if taken:
        raise ValidationError(
            _("Already registered for this contest: %(names)s.") % {"names": ", ".join(m.full_name for m in taken)},
            code="duplicate",
        )
    _check_quota(contest, school)
    if Team.objects.filter(contest=contest, school=school, name=name).exists():
        raise ValidationError({"name": _("Your school already has a team of that name.")}, code="name")
    team = Team.objects.create(contest=contest, name=name, school=school, created_at=now)
    TeamMember.objects.bulk_create(
        TeamMember(team=team, user=p.user, school=p.school, is_leader=p.user.pk == leader.pk) for p in people.values()
    )
    leader_person = people[leader.pk]
    registration = Registration(
        contest=contest,
        team=team,
        school=school,
        unit=leader_person.unit,
        grade=leader_person.grade,
        subject=subject,
        registered_by=actor,
        created_at=now,
    )
    registration.full_clean(validate_unique=False)
    registration.save()
    _enter_first_round(registration)
    audit_log(actor=actor, action="contest.register_team", unit=school, target=registration,
              after={"contest": contest.pk, "team": name, "members": sorted(people)})  # fmt: skip
    return registration


@transaction.atomic
def registration_withdraw(*, actor, registration: Registration, now=None) -> Registration:
    """Withdraw before registration closes (the participant, or their school's manager): the place in the
    school's quota is freed."""
    now = now or timezone.now()
    contest = _locked(registration.contest)
    registration = (
        Registration.objects.select_for_update(of=("self",)).select_related("team", "school").get(pk=registration.pk)
    )
    if not (takes_part(actor, registration) or school_managed(actor, registration.school)):
        raise PermissionDenied
    if registration.status == Registration.Status.WITHDRAWN:
        raise ValidationError(_("This registration is already withdrawn."), code="withdrawn")
    if now >= contest.registration_closes_at:
        raise ValidationError(
            _("Registration closed at %(time)s: a registration can no longer be withdrawn.")
            % {"time": _fmt(contest.registration_closes_at)},
            code="deadline",
        )
    registration.status = Registration.Status.WITHDRAWN
    registration.save(update_fields=["status"])
    registration.entries.update(status=RoundEntry.Status.ABSENT)
    audit_log(actor=actor, action="contest.withdraw", unit=registration.school, target=registration)
    return registration


# --- products -----------------------------------------------------------------------------------


@transaction.atomic
def product_submit(
    *,
    actor,
    entry: RoundEntry,
    title: str,
    description: str = "",
    video_url: str = "",
    upload=None,
    now=None,
    activity_team=None,
) -> ProductVersion:
    """Hand in (a new version of) an entry's product before the round's deadline. A file is checked by its
    content against the round's types and size; a video link must be http(s). `activity_team`: as in
    `team_register`, the teacher hands in for the team of their activity registered with exactly its
    students."""
    now = now or timezone.now()
    entry = (
        RoundEntry.objects.select_for_update(of=("self",))
        .select_related("round__contest", "registration__team")
        .get(pk=entry.pk)
    )
    rnd = entry.round
    registration = entry.registration
    if not (
        takes_part(actor, registration)
        or (
            activity_team is not None
            and registration.team_id is not None
            and can_enter_for_team(actor, activity_team, registration.team.members.values_list("user_id", flat=True))
        )
    ):
        raise PermissionDenied
    if rnd.kind != Round.Kind.PRODUCT:
        raise ValidationError(_("This round is an online test: nothing is handed in."), code="kind")
    if entry.status != RoundEntry.Status.ENTERED or entry.registration.status != Registration.Status.REGISTERED:
        raise ValidationError(_("You are not taking part in this round."), code="not_entered")
    if rnd.closed_at or now >= rnd.closes_at:
        raise ValidationError(
            _("The deadline for products was %(time)s.") % {"time": _fmt(rnd.closes_at)}, code="deadline"
        )
    if rnd.opens_at and now < rnd.opens_at:
        raise ValidationError(_("Products are handed in from %(time)s.") % {"time": _fmt(rnd.opens_at)}, code="not_yet")
    title, description, video_url = nfc(title), nfc(description), (video_url or "").strip()
    errors: dict[str, list[str]] = defaultdict(list)
    if not title:
        errors["title"].append(_("Give the product a title."))
    checked = None
    if upload is not None:
        if not rnd.allowed_types:
            errors["file"].append(_("This round takes no files: give a video link."))
        else:
            try:
                checked = check_upload(upload, allowed=rnd.allowed_types, max_bytes=rnd.max_file_mb * MB)
            except ValidationError as exc:
                errors["file"].extend(exc.messages)
    if upload is None and not video_url:
        errors["file"].append(_("Hand in a file or a video link."))
    if errors:
        raise ValidationError(dict(errors))
    product = Product.objects.select_for_update().filter(entry=entry).first()
    if product is None:
        product = Product(entry=entry, created_at=now)
    product.title, product.description = title, description
    product.version_count += 1
    product.updated_at = now
    product.save()
    version = ProductVersion(
        product=product,
        number=product.version_count,
        title=title,
        description=description,
        video_url=video_url,
        submitted_by=actor,
        submitted_at=now,
    )
    if checked is not None:
        version.file_name, version.file_size = checked.name, checked.size
    version.full_clean(exclude=["file"])
    if checked is not None:
        version.file.save(checked.name, upload, save=False)
    version.save()
    audit_log(actor=actor, action="contest.product_submit", unit=entry.registration.school, target=version,
              after={"entry": entry.pk, "version": version.number})  # fmt: skip
    return version


# --- closing a round: scores, ranking per unit, who goes on ---------------------------------------


def _rank_units(rnd: Round, school_paths: set[str]) -> dict[str, Unit]:
    """For each school path, the unit the round ranks it in: its nearest unit (itself or above) whose level
    is at or above the round's (a THPT school under a Department is ranked with the Department's Offices'
    schools at the Office level by its Department). One query."""
    wanted = level_rank(rnd.level)
    every = {p for s in school_paths for p in ancestor_paths(s)}
    units = Unit.objects.in_bulk(list(every), field_name="path")
    found = {}
    for school_path in school_paths:
        for path in reversed(ancestor_paths(school_path)):
            unit = units.get(path)
            if unit is not None and unit.kind in UNIT_LEVEL and level_rank(unit_level(unit)) >= wanted:
                found[school_path] = unit
                break
    return found


def _finish_attempts(rnd: Round, now) -> None:
    """Close the round's overdue attempts (the test engine's own service, each in its transaction)."""
    while attempts_close_overdue(now=now, batch=500) == 500:
        pass


def _test_scores(rnd: Round, entries: list[RoundEntry], now) -> dict[int, tuple]:
    """entry id → (score, attempt id): the participant's best handed-in attempt of the round's test started in
    the round's window (a team: its best member's)."""
    people: dict[int, list[int]] = {}
    for entry in entries:
        reg = entry.registration
        people[entry.pk] = [m.user_id for m in reg.team.members.all()] if reg.team_id else [reg.user_id]
    # The round's people as subqueries, not a list of ids: a national round has 100,000 of them.
    alone = RoundEntry.objects.filter(round=rnd).values("registration__user_id")
    in_teams = TeamMember.objects.filter(team__registration__entries__round=rnd).values("user_id")
    attempts = Attempt.objects.filter(Q(student_id__in=alone) | Q(student_id__in=in_teams), quiz_id=rnd.quiz_id)
    if rnd.opens_at:
        attempts = attempts.filter(started_at__gte=rnd.opens_at, started_at__lt=rnd.closes_at)
    running = attempts.filter(status=Attempt.Status.IN_PROGRESS)
    if running.exists():
        last = max(a.deadline or now for a in running)
        raise ValidationError(
            _(
                "%(count)d attempts of the round's test are still under way: "
                "close the round once they are handed in (by %(time)s)."
            )
            % {"count": running.count(), "time": _fmt(last)},
            code="running",
        )
    best: dict[int, tuple] = {}
    for student, score, pk in attempts.filter(score__isnull=False).values_list("student_id", "score", "pk"):
        if student not in best or score > best[student][0]:
            best[student] = (score, pk)
    result = {}
    for entry_id, ids in people.items():
        scored = [best[u] for u in ids if u in best]
        result[entry_id] = max(scored, key=lambda s: s[0]) if scored else (None, None)
    return result


def rank_entries(entries: list[RoundEntry]) -> None:
    """Competition ranking (1, 2, 2, 4) of each unit's scored entries, in place; unscored have no rank."""
    by_unit: dict[int, list[RoundEntry]] = defaultdict(list)
    for entry in entries:
        entry.rank = None
        if entry.score is not None:
            by_unit[entry.rank_unit_id].append(entry)
    for group in by_unit.values():
        group.sort(key=lambda e: (-e.score, e.pk))
        for i, entry in enumerate(group):
            entry.rank = group[i - 1].rank if i and group[i - 1].score == entry.score else i + 1


def qualifies(rnd: Round, entry: RoundEntry) -> bool:
    """The organiser's rule: the best N of each unit (ties at the N-th place all go on), or a threshold."""
    if entry.score is None:
        return False
    if rnd.qualify_rule == Round.Qualify.TOP_N:
        return entry.rank is not None and entry.rank <= rnd.qualify_top_n
    if rnd.qualify_rule == Round.Qualify.THRESHOLD:
        return entry.score >= rnd.qualify_threshold
    return False


def round_close(*, actor, rnd: Round, now=None) -> Round:
    """Close a round after its deadline: read every entry's score (the test's attempts, or the judges'
    scores), rank the entries per unit of the round's level, choose who goes on by the organiser's rule and
    enter them in the next round, lock the scores. Refused before the deadline, twice, or while the round
    before is open or attempts are under way."""
    now = now or timezone.now()
    if not can_manage_contest(actor, rnd.contest):
        raise PermissionDenied
    if rnd.kind == Round.Kind.TEST:
        _finish_attempts(rnd, now)
    with transaction.atomic():
        contest = _locked(rnd.contest)
        rnd = Round.objects.select_for_update().get(pk=rnd.pk)
        if rnd.closed_at:
            raise ValidationError(_("This round is already closed."), code="closed")
        if now < rnd.closes_at:
            raise ValidationError(
                _("This round closes at %(time)s; it can be closed after that.") % {"time": _fmt(rnd.closes_at)},
                code="not_yet",
            )
        if contest.rounds.filter(order__lt=rnd.order, closed_at__isnull=True).exists():
            raise ValidationError(_("Close the rounds before this one first."), code="order")
        # Only what ranking needs: a national round loads 100,000 of these.
        rows = rnd.entries.select_related("registration").only(
            "round_id", "registration_id", "status", "qualified_from_id",
            "registration__status", "registration__school_id", "registration__user_id", "registration__team_id",
        )  # fmt: skip
        if contest.is_team:
            rows = rows.prefetch_related("registration__team__members")
        entries = list(rows.order_by("pk"))
        taking = [
            e
            for e in entries
            if e.status == RoundEntry.Status.ENTERED and e.registration.status == Registration.Status.REGISTERED
        ]
        taking_ids = {e.pk for e in taking}
        if rnd.kind == Round.Kind.TEST:
            scores = _test_scores(rnd, taking, now)
        else:
            scores = {pk: (score, None) for pk, score in scoring.product_round_scores(rnd, taking).items()}
        schools = {e.registration.school_id for e in entries}
        school_paths = dict(Unit.objects.filter(pk__in=schools).values_list("pk", "path"))
        rank_units = _rank_units(rnd, set(school_paths.values()))
        following = contest.rounds.filter(order__gt=rnd.order).order_by("order").first()
        next_entries = []
        for entry in entries:
            rank_unit = rank_units.get(school_paths[entry.registration.school_id])
            entry.rank_unit_id = rank_unit.pk if rank_unit else None
            score, attempt_id = scores.get(entry.pk, (None, None))
            entry.score, entry.attempt_id = score, attempt_id
        rank_entries(entries)
        for entry in entries:
            # Absent: not taking part, no attempt handed in, or no product handed in (a product not yet
            # scored took part and is simply not ranked).
            if (
                entry.pk not in taking_ids
                or entry.pk not in scores
                or (rnd.kind == Round.Kind.TEST and entry.score is None)
            ):
                entry.status = RoundEntry.Status.ABSENT
            elif following is not None and qualifies(rnd, entry):
                entry.status = RoundEntry.Status.QUALIFIED
                next_entries.append(RoundEntry(round=following, registration_id=entry.registration_id,
                                               qualified_from=entry, created_at=now))  # fmt: skip
            else:
                entry.status = RoundEntry.Status.NOT_QUALIFIED
        bulk_update_rows(RoundEntry, entries, ["rank_unit", "score", "attempt", "rank", "status"])
        RoundEntry.objects.bulk_create(next_entries, batch_size=2000)
        rnd.closed_at, rnd.scores_locked = now, True
        rnd.save(update_fields=["closed_at", "scores_locked"])
        contest.status = Contest.Status.RUNNING if following is not None else Contest.Status.FINISHED
        contest.updated_at = now
        contest.save(update_fields=["status", "updated_at"])
        audit_log(
            actor=actor,
            action="contest.round_close",
            unit=contest.organiser,
            target=rnd,
            after={
                "entries": len(entries),
                "qualified": len(next_entries),
                "scored": sum(1 for e in entries if e.score is not None),
            },
        )
    return rnd
