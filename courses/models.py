"""Courses, lessons and professional topics; their sections, enrolment, learning groups, progress,
submissions and grades, live sessions; and the products teachers hand in to their professional group.

One model, `Course`, carries the three kinds (training course, lesson for students, professional topic
of a group) because they share the whole workflow: purpose first, sections, enrolment, discussion,
submissions. Nothing here is hard-deleted: content is soft-deleted (who, when) and restorable by the
owner's unit. Files are private and served through permission-checked views.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from truonghoc.softdelete import SoftDeleted, SoftDeleteQuerySet, soft_delete_constraint
from truonghoc.storage import private_storage

from .wording import CourseWords, course_words

GRADE_VALIDATORS = [MinValueValidator(1), MaxValueValidator(12)]


class CourseQuerySet(SoftDeleteQuerySet):
    def counted(self):
        """What the figures count: posted (published, or closed since) and not removed. Group pages,
        the topic quality check and the reports all read this one definition."""
        return self.alive().filter(status__in=COUNTED_STATUSES)

    def counted_topics(self):
        """The professional topics the figures count, whatever their quality (flagged ones are counted
        apart by `quality`)."""
        return self.counted().filter(kind=Course.Kind.TOPIC)


class Course(SoftDeleted):
    class Kind(models.TextChoices):
        TRAINING = "training", _("Training course")
        LESSON = "lesson", _("Lesson")
        TOPIC = "topic", _("Professional topic")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")
        CLOSED = "closed", _("Closed")

    class Quality(models.TextChoices):
        """Topics only (the Hà Nam letter): an empty or near-duplicate topic is not counted as a real one."""

        OK = "ok", _("Proper")
        EMPTY = "empty", _("Empty (title only)")
        DUPLICATE = "duplicate", _("Near-duplicate of an earlier topic")

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.TOPIC)
    title = models.CharField(_("title"), max_length=255)
    subject = models.CharField(_("subject"), max_length=100, blank=True)
    grade = models.PositiveSmallIntegerField(_("grade"), null=True, blank=True, validators=GRADE_VALIDATORS)
    purpose = models.TextField(_("purpose and requirements"), blank=True)  # sanitised HTML
    body = models.TextField(_("content"), blank=True)  # sanitised HTML (introduction; topics: the topic itself)
    # The unit that owns the course: a professional group for a topic, a school for a lesson, any unit for
    # a training course. Its managers see it; its staff restore it when removed.
    unit = models.ForeignKey("units.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="courses")
    # Who may see and enrol: the subtree of `audience_unit` (a school, an Office, a province, the
    # Ministry for the nation) or the schools of `audience_cluster`. Exactly one is set.
    audience_unit = models.ForeignKey(
        "units.Unit",
        verbose_name=_("open to (unit)"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="courses_open_here",
    )
    audience_cluster = models.ForeignKey(
        "units.Cluster",
        verbose_name=_("open to (school cluster)"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="courses",
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="authored_courses",
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    starts_on = models.DateField(_("starts on"), null=True, blank=True)
    ends_on = models.DateField(_("ends on"), null=True, blank=True)
    quality = models.CharField(_("quality"), max_length=10, choices=Quality.choices, default=Quality.OK)
    duplicate_of = models.ForeignKey(
        "self",
        verbose_name=_("near-duplicate of"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    objects = CourseQuerySet.as_manager()

    class Meta:
        verbose_name = _("course")
        verbose_name_plural = _("courses")
        ordering = ["-created_at", "-id"]
        permissions = [("teach_course", _("Can teach the course (co-instructor)"))]
        indexes = [
            models.Index(fields=["unit", "kind", "status"], name="course_unit_kind_idx"),
            models.Index(fields=["status", "kind", "-created_at"], name="course_catalogue_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=~Q(title=""), name="course_has_title"),
            models.CheckConstraint(
                condition=Q(audience_unit__isnull=True) | Q(audience_cluster__isnull=True),
                name="course_one_audience",
            ),
            models.CheckConstraint(
                condition=Q(starts_on__isnull=True) | Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")),
                name="course_ends_after_start",
            ),
            soft_delete_constraint("course"),
        ]

    def __str__(self):
        return self.title

    @property
    def words(self) -> CourseWords:
        """What this kind calls its people and actions (instructors, learners, register…): courses/wording.py."""
        return course_words(self.kind)


# Posted topics and courses count whether still open or closed since; drafts and removed ones do not.
COUNTED_STATUSES = (Course.Status.PUBLISHED, Course.Status.CLOSED)


class Section(SoftDeleted):
    """One ordered block of a course: text, and optionally one uploaded file (a video played in the page, a
    PDF shown inline, another document to download) and/or a link."""

    class FileKind(models.TextChoices):
        NONE = "", _("No file")
        VIDEO = "video", _("Video")
        PDF = "pdf", _("PDF document")
        DOCUMENT = "document", _("Document")
        IMAGE = "image", _("Image")
        AUDIO = "audio", _("Audio")

    course = models.ForeignKey(Course, verbose_name=_("course"), on_delete=models.PROTECT, related_name="sections")
    position = models.PositiveIntegerField(_("position"), default=0)
    title = models.CharField(_("title"), max_length=255)
    body = models.TextField(_("text"), blank=True)  # sanitised HTML
    file = models.FileField(_("file"), storage=private_storage, upload_to="courses/sections/%Y/%m/", blank=True)
    file_name = models.CharField(_("file name"), max_length=255, blank=True)
    file_size = models.PositiveBigIntegerField(_("file size"), default=0)
    file_kind = models.CharField(_("file kind"), max_length=10, choices=FileKind.choices, blank=True, default="")
    link_url = models.URLField(_("link"), max_length=1000, blank=True)
    link_title = models.CharField(_("link title"), max_length=255, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("section")
        verbose_name_plural = _("sections")
        ordering = ["course", "position", "id"]
        constraints = [
            models.CheckConstraint(condition=~Q(title=""), name="section_has_title"),
            soft_delete_constraint("section"),
        ]
        indexes = [models.Index(fields=["course", "position"], name="section_course_pos_idx")]

    def __str__(self):
        return f"{self.course} · {self.title}"


class LearningGroup(models.Model):
    """A nhóm học tập inside a course: learners of one school or cluster who study, discuss and (for group
    submissions) hand in together; only its leader submits for it."""

    course = models.ForeignKey(Course, verbose_name=_("course"), on_delete=models.PROTECT, related_name="groups")
    name = models.CharField(_("name"), max_length=150)
    leader = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("group leader"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="led_learning_groups",
    )
    unit = models.ForeignKey(
        "units.Unit",
        verbose_name=_("school"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="learning_groups",
    )
    cluster = models.ForeignKey(
        "units.Cluster",
        verbose_name=_("school cluster"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="learning_groups",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("registered by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("learning group")
        verbose_name_plural = _("learning groups")
        ordering = ["course", "name", "id"]
        constraints = [
            models.CheckConstraint(condition=~Q(name=""), name="learning_group_has_name"),
            models.UniqueConstraint(fields=["course", "name"], name="learning_group_unique_name"),
        ]

    def __str__(self):
        return self.name


class EnrolledUnit(models.Model):
    """A class or professional group an instructor gave the course to. Its enrolments follow the
    membership (courses/services/roster.py): people who join the unit later are enrolled, those who leave
    it (moved, transferred, account closed) have their enrolment ended, never deleted."""

    course = models.ForeignKey(
        Course, verbose_name=_("course"), on_delete=models.PROTECT, related_name="enrolled_units"
    )
    unit = models.ForeignKey(
        "units.Unit", verbose_name=_("class or group"), on_delete=models.PROTECT, related_name="course_links"
    )
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("added by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    added_at = models.DateTimeField(_("added at"), default=timezone.now)

    class Meta:
        verbose_name = _("class or group enrolled")
        verbose_name_plural = _("classes and groups enrolled")
        ordering = ["course", "added_at", "id"]
        constraints = [models.UniqueConstraint(fields=["course", "unit"], name="enrolled_unit_once_per_course")]

    def __str__(self):
        return f"{self.unit} · {self.course}"


class Enrolment(models.Model):
    class Source(models.TextChoices):
        SELF = "self", _("Registered themselves")
        GROUP = "group", _("Registered with a learning group")
        CLASS = "class", _("Enrolled with their class")
        PROFESSIONAL_GROUP = "prof_group", _("Enrolled with their professional group")
        INSTRUCTOR = "instructor", _("Enrolled by an instructor")

    course = models.ForeignKey(Course, verbose_name=_("course"), on_delete=models.PROTECT, related_name="enrolments")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("learner"), on_delete=models.PROTECT, related_name="enrolments"
    )
    group = models.ForeignKey(
        LearningGroup,
        verbose_name=_("learning group"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="enrolments",
    )
    source = models.CharField(_("how"), max_length=12, choices=Source.choices, default=Source.SELF)
    enrolled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("enrolled by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # The class or group (EnrolledUnit) the enrolment follows; empty for everyone who came another way,
    # whom the roster sync never touches.
    via_unit = models.ForeignKey(
        "units.Unit",
        verbose_name=_("with the class or group"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    enrolled_at = models.DateTimeField(_("enrolled at"), default=timezone.now)
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    # Kept in step by the progress service so lists show progress without counting rows.
    sections_done = models.PositiveIntegerField(_("sections done"), default=0)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("enrolment")
        verbose_name_plural = _("enrolments")
        ordering = ["course", "enrolled_at", "id"]
        constraints = [models.UniqueConstraint(fields=["course", "user"], name="enrolment_once_per_course")]
        indexes = [
            models.Index(fields=["user", "withdrawn_at"], name="enrolment_user_idx"),
            models.Index(fields=["course", "group"], name="enrolment_course_group_idx"),
        ]

    def __str__(self):
        return f"{self.user} · {self.course}"

    @property
    def is_active(self) -> bool:
        return self.withdrawn_at is None


class SectionProgress(models.Model):
    """A learner marked a section done."""

    enrolment = models.ForeignKey(
        Enrolment, verbose_name=_("enrolment"), on_delete=models.CASCADE, related_name="progress"
    )
    section = models.ForeignKey(Section, verbose_name=_("section"), on_delete=models.CASCADE, related_name="+")
    done_at = models.DateTimeField(_("done at"), default=timezone.now)

    class Meta:
        verbose_name = _("section done")
        verbose_name_plural = _("sections done")
        constraints = [models.UniqueConstraint(fields=["enrolment", "section"], name="progress_once_per_section")]

    def __str__(self):
        return f"{self.enrolment} · {self.section_id}"


class Assignment(SoftDeleted):
    """What a course asks learners to hand in (nộp báo cáo / bài kiểm tra / sản phẩm) by a deadline."""

    class Kind(models.TextChoices):
        REPORT = "report", pgettext_lazy("kind of work", "Report")
        TEST = "test", _("Test")
        PRODUCT = "product", _("Product")

    class LatePolicy(models.TextChoices):
        REFUSE = "refuse", _("Refuse submissions after the deadline")
        MARK_LATE = "mark_late", _("Accept them, marked late")

    course = models.ForeignKey(Course, verbose_name=_("course"), on_delete=models.PROTECT, related_name="assignments")
    title = models.CharField(_("title"), max_length=255)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.REPORT)
    instructions = models.TextField(_("instructions"), blank=True)  # sanitised HTML
    due_at = models.DateTimeField(_("deadline"))
    late_policy = models.CharField(
        _("after the deadline"), max_length=10, choices=LatePolicy.choices, default=LatePolicy.REFUSE
    )
    # File extensions without dots, comma-separated ("pdf,docx"); checked against the content too.
    allowed_types = models.CharField(_("allowed file types"), max_length=100, default="pdf,docx")
    max_size_mb = models.PositiveIntegerField(
        _("largest file (MB)"), default=20, validators=[MinValueValidator(1), MaxValueValidator(500)]
    )
    max_files = models.PositiveSmallIntegerField(
        _("files per submission"), default=5, validators=[MinValueValidator(1), MaxValueValidator(20)]
    )
    per_group = models.BooleanField(_("one submission per learning group"), default=False)
    position = models.PositiveIntegerField(_("position"), default=0)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        ordering = ["course", "due_at", "position", "id"]
        constraints = [
            models.CheckConstraint(condition=~Q(title=""), name="assignment_has_title"),
            soft_delete_constraint("assignment"),
        ]
        indexes = [models.Index(fields=["course", "due_at"], name="assignment_course_due_idx")]

    def __str__(self):
        return self.title

    @property
    def allowed_extensions(self) -> list[str]:
        return [e.strip().lower().lstrip(".") for e in self.allowed_types.split(",") if e.strip()]


class Submission(SoftDeleted):
    """One version of a learner's (or a learning group's) work for an assignment. Resubmitting adds a
    version and makes it current; earlier versions and their grades are kept."""

    assignment = models.ForeignKey(
        Assignment, verbose_name=_("assignment"), on_delete=models.PROTECT, related_name="submissions"
    )
    # Individual work names the learner; group work names the group (and who handed it in).
    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("learner"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="submissions",
    )
    group = models.ForeignKey(
        LearningGroup,
        verbose_name=_("learning group"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="submissions",
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("submitted by"), on_delete=models.PROTECT, related_name="+"
    )
    version = models.PositiveIntegerField(_("version"), default=1)
    is_current = models.BooleanField(_("current version"), default=True)
    note = models.TextField(_("note"), blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), default=timezone.now)
    is_late = models.BooleanField(_("late"), default=False)
    total_size = models.PositiveBigIntegerField(_("size"), default=0)
    grade = models.DecimalField(
        pgettext_lazy("mark", "grade"),
        max_digits=4,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(10)],
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
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("submission")
        verbose_name_plural = _("submissions")
        ordering = ["assignment", "-submitted_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(learner__isnull=False, group__isnull=True) | Q(learner__isnull=True, group__isnull=False),
                name="submission_learner_xor_group",
            ),
            models.CheckConstraint(
                condition=Q(grade__isnull=True) | (Q(grade__gte=0) & Q(grade__lte=10)), name="submission_grade_0_10"
            ),
            models.CheckConstraint(
                condition=Q(grade__isnull=True) | Q(graded_at__isnull=False), name="submission_graded_has_date"
            ),
            soft_delete_constraint("submission"),
            models.UniqueConstraint(
                fields=["assignment", "learner"],
                condition=Q(is_current=True, learner__isnull=False),
                name="submission_one_current_per_learner",
            ),
            models.UniqueConstraint(
                fields=["assignment", "group"],
                condition=Q(is_current=True, group__isnull=False),
                name="submission_one_current_per_group",
            ),
            models.UniqueConstraint(fields=["assignment", "learner", "version"], name="submission_learner_version"),
            models.UniqueConstraint(fields=["assignment", "group", "version"], name="submission_group_version"),
        ]
        indexes = [
            models.Index(fields=["assignment", "is_current", "id"], name="submission_grading_idx"),
            models.Index(fields=["learner", "is_current"], name="submission_learner_idx"),
        ]

    def __str__(self):
        return f"{self.assignment} · v{self.version}"


class SubmissionFile(models.Model):
    submission = models.ForeignKey(
        Submission, verbose_name=_("submission"), on_delete=models.PROTECT, related_name="files"
    )
    file = models.FileField(_("file"), storage=private_storage, upload_to="courses/submissions/%Y/%m/")
    name = models.CharField(_("file name"), max_length=255)
    size = models.PositiveBigIntegerField(_("size"))
    created_at = models.DateTimeField(_("uploaded at"), default=timezone.now)

    class Meta:
        verbose_name = _("submitted file")
        verbose_name_plural = _("submitted files")
        ordering = ["submission", "id"]

    def __str__(self):
        return self.name


class LiveSession(SoftDeleted):
    """An online session held in the meeting tool the school uses; the portal keeps the time and link."""

    class Tool(models.TextChoices):
        JITSI = "jitsi", "Jitsi Meet"
        ZOOM = "zoom", "Zoom"
        TEAMS = "teams", "Microsoft Teams"
        MEET = "meet", "Google Meet"
        OTHER = "other", _("Other")

    course = models.ForeignKey(Course, verbose_name=_("course"), on_delete=models.PROTECT, related_name="live_sessions")
    title = models.CharField(_("title"), max_length=255)
    starts_at = models.DateTimeField(_("starts at"))
    duration_minutes = models.PositiveIntegerField(
        _("duration (minutes)"), default=60, validators=[MinValueValidator(5), MaxValueValidator(600)]
    )
    tool = models.CharField(_("meeting tool"), max_length=10, choices=Tool.choices, default=Tool.JITSI)
    url = models.URLField(_("meeting link"), max_length=1000)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("scheduled by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("live session")
        verbose_name_plural = _("live sessions")
        ordering = ["starts_at", "id"]
        constraints = [
            models.CheckConstraint(condition=~Q(title=""), name="live_session_has_title"),
            soft_delete_constraint("live_session"),
        ]
        indexes = [models.Index(fields=["course", "starts_at"], name="live_session_course_idx")]

    def __str__(self):
        return self.title


class LiveRecording(SoftDeleted):
    """A recording of a live session (a video on the school's drive, YouTube, the meeting tool's cloud),
    attached by an instructor after the session started, shown to the course's members."""

    session = models.ForeignKey(
        LiveSession, verbose_name=_("live session"), on_delete=models.PROTECT, related_name="recordings"
    )
    title = models.CharField(_("title"), max_length=255, blank=True)
    url = models.URLField(_("recording link"), max_length=1000)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("added by"), on_delete=models.PROTECT, related_name="+"
    )
    added_at = models.DateTimeField(_("added at"), default=timezone.now)

    class Meta:
        verbose_name = _("recording")
        verbose_name_plural = _("recordings")
        ordering = ["added_at", "id"]
        constraints = [soft_delete_constraint("live_recording")]

    def __str__(self):
        return self.title or self.url


