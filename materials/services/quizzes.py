"""Every write of the test builder: making and changing a test (đề kiểm tra), its questions chosen by hand
or its blueprint (ma trận đề), publishing it to classes or a course, taking it back, removing, restoring
and duplicating it.

A draft changes freely. Once published, only what cannot change the meaning of attempts already made
changes: the title, the instructions, the close time (never into the past), the open time (until the
first attempt), more attempts, more classes or a course. Publishing a blueprint test stores its pool (every
usable question matching each row) as items, so attempts draw from a fixed pool whatever the bank
becomes. Publishing checks everything and reports every problem at once, so the teacher fixes them in
one pass.
"""

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from courses.models import Course
from courses.permissions import is_instructor
from forums.services import clean_body
from notifications.services import notify
from truonghoc.formatting import datetime_text
from truonghoc.text import nfc
from units.models import Unit
from units.services import audit_log
from units.trash import soft_remove, soft_restore

from ..models import Attempt, BlueprintRow, CognitiveLevel, Question, Quiz, QuizItem, VersionStatus
from ..permissions import may_make_at, school_path
from ..permissions.quizzes import can_manage_quiz, can_restore_quiz, quiz_students
from ..selectors.quizzes import MAX_QUESTIONS, bank_q, blueprint_availability, question_label

INSTRUCTIONS_MAX_CHARS = 20_000
# Fields a published test may still change; the rest would change the meaning of attempts.
PUBLISHED_EDITABLE = ("title", "instructions", "closes_at", "opens_at", "max_attempts", "classes", "course")
FIELD_LABELS = {
    "subject": gettext_lazy("subject"),
    "grade": gettext_lazy("grade"),
    "mode": gettext_lazy("mode"),
    "selection": gettext_lazy("way questions are chosen"),
    "time_limit": gettext_lazy("time limit"),
    "shuffle_questions": gettext_lazy("question shuffling"),
    "shuffle_options": gettext_lazy("option shuffling"),
}


# --- helpers -----------------------------------------------------------------------------------


def _lock(quiz: Quiz) -> Quiz:
    return Quiz.objects.select_for_update(of=("self",)).select_related("unit", "author", "course").get(pk=quiz.pk)


def _check_manager(actor, quiz: Quiz) -> None:
    if not can_manage_quiz(actor, quiz):
        raise ValidationError(_("You cannot change this test."), code="forbidden")


def _check_draft(quiz: Quiz) -> None:
    if quiz.status != Quiz.Status.DRAFT:
        raise ValidationError(
            _(
                "This test is published: its questions cannot change. Take it back to draft first (possible while "
                "no student has started it)."
            ),
            code="not_draft",
        )


def _started(quiz: Quiz) -> bool:
    return quiz.attempts.exists()


def _fmt(moment) -> str:
    return datetime_text(moment)


def _clean_settings(fields: dict) -> dict:
    """Titles, numbers and choices as typed, checked; raises ValidationError({field: [messages]})."""
    errors: dict[str, list[str]] = {}
    out = dict(fields)
    if "title" in fields:
        out["title"] = nfc(fields["title"])[:255]
        if not out["title"]:
            errors["title"] = [_("Give the test a title.")]
    if "subject" in fields:
        out["subject"] = nfc(fields["subject"])[:100]
        if not out["subject"]:
            errors["subject"] = [_("Give the subject.")]
    if "grade" in fields:
        try:
            out["grade"] = int(fields["grade"])
            if not 1 <= out["grade"] <= 12:
                raise ValueError
        except (TypeError, ValueError):
            errors["grade"] = [_("The grade is a number from 1 to 12.")]
    if "mode" in fields and fields["mode"] not in Quiz.Mode.values:
        errors["mode"] = [_("Choose practice or exam.")]
    if "selection" in fields and fields["selection"] not in Quiz.Selection.values:
        errors["selection"] = [_("Choose how the questions are chosen: by hand or from a blueprint.")]
    if "time_limit" in fields and fields["time_limit"] not in (None, ""):
        try:
            out["time_limit"] = int(fields["time_limit"])
            if not 1 <= out["time_limit"] <= 600:
                raise ValueError
        except (TypeError, ValueError):
            errors["time_limit"] = [_("The time limit is a number of minutes from 1 to 600, or empty for none.")]
    elif "time_limit" in fields:
        out["time_limit"] = None
    if "max_attempts" in fields:
        try:
            out["max_attempts"] = int(fields["max_attempts"])
            if not 1 <= out["max_attempts"] <= 100:
                raise ValueError
        except (TypeError, ValueError):
            errors["max_attempts"] = [_("The number of attempts is from 1 to 100.")]
    if "instructions" in fields:
        raw = fields["instructions"] or ""
        if len(raw) > INSTRUCTIONS_MAX_CHARS:
            errors["instructions"] = [
                _("This text is too long: at most %(max)d characters.") % {"max": INSTRUCTIONS_MAX_CHARS}
            ]
        out["instructions"] = clean_body(raw) if raw.strip() else ""
    opens_at, closes_at = out.get("opens_at"), out.get("closes_at")
    if opens_at and closes_at and closes_at <= opens_at:
        errors.setdefault("closes_at", []).append(_("The test must close after it opens."))
    if errors:
        raise ValidationError(errors)
    return out


