"""The grade book's data: what each subject is assessed by (per school year and regulation), who teaches
what to which class, the marks as teachers enter them with their full history, and the locks and entry
deadlines a principal sets.

Marks are the big table of the country (about 60 million rows for a province's year): one row per student
× subject × semester × column, keyed so that a class's grid is one indexed read, and carrying its school
and school year so the table can be partitioned by year (DESIGN §9). Every computed value (averages,
results) is derived from these rows by `gradebook.rules`, never typed.
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from approvals.models import OPEN_STATUSES, ReviewStep, review_step_rules
from approvals.models import Status as ApprovalStatus
from truonghoc.imports.models import BatchRow, ImportBatch, status_choices, status_field


class Regulation(models.TextChoices):
    """The assessment regulation a subject rule follows. A later regulation is added beside these, with
    its own rows per school year; the marks do not change."""

    TT22_2021 = "tt22_2021", _("Circular 22/2021 (lower and upper secondary)")
    TT27_2020 = "tt27_2020", _("Circular 27/2020 (primary)")


class AssessedBy(models.TextChoices):
    SCORE = "score", _("Marks and comments")
    COMMENT = "comment", _("Comments only (Đạt / Chưa đạt)")


class Semester(models.IntegerChoices):
    YEAR = 0, _("Whole year")
    FIRST = 1, _("Semester 1")
    SECOND = 2, _("Semester 2")


class MarkKind(models.TextChoices):
    """The columns of a subject's grid in a semester. ĐĐGtx has 2–4 columns (index 1..n), the others one.
    RETEST is the re-assessment after the summer (semester YEAR). LEVEL is a level a primary teacher sets
    for the subject (Circular 27: Hoàn thành tốt / Hoàn thành / Chưa hoàn thành)."""

    REGULAR = "tx", _("Regular assessment (ĐĐGtx)")
    MIDTERM = "gk", _("Mid-term assessment (ĐĐGgk)")
    END_OF_TERM = "ck", _("End-of-term assessment (ĐĐGck)")
    RETEST = "kl", _("Re-assessment after the summer")
    LEVEL = "mh", _("Subject level (primary)")


class Level(models.TextChoices):
    """Every level a cell may hold instead of a number, across the regulations."""

    PASSED = "D", _("Đạt")
    NOT_PASSED = "CD", _("Chưa đạt")
    EXCELLENT = "HTT", _("Hoàn thành tốt")
    COMPLETED = "HT", _("Hoàn thành")
    NOT_COMPLETED = "CHT", _("Chưa hoàn thành")


class SubjectRule(models.Model):
    """How one subject is taught and assessed in one grade, in one school year, under one regulation: its
    periods per year (the 2018 programme, editable per year) and whether it is assessed by marks or by
    comments only. The number of regular assessments per semester follows from the periods."""

    school_year = models.CharField(_("school year"), max_length=9)  # "2026-2027"
    regulation = models.CharField(_("regulation"), max_length=12, choices=Regulation.choices)
    grade = models.PositiveSmallIntegerField(_("grade"), validators=[MinValueValidator(1), MaxValueValidator(12)])
    subject = models.CharField(_("subject"), max_length=100)
    periods_per_year = models.PositiveSmallIntegerField(_("periods per year"))
    assessed_by = models.CharField(_("assessed by"), max_length=8, choices=AssessedBy.choices)

    class Meta:
        verbose_name = _("subject rule")
        verbose_name_plural = _("subject rules")
        ordering = ["school_year", "grade", "subject"]
        constraints = [
            models.UniqueConstraint(
                fields=["school_year", "regulation", "grade", "subject"], name="gradebook_one_rule_per_subject"
            ),
            models.CheckConstraint(condition=Q(grade__gte=1, grade__lte=12), name="gradebook_rule_grade_1_12"),
        ]

    def __str__(self):
        return f"{self.subject} {self.grade} ({self.school_year})"

    @property
    def regular_count(self) -> int:
        """ĐĐGtx per semester (Circular 22, art. 7): 2 for a subject of 35 periods a year, 3 for more than
        35 up to 70, 4 for more than 70."""
        if self.periods_per_year <= 35:
            return 2
        if self.periods_per_year <= 70:
            return 3
        return 4

    @property
    def by_comment(self) -> bool:
        return self.assessed_by == AssessedBy.COMMENT

    def columns(self) -> list[tuple[str, int]]:
        """The subject's columns in a semester, in the grid's order, as (kind, index): ĐĐGtx 1..n, ĐĐGgk,
        ĐĐGck. The one place that spells them: the grid, progress and the demo read them here. A subject
        assessed by comment has the same columns, holding levels. A primary subject (Circular 27) has first
        its semester level (MarkKind.LEVEL: Hoàn thành tốt / Hoàn thành / Chưa hoàn thành), then its periodic
        tests (`rules.primary_periodic_tests`: ĐĐGck, plus ĐĐGgk in grades 4–5 for Tiếng Việt and Toán); a
        comment-only primary subject has only its level."""
        from . import rules

        if self.regulation == Regulation.TT27_2020:
            tests = [(kind, 1) for kind in rules.primary_periodic_tests(self.grade, self.subject)]
            return [(MarkKind.LEVEL.value, 1), *tests]
        regulars = [(MarkKind.REGULAR.value, n) for n in range(1, self.regular_count + 1)]
        return [*regulars, (MarkKind.MIDTERM.value, 1), (MarkKind.END_OF_TERM.value, 1)]


class TeachingAssignment(models.Model):
    """Phân công giảng dạy: `teacher` teaches `subject` to `school_class` in a semester of a school year.
    It decides who may enter which marks. One teacher per class, subject and semester."""

    school = models.ForeignKey("units.Unit", verbose_name=_("school"), on_delete=models.PROTECT, related_name="+")
    school_class = models.ForeignKey(
        "units.Unit", verbose_name=_("class"), on_delete=models.PROTECT, related_name="teaching_assignments"
    )
    school_year = models.CharField(_("school year"), max_length=9)
    semester = models.PositiveSmallIntegerField(
        _("semester"), choices=[(Semester.FIRST, Semester.FIRST.label), (Semester.SECOND, Semester.SECOND.label)]
    )
    subject = models.CharField(_("subject"), max_length=100)
    teacher = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("teacher"),
        on_delete=models.PROTECT,
        related_name="teaching_assignments",
    )
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("set by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    class Meta:
        verbose_name = _("teaching assignment")
        verbose_name_plural = _("teaching assignments")
        ordering = ["school_year", "semester", "school_class__name", "subject"]
        constraints = [
            models.UniqueConstraint(
                fields=["school_class", "school_year", "semester", "subject"], name="gradebook_one_teacher_per_subject"
            ),
            models.CheckConstraint(condition=Q(semester__in=[1, 2]), name="gradebook_assignment_semester_1_2"),
        ]
        indexes = [
            models.Index(fields=["teacher", "school_year", "semester"], name="gradebook_assign_teacher_idx"),
            models.Index(fields=["school", "school_year", "semester"], name="gradebook_assign_school_idx"),
        ]

    def __str__(self):
        return f"{self.subject} · {self.school_class} · {self.teacher}"


class Mark(models.Model):
    """One cell of the grade book: a student's mark (or level) in one column of one subject in a semester.
    An emptied cell keeps its row (value None, level ""), so its history stays attached.

    `version` grows with every write: a save that was based on an older version is refused rather than
    overwriting what someone else saved meanwhile (two teachers, one cell)."""

    student = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("student"), on_delete=models.PROTECT, related_name="marks"
    )
    # Where the mark was entered: the class grid reads by it, the locks and progress by school.
    school = models.ForeignKey("units.Unit", verbose_name=_("school"), on_delete=models.PROTECT, related_name="+")
    school_class = models.ForeignKey("units.Unit", verbose_name=_("class"), on_delete=models.PROTECT, related_name="+")
    school_year = models.CharField(_("school year"), max_length=9)
    semester = models.PositiveSmallIntegerField(_("semester"), choices=Semester.choices)
    subject = models.CharField(_("subject"), max_length=100)
    kind = models.CharField(_("column"), max_length=2, choices=MarkKind.choices)
    index = models.PositiveSmallIntegerField(_("number"), default=1)
    value = models.DecimalField(_("mark"), max_digits=3, decimal_places=1, null=True, blank=True)
    level = models.CharField(_("level"), max_length=3, choices=Level.choices, blank=True)
    version = models.PositiveIntegerField(default=1)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("entered by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    class Meta:
        verbose_name = _("mark")
        verbose_name_plural = _("marks")
        constraints = [
            models.UniqueConstraint(
                fields=["student", "school_year", "semester", "subject", "kind", "index"],
                name="gradebook_one_mark_per_cell",
            ),
            models.CheckConstraint(
                condition=Q(value__isnull=True) | Q(value__gte=Decimal("0"), value__lte=Decimal("10")),
                name="gradebook_mark_0_10",
            ),
            models.CheckConstraint(condition=Q(value__isnull=True) | Q(level=""), name="gradebook_mark_value_or_level"),
            models.CheckConstraint(condition=Q(index__gte=1, index__lte=10), name="gradebook_mark_index_1_10"),
        ]
        indexes = [
            models.Index(fields=["school_class", "school_year", "semester", "subject"], name="gradebook_mark_grid_idx"),
            models.Index(fields=["school", "school_year", "semester"], name="gradebook_mark_school_idx"),
        ]

    def __str__(self):
        return f"{self.student} · {self.subject} · {self.kind}{self.index}"

    @property
    def is_empty(self) -> bool:
        return self.value is None and not self.level


class MarkEvent(models.Model):
    """The history of a cell, kept for ever: every write with the old and new value, who wrote it, when,
    and — for a change after a lock — the reason and the request the principal approved. This is the
    audit trail of marks (one row per write; the general AuditEntry table is not used per mark)."""

    mark = models.ForeignKey(Mark, verbose_name=_("mark"), on_delete=models.PROTECT, related_name="events")
    old_value = models.DecimalField(_("old mark"), max_digits=3, decimal_places=1, null=True, blank=True)
    new_value = models.DecimalField(_("new mark"), max_digits=3, decimal_places=1, null=True, blank=True)
    old_level = models.CharField(_("old level"), max_length=3, blank=True)
    new_level = models.CharField(_("new level"), max_length=3, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("at"), default=timezone.now)
    reason = models.TextField(_("reason"), blank=True)
    # Set when the write applied an approved change request (the requester is `by`).
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("approved by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    source = models.CharField(_("source"), max_length=40, blank=True)  # "grid", "import", "test:12", "request:5"…

    class Meta:
        verbose_name = _("mark change")
        verbose_name_plural = _("mark changes")
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["mark", "at"], name="gradebook_event_mark_idx")]

    def __str__(self):
        return f"{self.mark_id}: {self.old_value or self.old_level} → {self.new_value or self.new_level}"


class Lock(models.Model):
    """A lock the principal puts on part of a school's grade book from `locks_at` on. Each of class,
    subject and column narrows it when set: none set locks the whole school's semester; a class alone locks
    the class; a class, subject and column lock one column of one grid; a column alone locks that column
    in every class. After it, a mark changes only through an approved change request."""

    school = models.ForeignKey("units.Unit", verbose_name=_("school"), on_delete=models.PROTECT, related_name="+")
    school_year = models.CharField(_("school year"), max_length=9)
    semester = models.PositiveSmallIntegerField(_("semester"), choices=Semester.choices)
    school_class = models.ForeignKey(
        "units.Unit", verbose_name=_("class"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    subject = models.CharField(_("subject"), max_length=100, blank=True)
    kind = models.CharField(_("column"), max_length=2, choices=MarkKind.choices, blank=True)
    locks_at = models.DateTimeField(_("locked from"))
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("set by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("lock")
        verbose_name_plural = _("locks")
        ordering = ["locks_at"]
        indexes = [models.Index(fields=["school", "school_year", "semester"], name="gradebook_lock_school_idx")]

    def __str__(self):
        return f"{self.school} {self.school_year} HK{self.semester} · {self.locks_at:%d/%m/%Y}"

    def covers(self, *, school_class_id: int, subject: str, kind: str, semester: int, at=None) -> bool:
        """This lock applies to a cell of that class, subject and column at `at` (now by default)."""
        at = at or timezone.now()
        return (
            self.locks_at <= at
            and self.semester in (semester, Semester.YEAR)
            and (self.school_class_id is None or self.school_class_id == school_class_id)
            and (not self.subject or self.subject == subject)
            and (not self.kind or self.kind == kind)
        )


class EntryDeadline(models.Model):
    """The day by which a kind of column must be filled in a school's semester (the principal sets it);
    progress shows the columns still empty after it."""

    school = models.ForeignKey("units.Unit", verbose_name=_("school"), on_delete=models.PROTECT, related_name="+")
    school_year = models.CharField(_("school year"), max_length=9)
    semester = models.PositiveSmallIntegerField(_("semester"), choices=Semester.choices)
    kind = models.CharField(_("column"), max_length=2, choices=MarkKind.choices)
    due = models.DateField(_("deadline"))
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("set by"), on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    class Meta:
        verbose_name = _("entry deadline")
        verbose_name_plural = _("entry deadlines")
        ordering = ["due"]
        constraints = [
            models.UniqueConstraint(
                fields=["school", "school_year", "semester", "kind"], name="gradebook_one_deadline_per_column"
            )
        ]

    def __str__(self):
        return f"{self.get_kind_display()} · {self.due:%d/%m/%Y}"


class Rating(models.TextChoices):
    """Conduct (rèn luyện) and learning results under Circular 22."""

    GOOD = "T", _("Tốt")
    FAIR = "K", _("Khá")
    PASS = "D", _("Đạt")
    FAIL = "CD", _("Chưa đạt")


class Exemption(models.Model):
    """A student exempt from a subject's assessment in a semester (or the whole year): the subject is left
    out of their results (Circular 22, e.g. physical education for health reasons)."""

    student = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("student"), on_delete=models.PROTECT, related_name="+"
    )
    school = models.ForeignKey("units.Unit", verbose_name=_("school"), on_delete=models.PROTECT, related_name="+")
    school_year = models.CharField(_("school year"), max_length=9)
    semester = models.PositiveSmallIntegerField(_("semester"), choices=Semester.choices)
    subject = models.CharField(_("subject"), max_length=100)
    reason = models.CharField(_("reason"), max_length=255)
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("set by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("exemption")
        verbose_name_plural = _("exemptions")
        constraints = [
            models.UniqueConstraint(
                fields=["student", "school_year", "semester", "subject"], name="gradebook_one_exemption_per_subject"
            )
        ]

    def __str__(self):
        return f"{self.student} · {self.subject}"


class Conduct(models.Model):
    """A student's conduct (rèn luyện) for a semester or the year, set by the homeroom teacher."""

    student = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("student"), on_delete=models.PROTECT, related_name="+"
    )
    school = models.ForeignKey("units.Unit", verbose_name=_("school"), on_delete=models.PROTECT, related_name="+")
    school_class = models.ForeignKey("units.Unit", verbose_name=_("class"), on_delete=models.PROTECT, related_name="+")
    school_year = models.CharField(_("school year"), max_length=9)
    semester = models.PositiveSmallIntegerField(_("semester"), choices=Semester.choices)
    rating = models.CharField(_("conduct"), max_length=2, choices=Rating.choices)
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("set by"), on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    class Meta:
        verbose_name = _("conduct")
        verbose_name_plural = _("conduct")
        constraints = [
            models.UniqueConstraint(
                fields=["student", "school_year", "semester"], name="gradebook_one_conduct_per_term"
            )
        ]
        indexes = [models.Index(fields=["school_class", "school_year"], name="gradebook_conduct_class_idx")]

    def __str__(self):
        return f"{self.student} · {self.get_rating_display()}"


