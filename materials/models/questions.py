"""The question bank (ngân hàng câu hỏi).

A question is written by a teacher in their group or school and goes through the same approval as a
library item: draft → submitted → approved by the group leader → approved by the principal → shared
with the school; a school may then propose it to its Office/Department, and on to the Ministry.

Approved questions are never changed in place, because attempts already graded against them must keep
their meaning: editing one makes a revision (a new row with `replaces` set) that goes through approval
while the approved one stays in use; approving the revision supersedes the old row.

Content: `stem`, `explanation`, `answer_guide` and option texts are plain text (line breaks kept),
escaped when shown, in which mathematics is written in LaTeX between \\( \\) or $ $ (inline) and
\\[ \\] or $$ $$ (display); KaTeX, served by the project, renders it in the browser. Plain text, not
HTML, because formulas are full of "<" and "&" that an HTML sanitiser would mangle; HTML imported from
Moodle is turned into text (services/question_rules.py).

`options` holds, for the choice types, a list of {"text": str, "correct": bool}: single choice has
exactly one correct option, multiple choice one or more, true/false exactly four statements each true
or false (the 2018-curriculum format). A numeric question has
`numeric_answer` and a `tolerance`; an essay has a marking guide in `answer_guide` and is graded by
the teacher.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from approvals.models import ReviewStep
from truonghoc.softdelete import SoftDeleted, soft_delete_constraint
from truonghoc.storage import private_storage

from .library import VersionStatus, review_meta

# Question statuses are the library's version statuses: one approval flow, one vocabulary.
QuestionStatus = VersionStatus


class QuestionType(models.TextChoices):
    SINGLE = "single", _("Single choice")
    MULTIPLE = "multiple", _("Multiple choice")
    TRUE_FALSE = "true_false", _("True/false, four statements")
    NUMERIC = "numeric", _("Short numeric answer")
    ESSAY = "essay", _("Essay")


CHOICE_TYPES = (QuestionType.SINGLE, QuestionType.MULTIPLE, QuestionType.TRUE_FALSE)


def option_letter(question_type: str, shown: int) -> str:
    """The label of the option shown at place `shown` (from 0), as Vietnamese papers print them:
    A, B, C, D for choices, a, b, c, d for the four statements of a true/false question."""
    letters = "abcd" if question_type == QuestionType.TRUE_FALSE else "ABCDEFGHIJ"
    return letters[shown] if shown < len(letters) else str(shown + 1)


class CognitiveLevel(models.IntegerChoices):
    RECOGNITION = 1, pgettext_lazy("cognitive level", "Recognition")  # nhận biết
    COMPREHENSION = 2, pgettext_lazy("cognitive level", "Comprehension")  # thông hiểu
    APPLICATION = 3, pgettext_lazy("cognitive level", "Application")  # vận dụng
    HIGH_APPLICATION = 4, pgettext_lazy("cognitive level", "Advanced application")  # vận dụng cao


class QuestionSource(models.TextChoices):
    TYPED = "typed", _("Written in the portal")
    XLSX = "xlsx", _("Imported from a spreadsheet")
    MOODLE = "moodle", _("Imported from Moodle XML")
    GIFT = "gift", _("Imported from GIFT")


def question_image_path(instance, filename: str) -> str:
    import uuid

    return f"questions/{timezone.now():%Y/%m}/{uuid.uuid4().hex}.jpg"


class Question(SoftDeleted):
    type = models.CharField(_("type"), max_length=12, choices=QuestionType.choices)
    stem = models.TextField(_("question"))  # plain text with LaTeX
    image = models.ImageField(
        _("image"), upload_to=question_image_path, storage=private_storage, blank=True, max_length=255
    )
    options = models.JSONField(_("options"), default=list, blank=True)
    numeric_answer = models.DecimalField(_("answer"), max_digits=18, decimal_places=6, null=True, blank=True)
    tolerance = models.DecimalField(
        _("tolerance"), max_digits=18, decimal_places=6, default=0, validators=[MinValueValidator(0)]
    )
    answer_guide = models.TextField(_("marking guide"), blank=True)  # plain text, for essays
    explanation = models.TextField(_("explanation"), blank=True)  # plain text with LaTeX
    subject = models.CharField(_("subject"), max_length=100)
    grade = models.PositiveSmallIntegerField(_("grade"), validators=[MinValueValidator(1), MaxValueValidator(12)])
    topic = models.CharField(_("topic"), max_length=255)
    level = models.PositiveSmallIntegerField(_("cognitive level"), choices=CognitiveLevel.choices)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("author"), on_delete=models.PROTECT, related_name="questions"
    )
    # The group (or school) the question was written in; its leader and principal approve it.
    unit = models.ForeignKey("units.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="questions")
    status = models.CharField(_("status"), max_length=15, choices=QuestionStatus.choices, default=QuestionStatus.DRAFT)
    # The highest unit whose subtree may use the question: its school once approved, an Office,
    # Department or the Ministry after vetting. Null until approved.
    shared_with = models.ForeignKey(
        "units.Unit",
        verbose_name=_("shared with"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="questions_shared_here",
    )
    # The approved question this revision will replace once approved itself.
    replaces = models.ForeignKey(
        "self", verbose_name=_("revision of"), null=True, blank=True, on_delete=models.PROTECT, related_name="revisions"
    )
    # sha256 of the folded stem, options and answer: the same question typed twice, imported twice or
    # written with other accents and spacing has the same fingerprint (duplicate detection).
    fingerprint = models.CharField(_("fingerprint"), max_length=64, db_index=True, editable=False)
    # Folded stem, subject, topic, grade: the bank's accent-free search.
    search_text = models.TextField(_("search text"), blank=True, editable=False)
    source = models.CharField(_("source"), max_length=8, choices=QuestionSource.choices, default=QuestionSource.TYPED)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)

    class Meta:
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=~Q(stem=""), name="question_has_stem"),
            models.CheckConstraint(condition=Q(level__gte=1, level__lte=4), name="question_level_1_4"),
            models.CheckConstraint(condition=Q(grade__gte=1, grade__lte=12), name="question_grade_1_12"),
            models.CheckConstraint(
                condition=~Q(type="numeric") | Q(numeric_answer__isnull=False), name="question_numeric_has_answer"
            ),
            models.CheckConstraint(
                condition=Q(shared_with__isnull=True) | Q(status__in=["approved", "superseded"]),
                name="question_shared_is_approved",
            ),
            soft_delete_constraint("question"),
            # One revision at a time is on its way through approval.
            models.UniqueConstraint(
                fields=["replaces"],
                condition=Q(status__in=["draft", "submitted", "group_approved"]),
                name="question_one_open_revision",
            ),
        ]
        indexes = [
            models.Index(fields=["shared_with", "status"], name="question_shared_idx"),
            models.Index(fields=["subject", "grade", "topic", "level"], name="question_blueprint_idx"),
            models.Index(fields=["author", "status"], name="question_author_idx"),
        ]

    def __str__(self):
        return f"#{self.pk} {self.get_type_display()}"


class QuestionReview(ReviewStep):
    """One step of a question's approval trail (approvals.models.ReviewStep), as MaterialReview is for items."""

    item_field = "question"

    question = models.ForeignKey(Question, verbose_name=_("question"), on_delete=models.CASCADE, related_name="reviews")

    Meta = review_meta("question", _("question review"), _("question reviews"))