class Product(SoftDeleted):
    """A teacher's product (sản phẩm) handed in to their professional group: a lesson plan, a report, a
    video of a lesson. The usual target is at least one per teacher per semester."""

    unit = models.ForeignKey(
        "units.Unit", verbose_name=_("professional group"), on_delete=models.PROTECT, related_name="products"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("teacher"), on_delete=models.PROTECT, related_name="products"
    )
    topic = models.ForeignKey(
        Course,
        verbose_name=_("topic"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="products",
    )
    title = models.CharField(_("title"), max_length=255)
    description = models.TextField(_("description"), blank=True)  # sanitised HTML
    file = models.FileField(_("file"), storage=private_storage, upload_to="courses/products/%Y/%m/", blank=True)
    file_name = models.CharField(_("file name"), max_length=255, blank=True)
    file_size = models.PositiveBigIntegerField(_("file size"), default=0)
    link_url = models.URLField(_("link"), max_length=1000, blank=True)
    # The group's leader (or the author of the topic it answers) marks it reviewed: until then it waits
    # on their home page.
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("product")
        verbose_name_plural = _("products")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=~Q(title=""), name="product_has_title"),
            soft_delete_constraint("product"),
        ]
        indexes = [models.Index(fields=["unit", "-created_at"], name="product_unit_created_idx")]

    def __str__(self):
        return self.title