class Absence(models.Model):
    """A student absent on a day (a whole day, or one period of a subject), with or without permission,
    recorded by the homeroom teacher or the subject's teacher."""

    student = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("student"), on_delete=models.PROTECT, related_name="+"
    )
    school = models.ForeignKey("units.Unit", verbose_name=_("school"), on_delete=models.PROTECT, related_name="+")
    school_class = models.ForeignKey("units.Unit", verbose_name=_("class"), on_delete=models.PROTECT, related_name="+")
    school_year = models.CharField(_("school year"), max_length=9)
    day = models.DateField(_("day"))
    # 0 for the whole day, else the period of the day (1–10) missed.
    period = models.PositiveSmallIntegerField(_("period"), default=0)
    subject = models.CharField(_("subject"), max_length=100, blank=True)
    with_permission = models.BooleanField(_("with permission"), default=False)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)
    # Blank when typed in the class book; "live:<session id>" when it comes from a live lesson's attendance
    # (`lesson_absences_set`), so that a correction updates that row instead of adding one.
    source = models.CharField(_("source"), max_length=40, blank=True, default="")

    class Meta:
        verbose_name = _("absence")
        verbose_name_plural = _("absences")
        ordering = ["day", "period"]
        constraints = [
            models.UniqueConstraint(
                fields=["student", "day", "period"], condition=Q(source=""), name="gradebook_one_absence_per_period"
            ),
            models.UniqueConstraint(
                fields=["student", "source"], condition=~Q(source=""), name="gradebook_one_absence_per_source"
            ),
            models.CheckConstraint(condition=Q(period__lte=10), name="gradebook_absence_period_0_10"),
        ]
        indexes = [models.Index(fields=["school_class", "day"], name="gradebook_absence_class_idx")]

    def __str__(self):
        return f"{self.student} · {self.day:%d/%m/%Y}"