def _check_classes(quiz_unit: Unit, classes: Iterable[Unit]) -> list[Unit]:
    classes = list({c.pk: c for c in classes or []}.values())
    school = school_path(quiz_unit)
    bad = [c for c in classes if c.kind != Unit.Kind.CLASS or not c.is_active or school_path(c) != school]
    if bad:
        raise ValidationError(
            {
                "classes": [
                    _("Only classes of this test's school can take it: %(names)s is not one.")
                    % {"names": ", ".join(c.name for c in bad)}
                ]
            }
        )
    return classes


def _check_course(actor, course: Course | None) -> None:
    if course is not None and (course.is_deleted or not is_instructor(actor, course)):
        raise ValidationError(
            {
                "course": [
                    _("You can only give a test to a course you teach; %(title)s is not one.") % {"title": course.title}
                ]
            }
        )


def _snapshot(quiz: Quiz) -> dict:
    return {
        "title": quiz.title,
        "status": quiz.status,
        "opens_at": quiz.opens_at.isoformat() if quiz.opens_at else None,
        "closes_at": quiz.closes_at.isoformat() if quiz.closes_at else None,
        "max_attempts": quiz.max_attempts,
        "time_limit": quiz.time_limit,
        "mode": quiz.mode,
    }


# --- making and changing -----------------------------------------------------------------------


@transaction.atomic
def quiz_create(
    *,
    actor,
    unit: Unit,
    title: str,
    subject: str,
    grade: int,
    mode: str,
    selection: str,
    instructions: str = "",
    time_limit: int | None = None,
    opens_at=None,
    closes_at=None,
    max_attempts: int = 1,
    shuffle_questions: bool = True,
    shuffle_options: bool = True,
    classes: Iterable[Unit] = (),
    course: Course | None = None,
) -> Quiz:
    """A new draft test made in `unit` (the author's group or school)."""
    if not may_make_at(actor, unit):
        raise ValidationError(_("You cannot make tests in %(unit)s.") % {"unit": unit.name}, code="forbidden")
    data = _clean_settings(
        {
            "title": title,
            "subject": subject,
            "grade": grade,
            "mode": mode,
            "selection": selection,
            "instructions": instructions,
            "time_limit": time_limit,
            "opens_at": opens_at,
            "closes_at": closes_at,
            "max_attempts": max_attempts,
        }
    )
    classes = _check_classes(unit, classes)
    _check_course(actor, course)
    quiz = Quiz(
        author=actor,
        unit=unit,
        status=Quiz.Status.DRAFT,
        shuffle_questions=bool(shuffle_questions),
        shuffle_options=bool(shuffle_options),
        course=course,
        **data,
    )
    quiz.full_clean(exclude=["classes"])
    quiz.save()
    quiz.classes.set(classes)
    audit_log(actor=actor, action="quiz.create", unit=unit, target=quiz, after=_snapshot(quiz))
    return quiz


