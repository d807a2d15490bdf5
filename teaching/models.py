"""Teaching plans (issue #17, point 1): the school's plan for a subject and grade (kế hoạch giáo dục của nhà
trường), a professional group's plan (tổ chuyên môn) and a teacher's plan drafted from it, each a list of
lessons or topics with their periods, week of the school year and mode (direct, online live, online LMS).

A plan goes through the approvals engine (the plan is both the engine's item and its subject): the group
step then the principal's. The online share (selectors) reads approved plans only.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from approvals.models import ReviewStep, review_step_rules
from approvals.models import Status as ApprovalStatus
from truonghoc.imports.models import BatchRow, ImportBatch, status_choices, status_field
from truonghoc.softdelete import SoftDeleted, alive_q, soft_delete_constraint
from truonghoc.storage import private_storage

# Weeks a school year may number (the programme counts 35; a year with breaks runs longer).
MAX_WEEK = 52


class PlanLevel(models.TextChoices):
    SCHOOL = "school", _("School's plan")
    GROUP = "group", _("Group's plan")
    TEACHER = "teacher", _("Teacher's plan")


class LessonMode(models.TextChoices):
    DIRECT = "direct", _("In class")
    LIVE = "live", _("Online, live")
    LMS = "lms", _("Online, on the LMS")


ONLINE_MODES = (LessonMode.LIVE, LessonMode.LMS)


class TeachingPlan(SoftDeleted):
    """One plan for one subject and grade of a school year. `unit` is where it was made (the school for the
    school's plan, the group for a group's or a teacher's plan): the approval engine reads it, with
    `author`, `shared_with` (set to the school once approved) and `is_deleted` (soft delete)."""

    school = models.ForeignKey("units.Unit", verbose_name=_("school"), on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey("units.Unit", verbose_name=_("made at"), on_delete=models.PROTECT, related_name="+")
    level = models.CharField(_("level"), max_length=8, choices=PlanLevel.choices)
    school_year = models.CharField(_("school year"), max_length=9)  # "2026-2027"
    subject = models.CharField(_("subject"), max_length=100)
    grade = models.PositiveSmallIntegerField(_("grade"), validators=[MinValueValidator(1), MaxValueValidator(12)])
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("author"), on_delete=models.PROTECT, related_name="+"
    )
    # The plan this one was drafted from (a teacher's from the group's, a group's from the school's).
    source = models.ForeignKey(
        "self", verbose_name=_("drafted from"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(
        _("status"), max_length=16, choices=ApprovalStatus.choices, default=ApprovalStatus.DRAFT, db_index=True
    )
    shared_with = models.ForeignKey(
        "units.Unit", verbose_name=_("shared with"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    class Meta:
        verbose_name = _("teaching plan")
        verbose_name_plural = _("teaching plans")
        ordering = ["school_year", "grade", "subject", "level", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(grade__gte=1, grade__lte=12), name="teaching_plan_grade_1_12"),
            models.CheckConstraint(condition=~Q(subject=""), name="teaching_plan_has_subject"),
            soft_delete_constraint("teaching_plan"),
            # One live plan per school (school level), per group (group level), per teacher (teacher level).
            models.UniqueConstraint(
                fields=["school", "school_year", "subject", "grade"],
                condition=Q(level="school") & alive_q(),
                name="teaching_one_school_plan",
            ),
            models.UniqueConstraint(
                fields=["unit", "school_year", "subject", "grade"],
                condition=Q(level="group") & alive_q(),
                name="teaching_one_group_plan",
            ),
            models.UniqueConstraint(
                fields=["author", "school", "school_year", "subject", "grade"],
                condition=Q(level="teacher") & alive_q(),
                name="teaching_one_teacher_plan",
            ),
        ]
        indexes = [models.Index(fields=["school", "school_year", "status"], name="teaching_plan_school_idx")]

    def __str__(self):
        return f"{self.get_level_display()} · {self.subject} {self.grade} ({self.school_year})"

    @property
    def is_editable(self) -> bool:
        return not self.is_deleted and self.status in (ApprovalStatus.DRAFT, ApprovalStatus.REFUSED)


class PlanLesson(models.Model):
    """One lesson or topic of a plan: its order, title, periods (tiết), week of the school year and mode;
    an online one may point at the live session or the LMS section that teaches it."""

    plan = models.ForeignKey(TeachingPlan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="lessons")
    position = models.PositiveIntegerField(_("order"), default=0)
    title = models.CharField(_("lesson or topic"), max_length=255)
    periods = models.PositiveSmallIntegerField(_("periods"), validators=[MinValueValidator(1), MaxValueValidator(200)])
    week = models.PositiveSmallIntegerField(_("week"), validators=[MinValueValidator(1), MaxValueValidator(MAX_WEEK)])
    mode = models.CharField(_("mode"), max_length=8, choices=LessonMode.choices, default=LessonMode.DIRECT)
    live_session = models.ForeignKey(
        "courses.LiveSession",
        verbose_name=_("live session"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    section = models.ForeignKey(
        "courses.Section",
        verbose_name=_("LMS lesson"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("plan lesson")
        verbose_name_plural = _("plan lessons")
        ordering = ["plan", "position", "id"]
        constraints = [
            models.CheckConstraint(condition=~Q(title=""), name="teaching_lesson_has_title"),
            models.CheckConstraint(condition=Q(periods__gte=1), name="teaching_lesson_periods_positive"),
            models.CheckConstraint(condition=Q(week__gte=1, week__lte=MAX_WEEK), name="teaching_lesson_week_range"),
            models.CheckConstraint(
                condition=Q(live_session__isnull=True) | Q(mode="live"), name="teaching_lesson_session_is_live"
            ),
            models.CheckConstraint(
                condition=Q(section__isnull=True) | Q(mode="lms"), name="teaching_lesson_section_lms"
            ),
        ]
        indexes = [models.Index(fields=["plan", "position"], name="teaching_lesson_pos_idx")]

    def __str__(self):
        return self.title

    @property
    def is_online(self) -> bool:
        return self.mode in ONLINE_MODES


class PlanReview(ReviewStep):
    """The trail of a plan: sent, approved by the group, approved or refused by the principal."""

    item_field = "plan"
    plan = models.ForeignKey(TeachingPlan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="reviews")

    class Meta:
        verbose_name = _("plan approval step")
        verbose_name_plural = _("plan approval steps")
        ordering = ["at", "id"]
        constraints = review_step_rules("plan", "teaching_plan")["constraints"]
        indexes = review_step_rules("plan", "teaching_plan")["indexes"]


# --- live lessons and their attendance (issue #17, point 4) ----------------------------------------------


class AttendanceStatus(models.TextChoices):
    PRESENT = "present", _("Present")
    LATE = "late", pgettext_lazy("attendance", "Late")
    EXCUSED = "excused", _("Absent, excused")
    UNEXCUSED = "unexcused", _("Absent, unexcused")


ABSENT_STATUSES = (AttendanceStatus.EXCUSED, AttendanceStatus.UNEXCUSED)


class LiveLesson(models.Model):
    """What the portal knows of a `courses.LiveSession` as a lesson: when someone first joined it through
    the portal, and the teacher's confirmation of its attendance. Created on the first join or the first
    confirmation. It took place ("held") once someone joined or the attendance was confirmed."""

    session = models.OneToOneField(
        "courses.LiveSession", verbose_name=_("live session"), on_delete=models.PROTECT, related_name="+"
    )
    first_join_at = models.DateTimeField(_("first joined at"), null=True, blank=True)
    confirmed_at = models.DateTimeField(_("attendance confirmed at"), null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("attendance confirmed by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # The period of the day the grade book files the lesson's absences under (1–10).
    period = models.PositiveSmallIntegerField(
        _("period"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(10)]
    )

    class Meta:
        verbose_name = _("live lesson")
        verbose_name_plural = _("live lessons")
        constraints = [
            models.CheckConstraint(
                condition=Q(confirmed_at__isnull=True) | Q(confirmed_by__isnull=False),
                name="teaching_live_confirmed_by_someone",
            ),
            models.CheckConstraint(
                condition=Q(period__isnull=True) | Q(period__gte=1, period__lte=10), name="teaching_live_period_1_10"
            ),
        ]

    def __str__(self):
        return str(self.session)

    @property
    def is_held(self) -> bool:
        return self.first_join_at is not None or self.confirmed_at is not None


def held_q(prefix: str = "") -> Q:
    """A `LiveLesson` that took place: someone joined through the portal, or its attendance was confirmed."""
    return Q(**{f"{prefix}first_join_at__isnull": False}) | Q(**{f"{prefix}confirmed_at__isnull": False})


class Attendance(models.Model):
    """One student at one live lesson: joins through the portal (first, last, how many) and, once the
    teacher confirmed it, the status. `status` stays blank until then (the page pre-fills it)."""

    lesson = models.ForeignKey(
        LiveLesson, verbose_name=_("live lesson"), on_delete=models.CASCADE, related_name="attendances"
    )
    student = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("student"), on_delete=models.PROTECT, related_name="+"
    )
    first_joined_at = models.DateTimeField(_("first joined at"), null=True, blank=True)
    last_joined_at = models.DateTimeField(_("last joined at"), null=True, blank=True)
    joins = models.PositiveIntegerField(_("joins"), default=0)
    status = models.CharField(_("status"), max_length=10, choices=AttendanceStatus.choices, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("updated by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        ordering = ["lesson", "id"]
        constraints = [
            models.UniqueConstraint(fields=["lesson", "student"], name="teaching_one_attendance_per_lesson"),
            models.CheckConstraint(
                condition=Q(joins=0, first_joined_at__isnull=True, last_joined_at__isnull=True)
                | Q(joins__gte=1, first_joined_at__isnull=False, last_joined_at__isnull=False),
                name="teaching_attendance_joins_times",
            ),
        ]
        indexes = [models.Index(fields=["student", "lesson"], name="teaching_attend_student_idx")]

    def __str__(self):
        return f"{self.student} · {self.lesson}"


def archive_file_path(archive, filename: str) -> str:
    return f"teaching/records/{archive.school_year}/{archive.school_id}/{filename}"


class RecordArchive(models.Model):
    """One export of the online-teaching records (hồ sơ dạy học trực tuyến, issue #17 point 5) of a school,
    a group or a teacher for a closed school year: a zip of xlsx and PDF files with an index, built by a
    Celery task and kept in private storage until `retain_until` (teaching.records.RETENTION_YEARS)."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting to be built")
        BUILDING = "building", _("Being built")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Failed")
        PURGED = "purged", _("Purged after its retention date")

    school = models.ForeignKey("units.Unit", verbose_name=_("school"), on_delete=models.PROTECT, related_name="+")
    # Empty for the school's record; the group for a group's; the teacher for a teacher's.
    group = models.ForeignKey(
        "units.Unit", verbose_name=_("group"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    teacher = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("teacher"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    school_year = models.CharField(_("school year"), max_length=9)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    file = models.FileField(
        _("archive"), upload_to=archive_file_path, storage=private_storage, max_length=255, blank=True
    )
    size = models.PositiveBigIntegerField(_("size"), default=0)
    file_count = models.PositiveIntegerField(_("files"), default=0)
    error = models.TextField(_("error"), blank=True)
    retain_until = models.DateField(_("kept until"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("asked by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("asked at"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    purged_at = models.DateTimeField(_("purged at"), null=True, blank=True)

    class Meta:
        verbose_name = _("records archive")
        verbose_name_plural = _("records archives")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(group__isnull=True) | Q(teacher__isnull=True), name="teaching_archive_one_scope"
            ),
            models.CheckConstraint(condition=Q(progress__lte=100), name="teaching_archive_progress_100"),
        ]
        indexes = [
            models.Index(fields=["school", "school_year"], name="teaching_archive_school_idx"),
            models.Index(fields=["retain_until"], name="teaching_archive_retain_idx"),
        ]

    def __str__(self):
        return f"{self.school_id} {self.school_year} #{self.pk}"

    @property
    def is_working(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.BUILDING)


class PlanImport(ImportBatch):
    """A plan's lessons loaded from the xlsx layout `exports.plan_xlsx` writes (issue #17, point 1), through
    the import engine: checked, shown, then confirmed and written in one transaction into a draft plan —
    `plan` when it replaces the lessons of an existing draft or refused plan, else a new plan of `level`,
    `subject`, `grade` (and `group`) created at that moment."""

    Status = status_choices(invalid=_("The file has problems"), importing=_("Writing the plan"))

    UPLOAD_TO = "imports/teaching/plans/%Y/%m/"
    COUNT_FIELDS = ("total_rows", "error_rows", "new_rows", "periods", "online_periods")

    school = models.ForeignKey("units.Unit", verbose_name=_("school"), on_delete=models.PROTECT, related_name="+")
    plan = models.ForeignKey(
        TeachingPlan, verbose_name=_("plan"), null=True, blank=True, on_delete=models.CASCADE, related_name="imports"
    )
    level = models.CharField(_("level"), max_length=8, choices=PlanLevel.choices)
    group = models.ForeignKey(
        "units.Unit", verbose_name=_("group"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    school_year = models.CharField(_("school year"), max_length=9)
    subject = models.CharField(_("subject"), max_length=100)
    grade = models.PositiveSmallIntegerField(_("grade"))
    status = status_field(Status)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("loaded by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    # new_rows: lessons read; periods / online_periods: their sum, all and online (live + LMS).
    periods = models.PositiveIntegerField(default=0)
    online_periods = models.PositiveIntegerField(default=0)

    class Meta(ImportBatch.Meta):
        verbose_name = _("plan import")
        verbose_name_plural = _("plan imports")

    def __str__(self):
        return f"{self.school_id} · {self.subject} {self.grade} · {self.original_name}"


class PlanImportRow(BatchRow):
    """One lesson line of a plan file (data, errors: BatchRow)."""

    class Action(models.TextChoices):
        LESSON = "lesson", _("Lesson")
        ERROR = "error", _("Refused")

    batch = models.ForeignKey(PlanImport, on_delete=models.CASCADE, related_name="rows")
    line = models.PositiveIntegerField(_("line"))
    action = models.CharField(_("action"), max_length=10, choices=Action.choices)

    class Meta:
        ordering = ["batch", "line"]
        indexes = [models.Index(fields=["batch", "action", "line"], name="teaching_planimportrow_idx")]

    def __str__(self):
        return f"{self.batch_id}:{self.line}"


# --- the timetable (thời khóa biểu, issue #17 point 3) ----------------------------------------------------


class Weekday(models.IntegerChoices):
    """Schools name the days Thứ 2 … Thứ 7; Sunday has no lessons."""

    MONDAY = 1, _("Monday")
    TUESDAY = 2, _("Tuesday")
    WEDNESDAY = 3, _("Wednesday")
    THURSDAY = 4, _("Thursday")
    FRIDAY = 5, _("Friday")
    SATURDAY = 6, _("Saturday")


class DaySession(models.TextChoices):
    MORNING = "am", _("Morning")
    AFTERNOON = "pm", _("Afternoon")


# Periods a session may hold (five is the usual; a few schools teach a sixth).
MAX_PERIOD = 6


class Timetable(models.Model):
    """One class's weekly timetable for a school year, in force from `valid_from` until the class's next
    one begins. A school changing its TKB during the year adds a newer one; the older stays for history."""

    school = models.ForeignKey("units.Unit", verbose_name=_("school"), on_delete=models.PROTECT, related_name="+")
    school_class = models.ForeignKey("units.Unit", verbose_name=_("class"), on_delete=models.PROTECT, related_name="+")
    school_year = models.CharField(_("school year"), max_length=9)
    valid_from = models.DateField(_("in force from"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("made by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    class Meta:
        verbose_name = _("timetable")
        verbose_name_plural = _("timetables")
        ordering = ["school_class", "-valid_from", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["school_class", "valid_from"], name="teaching_one_timetable_per_day"),
        ]
        indexes = [
            models.Index(fields=["school_class", "valid_from"], name="teaching_tkb_class_idx"),
            models.Index(fields=["school", "valid_from"], name="teaching_tkb_school_idx"),
        ]

    def __str__(self):
        return f"{self.school_class_id} · {self.valid_from:%d/%m/%Y}"


class TimetableSlot(models.Model):
    """One period of a class's week: day, session, period, subject and teacher, and at most one link: a
    lesson of a teaching plan, a live session, an LMS lesson (a course section) or a plain http(s) link."""

    timetable = models.ForeignKey(
        Timetable, verbose_name=_("timetable"), on_delete=models.CASCADE, related_name="slots"
    )
    weekday = models.PositiveSmallIntegerField(_("day"), choices=Weekday.choices)
    session = models.CharField(_("session"), max_length=2, choices=DaySession.choices)
    period = models.PositiveSmallIntegerField(
        _("period"), validators=[MinValueValidator(1), MaxValueValidator(MAX_PERIOD)]
    )
    subject = models.CharField(_("subject"), max_length=100)
    teacher = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("teacher"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    plan_lesson = models.ForeignKey(
        PlanLesson, verbose_name=_("plan lesson"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    live_session = models.ForeignKey(
        "courses.LiveSession",
        verbose_name=_("live session"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    section = models.ForeignKey(
        "courses.Section",
        verbose_name=_("LMS lesson"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    link_url = models.URLField(_("link"), max_length=1000, blank=True)

    class Meta:
        verbose_name = _("timetable slot")
        verbose_name_plural = _("timetable slots")
        ordering = ["timetable", "weekday", "session", "period"]
        constraints = [
            models.UniqueConstraint(
                fields=["timetable", "weekday", "session", "period"], name="teaching_one_lesson_per_slot"
            ),
            models.CheckConstraint(condition=Q(weekday__gte=1, weekday__lte=6), name="teaching_slot_weekday"),
            models.CheckConstraint(condition=Q(period__gte=1, period__lte=MAX_PERIOD), name="teaching_slot_period"),
            models.CheckConstraint(condition=Q(session__in=["am", "pm"]), name="teaching_slot_session"),
            models.CheckConstraint(condition=~Q(subject=""), name="teaching_slot_has_subject"),
            # Only a web link: never javascript:, data: or a file on the viewer's machine.
            models.CheckConstraint(
                condition=Q(link_url="") | Q(link_url__startswith="http://") | Q(link_url__startswith="https://"),
                name="teaching_slot_link_http",
            ),
            # At most one link per slot.
            models.CheckConstraint(
                condition=(
                    Q(plan_lesson__isnull=True, live_session__isnull=True, section__isnull=True)
                    | Q(plan_lesson__isnull=True, live_session__isnull=True, link_url="")
                    | Q(plan_lesson__isnull=True, section__isnull=True, link_url="")
                    | Q(live_session__isnull=True, section__isnull=True, link_url="")
                ),
                name="teaching_slot_one_link",
            ),
        ]
        indexes = [models.Index(fields=["teacher", "weekday"], name="teaching_slot_teacher_idx")]

    def __str__(self):
        return f"{self.get_weekday_display()} {self.session}{self.period} {self.subject}"

    @property
    def teacher_name(self) -> str:
        return self.teacher.full_name if self.teacher_id and self.teacher else ""

    @property
    def session_label(self) -> str:
        return self.get_session_display()


class TimetableImport(ImportBatch):
    """A school's timetable workbook (rows: day × period, columns: classes): checked, shown line by line,
    then confirmed and written as a new timetable of each class in it, in force from `valid_from`."""

    Status = status_choices(invalid=_("The file has problems"), importing=_("Writing the timetables"))

    UPLOAD_TO = "imports/teaching/timetables/%Y/%m/"
    COUNT_FIELDS = ("total_rows", "error_rows", "new_rows", "class_count")

    school = models.ForeignKey("units.Unit", verbose_name=_("school"), on_delete=models.PROTECT, related_name="+")
    school_year = models.CharField(_("school year"), max_length=9)
    valid_from = models.DateField(_("in force from"))
    status = status_field(Status)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("loaded by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    # new_rows: lessons (filled cells) written or to write; class_count: classes whose timetable it sets.
    class_count = models.PositiveIntegerField(default=0)

    class Meta(ImportBatch.Meta):
        verbose_name = _("timetable import")
        verbose_name_plural = _("timetable imports")

    def __str__(self):
        return f"{self.school_id} · {self.original_name}"


class TimetableImportRow(BatchRow):
    """One checked line of a timetable workbook (one day × session × period, every class's cell)."""

    class Action(models.TextChoices):
        SET = "set", _("Will be set")
        EMPTY = "empty", _("No lesson")
        ERROR = "error", _("Refused")

    batch = models.ForeignKey(TimetableImport, on_delete=models.CASCADE, related_name="rows")
    line = models.PositiveIntegerField(_("line"))
    action = models.CharField(_("action"), max_length=10, choices=Action.choices)

    class Meta:
        ordering = ["batch", "line"]
        indexes = [models.Index(fields=["batch", "action", "line"], name="teaching_tkbrow_action_idx")]

    def __str__(self):
        return f"{self.batch_id}:{self.line}"