class StudentComment(models.Model):
    """A teacher's comment on a student for a semester: the homeroom teacher's general one (subject
    empty) or a subject teacher's on their subject."""

    student = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("student"), on_delete=models.PROTECT, related_name="+"
    )
    school = models.ForeignKey("units.Unit", verbose_name=_("school"), on_delete=models.PROTECT, related_name="+")
    school_year = models.CharField(_("school year"), max_length=9)
    semester = models.PositiveSmallIntegerField(_("semester"), choices=Semester.choices)
    subject = models.CharField(_("subject"), max_length=100, blank=True)
    text = models.TextField(_("comment"))
    by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    class Meta:
        verbose_name = _("comment on a student")
        verbose_name_plural = _("comments on students")
        constraints = [
            models.UniqueConstraint(
                fields=["student", "school_year", "semester", "subject"], name="gradebook_one_comment_per_subject"
            )
        ]

    def __str__(self):
        return f"{self.student} · {self.subject or '—'}"


# --- change requests (a locked mark changes only through the principal's approval) ----------------------


class MarkChangeRequest(models.Model):
    """A teacher's request to change a locked mark, with the reason; the principal alone approves or
    refuses it (approvals engine, first step at the school). Approval writes the cell with `mark_write`
    in the same transaction. The item and the subject of the engine are this one row: `unit` is the
    school, `author` the teacher who asked."""

    mark = models.ForeignKey(Mark, verbose_name=_("mark"), on_delete=models.PROTECT, related_name="change_requests")
    unit = models.ForeignKey("units.Unit", verbose_name=_("school"), on_delete=models.PROTECT, related_name="+")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("requested by"), on_delete=models.PROTECT, related_name="+"
    )
    # What the cell held when asked, and what it should hold.
    old_value = models.DecimalField(_("old mark"), max_digits=3, decimal_places=1, null=True, blank=True)
    old_level = models.CharField(_("old level"), max_length=3, blank=True)
    new_value = models.DecimalField(_("new mark"), max_digits=3, decimal_places=1, null=True, blank=True)
    new_level = models.CharField(_("new level"), max_length=3, choices=Level.choices, blank=True)
    reason = models.TextField(_("reason"))
    status = models.CharField(_("status"), max_length=16, choices=ApprovalStatus.choices, default=ApprovalStatus.DRAFT)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # The engine's contract: never shared beyond the school, never removed.
    shared_with = models.ForeignKey(
        "units.Unit", verbose_name=_("shared with"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    is_deleted = models.BooleanField(default=False)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    class Meta:
        verbose_name = _("mark change request")
        verbose_name_plural = _("mark change requests")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["mark"],
                condition=Q(status__in=["draft", "submitted", "group_approved"]),
                name="gradebook_one_open_request_per_mark",
            ),
            models.CheckConstraint(condition=~Q(reason=""), name="gradebook_request_has_reason"),
            models.CheckConstraint(
                condition=Q(new_value__isnull=True) | Q(new_level=""), name="gradebook_request_value_or_level"
            ),
        ]
        indexes = [models.Index(fields=["unit", "status"], name="gradebook_request_queue_idx")]

    def __str__(self):
        return f"#{self.pk} · {self.mark}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class MarkChangeReview(ReviewStep):
    """The trail of a change request: sent, then approved or refused by the principal."""

    item_field = "request"
    request = models.ForeignKey(
        MarkChangeRequest, verbose_name=_("change request"), on_delete=models.CASCADE, related_name="reviews"
    )

    class Meta:
        verbose_name = _("change request step")
        verbose_name_plural = _("change request steps")
        ordering = ["at", "id"]
        constraints = review_step_rules("request", "gradebook_mcr")["constraints"]
        indexes = review_step_rules("request", "gradebook_mcr")["indexes"]


