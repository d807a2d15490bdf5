"""Forms of the test builder: a test's settings, its blueprint grid and the bank picker's filters. The
rules (what a published test may still change, which classes and courses, publishing) live in
materials.services.quizzes; these forms turn what was typed into values and keep it when the service
refuses. Dates are typed in Vietnam time (the project's time zone) with <input type="datetime-local">."""

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from courses.models import Course
from truonghoc.forms import DATETIME_FORMATS, DATETIME_INPUT, BootstrapFormMixin, RichTextWidget, SearchField
from truonghoc.params import parse_ids, parse_int
from truonghoc.text import refuse_formula_or_bidi
from units.models import Unit

from ..models import CognitiveLevel, QuestionType, Quiz
from ..selectors.library import SUBJECTS
from ..selectors.quizzes import MAX_QUESTIONS, class_choices, course_choices

DATETIME_INVALID = _("Write the time as dd/mm/yyyy hh:mm, for example 29/12/2025 07:30.")
# What a published test still lets you change (materials.services.quizzes.PUBLISHED_EDITABLE).
PUBLISHED_FIELDS = ("title", "instructions", "opens_at", "closes_at", "max_attempts", "classes", "course")


def _time_field(label, help_text) -> forms.DateTimeField:
    """A test's opening or closing time, typed in Vietnam time with <input type="datetime-local">."""
    return forms.DateTimeField(
        label=label,
        required=False,
        widget=DATETIME_INPUT,
        input_formats=DATETIME_FORMATS,
        error_messages={"invalid": DATETIME_INVALID},
        help_text=help_text,
    )