@transaction.atomic
def quiz_update(*, actor, quiz: Quiz, **fields) -> Quiz:
    """Change a test's settings. `fields` are quiz_create's (but `unit`); those not given stay.

    A draft changes freely (switching between hand-picked and blueprint only while it has neither
    questions nor rows, so nothing chosen is silently dropped). A published test changes only in
    PUBLISHED_EDITABLE, within the rules that protect attempts already made."""
    quiz = _lock(quiz)
    _check_manager(actor, quiz)
    unknown = set(fields) - {*FIELD_LABELS, *PUBLISHED_EDITABLE, "classes", "course"}
    if unknown:
        raise TypeError(f"quiz_update() got unexpected fields {sorted(unknown)}")
    classes = fields.pop("classes", None)
    has_course = "course" in fields
    course = fields.pop("course", None)
    data = _clean_settings(fields)
    # The order is checked against the value that stays when only one of the two is given.
    opens_at = data.get("opens_at", quiz.opens_at)
    closes_at = data.get("closes_at", quiz.closes_at)
    if opens_at and closes_at and closes_at <= opens_at:
        raise ValidationError({"closes_at": [_("The test must close after it opens.")]})
    changed = {name for name, value in data.items() if getattr(quiz, name) != value}
    old_classes = set(quiz.classes.values_list("pk", flat=True))
    new_classes = None
    if classes is not None:
        new_classes = _check_classes(quiz.unit, classes)
        if {c.pk for c in new_classes} != old_classes:
            changed.add("classes")
    if has_course and (course.pk if course else None) != quiz.course_id:
        _check_course(actor, course)
        changed.add("course")
    if not changed:
        return quiz
    before = _snapshot(quiz)
    if quiz.status == Quiz.Status.DRAFT:
        if "selection" in changed:
            held = quiz.items.exists() or quiz.blueprint_rows.exists()
            if held:
                raise ValidationError(
                    {
                        "selection": [
                            _(
                                "This draft already has questions or blueprint rows; remove them before changing "
                                "how the questions are chosen."
                            )
                        ]
                    }
                )
    else:
        _check_published_changes(quiz, changed, data, new_classes, old_classes, course)
    for name in changed - {"classes", "course"}:
        setattr(quiz, name, data[name])
    if "course" in changed:
        quiz.course = course
    quiz.full_clean(exclude=["classes"])
    quiz.save()
    if "closes_at" in changed and quiz.closes_at is not None:
        # Closing earlier cuts the attempts under way: nobody keeps answering once results may be out.
        Attempt.objects.filter(quiz=quiz, status=Attempt.Status.IN_PROGRESS).filter(
            Q(deadline__isnull=True) | Q(deadline__gt=quiz.closes_at)
        ).update(deadline=quiz.closes_at)
    if "classes" in changed:
        quiz.classes.set(new_classes)
    audit_log(
        actor=actor,
        action="quiz.update",
        unit=quiz.unit,
        target=quiz,
        before=before,
        after={**_snapshot(quiz), "changed": sorted(changed)},
    )
    return quiz