# --- derived results (issue #16, "rules" part): written only by services.results_recompute* ---------------


class CompetenceLevel(models.TextChoices):
    """Qualities and competences of a primary student (Circular 27/2020, art. 6.2)."""

    GOOD = "T", _("Tốt")
    PASS = "D", _("Đạt")
    TRY = "C", _("Cần cố gắng")


class OverallResult(models.TextChoices):
    """A student's learning result: Circular 22 (secondary) or the end-of-year result of Circular 27."""

    GOOD = "T", _("Tốt")
    FAIR = "K", _("Khá")
    PASS = "D", _("Đạt")
    FAIL = "CD", _("Chưa đạt")
    OUTSTANDING = "HXS", _("Hoàn thành xuất sắc")
    EXCELLENT = "HTT", _("Hoàn thành tốt")
    COMPLETED = "HT", _("Hoàn thành")
    NOT_COMPLETED = "CHT", _("Chưa hoàn thành")


class CompetenceRating(models.Model):
    """A primary student's rating on one quality or competence in a semester, set by the homeroom
    teacher (Circular 27/2020, art. 6.2); `item` is a code of `gradebook.rules.COMPETENCE_ITEMS`."""

    student = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("student"), on_delete=models.PROTECT, related_name="+"
    )
    school = models.ForeignKey("units.Unit", verbose_name=_("school"), on_delete=models.PROTECT, related_name="+")
    school_class = models.ForeignKey("units.Unit", verbose_name=_("class"), on_delete=models.PROTECT, related_name="+")
    school_year = models.CharField(_("school year"), max_length=9)
    semester = models.PositiveSmallIntegerField(_("semester"), choices=Semester.choices)
    item = models.CharField(_("quality or competence"), max_length=20)
    level = models.CharField(_("level"), max_length=1, choices=CompetenceLevel.choices)
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("set by"), on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    class Meta:
        verbose_name = _("quality or competence rating")
        verbose_name_plural = _("quality and competence ratings")
        constraints = [
            models.UniqueConstraint(
                fields=["student", "school_year", "semester", "item"], name="gradebook_one_rating_per_item"
            )
        ]
        indexes = [models.Index(fields=["school", "school_year"], name="gradebook_rating_school_idx")]

    def __str__(self):
        return f"{self.student} · {self.item} · {self.level}"