class QuizForm(BootstrapFormMixin, forms.Form):
    # The title heads the results export: refused at entry like names (issue #14).
    title = forms.CharField(label=_("Title"), max_length=255, validators=[refuse_formula_or_bidi])
    subject = forms.ChoiceField(label=_("Subject"))
    grade = forms.TypedChoiceField(label=_("Grade"), coerce=int, choices=[(g, str(g)) for g in range(1, 13)], initial=6)
    mode = forms.ChoiceField(
        label=_("Mode"), choices=Quiz.Mode.choices, initial=Quiz.Mode.EXAM, widget=forms.RadioSelect
    )
    selection = forms.ChoiceField(
        label=_("Questions"), choices=Quiz.Selection.choices, initial=Quiz.Selection.MANUAL, widget=forms.RadioSelect
    )
    instructions = forms.CharField(
        label=_("Instructions for students"), required=False, widget=RichTextWidget(attrs={"rows": 3})
    )
    time_limit = forms.IntegerField(
        label=_("Time limit (minutes)"),
        required=False,
        min_value=1,
        max_value=600,
        help_text=_("Empty for no limit. The server closes each attempt when its time is up."),
    )
    opens_at = _time_field(_("Opens at"), _("Vietnam time. Empty: open as soon as it is published."))
    closes_at = _time_field(_("Closes at"), _("Vietnam time. Required for an exam: results are shown once it closes."))
    max_attempts = forms.IntegerField(label=_("Attempts allowed"), min_value=1, max_value=100, initial=1)
    shuffle_questions = forms.BooleanField(
        label=_("Shuffle the questions for each student"), required=False, initial=True
    )
    shuffle_options = forms.BooleanField(label=_("Shuffle the options for each student"), required=False, initial=True)
    classes = forms.TypedMultipleChoiceField(label=_("Classes"), required=False, coerce=int)
    course = forms.ModelChoiceField(
        label=_("Course"), required=False, queryset=Course.objects.none(), empty_label=_("No course")
    )

    def __init__(self, *args, user, unit: Unit, quiz: Quiz | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.quiz = quiz
        self.class_groups = class_choices(unit)
        self.class_units = {c.pk: c for _grade, classes in self.class_groups for c in classes}
        self.fields["classes"].choices = [(pk, c.name) for pk, c in self.class_units.items()]
        courses = Q(pk__in=course_choices(user).values("pk"))
        if quiz is not None and quiz.course_id:
            courses |= Q(pk=quiz.course_id)  # kept even if the person editing does not teach it
        self.fields["course"].queryset = Course.objects.filter(courses).order_by("title")
        subjects = list(SUBJECTS)
        chosen = (self.data.get("subject") or "").strip() if self.is_bound else (self.initial.get("subject") or "")
        if chosen and chosen not in subjects and len(chosen) <= 100:
            subjects.append(chosen)
        self.fields["subject"].choices = [("", _("Choose a subject"))] + [(s, s) for s in subjects]
        if quiz is not None and quiz.status == Quiz.Status.PUBLISHED:
            for name, field in self.fields.items():
                if name not in PUBLISHED_FIELDS:
                    field.disabled = True
        if quiz is not None:
            # The way questions are chosen cannot change once chosen ones exist (the service says so).
            self.fields["selection"].help_text = _("Can change while the draft has no questions or blueprint rows.")

    @property
    def selected_class_ids(self) -> set[int]:
        raw = self.data.getlist("classes") if self.is_bound else self.initial.get("classes") or []
        return set(parse_ids(raw))

    def service_fields(self) -> dict:
        data = dict(self.cleaned_data)
        data["classes"] = [self.class_units[pk] for pk in data.get("classes") or []]
        if self.quiz is not None and self.quiz.status == Quiz.Status.PUBLISHED:
            data = {name: data[name] for name in PUBLISHED_FIELDS}
        return data


def initial_for(quiz: Quiz) -> dict:
    return {
        "title": quiz.title,
        "subject": quiz.subject,
        "grade": quiz.grade,
        "mode": quiz.mode,
        "selection": quiz.selection,
        "instructions": quiz.instructions,
        "time_limit": quiz.time_limit,
        "opens_at": quiz.opens_at,
        "closes_at": quiz.closes_at,
        "max_attempts": quiz.max_attempts,
        "shuffle_questions": quiz.shuffle_questions,
        "shuffle_options": quiz.shuffle_options,
        "classes": list(quiz.classes.values_list("pk", flat=True)),
        "course": quiz.course_id,
    }


MAX_TOPICS = 300


class BlueprintForm(BootstrapFormMixin, forms.Form):
    """One number per topic × level: field `n_<row>_<level>`, with the topic in hidden `t_<row>`, so the
    grid posted is the grid the teacher saw even if the bank changed meanwhile."""

    def __init__(self, *args, topics: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.topics = topics[:MAX_TOPICS]
        for i, topic in enumerate(self.topics):
            self.fields[f"t_{i}"] = forms.CharField(initial=topic, widget=forms.HiddenInput, max_length=255)
            for level in CognitiveLevel.values:
                self.fields[f"n_{i}_{level}"] = forms.IntegerField(
                    required=False,
                    min_value=0,
                    max_value=MAX_QUESTIONS,
                    label=f"{topic} – {CognitiveLevel(level).label}",
                    error_messages={
                        "invalid": _("A whole number."),
                        "min_value": _("0 or more."),
                        "max_value": _("At most %(limit_value)s."),
                    },
                    widget=forms.NumberInput(attrs={"class": "form-control form-control-sm", "inputmode": "numeric"}),
                )

    @staticmethod
    def topics_posted(data) -> list[str]:
        topics = []
        for i in range(MAX_TOPICS):
            if f"t_{i}" not in data:
                break
            topics.append(data[f"t_{i}"])
        return topics

    def rows(self) -> list[tuple[str, int, int]]:
        return [
            (self.cleaned_data[f"t_{i}"], level, self.cleaned_data.get(f"n_{i}_{level}") or 0)
            for i in range(len(self.topics))
            for level in CognitiveLevel.values
        ]

    def grid(self, availability: dict) -> list[dict]:
        """Rows for the template: each cell's bound field, availability and shortage."""
        out = []
        for i, topic in enumerate(self.topics):
            cells = []
            for level in CognitiveLevel.values:
                field = self[f"n_{i}_{level}"]
                value = field.value()
                asked = parse_int(value, default=0)
                have = availability.get((topic, level), 0)
                cells.append(
                    {"field": field, "level": level, "asked": max(asked, 0), "available": have, "short": asked > have}
                )
            out.append({"topic": topic, "hidden": self[f"t_{i}"], "cells": cells})
        return out


def blueprint_initial(grid: list[dict]) -> dict:
    initial = {}
    for i, row in enumerate(grid):
        initial[f"t_{i}"] = row["topic"]
        for cell in row["cells"]:
            initial[f"n_{i}_{cell['level']}"] = cell["count"] or None
    return initial


class PickerFilterForm(BootstrapFormMixin, forms.Form):
    q = SearchField(
        label=_("Search"),
        required=False,
        max_length=200,
        widget=forms.TextInput(
            attrs={"type": "search", "placeholder": _("Words of the question, with or without accents")}
        ),
    )
    topic = forms.ChoiceField(label=_("Topic"), required=False)
    level = forms.TypedChoiceField(
        label=pgettext_lazy("cognitive level", "Level"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", _("All levels")), *CognitiveLevel.choices],
    )
    type = forms.ChoiceField(label=_("Type"), required=False, choices=[("", _("All types")), *QuestionType.choices])

    def __init__(self, *args, topics: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["topic"].choices = [("", _("All topics"))] + [(t, t) for t in topics]

    def filters(self) -> dict:
        if not self.is_bound or not self.is_valid():
            return {}
        return {key: value for key, value in self.cleaned_data.items() if value}