def _check_published_changes(quiz, changed, data, new_classes, old_classes, course) -> None:
    started = _started(quiz)
    errors: dict[str, list[str]] = {}
    for name in changed - set(PUBLISHED_EDITABLE):
        if started:
            message = _("The %(field)s cannot change once students have started the test.")
        else:
            message = _("The %(field)s of a published test cannot change; take it back to draft first.")
        errors.setdefault(name, []).append(message % {"field": FIELD_LABELS[name]})
    now = timezone.now().replace(second=0, microsecond=0)
    if quiz.mode == Quiz.Mode.EXAM and quiz.results_released_at(timezone.now()):
        # Its students have seen the answer key: opening it again would hand the key to the next attempt.
        for name in {"closes_at", "opens_at", "max_attempts"} & changed:
            errors.setdefault(name, []).append(
                _(
                    "This exam has closed and its results are out, so it cannot be opened again; duplicate it to "
                    "set a new sitting."
                )
            )
    if "closes_at" in changed:
        closes_at = data["closes_at"]
        if closes_at is None and quiz.mode == Quiz.Mode.EXAM:
            errors.setdefault("closes_at", []).append(
                _("An exam needs a closing time: its results are shown once it closes.")
            )
        elif closes_at is not None and closes_at < now:
            errors.setdefault("closes_at", []).append(
                _("A published test cannot close in the past; the earliest is now (%(now)s).") % {"now": _fmt(now)}
            )
    if "opens_at" in changed and started:
        errors.setdefault("opens_at", []).append(_("The opening time cannot change once students have started."))
    if "max_attempts" in changed:
        used = quiz.attempts.aggregate(n=Max("number"))["n"] or 0
        if data["max_attempts"] < used:
            errors.setdefault("max_attempts", []).append(
                _("A student has already made %(used)d attempts: allow at least that many.") % {"used": used}
            )
    if "classes" in changed and not old_classes <= {c.pk for c in new_classes}:
        errors.setdefault("classes", []).append(
            _("Classes can be added to a published test but not removed; take it back to draft to remove one.")
        )
    if "course" in changed and quiz.course_id is not None:
        errors.setdefault("course", []).append(
            _("The course of a published test cannot be changed or removed; take it back to draft first.")
        )
    if errors:
        raise ValidationError(errors)


# --- questions chosen by hand ------------------------------------------------------------------


def _check_manual_draft(actor, quiz: Quiz) -> None:
    _check_manager(actor, quiz)
    _check_draft(quiz)
    if quiz.selection != Quiz.Selection.MANUAL:
        raise ValidationError(
            _("This test draws its questions from a blueprint; set the blueprint instead."), code="blueprint"
        )


@transaction.atomic
def quiz_question_add(*, actor, quiz: Quiz, question: Question) -> QuizItem:
    quiz = _lock(quiz)
    _check_manual_draft(actor, quiz)
    if not Question.objects.filter(bank_q(actor), pk=question.pk).exists():
        raise ValidationError(
            _("Question #%(number)d cannot be used: it is not approved for you, or it was removed or replaced.")
            % {"number": question.pk},
            code="not_usable",
        )
    if quiz.items.filter(question=question).exists():
        raise ValidationError(
            _("Question #%(number)d is already in this test.") % {"number": question.pk}, code="duplicate"
        )
    if quiz.items.count() >= MAX_QUESTIONS:
        raise ValidationError(_("A test can hold at most %(max)d questions.") % {"max": MAX_QUESTIONS}, code="too_many")
    last = quiz.items.aggregate(n=Max("position"))["n"] or 0
    item = QuizItem.objects.create(quiz=quiz, question=question, position=last + 1)
    Quiz.objects.filter(pk=quiz.pk).update(updated_at=timezone.now())
    return item


@transaction.atomic
def quiz_question_remove(*, actor, quiz: Quiz, question: Question) -> None:
    quiz = _lock(quiz)
    _check_manual_draft(actor, quiz)
    deleted, _detail = quiz.items.filter(question=question, row__isnull=True).delete()
    if not deleted:
        raise ValidationError(
            _("Question #%(number)d is not in this test any more.") % {"number": question.pk}, code="missing"
        )
    Quiz.objects.filter(pk=quiz.pk).update(updated_at=timezone.now())


@transaction.atomic
def quiz_questions_reorder(*, actor, quiz: Quiz, order: list[int]) -> None:
    """`order` is every question id of the test, in the new order."""
    quiz = _lock(quiz)
    _check_manual_draft(actor, quiz)
    items = {item.question_id: item for item in quiz.items.all()}
    try:
        order = [int(pk) for pk in order]
    except (TypeError, ValueError):
        order = []
    if sorted(order) != sorted(items) or len(set(order)) != len(order):
        raise ValidationError(
            _("The questions of this test changed meanwhile; reload the page and try again."), code="stale"
        )
    for position, pk in enumerate(order, 1):
        items[pk].position = position
    QuizItem.objects.bulk_update(items.values(), ["position"])
    Quiz.objects.filter(pk=quiz.pk).update(updated_at=timezone.now())