class DerivedResult(models.Model):
    """What every derived result row says about whose it is: the student, their school and class, the school
    year and the semester (0 for the year). Rows are written in bulk by the recompute from marks whose own
    foreign keys hold, so there is no foreign-key constraint in the database (checking three per row at
    commit took most of a school's first recompute); Django's on_delete still cascades. The student and the
    class need no index of their own: each table's unique constraint and class index lead with them."""

    student = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("student"),
        on_delete=models.CASCADE,
        related_name="+",
        db_constraint=False,
        db_index=False,
    )
    school = models.ForeignKey(
        "units.Unit", verbose_name=_("school"), on_delete=models.CASCADE, related_name="+", db_constraint=False
    )
    school_class = models.ForeignKey(
        "units.Unit",
        verbose_name=_("class"),
        on_delete=models.CASCADE,
        related_name="+",
        db_constraint=False,
        db_index=False,
    )
    school_year = models.CharField(_("school year"), max_length=9)
    semester = models.PositiveSmallIntegerField(_("semester"), choices=Semester.choices)

    class Meta:
        abstract = True


class SubjectResult(DerivedResult):
    """Derived: a student's average (ĐTBmhk / ĐTBmcn, or the primary periodic test) and level (Đạt /
    Chưa đạt, or the primary subject level) in one subject for a semester or the year (semester 0)."""

    subject = models.CharField(_("subject"), max_length=100)
    average = models.DecimalField(_("average"), max_digits=3, decimal_places=1, null=True, blank=True)
    level = models.CharField(_("level"), max_length=3, choices=Level.choices, blank=True)
    computed_at = models.DateTimeField(_("computed at"), default=timezone.now)

    class Meta(DerivedResult.Meta):
        verbose_name = _("subject result")
        verbose_name_plural = _("subject results")
        constraints = [
            models.UniqueConstraint(
                fields=["student", "school_year", "semester", "subject"], name="gradebook_one_subject_result"
            )
        ]
        indexes = [models.Index(fields=["school_class", "school_year"], name="gradebook_subjres_class_idx")]

    def __str__(self):
        return f"{self.student} · {self.subject} · {self.average or self.level}"


