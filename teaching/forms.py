"""Forms of the teaching plans' pages: filters of the list, a new plan, one lesson row."""

from django import forms
from django.utils.translation import gettext_lazy as _

from approvals.models import Status
from truonghoc.forms import BootstrapFormMixin, SearchField

from .models import MAX_WEEK, LessonMode, PlanLevel

SCOPES = [("", _("All I can see")), ("mine", _("Mine")), ("group", _("My groups")), ("school", _("The school's"))]


class PlanFilterForm(BootstrapFormMixin, forms.Form):
    q = SearchField(label=_("Search"), required=False, max_length=100)
    scope = forms.ChoiceField(label=_("Whose"), choices=SCOPES, required=False)
    subject = forms.ChoiceField(label=_("Subject"), required=False)
    grade = forms.TypedChoiceField(
        label=_("Grade"),
        choices=[("", _("All grades"))] + [(g, str(g)) for g in range(1, 13)],
        coerce=int,
        empty_value=None,
        required=False,
    )
    status = forms.ChoiceField(label=_("Status"), choices=[("", _("Any status")), *Status.choices], required=False)

    def __init__(self, *args, subjects=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["subject"].choices = [("", _("All subjects"))] + [(s, s) for s in subjects]


class PlanCreateForm(BootstrapFormMixin, forms.Form):
    level = forms.ChoiceField(label=_("Plan"), choices=PlanLevel.choices)
    group = forms.ChoiceField(label=_("Professional group"), required=False)
    subject_grade = forms.ChoiceField(label=_("Subject and grade"))
    source = forms.TypedChoiceField(
        label=_("Draft from"),
        required=False,
        coerce=int,
        empty_value=None,
        help_text=_(
            "Without a plan to draft from, the rows are pre-filled from the programme's periods, week by week."
        ),
    )

    def __init__(self, *args, levels, groups, programme, sources, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["level"].choices = [(v, label) for v, label in PlanLevel.choices if v in levels]
        self.fields["group"].choices = [("", "—")] + [(str(g.pk), g.name) for g in groups]
        self.fields["subject_grade"].choices = [
            (f"{grade}|{subject}", _("%(subject)s, grade %(grade)s (%(periods)s periods)")
             % {"subject": subject, "grade": grade, "periods": periods})
            for (grade, subject), periods in sorted(programme.items())
        ]  # fmt: skip
        self.fields["source"].choices = [("", _("The programme's periods"))] + [(p.pk, str(p)) for p in sources]
        self._groups = {str(g.pk): g for g in groups}

    def clean(self):
        data = super().clean()
        value = data.get("subject_grade") or ""
        grade, _sep, subject = value.partition("|")
        data["grade"], data["subject"] = (int(grade), subject) if grade.isascii() and grade.isdigit() else (0, "")
        data["group_unit"] = self._groups.get(data.get("group") or "")
        if data.get("level") in (PlanLevel.GROUP, PlanLevel.TEACHER) and data["group_unit"] is None:
            self.add_error("group", _("Choose the professional group the plan belongs to."))
        return data


class LessonForm(forms.Form):
    """One row of the lessons table (posted by htmx when a cell changes)."""

    title = forms.CharField(label=_("Lesson or topic"), max_length=255)
    periods = forms.IntegerField(
        label=_("Periods"),
        min_value=1,
        max_value=200,
        error_messages={"min_value": _("At least 1 period."), "max_value": _("At most 200 periods.")},
    )
    week = forms.IntegerField(
        label=_("Week"),
        min_value=1,
        max_value=MAX_WEEK,
        error_messages={
            "min_value": _("The week is a number from 1 to %(limit_value)s.") % {"limit_value": MAX_WEEK},
            "max_value": _("The week is a number from 1 to %(limit_value)s.") % {"limit_value": MAX_WEEK},
        },
    )
    mode = forms.ChoiceField(label=_("Mode"), choices=LessonMode.choices)
    live_session = forms.TypedChoiceField(label=_("Live session"), required=False, coerce=int, empty_value=None)
    section = forms.TypedChoiceField(label=_("LMS lesson"), required=False, coerce=int, empty_value=None)

    def __init__(self, *args, sessions=(), sections=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["live_session"].choices = [("", "—")] + [(s.pk, str(s)) for s in sessions]
        self.fields["section"].choices = [("", "—")] + [(s.pk, str(s)) for s in sections]


class RefuseForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}), required=False)


class PlanFileForm(BootstrapFormMixin, forms.Form):
    """The xlsx of a plan (its size and content are checked by the import engine)."""

    file = forms.FileField(
        label=_("Plan (.xlsx)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}),
        error_messages={"required": _("Choose the file to upload.")},
    )


class PlanImportNewForm(PlanCreateForm):
    """A new plan from a file: the plan's level, group, subject and grade, then the file."""

    file = PlanFileForm.base_fields["file"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, sources=[], **kwargs)
        del self.fields["source"]


# --- the timetable ---------------------------------------------------------------------------------------


class TimetableNewForm(BootstrapFormMixin, forms.Form):
    valid_from = forms.DateField(
        label=_("In force from"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"required": _("Give the date the timetable applies from."),
                        "invalid": _("Give the date the timetable applies from.")},
    )  # fmt: skip


class TimetableImportForm(TimetableNewForm):
    file = forms.FileField(
        label=_("Timetable workbook (.xlsx or .csv)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv,text/csv"}),
        error_messages={"required": _("Choose the file to upload.")},
    )


LINK_KINDS = [
    ("", _("No link")),
    ("plan_lesson", _("A lesson of a teaching plan")),
    ("live", _("A live session")),
    ("lms", _("An LMS lesson (course section)")),
    ("url", _("A web link")),
]


class SlotForm(BootstrapFormMixin, forms.Form):
    """One slot of the week (the htmx editor of a cell)."""

    subject = forms.ChoiceField(label=_("Subject"), error_messages={"required": _("Choose the subject.")})
    teacher = forms.TypedChoiceField(label=_("Teacher"), required=False, coerce=int, empty_value=None)
    link_kind = forms.ChoiceField(label=_("Link"), choices=LINK_KINDS, required=False)
    plan_lesson = forms.TypedChoiceField(label=_("Plan lesson"), required=False, coerce=int, empty_value=None)
    live_session = forms.TypedChoiceField(label=_("Live session"), required=False, coerce=int, empty_value=None)
    section = forms.TypedChoiceField(label=_("LMS lesson"), required=False, coerce=int, empty_value=None)
    link_url = forms.CharField(label=_("Web link"), required=False, max_length=1000)

    def __init__(self, *args, subjects=(), teachers=(), plan_lessons=(), live_sessions=(), sections=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["subject"].choices = [("", "—")] + [(s, s) for s in subjects]
        self.fields["teacher"].choices = [("", "—")] + [(t.pk, t.full_name or t.username) for t in teachers]
        self.fields["plan_lesson"].choices = [("", "—")] + [
            (lesson.pk, f"{lesson.plan.subject} · {lesson.title} ({lesson.get_mode_display()})")
            for lesson in plan_lessons
        ]
        self.fields["live_session"].choices = [("", "—")] + [
            (s.pk, f"{s.title} · {s.course.title}") for s in live_sessions
        ]
        self.fields["section"].choices = [("", "—")] + [(s.pk, f"{s.title} · {s.course.title}") for s in sections]