# --- blueprint -----------------------------------------------------------------------------------


def _level_name(level: int) -> str:
    return str(CognitiveLevel(level).label)


@transaction.atomic
def blueprint_set(*, actor, quiz: Quiz, rows: Iterable[tuple]) -> list[BlueprintRow]:
    """Replace the blueprint with `rows` = [(topic, level, count)]; cells with count 0 are left out. The
    bank may still be short: publishing checks that (the bank can change before then)."""
    quiz = _lock(quiz)
    _check_manager(actor, quiz)
    _check_draft(quiz)
    if quiz.selection != Quiz.Selection.BLUEPRINT:
        raise ValidationError(
            _("This test's questions are chosen by hand; switch it to a blueprint first."), code="manual"
        )
    errors: list[str] = []
    cells: dict[tuple[str, int], int] = {}
    for topic, level, count in rows:
        topic = nfc(topic)[:255]
        try:
            level = int(level)
            count = int(count or 0)
        except (TypeError, ValueError):
            errors.append(_("%(topic)s: the number of questions is a whole number.") % {"topic": topic or "?"})
            continue
        if count == 0:
            continue
        if not topic:
            errors.append(_("Give the topic of every cell."))
        elif level not in CognitiveLevel.values:
            errors.append(_("%(topic)s: choose a cognitive level.") % {"topic": topic})
        elif count < 0 or count > MAX_QUESTIONS:
            errors.append(
                _("%(topic)s – %(level)s: the number of questions is from 0 to %(max)d.")
                % {"topic": topic, "level": _level_name(level), "max": MAX_QUESTIONS}
            )
        elif (topic, level) in cells:
            errors.append(_("%(topic)s – %(level)s appears twice.") % {"topic": topic, "level": _level_name(level)})
        else:
            cells[(topic, level)] = count
    total = sum(cells.values())
    if total > MAX_QUESTIONS:
        errors.append(
            _("The blueprint asks for %(total)d questions; a test can hold at most %(max)d.")
            % {"total": total, "max": MAX_QUESTIONS}
        )
    if errors:
        raise ValidationError(errors)
    before = list(quiz.blueprint_rows.values_list("topic", "level", "count"))
    quiz.blueprint_rows.all().delete()
    created = BlueprintRow.objects.bulk_create(
        BlueprintRow(quiz=quiz, topic=topic, level=level, count=count) for (topic, level), count in cells.items()
    )
    Quiz.objects.filter(pk=quiz.pk).update(updated_at=timezone.now())
    audit_log(
        actor=actor,
        action="quiz.blueprint",
        unit=quiz.unit,
        target=quiz,
        before={"rows": before},
        after={"rows": [[t, lv, n] for (t, lv), n in cells.items()]},
    )
    return created


# --- publishing ----------------------------------------------------------------------------------


def _usable_for(actor, quiz: Quiz) -> Q:
    # The author built it, a manager may publish it: a question either of them may use is fine.
    return bank_q(actor) | bank_q(quiz.author)


def _why_unusable(question: Question) -> str:
    if question.is_deleted:
        return _("it was removed from the bank")
    if question.status == VersionStatus.REFUSED:
        return _("it was refused")
    if question.status == VersionStatus.SUPERSEDED:
        return _("it was replaced by a newer version")
    return _("it is not shared with you")


