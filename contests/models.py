"""Contests (cuộc thi) organised by a unit at any level, their rounds from school to Ministry, registration
of people or teams, entries and products, and the tables judging, awards and certificates fill in.

A contest is open to its organiser's subtree (or to some units below it, `open_to`); each round is held at a
level (school, Office, Department, Ministry) and ranks its entries per unit of that level, the organiser's
rule choosing who goes on to the next round.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, URLValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from truonghoc.storage import private_storage

# A team of more people than this is a class, not a team.
TEAM_SIZE_LIMIT = 10
PRODUCT_MAX_MB_LIMIT = 500
# Judges per product: fair judging needs two at least (a third settles a disagreement).
MIN_JUDGES = 2


class Audience(models.TextChoices):
    TEACHERS = "teachers", _("Teachers")
    STUDENTS = "students", _("Students")
    BOTH = "both", _("Teachers and students")


class Participation(models.TextChoices):
    INDIVIDUAL = "individual", _("Individual")
    TEAM = "team", _("Teams")


class Level(models.TextChoices):
    """The level a round is held at; its entries are ranked per unit of that level."""

    SCHOOL = "school", _("School")
    OFFICE = "office", _("Office of Education")
    DEPARTMENT = "department", _("Department of Education")
    MINISTRY = "ministry", _("Ministry of Education")


# From the lowest level up: a round is held at a level at or above the one before it.
LEVEL_ORDER = (Level.SCHOOL, Level.OFFICE, Level.DEPARTMENT, Level.MINISTRY)


def video_url_validator(value: str) -> None:
    URLValidator(schemes=["http", "https"], message=_("Give a video link starting with http:// or https://."))(value)


class Contest(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        ANNOUNCED = "announced", _("Announced")
        RUNNING = "running", _("Running")
        FINISHED = "finished", _("Finished")

    title = models.CharField(_("title"), max_length=255)
    # The public address (/cuoc-thi/c/<slug>/): shareable, unique, never changed once announced.
    slug = models.SlugField(_("address"), max_length=80, unique=True, allow_unicode=False)
    organiser = models.ForeignKey(
        "units.Unit", verbose_name=_("organiser"), on_delete=models.PROTECT, related_name="organised_contests"
    )
    audience = models.CharField(_("for"), max_length=10, choices=Audience.choices, default=Audience.STUDENTS)
    participation = models.CharField(
        _("taking part"), max_length=10, choices=Participation.choices, default=Participation.INDIVIDUAL
    )
    team_min = models.PositiveSmallIntegerField(
        _("team size, at least"), default=1, validators=[MinValueValidator(1), MaxValueValidator(TEAM_SIZE_LIMIT)]
    )
    team_max = models.PositiveSmallIntegerField(
        _("team size, at most"), default=1, validators=[MinValueValidator(1), MaxValueValidator(TEAM_SIZE_LIMIT)]
    )
    # Whether a team may gather people of several schools (otherwise every member is of the team's school).
    team_cross_school = models.BooleanField(_("teams may mix schools"), default=False)
    # Empty: the organiser's whole subtree. Otherwise only the subtrees of these units (below the organiser).
    open_to = models.ManyToManyField(
        "units.Unit", verbose_name=_("open to"), blank=True, related_name="contests_open_to"
    )
    # Eligibility: empty lists mean every grade / every subject.
    grades = models.JSONField(_("grades"), default=list, blank=True)
    subjects = models.JSONField(_("subjects"), default=list, blank=True)
    # At most this many registrations (people or teams) per school; empty: no limit.
    per_school_limit = models.PositiveIntegerField(
        _("registrations per school, at most"), null=True, blank=True, validators=[MinValueValidator(1)]
    )
    summary = models.CharField(_("summary"), max_length=500, blank=True)
    # Folded title and organiser (truonghoc.text.fold), for accent-free search.
    search_text = models.CharField(max_length=600, editable=False, default="")
    rules = models.TextField(_("rules"), blank=True)  # sanitised HTML (truonghoc.richtext.clean_html)
    registration_opens_at = models.DateTimeField(_("registration opens at"))
    registration_closes_at = models.DateTimeField(_("registration closes at"))
    ends_at = models.DateTimeField(_("ends at"), null=True, blank=True)
    # The text of a certificate, with {name}, {school}, {prize}, {contest} filled in when it is issued.
    certificate_template = models.TextField(_("certificate text"), blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT, db_index=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.PROTECT, related_name="+"
    )
    announced_at = models.DateTimeField(_("announced at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    class Meta:
        verbose_name = _("contest")
        verbose_name_plural = _("contests")
        ordering = ["-registration_opens_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(team_min__gte=1) & Q(team_max__gte=F("team_min")), name="contest_team_size_range"
            ),
            models.CheckConstraint(
                condition=Q(registration_closes_at__gt=F("registration_opens_at")), name="contest_registration_window"
            ),
        ]
        indexes = [models.Index(fields=["organiser", "status"], name="contest_organiser_status_idx")]

    def __str__(self):
        return self.title

    @property
    def is_public(self) -> bool:
        return self.status != self.Status.DRAFT

    @property
    def is_team(self) -> bool:
        return self.participation == Participation.TEAM


class Rubric(models.Model):
    """What judges score a product round against: criteria with weights, maximum scores and bands."""

    contest = models.ForeignKey(Contest, verbose_name=_("contest"), on_delete=models.CASCADE, related_name="rubrics")
    title = models.CharField(_("title"), max_length=255)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("rubric")
        verbose_name_plural = _("rubrics")
        ordering = ["id"]

    def __str__(self):
        return self.title


class Criterion(models.Model):
    rubric = models.ForeignKey(Rubric, verbose_name=_("rubric"), on_delete=models.CASCADE, related_name="criteria")
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    title = models.CharField(_("criterion"), max_length=255)
    description = models.TextField(_("description"), blank=True)
    weight = models.DecimalField(_("weight"), max_digits=5, decimal_places=2, default=1)
    max_score = models.DecimalField(_("maximum score"), max_digits=5, decimal_places=2, default=10)

    class Meta:
        verbose_name = _("criterion")
        verbose_name_plural = _("criteria")
        ordering = ["rubric", "position", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(weight__gt=0), name="contest_criterion_weight_positive"),
            models.CheckConstraint(condition=Q(max_score__gt=0), name="contest_criterion_max_positive"),
        ]

    def __str__(self):
        return self.title


class Band(models.Model):
    """A named range of a criterion's scores (Tốt 8–10, Khá 6.5–7.75 …) that guides the judges."""

    criterion = models.ForeignKey(
        Criterion, verbose_name=_("criterion"), on_delete=models.CASCADE, related_name="bands"
    )
    label = models.CharField(_("label"), max_length=100)
    min_score = models.DecimalField(_("from"), max_digits=5, decimal_places=2)
    max_score = models.DecimalField(_("to"), max_digits=5, decimal_places=2)

    class Meta:
        verbose_name = _("band")
        verbose_name_plural = _("bands")
        ordering = ["criterion", "-max_score"]
        constraints = [
            models.CheckConstraint(
                condition=Q(min_score__gte=0) & Q(max_score__gte=F("min_score")), name="contest_band_range"
            )
        ]

    def __str__(self):
        return self.label


