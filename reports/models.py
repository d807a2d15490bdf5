from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from teaching.selectors import share_percent

SHARE_FIELDS = (
    "share_programme", "share_planned", "share_taught", "secondary_programme", "secondary_planned", "secondary_taught",
)  # fmt: skip

CONTEST_FIELDS = ("contest_participants", "contest_products", "contest_awards")


class UnitStat(models.Model):
    """The participation figures of one unit for one period, computed by reports.services (Celery).

    A school's row is counted from the data; every unit above has the sum of its schools' rows, so
    every total is the sum of its parts. Dashboards read these rows only.
    """

    class PeriodKind(models.TextChoices):
        ALL = "all", _("All time")
        YEAR = "year", _("School year")
        SEMESTER = "semester", _("Semester")
        MONTH = "month", _("Month")

    unit = models.ForeignKey("units.Unit", on_delete=models.CASCADE, related_name="stats")
    period_kind = models.CharField(max_length=10, choices=PeriodKind.choices)
    period_start = models.DateField()
    period_end = models.DateField()
    computed_at = models.DateTimeField(default=timezone.now)
    schools = models.PositiveIntegerField(default=0)
    groups = models.PositiveIntegerField(default=0)
    teacher_accounts = models.PositiveIntegerField(default=0)
    student_accounts = models.PositiveIntegerField(default=0)
    declared_teachers = models.PositiveIntegerField(default=0)
    declared_students = models.PositiveIntegerField(default=0)
    schools_declared = models.PositiveIntegerField(default=0)
    # Accounts of the schools that declared their numbers: coverage compares like with like.
    declared_teacher_accounts = models.PositiveIntegerField(default=0)
    declared_student_accounts = models.PositiveIntegerField(default=0)
    teachers_photo_ok = models.PositiveIntegerField(default=0)
    complete_profiles = models.PositiveIntegerField(default=0)
    topics = models.PositiveIntegerField(default=0)
    topics_empty = models.PositiveIntegerField(default=0)
    topics_duplicate = models.PositiveIntegerField(default=0)
    courses = models.PositiveIntegerField(default=0)
    products = models.PositiveIntegerField(default=0)
    active_30d = models.PositiveIntegerField(default=0)
    posts = models.PositiveIntegerField(default=0)
    # Grade-entry progress (gradebook, issue #16), for a semester or a school year: the marks expected
    # from the teaching assignments, those entered, and those still empty after a column's deadline.
    marks_expected = models.PositiveIntegerField(default=0)
    marks_entered = models.PositiveIntegerField(default=0)
    marks_missed = models.PositiveIntegerField(default=0)
    # The online share (teaching, issue #17) of the school year the period belongs to, as its numerator and
    # denominator so that a unit's share is a ratio of sums (Σ online ÷ Σ programme periods), never an
    # average of percentages: the programme's periods of the subjects the school teaches, the online
    # periods of its approved plans, those already taught. `share_*` count every school; `secondary_*`
    # only the secondary schools (teaching's SchoolShare.is_secondary), which the 10% target reads.
    share_programme = models.PositiveIntegerField(default=0)
    share_planned = models.PositiveIntegerField(default=0)
    share_taught = models.PositiveIntegerField(default=0)
    secondary_programme = models.PositiveIntegerField(default=0)
    secondary_planned = models.PositiveIntegerField(default=0)
    secondary_taught = models.PositiveIntegerField(default=0)
    # Contests (issue #18, contests.figures): people registered in the period (a team's members each), products
    # handed in, awards of results already out, counted at the registration's school.
    contest_participants = models.PositiveIntegerField(default=0)
    contest_products = models.PositiveIntegerField(default=0)
    contest_awards = models.PositiveIntegerField(default=0)
    data_problems = models.JSONField(default=list, blank=True)

    SUMMED = (
        "schools", "groups", "teacher_accounts", "student_accounts", "declared_teachers", "declared_students",
        "schools_declared", "declared_teacher_accounts", "declared_student_accounts", "teachers_photo_ok",
        "complete_profiles", "topics", "topics_empty", "topics_duplicate",
        "courses", "products", "active_30d", "posts", "marks_expected", "marks_entered", "marks_missed",
        *SHARE_FIELDS, *CONTEST_FIELDS,
    )  # fmt: skip

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["unit", "period_kind", "period_start"], name="one_stat_per_unit_period")
        ]
        indexes = [models.Index(fields=["period_kind", "period_start", "unit"], name="stat_period_unit_idx")]

    def __str__(self):
        return f"{self.unit_id} {self.period_kind}:{self.period_start}"

    @property
    def real_topics(self) -> int:
        return self.topics - self.topics_empty - self.topics_duplicate

    @staticmethod
    def _percent(part: int, whole: int) -> float | None:
        return round(100 * part / whole, 1) if whole else None

    @property
    def teacher_coverage(self) -> float | None:
        return self._percent(self.declared_teacher_accounts, self.declared_teachers)

    @property
    def student_coverage(self) -> float | None:
        return self._percent(self.declared_student_accounts, self.declared_students)

    @property
    def posts_per_teacher(self) -> float | None:
        return round(self.posts / self.teacher_accounts, 1) if self.teacher_accounts else None

    @property
    def photo_ok_rate(self) -> float | None:
        return self._percent(self.teachers_photo_ok, self.teacher_accounts)

    @property
    def grade_entry_rate(self) -> float | None:
        """Marks entered, in percent of those expected (issue #16); None without teaching assignments."""
        return self._percent(self.marks_entered, self.marks_expected)

    # The online share in percent, one decimal half up (teaching's share_percent, so a school's figure here
    # is the one its own page shows); None without programme periods.
    @property
    def share_planned_rate(self):
        return share_percent(self.share_planned, self.share_programme)

    @property
    def share_taught_rate(self):
        return share_percent(self.share_taught, self.share_programme)

    @property
    def secondary_planned_rate(self):
        return share_percent(self.secondary_planned, self.secondary_programme)

    @property
    def secondary_taught_rate(self):
        return share_percent(self.secondary_taught, self.secondary_programme)