def publish_problems(*, actor, quiz: Quiz, now=None) -> list[str]:
    """Everything that stops `quiz` from being published, as messages; empty when it can be."""
    now = now or timezone.now()
    problems: list[str] = []
    if not nfc(quiz.title):
        problems.append(_("Give the test a title."))
    if quiz.selection == Quiz.Selection.MANUAL:
        items = list(quiz.items.filter(row__isnull=True).select_related("question"))
        if not items:
            problems.append(_("Add at least one question."))
        usable = set(
            Question.objects.filter(_usable_for(actor, quiz), pk__in=[i.question_id for i in items]).values_list(
                "pk", flat=True
            )
        )
        for item in items:
            if item.question_id not in usable:
                problems.append(
                    _("Question %(label)s cannot be used any more: %(why)s. Remove it or choose another.")
                    % {"label": question_label(item.question), "why": _why_unusable(item.question)}
                )
    else:
        rows = list(quiz.blueprint_rows.all())
        if not rows:
            problems.append(_("Set at least one cell of the blueprint."))
        available = blueprint_availability(user=actor, subject=quiz.subject, grade=quiz.grade, also=quiz.author)
        for row in rows:
            have = available.get((row.topic, row.level), 0)
            if have < row.count:
                problems.append(
                    _("%(topic)s – %(level)s: the test asks for %(count)d questions, the bank has %(have)d.")
                    % {"topic": row.topic, "level": _level_name(row.level), "count": row.count, "have": have}
                )
    if quiz.mode == Quiz.Mode.EXAM and quiz.closes_at is None:
        problems.append(_("An exam needs a closing time: its results are shown once it closes."))
    if quiz.opens_at and quiz.closes_at and quiz.closes_at <= quiz.opens_at:
        problems.append(_("The test must close after it opens."))
    if quiz.closes_at and quiz.closes_at <= now:
        problems.append(
            _("The closing time (%(time)s) has passed: choose a later one.") % {"time": _fmt(quiz.closes_at)}
        )
    if not quiz.classes.exists() and quiz.course_id is None:
        problems.append(_("Choose at least one class or a course to take the test."))
    return problems


@transaction.atomic
def quiz_publish(*, actor, quiz: Quiz) -> Quiz:
    quiz = _lock(quiz)
    _check_manager(actor, quiz)
    if quiz.status != Quiz.Status.DRAFT:
        raise ValidationError(_("This test is already published."), code="published")
    now = timezone.now()
    problems = publish_problems(actor=actor, quiz=quiz, now=now)
    if problems:
        raise ValidationError(problems, code="not_ready")
    if quiz.selection == Quiz.Selection.BLUEPRINT:
        _store_pool(actor, quiz)
    quiz.status = Quiz.Status.PUBLISHED
    quiz.published_at = now
    quiz.full_clean(exclude=["classes"])
    quiz.save(update_fields=["status", "published_at", "updated_at"])
    audit_log(actor=actor, action="quiz.publish", unit=quiz.unit, target=quiz, after=_snapshot(quiz))
    opens = _("opens %(time)s") % {"time": _fmt(quiz.opens_at)} if quiz.opens_at else _("open now")
    closes = _(", closes %(time)s") % {"time": _fmt(quiz.closes_at)} if quiz.closes_at else ""
    notify(
        recipients=quiz_students(quiz).exclude(pk=actor.pk),
        title=_("New test: %(title)s (%(opens)s%(closes)s)") % {"title": quiz.title, "opens": opens, "closes": closes},
        url=reverse("materials:take_start", args=[quiz.pk]),
    )
    return quiz


def _store_pool(actor, quiz: Quiz) -> None:
    """Every usable question matching a row becomes an item of that row: the fixed pool attempts draw from."""
    quiz.items.all().delete()
    rows = {(row.topic, row.level): row for row in quiz.blueprint_rows.all()}
    cells = Q(pk__in=[])
    for topic, level in rows:
        cells |= Q(topic=topic, level=level)
    pool = (
        Question.objects.filter(_usable_for(actor, quiz), cells, subject=quiz.subject, grade=quiz.grade)
        .order_by("topic", "level", "pk")
        .values_list("pk", "topic", "level")
    )
    QuizItem.objects.bulk_create(
        (
            QuizItem(quiz=quiz, question_id=pk, row=rows[(topic, level)], position=position)
            for position, (pk, topic, level) in enumerate(pool, 1)
        ),
        batch_size=1000,
    )


