"""Tests (đề kiểm tra) and the attempts students make at them.

The model is named `Quiz` rather than `Test` so pytest never mistakes it for a test class.

A quiz is built by hand (its `QuizItem`s are the questions, every student gets all of them) or from a
blueprint (ma trận đề: `BlueprintRow`s say how many questions of each topic × cognitive level). When a
blueprint quiz is published, the questions matching each row are stored as its items with `row` set:
that pool is fixed then, and each attempt draws `row.count` of them at random. Options are shuffled per
attempt when `shuffle_options` is on: `AttemptAnswer.option_order` keeps the permutation shown.

An attempt's `deadline` is fixed when it starts (the time limit, cut at the quiz's close): the server
refuses answers after it (a short grace covers the last request in flight) and closes the attempt
with what was saved. Objective questions are graded at once; essays wait for the teacher. Scores are
on the 10-point scale, every question weighing the same.
"""

from datetime import timedelta

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from truonghoc.softdelete import SoftDeleted, soft_delete_constraint

from .questions import CognitiveLevel

# Answers sent up to this long after an attempt's deadline are still taken (the last request in flight
# on a slow school network); results of an exam are released only once it has passed after the close.
ANSWER_GRACE = timedelta(seconds=30)


class Quiz(SoftDeleted):
    class Mode(models.TextChoices):
        PRACTICE = "practice", _("Practice (answers and explanations at once)")
        EXAM = "exam", _("Exam (results after it closes)")

    class Selection(models.TextChoices):
        MANUAL = "manual", _("Questions chosen by hand")
        BLUEPRINT = "blueprint", _("Drawn at random from a blueprint")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")

    title = models.CharField(_("title"), max_length=255)
    instructions = models.TextField(_("instructions"), blank=True)  # sanitised HTML
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("author"), on_delete=models.PROTECT, related_name="quizzes"
    )
    # The school or group the quiz was made in.
    unit = models.ForeignKey("units.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="quizzes")
    subject = models.CharField(_("subject"), max_length=100)
    grade = models.PositiveSmallIntegerField(_("grade"), validators=[MinValueValidator(1), MaxValueValidator(12)])
    mode = models.CharField(_("mode"), max_length=10, choices=Mode.choices, default=Mode.EXAM)
    selection = models.CharField(_("questions"), max_length=10, choices=Selection.choices, default=Selection.MANUAL)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    time_limit = models.PositiveSmallIntegerField(
        _("time limit (minutes)"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(600)]
    )
    opens_at = models.DateTimeField(_("opens at"), null=True, blank=True)
    closes_at = models.DateTimeField(_("closes at"), null=True, blank=True)
    max_attempts = models.PositiveSmallIntegerField(
        _("attempts allowed"), default=1, validators=[MinValueValidator(1), MaxValueValidator(100)]
    )
    shuffle_questions = models.BooleanField(_("shuffle the questions"), default=True)
    shuffle_options = models.BooleanField(_("shuffle the options"), default=True)
    # Who may take it: students of these classes, and/or the learners of this course.
    classes = models.ManyToManyField(
        "units.Unit", verbose_name=_("classes"), blank=True, related_name="quizzes_for_class"
    )
    course = models.ForeignKey(
        "courses.Course",
        verbose_name=_("course"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="quizzes",
    )
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    # When the students of a closed exam were told its results are out (services.results).
    results_notified_at = models.DateTimeField(_("results announced at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("test")
        verbose_name_plural = _("tests")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=~Q(title=""), name="quiz_has_title"),
            models.CheckConstraint(
                condition=Q(opens_at__isnull=True) | Q(closes_at__isnull=True) | Q(closes_at__gt=F("opens_at")),
                name="quiz_closes_after_opening",
            ),
            # Exam results are released when the exam closes, so an exam must close.
            models.CheckConstraint(
                condition=~Q(mode="exam", status="published") | Q(closes_at__isnull=False),
                name="quiz_published_exam_closes",
            ),
            soft_delete_constraint("quiz"),
        ]
        indexes = [models.Index(fields=["status", "closes_at"], name="quiz_open_idx")]

    def __str__(self):
        return self.title

    def is_open_at(self, moment) -> bool:
        return (
            self.status == self.Status.PUBLISHED
            and not self.is_deleted
            and (self.opens_at is None or self.opens_at <= moment)
            and (self.closes_at is None or moment < self.closes_at)
        )

    def results_released_at(self, moment) -> bool:
        """Practice shows results at once; an exam once it has closed and the last answers in flight
        can no longer be taken (ANSWER_GRACE)."""
        return self.mode == self.Mode.PRACTICE or (
            self.closes_at is not None and self.closes_at + ANSWER_GRACE <= moment
        )


class BlueprintRow(models.Model):
    """One cell of the blueprint: `count` questions of `topic` at `level`."""

    quiz = models.ForeignKey(Quiz, verbose_name=_("test"), on_delete=models.CASCADE, related_name="blueprint_rows")
    topic = models.CharField(_("topic"), max_length=255)
    level = models.PositiveSmallIntegerField(_("cognitive level"), choices=CognitiveLevel.choices)
    count = models.PositiveSmallIntegerField(_("number of questions"), validators=[MinValueValidator(1)])

    class Meta:
        verbose_name = _("blueprint row")
        verbose_name_plural = _("blueprint rows")
        ordering = ["quiz", "topic", "level"]
        constraints = [
            models.UniqueConstraint(fields=["quiz", "topic", "level"], name="blueprint_one_row_per_cell"),
            models.CheckConstraint(condition=Q(count__gte=1), name="blueprint_count_positive"),
        ]

    def __str__(self):
        return f"{self.topic} · {self.get_level_display()} · {self.count}"


class QuizItem(models.Model):
    """A question of a hand-built quiz, or one of the pool a blueprint row draws from (`row` set)."""

    quiz = models.ForeignKey(Quiz, verbose_name=_("test"), on_delete=models.CASCADE, related_name="items")
    question = models.ForeignKey(
        "materials.Question", verbose_name=_("question"), on_delete=models.PROTECT, related_name="quiz_items"
    )
    position = models.PositiveIntegerField(_("position"), default=0)
    row = models.ForeignKey(
        BlueprintRow,
        verbose_name=_("blueprint row"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="pool",
    )
    # Cancelled by the teacher after the fact (a wrong key, an ambiguous stem): every answer to it,
    # handed in before or after, earns full credit.
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)

    class Meta:
        verbose_name = _("test question")
        verbose_name_plural = _("test questions")
        ordering = ["quiz", "position", "id"]
        constraints = [models.UniqueConstraint(fields=["quiz", "question"], name="quiz_item_once")]

    def __str__(self):
        return f"{self.quiz} · {self.question_id}"


class Attempt(models.Model):
    class Status(models.TextChoices):
        IN_PROGRESS = "in_progress", _("In progress")
        SUBMITTED = "submitted", _("Handed in, essays to grade")
        GRADED = "graded", _("Graded")

    quiz = models.ForeignKey(Quiz, verbose_name=_("test"), on_delete=models.PROTECT, related_name="attempts")
    student = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("student"), on_delete=models.PROTECT, related_name="quiz_attempts"
    )
    number = models.PositiveSmallIntegerField(_("attempt"))
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.IN_PROGRESS)
    started_at = models.DateTimeField(_("started at"), default=timezone.now)
    # When answers stop being accepted: started_at + time limit, cut at the quiz's close. Null: no limit.
    deadline = models.DateTimeField(_("deadline"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("handed in at"), null=True, blank=True)
    # Closed by the server at the deadline rather than handed in by the student.
    auto_submitted = models.BooleanField(_("closed at the time limit"), default=False)
    # On the 10-point scale. Objective questions count as soon as the attempt is handed in; essays when
    # graded. Null while in progress.
    score = models.DecimalField(_("score"), max_digits=4, decimal_places=2, null=True, blank=True)

    class Meta:
        verbose_name = _("attempt")
        verbose_name_plural = _("attempts")
        ordering = ["quiz", "student", "number"]
        constraints = [
            models.UniqueConstraint(fields=["quiz", "student", "number"], name="attempt_number_once"),
            # Two clicks on "Start" never make two attempts in progress.
            models.UniqueConstraint(
                fields=["quiz", "student"], condition=Q(status="in_progress"), name="attempt_one_in_progress"
            ),
            models.CheckConstraint(
                condition=Q(score__isnull=True) | Q(score__gte=0, score__lte=10), name="attempt_score_0_10"
            ),
            models.CheckConstraint(
                condition=Q(status="in_progress") | Q(submitted_at__isnull=False), name="attempt_submitted_has_date"
            ),
        ]
        indexes = [models.Index(fields=["status", "deadline"], name="attempt_overdue_idx")]

    def __str__(self):
        return f"{self.quiz} · {self.student} · {self.number}"


class AttemptAnswer(models.Model):
    """One question of an attempt, in the order shown, with what the student answered.

    `response` by type: single → option index (int, in the question's own order); multiple → sorted
    list of option indexes; true/false → list of four booleans or nulls; numeric → the text typed
    (kept as typed, so "3,5" is never lost); essay → the text. `credit` is the share of the question's
    weight earned (0–1); null until graded."""

    attempt = models.ForeignKey(Attempt, verbose_name=_("attempt"), on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(
        "materials.Question", verbose_name=_("question"), on_delete=models.PROTECT, related_name="answers"
    )
    position = models.PositiveSmallIntegerField(_("position"))
    option_order = models.JSONField(_("option order"), default=list, blank=True)
    response = models.JSONField(_("answer"), null=True, blank=True)
    saved_at = models.DateTimeField(_("saved at"), null=True, blank=True)
    credit = models.DecimalField(
        _("credit"),
        max_digits=5,
        decimal_places=4,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(1)],
    )
    feedback = models.TextField(_("feedback"), blank=True)
    graded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("graded by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    graded_at = models.DateTimeField(_("graded at"), null=True, blank=True)

    class Meta:
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        ordering = ["attempt", "position"]
        constraints = [
            models.UniqueConstraint(fields=["attempt", "position"], name="answer_position_once"),
            models.UniqueConstraint(fields=["attempt", "question"], name="answer_question_once"),
            models.CheckConstraint(
                condition=Q(credit__isnull=True) | Q(credit__gte=0, credit__lte=1), name="answer_credit_0_1"
            ),
        ]
        indexes = [models.Index(fields=["question", "credit"], name="answer_item_stats_idx")]

    def __str__(self):
        return f"{self.attempt} · {self.position}"