class Round(models.Model):
    class Kind(models.TextChoices):
        TEST = "test", _("Online test")
        PRODUCT = "product", _("Product")

    class Qualify(models.TextChoices):
        NONE = "none", _("Last round: nobody goes on")
        TOP_N = "top_n", _("The best N of each unit")
        THRESHOLD = "threshold", _("Everyone at or above a score")

    contest = models.ForeignKey(Contest, verbose_name=_("contest"), on_delete=models.CASCADE, related_name="rounds")
    order = models.PositiveSmallIntegerField(_("order"), default=1, validators=[MinValueValidator(1)])
    title = models.CharField(_("title"), max_length=255)
    level = models.CharField(_("level"), max_length=12, choices=Level.choices, default=Level.SCHOOL)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.TEST)
    description = models.TextField(_("description"), blank=True)  # sanitised HTML
    # Online test round: the materials test, taken between opens_at and closes_at.
    quiz = models.ForeignKey(
        "materials.Quiz",
        verbose_name=_("test"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="contest_rounds",
    )
    opens_at = models.DateTimeField(_("opens at"), null=True, blank=True)
    # The test window's end, or the deadline for products.
    closes_at = models.DateTimeField(_("closes at"))
    # Product round: what may be handed in.
    allowed_types = models.JSONField(_("allowed file types"), default=list, blank=True)
    max_file_mb = models.PositiveIntegerField(
        _("largest file (MB)"), default=50, validators=[MinValueValidator(1), MaxValueValidator(PRODUCT_MAX_MB_LIMIT)]
    )
    # Who goes on to the next round.
    qualify_rule = models.CharField(_("who goes on"), max_length=10, choices=Qualify.choices, default=Qualify.NONE)
    qualify_top_n = models.PositiveIntegerField(
        _("how many per unit"), null=True, blank=True, validators=[MinValueValidator(1)]
    )
    qualify_threshold = models.DecimalField(_("score at least"), max_digits=6, decimal_places=2, null=True, blank=True)
    # Judging (product rounds).
    rubric = models.ForeignKey(
        Rubric, verbose_name=_("rubric"), null=True, blank=True, on_delete=models.PROTECT, related_name="rounds"
    )
    judges_per_product = models.PositiveSmallIntegerField(
        _("judges per product"), default=MIN_JUDGES, validators=[MinValueValidator(MIN_JUDGES)]
    )
    disagreement_margin = models.DecimalField(
        _("disagreement margin"), max_digits=5, decimal_places=2, default=2, validators=[MinValueValidator(0)]
    )
    results_publish_at = models.DateTimeField(_("results published at"), null=True, blank=True)
    # Set by round_close: the ranking is done, the qualified are chosen and scores no longer change.
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    scores_locked = models.BooleanField(_("scores locked"), default=False)
    results_published_at = models.DateTimeField(_("results out at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("round")
        verbose_name_plural = _("rounds")
        ordering = ["contest", "order"]
        constraints = [
            models.UniqueConstraint(fields=["contest", "order"], name="contest_round_order_unique"),
            models.CheckConstraint(
                condition=Q(judges_per_product__gte=MIN_JUDGES), name="contest_round_two_judges_at_least"
            ),
            models.CheckConstraint(
                condition=Q(opens_at__isnull=True) | Q(closes_at__gt=F("opens_at")), name="contest_round_window"
            ),
            models.CheckConstraint(
                condition=~Q(qualify_rule="top_n") | Q(qualify_top_n__isnull=False), name="contest_round_top_n_set"
            ),
            models.CheckConstraint(
                condition=~Q(qualify_rule="threshold") | Q(qualify_threshold__isnull=False),
                name="contest_round_threshold_set",
            ),
        ]

    def __str__(self):
        return f"{self.contest} — {self.title}"

    @property
    def is_closed(self) -> bool:
        return self.closed_at is not None


class Team(models.Model):
    contest = models.ForeignKey(Contest, verbose_name=_("contest"), on_delete=models.CASCADE, related_name="teams")
    name = models.CharField(_("team name"), max_length=255)
    school = models.ForeignKey("units.Unit", verbose_name=_("school"), on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("team")
        verbose_name_plural = _("teams")
        ordering = ["contest", "name"]
        constraints = [models.UniqueConstraint(fields=["contest", "school", "name"], name="contest_team_name_unique")]

    def __str__(self):
        return self.name


class TeamMember(models.Model):
    team = models.ForeignKey(Team, verbose_name=_("team"), on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("member"), on_delete=models.PROTECT, related_name="contest_teams"
    )
    # A member's own school (a team may mix schools when the contest allows it).
    school = models.ForeignKey("units.Unit", verbose_name=_("school"), on_delete=models.PROTECT, related_name="+")
    is_leader = models.BooleanField(_("leader"), default=False)

    class Meta:
        verbose_name = _("team member")
        verbose_name_plural = _("team members")
        ordering = ["team", "-is_leader", "id"]
        constraints = [
            models.UniqueConstraint(fields=["team", "user"], name="contest_team_member_unique"),
            models.UniqueConstraint(fields=["team"], condition=Q(is_leader=True), name="contest_team_one_leader"),
        ]

    def __str__(self):
        return str(self.user)


class Registration(models.Model):
    """One participant of a contest: a person, or a team (with its members). `school` is whose quota it counts
    against and where it is ranked from."""

    class Status(models.TextChoices):
        REGISTERED = "registered", _("Registered")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    contest = models.ForeignKey(
        Contest, verbose_name=_("contest"), on_delete=models.PROTECT, related_name="registrations"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("participant"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="contest_registrations",
    )
    team = models.OneToOneField(
        Team, verbose_name=_("team"), null=True, blank=True, on_delete=models.PROTECT, related_name="registration"
    )
    school = models.ForeignKey("units.Unit", verbose_name=_("school"), on_delete=models.PROTECT, related_name="+")
    # The participant's class or group when registered (its grade is what eligibility read).
    unit = models.ForeignKey(
        "units.Unit",
        verbose_name=_("class or group"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    grade = models.PositiveSmallIntegerField(_("grade"), null=True, blank=True)
    subject = models.CharField(_("subject"), max_length=100, blank=True)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("registered by"), on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.REGISTERED, db_index=True
    )
    created_at = models.DateTimeField(_("registered at"), default=timezone.now)

    class Meta:
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")
        ordering = ["contest", "created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(user__isnull=False) & Q(team__isnull=True))
                | (Q(user__isnull=True) & Q(team__isnull=False)),
                name="contest_registration_person_or_team",
            ),
            models.UniqueConstraint(
                fields=["contest", "user"], condition=Q(user__isnull=False), name="contest_registration_once"
            ),
        ]
        indexes = [models.Index(fields=["contest", "school", "status"], name="contest_reg_school_idx")]

    def __str__(self):
        return str(self.team or self.user)


class RoundEntry(models.Model):
    """A registration taking part in a round: everyone in the first round, the qualified in the next ones."""

    class Status(models.TextChoices):
        ENTERED = "entered", _("In the round")
        QUALIFIED = "qualified", _("Goes on to the next round")
        NOT_QUALIFIED = "not_qualified", _("Does not go on")
        ABSENT = "absent", _("Did not take part")

    round = models.ForeignKey(Round, verbose_name=_("round"), on_delete=models.PROTECT, related_name="entries")
    registration = models.ForeignKey(
        Registration, verbose_name=_("registration"), on_delete=models.PROTECT, related_name="entries"
    )
    # The entry of the round before that this one came from (None in the first round).
    qualified_from = models.OneToOneField(
        "self", verbose_name=_("qualified from"), null=True, blank=True, on_delete=models.PROTECT, related_name="next"
    )
    # The unit of the round's level the entry is ranked in (its school, Office, Department or Ministry).
    rank_unit = models.ForeignKey(
        "units.Unit", verbose_name=_("ranked in"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # Online test rounds: the attempt the score was read from.
    attempt = models.ForeignKey(
        "materials.Attempt",
        verbose_name=_("attempt"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    score = models.DecimalField(_("score"), max_digits=6, decimal_places=2, null=True, blank=True)
    rank = models.PositiveIntegerField(_("rank"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=14, choices=Status.choices, default=Status.ENTERED, db_index=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("round entry")
        verbose_name_plural = _("round entries")
        ordering = ["round", "rank_unit", "rank", "id"]
        constraints = [models.UniqueConstraint(fields=["round", "registration"], name="contest_entry_once_per_round")]
        indexes = [models.Index(fields=["round", "status"], name="contest_entry_round_status_idx")]

    def __str__(self):
        return f"{self.registration} — {self.round}"

    @property
    def prize_label(self) -> str:
        """The prize's name, for rows read with `prize` (contests.selectors.round_entries)."""
        prize = getattr(self, "prize", "")
        return Award.Prize(prize).label if prize else ""


class Product(models.Model):
    """What an entry hands in to a product round; its content lives in versions (the last one is judged)."""

    entry = models.OneToOneField(RoundEntry, verbose_name=_("entry"), on_delete=models.PROTECT, related_name="product")
    title = models.CharField(_("title"), max_length=255)
    description = models.TextField(_("description"), blank=True)
    version_count = models.PositiveSmallIntegerField(_("versions"), default=0)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    class Meta:
        verbose_name = _("product")
        verbose_name_plural = _("products")
        ordering = ["entry", "id"]

    def __str__(self):
        return self.title


class ProductVersion(models.Model):
    product = models.ForeignKey(Product, verbose_name=_("product"), on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveSmallIntegerField(_("version"))
    title = models.CharField(_("title"), max_length=255)
    description = models.TextField(_("description"), blank=True)
    video_url = models.URLField(_("video link"), max_length=500, blank=True, validators=[video_url_validator])
    file = models.FileField(_("file"), storage=private_storage, upload_to="contests/products/%Y/%m/", blank=True)
    file_name = models.CharField(_("file name"), max_length=255, blank=True)
    file_size = models.PositiveBigIntegerField(_("file size"), default=0)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("handed in by"), on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField(_("handed in at"), default=timezone.now)

    class Meta:
        verbose_name = _("product version")
        verbose_name_plural = _("product versions")
        ordering = ["product", "-number"]
        constraints = [models.UniqueConstraint(fields=["product", "number"], name="contest_product_version_unique")]

    def __str__(self):
        return f"{self.product} v{self.number}"


class JudgeAssignment(models.Model):
    round = models.ForeignKey(Round, verbose_name=_("round"), on_delete=models.PROTECT, related_name="assignments")
    judge = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("judge"), on_delete=models.PROTECT, related_name="contest_judging"
    )
    product = models.ForeignKey(
        Product, verbose_name=_("product"), on_delete=models.PROTECT, related_name="assignments"
    )
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("assigned by"), on_delete=models.PROTECT, related_name="+"
    )
    # A third judge called in because the first two disagreed by more than the round's margin.
    is_third = models.BooleanField(_("third judge"), default=False)
    created_at = models.DateTimeField(_("assigned at"), default=timezone.now)

    class Meta:
        verbose_name = _("judge assignment")
        verbose_name_plural = _("judge assignments")
        ordering = ["round", "judge", "id"]
        constraints = [models.UniqueConstraint(fields=["product", "judge"], name="contest_judge_once_per_product")]
        indexes = [models.Index(fields=["judge", "round"], name="contest_judge_queue_idx")]

    def __str__(self):
        return f"{self.judge} — {self.product}"


class Score(models.Model):
    assignment = models.OneToOneField(
        JudgeAssignment, verbose_name=_("assignment"), on_delete=models.PROTECT, related_name="score"
    )
    # {criterion id (as text): the value given}, each within the criterion's 0..max_score.
    values = models.JSONField(_("scores per criterion"), default=dict)
    total = models.DecimalField(_("total"), max_digits=7, decimal_places=2)
    comment = models.TextField(_("comment"), blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), default=timezone.now)

    class Meta:
        verbose_name = _("score")
        verbose_name_plural = _("scores")

    def __str__(self):
        return f"{self.assignment}: {self.total}"


class Award(models.Model):
    class Prize(models.TextChoices):
        FIRST = "first", _("First prize")
        SECOND = "second", _("Second prize")
        THIRD = "third", _("Third prize")
        CONSOLATION = "consolation", _("Consolation prize")

    contest = models.ForeignKey(Contest, verbose_name=_("contest"), on_delete=models.PROTECT, related_name="awards")
    # A round's award (per level), or the contest's (round empty).
    round = models.ForeignKey(
        Round, verbose_name=_("round"), null=True, blank=True, on_delete=models.PROTECT, related_name="awards"
    )
    entry = models.ForeignKey(RoundEntry, verbose_name=_("entry"), on_delete=models.PROTECT, related_name="awards")
    prize = models.CharField(_("prize"), max_length=12, choices=Prize.choices)
    awarded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("awarded by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("awarded at"), default=timezone.now)

    class Meta:
        verbose_name = _("award")
        verbose_name_plural = _("awards")
        ordering = ["contest", "round", "prize", "id"]
        constraints = [models.UniqueConstraint(fields=["entry", "round"], name="contest_award_once_per_entry")]

    def __str__(self):
        return f"{self.get_prize_display()} — {self.entry}"


class Certificate(models.Model):
    class Kind(models.TextChoices):
        AWARD = "award", _("Award")
        PARTICIPATION = "participation", _("Participation")

    kind = models.CharField(_("kind"), max_length=14, choices=Kind.choices)
    award = models.ForeignKey(
        Award, verbose_name=_("award"), null=True, blank=True, on_delete=models.PROTECT, related_name="certificates"
    )
    registration = models.ForeignKey(
        Registration, verbose_name=_("registration"), on_delete=models.PROTECT, related_name="certificates"
    )
    # The person named on it (each member of a team gets their own).
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("issued to"),
        on_delete=models.PROTECT,
        related_name="contest_certificates",
    )
    # Printed on the certificate; anyone checks it on the public verification page.
    code = models.CharField(_("verification code"), max_length=32, unique=True)
    issued_at = models.DateTimeField(_("issued at"), default=timezone.now)

    class Meta:
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")
        ordering = ["-issued_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="award", award__isnull=False) | Q(kind="participation", award__isnull=True),
                name="contest_certificate_kind_award",
            )
        ]

    def __str__(self):
        return self.code


# --- judging and recognition (branch ct_judge, migration 0002_i18_judging) -------------------------------


class RoundJudge(models.Model):
    """A judge of a product round's pool: the people the automatic assignment and the third judge are
    drawn from (contests/judging.py)."""

    round = models.ForeignKey(Round, verbose_name=_("round"), on_delete=models.CASCADE, related_name="judges")
    judge = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("judge"), on_delete=models.PROTECT, related_name="contest_pools"
    )
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("added by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("added at"), default=timezone.now)

    class Meta:
        verbose_name = _("judge of a round")
        verbose_name_plural = _("judges of a round")
        ordering = ["round", "id"]
        constraints = [models.UniqueConstraint(fields=["round", "judge"], name="contest_round_judge_once")]

    def __str__(self):
        return f"{self.judge} — {self.round}"


class AwardQuota(models.Model):
    """How many of a round's entries (per unit of its level) get a prize: a count or a percentage of the
    entries ranked there, set by the organiser (contests/results.py)."""

    round = models.ForeignKey(Round, verbose_name=_("round"), on_delete=models.CASCADE, related_name="award_quotas")
    prize = models.CharField(_("prize"), max_length=12, choices=Award.Prize.choices)
    count = models.PositiveIntegerField(_("how many"), null=True, blank=True)
    percent = models.DecimalField(
        _("percentage"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )

    class Meta:
        verbose_name = _("award quota")
        verbose_name_plural = _("award quotas")
        ordering = ["round", "id"]
        constraints = [
            models.UniqueConstraint(fields=["round", "prize"], name="contest_award_quota_once"),
            models.CheckConstraint(
                condition=(Q(count__isnull=False) & Q(percent__isnull=True))
                | (Q(count__isnull=True) & Q(percent__isnull=False)),
                name="contest_award_quota_count_or_percent",
            ),
            models.CheckConstraint(
                condition=Q(percent__isnull=True) | (Q(percent__gte=0) & Q(percent__lte=100)),
                name="contest_award_quota_percent_range",
            ),
        ]

    def __str__(self):
        return f"{self.round}: {self.get_prize_display()}"


# --- experiential activities (hoạt động trải nghiệm sáng tạo, issue #18 point 5; migration 0003_i18_activities) --

# Self- and peer-assessment: one score on this small fixed scale, and a comment.
ASSESSMENT_MIN = 1
ASSESSMENT_MAX = 5
ACTIVITY_MAX_FILE_MB = 50
# What a team hands in at a stage (documents, slides, pictures, audio, video, an archive of them).
ACTIVITY_FILE_TYPES = ("pdf", "docx", "xlsx", "pptx", "zip", "jpg", "png", "mp4", "mp3")


def link_validator(value: str) -> None:
    URLValidator(schemes=["http", "https"], message=_("Give a link starting with http:// or https://."))(value)


class Activity(models.Model):
    """A project activity a teacher sets for one class (or a chosen group of its students): stages with due
    dates, teams that hand in a product at each stage, self- and peer-assessment, the teacher's comment."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    school = models.ForeignKey("units.Unit", verbose_name=_("school"), on_delete=models.PROTECT, related_name="+")
    school_class = models.ForeignKey(
        "units.Unit", verbose_name=_("class"), on_delete=models.PROTECT, related_name="experiential_activities"
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("teacher"), on_delete=models.PROTECT, related_name="activities_owned"
    )
    title = models.CharField(_("title"), max_length=255)
    goal = models.TextField(_("goal"), blank=True)
    description = models.TextField(_("description"), blank=True)  # sanitised HTML (truonghoc.richtext.clean_html)
    school_year = models.CharField(_("school year"), max_length=9)
    # False: only the students chosen (ActivityStudent) take part, not the whole class.
    whole_class = models.BooleanField(_("the whole class"), default=True)
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.DRAFT, db_index=True)
    opened_at = models.DateTimeField(_("opened at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    class Meta:
        verbose_name = _("experiential activity")
        verbose_name_plural = _("experiential activities")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["owner", "status"], name="contest_activity_owner_idx"),
            models.Index(fields=["school_class", "status"], name="contest_activity_class_idx"),
        ]

    def __str__(self):
        return self.title

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN


class ActivityStudent(models.Model):
    """A student chosen for an activity set for a group of the class (not the whole class)."""

    activity = models.ForeignKey(
        Activity, verbose_name=_("activity"), on_delete=models.CASCADE, related_name="chosen_students"
    )
    student = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("student"), on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("student of an activity")
        verbose_name_plural = _("students of an activity")
        constraints = [models.UniqueConstraint(fields=["activity", "student"], name="contest_activity_student_once")]

    def __str__(self):
        return f"{self.activity} — {self.student}"


class Stage(models.Model):
    activity = models.ForeignKey(Activity, verbose_name=_("activity"), on_delete=models.CASCADE, related_name="stages")
    position = models.PositiveSmallIntegerField(_("order"), validators=[MinValueValidator(1)])
    name = models.CharField(_("name"), max_length=255)
    description = models.TextField(_("description"), blank=True)  # sanitised HTML
    due_at = models.DateTimeField(_("due at"))

    class Meta:
        verbose_name = _("stage")
        verbose_name_plural = _("stages")
        ordering = ["activity", "position"]
        constraints = [models.UniqueConstraint(fields=["activity", "position"], name="contest_stage_position_once")]

    def __str__(self):
        return self.name


class ActivityTeam(models.Model):
    activity = models.ForeignKey(Activity, verbose_name=_("activity"), on_delete=models.CASCADE, related_name="teams")
    name = models.CharField(_("team name"), max_length=255)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("activity team")
        verbose_name_plural = _("activity teams")
        ordering = ["activity", "name", "id"]
        constraints = [models.UniqueConstraint(fields=["activity", "name"], name="contest_activity_team_name_once")]

    def __str__(self):
        return self.name


class ActivityTeamMember(models.Model):
    team = models.ForeignKey(ActivityTeam, verbose_name=_("team"), on_delete=models.CASCADE, related_name="members")
    # The team's activity again, so the database itself keeps a student in one team per activity.
    activity = models.ForeignKey(Activity, verbose_name=_("activity"), on_delete=models.CASCADE, related_name="+")
    student = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("student"), on_delete=models.PROTECT, related_name="activity_teams"
    )
    is_leader = models.BooleanField(_("leader"), default=False)

    class Meta:
        verbose_name = _("team member")
        verbose_name_plural = _("team members")
        ordering = ["team", "-is_leader", "id"]
        constraints = [
            models.UniqueConstraint(fields=["activity", "student"], name="contest_activity_one_team"),
            models.UniqueConstraint(
                fields=["team"], condition=Q(is_leader=True), name="contest_activity_team_one_leader"
            ),
        ]

    def __str__(self):
        return str(self.student)


class StageProduct(models.Model):
    """A team's product at a stage; what it holds lives in versions (the last one counts)."""

    team = models.ForeignKey(ActivityTeam, verbose_name=_("team"), on_delete=models.CASCADE, related_name="products")
    stage = models.ForeignKey(Stage, verbose_name=_("stage"), on_delete=models.CASCADE, related_name="products")
    version_count = models.PositiveSmallIntegerField(_("versions"), default=0)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    class Meta:
        verbose_name = _("stage product")
        verbose_name_plural = _("stage products")
        constraints = [models.UniqueConstraint(fields=["team", "stage"], name="contest_stage_product_once")]

    def __str__(self):
        return f"{self.team} — {self.stage}"


class StageProductVersion(models.Model):
    product = models.ForeignKey(
        StageProduct, verbose_name=_("product"), on_delete=models.CASCADE, related_name="versions"
    )
    number = models.PositiveSmallIntegerField(_("version"))
    title = models.CharField(_("title"), max_length=255)
    description = models.TextField(_("description"), blank=True)
    link = models.URLField(_("link"), max_length=500, blank=True, validators=[link_validator])
    file = models.FileField(_("file"), storage=private_storage, upload_to="contests/activities/%Y/%m/", blank=True)
    file_name = models.CharField(_("file name"), max_length=255, blank=True)
    file_size = models.PositiveBigIntegerField(_("file size"), default=0)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("handed in by"), on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField(_("handed in at"), default=timezone.now)

    class Meta:
        verbose_name = _("stage product version")
        verbose_name_plural = _("stage product versions")
        ordering = ["product", "-number"]
        constraints = [models.UniqueConstraint(fields=["product", "number"], name="contest_stage_version_once")]

    def __str__(self):
        return f"{self.product} v{self.number}"


class Assessment(models.Model):
    """A student's self-assessment (of their own contribution) or their rating of a teammate, on the fixed
    1–5 scale, with a comment. Never of oneself as a peer (the database says so too)."""

    class Kind(models.TextChoices):
        SELF = "self", _("Self-assessment")
        PEER = "peer", _("Peer assessment")

    activity = models.ForeignKey(
        Activity, verbose_name=_("activity"), on_delete=models.CASCADE, related_name="assessments"
    )
    team = models.ForeignKey(ActivityTeam, verbose_name=_("team"), on_delete=models.CASCADE, related_name="assessments")
    assessor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("assessed by"), on_delete=models.PROTECT, related_name="+"
    )
    subject = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("student assessed"), on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("kind"), max_length=4, choices=Kind.choices)
    score = models.PositiveSmallIntegerField(
        _("score"), validators=[MinValueValidator(ASSESSMENT_MIN), MaxValueValidator(ASSESSMENT_MAX)]
    )
    comment = models.TextField(_("comment"), blank=True)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    class Meta:
        verbose_name = _("assessment")
        verbose_name_plural = _("assessments")
        ordering = ["activity", "team", "subject", "assessor"]
        constraints = [
            models.UniqueConstraint(fields=["activity", "assessor", "subject"], name="contest_assessment_once"),
            models.CheckConstraint(
                condition=Q(score__gte=ASSESSMENT_MIN) & Q(score__lte=ASSESSMENT_MAX), name="contest_assessment_scale"
            ),
            models.CheckConstraint(
                condition=(Q(kind="self") & Q(assessor=F("subject"))) | (Q(kind="peer") & ~Q(assessor=F("subject"))),
                name="contest_assessment_self_or_peer",
            ),
        ]

    def __str__(self):
        return f"{self.assessor} → {self.subject}: {self.score}"


class TeamComment(models.Model):
    """The teacher's comment on a team's work (and an optional mark on the 10-point scale)."""

    team = models.OneToOneField(
        ActivityTeam, verbose_name=_("team"), on_delete=models.CASCADE, related_name="teacher_comment"
    )
    comment = models.TextField(_("comment"))
    mark = models.DecimalField(_("mark"), max_digits=4, decimal_places=2, null=True, blank=True)
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("written by"), on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    class Meta:
        verbose_name = _("teacher's comment")
        verbose_name_plural = _("teacher's comments")
        constraints = [
            models.CheckConstraint(
                condition=Q(mark__isnull=True) | (Q(mark__gte=0) & Q(mark__lte=10)), name="contest_team_mark_range"
            )
        ]

    def __str__(self):
        return f"{self.team}: {self.comment[:40]}"


class ActivityContestEntry(models.Model):
    """A team product entered into a contest's product round by the teacher: the contest's own rows
    (registration, round entry, product version) were written by contests' services; this says where
    they came from."""

    team = models.ForeignKey(
        ActivityTeam, verbose_name=_("team"), on_delete=models.PROTECT, related_name="contest_entries"
    )
    source = models.ForeignKey(
        StageProductVersion, verbose_name=_("product entered"), on_delete=models.PROTECT, related_name="+"
    )
    entry = models.ForeignKey(RoundEntry, verbose_name=_("round entry"), on_delete=models.PROTECT, related_name="+")
    version = models.OneToOneField(
        ProductVersion, verbose_name=_("contest product version"), on_delete=models.PROTECT, related_name="+"
    )
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("entered by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("entered at"), default=timezone.now)

    class Meta:
        verbose_name = _("product entered into a contest")
        verbose_name_plural = _("products entered into contests")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.team} → {self.entry}"