@transaction.atomic
def quiz_unpublish(*, actor, quiz: Quiz) -> Quiz:
    """Back to draft, only while no student has started: attempts must keep the test they were made on."""
    quiz = _lock(quiz)
    _check_manager(actor, quiz)
    if quiz.status != Quiz.Status.PUBLISHED:
        raise ValidationError(_("This test is not published."), code="draft")
    count = quiz.attempts.count()
    if count:
        raise ValidationError(
            _(
                "%(count)d attempts have been made at this test, so it stays published. Change its close time "
                "instead, or duplicate it to make a new version."
            )
            % {"count": count},
            code="started",
        )
    quiz.items.filter(row__isnull=False).delete()
    quiz.status = Quiz.Status.DRAFT
    quiz.published_at = None
    quiz.save(update_fields=["status", "published_at", "updated_at"])
    audit_log(actor=actor, action="quiz.unpublish", unit=quiz.unit, target=quiz, after=_snapshot(quiz))
    return quiz


# --- removing, restoring, duplicating ----------------------------------------------------------


@transaction.atomic
def quiz_delete(*, actor, quiz: Quiz) -> Quiz:
    """Removed, never erased: attempts and their scores stay and come back with a restore. Refused while
    students are answering, so nobody loses the page mid-test."""
    quiz = _lock(quiz)
    _check_manager(actor, quiz)
    taking = quiz.attempts.filter(status=Attempt.Status.IN_PROGRESS).count()
    if taking and quiz.is_open_at(timezone.now()):
        raise ValidationError(
            _("%(count)d students are taking this test now; remove it after they hand in or it closes.")
            % {"count": taking},
            code="in_progress",
        )
    soft_remove(quiz, by=actor, action="quiz.delete", unit=quiz.unit, before=_snapshot(quiz), also=["updated_at"])
    return quiz


@transaction.atomic
def quiz_restore(*, actor, quiz: Quiz) -> Quiz:
    quiz = _lock(quiz)
    if not can_restore_quiz(actor, quiz):
        raise ValidationError(_("You cannot restore this test."), code="forbidden")
    if not quiz.is_deleted:
        raise ValidationError(_("This test was not removed."), code="not_deleted")
    soft_restore(quiz, by=actor, action="quiz.restore", unit=quiz.unit, after=_snapshot(quiz), also=["updated_at"])
    return quiz


@transaction.atomic
def quiz_duplicate(*, actor, quiz: Quiz) -> Quiz:
    """A new draft with the same settings, hand-picked questions and blueprint rows, made by `actor`.
    The dates are left empty (they belong to the original's sitting); classes and the course are kept
    where the actor may still give the test to them."""
    if not can_manage_quiz(actor, quiz):
        raise ValidationError(_("You cannot duplicate this test."), code="forbidden")
    unit = quiz.unit
    if not may_make_at(actor, unit):
        school = unit.school()
        if school is None or not may_make_at(actor, school):
            raise ValidationError(_("You cannot make tests in %(unit)s.") % {"unit": unit.name}, code="forbidden")
        unit = school
    course = (
        quiz.course if quiz.course_id and not quiz.course.is_deleted and is_instructor(actor, quiz.course) else None
    )
    copy = Quiz(
        title=(_("Copy of %(title)s") % {"title": quiz.title})[:255],
        instructions=quiz.instructions,
        author=actor,
        unit=unit,
        subject=quiz.subject,
        grade=quiz.grade,
        mode=quiz.mode,
        selection=quiz.selection,
        status=Quiz.Status.DRAFT,
        time_limit=quiz.time_limit,
        max_attempts=quiz.max_attempts,
        shuffle_questions=quiz.shuffle_questions,
        shuffle_options=quiz.shuffle_options,
        course=course,
    )
    copy.full_clean(exclude=["classes"])
    copy.save()
    school = school_path(unit)
    copy.classes.set([c for c in quiz.classes.filter(is_active=True) if school_path(c) == school])
    QuizItem.objects.bulk_create(
        QuizItem(quiz=copy, question_id=item.question_id, position=item.position)
        for item in quiz.items.filter(row__isnull=True).order_by("position", "id")
    )
    BlueprintRow.objects.bulk_create(
        BlueprintRow(quiz=copy, topic=row.topic, level=row.level, count=row.count) for row in quiz.blueprint_rows.all()
    )
    audit_log(actor=actor, action="quiz.duplicate", unit=unit, target=copy, after={**_snapshot(copy), "from": quiz.pk})
    return copy