class GroupTask(SoftDeleted):
    """A professional task a school's principal gives one of its groups (letter 1754: "Phân công nhiệm vụ
    cụ thể cho các tổ/nhóm chuyên môn"): a topic to prepare, a product to hand in or a report, with a
    deadline. The group's leader assigns members and marks it done with a link to the result (a topic, a
    product or another page of the portal). "Late" is not stored: it is a task not done by its deadline
    (`state`, and `selectors/group_tasks.state_annotation` for lists)."""

    class Kind(models.TextChoices):
        TOPIC = "topic", _("Topic to prepare")
        PRODUCT = "product", _("Product to hand in")
        REPORT = "report", pgettext_lazy("group task", "Report")

    class Status(models.TextChoices):
        WAITING = "waiting", pgettext_lazy("group task", "Waiting")  # nobody assigned yet
        IN_PROGRESS = "in_progress", pgettext_lazy("group task", "In progress")
        DONE = "done", pgettext_lazy("group task", "Done")

    # The state shown and filtered on: the stored status, or "late" when not done by the deadline.
    LATE = "late"

    group = models.ForeignKey(
        "units.Unit", verbose_name=_("professional group"), on_delete=models.PROTECT, related_name="group_tasks"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.TOPIC)
    title = models.CharField(_("title"), max_length=255)
    description = models.TextField(_("description"), blank=True)  # plain text
    deadline = models.DateTimeField(_("deadline"))
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.WAITING)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("assigned by"), on_delete=models.PROTECT, related_name="+"
    )
    assignees = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assigned members"),
        through="GroupTaskAssignee",
        through_fields=("task", "user"),
        related_name="group_tasks",
        blank=True,
    )
    # When done: who marked it, when, the link to the result and a note. A link to a topic or a product
    # of the group is kept as a reference too, so the result can be named and followed.
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("marked done by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    result_url = models.CharField(_("link to the result"), max_length=1000, blank=True)
    result_course = models.ForeignKey(
        Course, verbose_name=_("topic"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    result_product = models.ForeignKey(
        Product, verbose_name=_("product"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    done_note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("group task")
        verbose_name_plural = _("group tasks")
        ordering = ["deadline", "id"]
        constraints = [
            models.CheckConstraint(condition=~Q(title=""), name="group_task_has_title"),
            models.CheckConstraint(
                condition=Q(status="done", done_at__isnull=False) | (~Q(status="done") & Q(done_at__isnull=True)),
                name="group_task_done_has_date",
            ),
            soft_delete_constraint("group_task"),
        ]
        indexes = [models.Index(fields=["group", "deadline"], name="group_task_group_deadline_idx")]

    def __str__(self):
        return self.title

    @property
    def state(self) -> str:
        """waiting / in_progress / done, or late when not done by the deadline."""
        if self.status != self.Status.DONE and self.deadline < timezone.now():
            return self.LATE
        return self.status

    @property
    def is_done(self) -> bool:
        return self.status == self.Status.DONE


class GroupTaskAssignee(models.Model):
    """A member of the group the leader put on a task."""

    task = models.ForeignKey(GroupTask, verbose_name=_("task"), on_delete=models.CASCADE, related_name="assignments")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("member"), on_delete=models.PROTECT, related_name="+"
    )
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assigned by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    assigned_at = models.DateTimeField(_("assigned at"), default=timezone.now)

    class Meta:
        verbose_name = _("task assignee")
        verbose_name_plural = _("task assignees")
        constraints = [models.UniqueConstraint(fields=["task", "user"], name="unique_group_task_assignee")]
        indexes = [models.Index(fields=["user", "task"], name="group_task_assignee_user_idx")]

    def __str__(self):
        return f"{self.user} · {self.task}"