class StudentResult(DerivedResult):
    """Derived: a student's learning result for a semester or the year (semester 0), whether they must
    re-take assessments after the summer, and the year result after the re-assessment."""

    learning = models.CharField(_("learning result"), max_length=3, choices=OverallResult.choices, blank=True)
    needs_retest = models.BooleanField(_("re-assessment after the summer"), default=False)
    after_retest = models.CharField(
        _("result after the re-assessment"), max_length=3, choices=OverallResult.choices, blank=True
    )
    computed_at = models.DateTimeField(_("computed at"), default=timezone.now)

    class Meta(DerivedResult.Meta):
        verbose_name = _("student result")
        verbose_name_plural = _("student results")
        constraints = [
            models.UniqueConstraint(fields=["student", "school_year", "semester"], name="gradebook_one_student_result")
        ]
        indexes = [models.Index(fields=["school_class", "school_year"], name="gradebook_studres_class_idx")]

    def __str__(self):
        return f"{self.student} · {self.semester} · {self.learning}"


# --- spreadsheet imports through the engine (truonghoc.imports): assignments, a grid's marks -------------


class AssignmentImport(ImportBatch):
    """A school's teaching assignments (and homeroom teachers) loaded from a spreadsheet: checked, shown,
    then confirmed and written through `services.assignment_set`, all or nothing."""

    Status = status_choices(invalid=_("The file has problems"), importing=_("Setting the assignments"))

    UPLOAD_TO = "imports/gradebook/assignments/%Y/%m/"
    COUNT_FIELDS = ("total_rows", "error_rows", "new_rows", "unchanged_rows", "homeroom_rows")

    school = models.ForeignKey("units.Unit", verbose_name=_("school"), on_delete=models.PROTECT, related_name="+")
    school_year = models.CharField(_("school year"), max_length=9)
    status = status_field(Status)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("loaded by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    # new_rows: assignments set (or to set); unchanged_rows: already so; homeroom_rows: homeroom teachers changed.
    unchanged_rows = models.PositiveIntegerField(default=0)
    homeroom_rows = models.PositiveIntegerField(default=0)

    class Meta(ImportBatch.Meta):
        verbose_name = _("assignment import")
        verbose_name_plural = _("assignment imports")

    def __str__(self):
        return f"{self.school_id} · {self.original_name}"


class AssignmentImportRow(BatchRow):
    """One checked line of an assignment file (data, errors: BatchRow) and what confirming it does."""

    class Action(models.TextChoices):
        SET = "set", _("Will be set")
        UNCHANGED = "unchanged", _("Unchanged")
        ERROR = "error", _("Refused")

    batch = models.ForeignKey(AssignmentImport, on_delete=models.CASCADE, related_name="rows")
    line = models.PositiveIntegerField(_("line"))
    action = models.CharField(_("action"), max_length=10, choices=Action.choices)

    class Meta:
        ordering = ["batch", "line"]
        indexes = [models.Index(fields=["batch", "action", "line"], name="gb_assignimportrow_action_idx")]

    def __str__(self):
        return f"{self.batch_id}:{self.line}"


class MarkImport(ImportBatch):
    """One class × subject × semester's marks loaded from the grid's xlsx layout: checked with the grid's
    rules, shown, then confirmed and written through `services.mark_set` by the teacher, all or nothing."""

    Status = status_choices(invalid=_("The file has problems"), importing=_("Writing the marks"))

    UPLOAD_TO = "imports/gradebook/marks/%Y/%m/"
    COUNT_FIELDS = ("total_rows", "error_rows", "new_rows", "unchanged_marks", "empty_cells")

    school = models.ForeignKey("units.Unit", verbose_name=_("school"), on_delete=models.PROTECT, related_name="+")
    school_class = models.ForeignKey("units.Unit", verbose_name=_("class"), on_delete=models.PROTECT, related_name="+")
    school_year = models.CharField(_("school year"), max_length=9)
    semester = models.PositiveSmallIntegerField(
        _("semester"), choices=[(Semester.FIRST, Semester.FIRST.label), (Semester.SECOND, Semester.SECOND.label)]
    )
    subject = models.CharField(_("subject"), max_length=100)
    status = status_field(Status)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("loaded by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    # total_rows: students' lines; new_rows: marks written (or to write); the cells left as they are:
    unchanged_marks = models.PositiveIntegerField(default=0)
    empty_cells = models.PositiveIntegerField(default=0)

    class Meta(ImportBatch.Meta):
        verbose_name = _("mark import")
        verbose_name_plural = _("mark imports")

    def __str__(self):
        return f"{self.school_class_id} · {self.subject} · {self.semester} · {self.original_name}"


class MarkImportRow(BatchRow):
    """One student's line of a grid file (data: the student and each typed cell with its mark now and the
    new one; errors: the problems, each naming its column) and what confirming it does."""

    class Action(models.TextChoices):
        WRITE = "write", _("Marks will change")
        UNCHANGED = "unchanged", _("Unchanged")
        ERROR = "error", _("Refused")

    batch = models.ForeignKey(MarkImport, on_delete=models.CASCADE, related_name="rows")
    line = models.PositiveIntegerField(_("line"))
    action = models.CharField(_("action"), max_length=10, choices=Action.choices)

    class Meta:
        ordering = ["batch", "line"]
        indexes = [models.Index(fields=["batch", "action", "line"], name="gb_markimportrow_action_idx")]

    def __str__(self):
        return f"{self.batch_id}:{self.line}"
