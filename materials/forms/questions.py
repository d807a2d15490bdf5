"""Forms of the question bank: writing a question (its fields change with the type), the bank's filters.

What makes a question valid (options for the type, numbers, formulas) is decided once, by
materials.services.question_rules through the services; this form only turns what was typed into the
service's arguments, keeps it when the service refuses, and puts each refusal next to its field.
"""

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from truonghoc.forms import BootstrapFormMixin

from ..models import CognitiveLevel, Question, QuestionType
from ..models.questions import option_letter
from ..selectors import questions as selectors
from ..services.question_rules import MAX_OPTIONS, OPTION_MAX_CHARS, TEXT_MAX_CHARS
from . import search_field

STATEMENTS = 4
# Option rows shown open; the others wait behind "More options" so a phone screen stays short.
OPTIONS_SHOWN = 4
TRUE, FALSE = "true", "false"
CHOICE_TYPES = (QuestionType.SINGLE, QuestionType.MULTIPLE)


def _text_area(rows: int, **attrs) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows, "maxlength": TEXT_MAX_CHARS, **attrs})


def _number_field(label, help_text) -> forms.CharField:
    """A number typed as text, with a decimal comma or point (services/question_rules reads it)."""
    return forms.CharField(
        label=label,
        required=False,
        max_length=40,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
        help_text=help_text,
    )


def _line_field(label) -> forms.CharField:
    """The text of one option or one true/false statement."""
    return forms.CharField(label=label, required=False, widget=forms.TextInput(attrs={"maxlength": OPTION_MAX_CHARS}))


class QuestionForm(BootstrapFormMixin, forms.Form):
    type = forms.ChoiceField(
        label=_("Type of question"), choices=QuestionType.choices, widget=forms.Select(attrs={"data-question-type": ""})
    )
    stem = forms.CharField(
        label=_("Question"),
        required=False,
        widget=_text_area(5, **{"data-math-source": "stem"}),
        help_text=_(r"Write formulas in LaTeX between \( and \) or $ and $, or on their own line between \[ and \]."),
    )
    image = forms.FileField(
        label=_("Image"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png"}),
        help_text=_("A JPEG or PNG picture up to 5 MB, shown under the question."),
    )
    remove_image = forms.BooleanField(label=_("Remove the current image"), required=False)
    # Not typed: where the service's messages about the options as a whole are shown.
    options = forms.CharField(required=False, widget=forms.HiddenInput)
    numeric_answer = _number_field(_("Answer"), _("A number, such as 3,5 or -2."))
    tolerance = _number_field(
        _("Tolerance"), _("An answer this close to the right one is accepted; 0 for the exact number.")
    )
    answer_guide = forms.CharField(
        label=_("Marking guide"),
        required=False,
        widget=_text_area(4),
        help_text=_("What a full answer contains and how the points are given; the teacher grades with it."),
    )
    explanation = forms.CharField(
        label=_("Explanation"),
        required=False,
        widget=_text_area(3),
        help_text=_("Shown to students after they answer in practice, and with the results of an exam."),
    )
    subject = forms.CharField(
        label=_("Subject"), required=False, max_length=100, widget=forms.TextInput(attrs={"list": "subject-list"})
    )
    grade = forms.TypedChoiceField(label=_("Grade"), coerce=int, choices=())
    topic = forms.CharField(
        label=_("Topic"),
        required=False,
        max_length=255,
        widget=forms.TextInput(attrs={"list": "topic-list"}),
        help_text=_("A blueprint counts questions by topic: use the same name as your colleagues."),
    )
    level = forms.TypedChoiceField(label=_("Cognitive level"), coerce=int, choices=CognitiveLevel.choices)

    def __init__(self, *args, question: Question | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.question = question
        self.fields["grade"].choices = [("", "—")] + [(g, str(g)) for g in selectors.GRADES]
        self.fields["level"].choices = [("", "—"), *CognitiveLevel.choices]
        for i in range(MAX_OPTIONS):
            self.fields[f"option_text_{i}"] = _line_field(
                _("Option %(letter)s") % {"letter": option_letter(QuestionType.SINGLE, i)}
            )
            self.fields[f"option_correct_{i}"] = forms.BooleanField(
                label=_("Option %(letter)s is correct") % {"letter": option_letter(QuestionType.SINGLE, i)},
                required=False,
            )
        for i in range(STATEMENTS):
            self.fields[f"statement_text_{i}"] = _line_field(
                _("Statement %(letter)s") % {"letter": option_letter(QuestionType.TRUE_FALSE, i)}
            )
            self.fields[f"statement_value_{i}"] = forms.ChoiceField(
                label=_("Statement %(letter)s is") % {"letter": option_letter(QuestionType.TRUE_FALSE, i)},
                required=False,
                choices=[(TRUE, pgettext_lazy("statement", "True")), (FALSE, pgettext_lazy("statement", "False"))],
                widget=forms.RadioSelect,
            )
        if question is None or not question.image:
            del self.fields["remove_image"]
        # The mixin styled the declared fields before these rows were added.
        for name, field in self.fields.items():
            widget = field.widget
            if name.startswith("option_correct_"):
                widget.attrs["class"] = "form-check-input"
            elif name.startswith("statement_value_"):
                widget.attrs.setdefault("class", "form-check-input")
            elif name.startswith(("option_text_", "statement_text_")):
                widget.attrs.setdefault("class", "form-control")
            if name.startswith(("option_", "statement_")):
                # The rows show a letter, not a <label>: screen readers get the field's name instead.
                widget.attrs["aria-label"] = str(field.label)

    # --- rows for the template ---

    @property
    def option_rows(self) -> list[dict]:
        rows = []
        for i in range(MAX_OPTIONS):
            text = self[f"option_text_{i}"]
            rows.append(
                {
                    "letter": option_letter(QuestionType.SINGLE, i),
                    "text": text,
                    "correct": self[f"option_correct_{i}"],
                    "shown": i < OPTIONS_SHOWN or bool(text.value()),
                }
            )
        return rows

    @property
    def more_options(self) -> list[dict]:
        return [row for row in self.option_rows if not row["shown"]]

    @property
    def statement_rows(self) -> list[dict]:
        return [
            {
                "letter": option_letter(QuestionType.TRUE_FALSE, i),
                "text": self[f"statement_text_{i}"],
                "value": self[f"statement_value_{i}"],
            }
            for i in range(STATEMENTS)
        ]

    # --- cleaning ---

    def clean(self):
        data = super().clean()
        if data.get("type") == QuestionType.TRUE_FALSE:
            for i in range(STATEMENTS):
                if (data.get(f"statement_text_{i}") or "").strip() and not data.get(f"statement_value_{i}"):
                    self.add_error(
                        f"statement_value_{i}",
                        _("Say whether statement %(letter)s is true or false.")
                        % {"letter": option_letter(QuestionType.TRUE_FALSE, i)},
                    )
        return data

    def _options(self) -> list[dict]:
        data = self.cleaned_data
        type_ = data.get("type")
        if type_ in CHOICE_TYPES:
            return [
                {"text": data.get(f"option_text_{i}") or "", "correct": bool(data.get(f"option_correct_{i}"))}
                for i in range(MAX_OPTIONS)
                if (data.get(f"option_text_{i}") or "").strip()
            ]
        if type_ == QuestionType.TRUE_FALSE:
            return [
                {"text": data.get(f"statement_text_{i}") or "", "correct": data.get(f"statement_value_{i}") == TRUE}
                for i in range(STATEMENTS)
                if (data.get(f"statement_text_{i}") or "").strip()
            ]
        return []

    def service_fields(self) -> dict:
        """The arguments of question_create / question_update / question_revise."""
        data = self.cleaned_data
        fields = {
            "type": data["type"],
            "stem": data.get("stem") or "",
            "options": self._options(),
            "numeric_answer": data.get("numeric_answer") or None,
            "tolerance": data.get("tolerance") or None,
            "answer_guide": data.get("answer_guide") or "",
            "explanation": data.get("explanation") or "",
            "subject": data.get("subject") or "",
            "grade": data.get("grade"),
            "topic": data.get("topic") or "",
            "level": data.get("level"),
            "image": data.get("image") or None,
        }
        if "remove_image" in self.fields:
            fields["remove_image"] = bool(data.get("remove_image"))
        return fields

    @staticmethod
    def initial_for(question: Question) -> dict:
        """The form's fields filled from a question (to change it, or to start its revision)."""
        initial = {
            "type": question.type,
            "stem": question.stem,
            "numeric_answer": selectors.numeric_text(question.numeric_answer),
            "tolerance": selectors.numeric_text(question.tolerance) if question.tolerance else "",
            "answer_guide": question.answer_guide,
            "explanation": question.explanation,
            "subject": question.subject,
            "grade": question.grade,
            "topic": question.topic,
            "level": question.level,
        }
        options = question.options or []
        if question.type == QuestionType.TRUE_FALSE:
            for i, option in enumerate(options[:STATEMENTS]):
                initial[f"statement_text_{i}"] = option.get("text", "")
                initial[f"statement_value_{i}"] = TRUE if option.get("correct") else FALSE
        else:
            for i, option in enumerate(options[:MAX_OPTIONS]):
                initial[f"option_text_{i}"] = option.get("text", "")
                initial[f"option_correct_{i}"] = bool(option.get("correct"))
        return initial


class BankFilterForm(BootstrapFormMixin, forms.Form):
    scope = forms.ChoiceField(label=_("Show"), required=False, choices=selectors.Scope.CHOICES)
    q = search_field(_("e.g. phan so lop 6"))
    subject = forms.ChoiceField(label=_("Subject"), required=False)
    grade = forms.TypedChoiceField(label=_("Grade"), required=False, coerce=int, empty_value=None)
    topic = forms.CharField(
        label=_("Topic"), required=False, max_length=255, widget=forms.TextInput(attrs={"list": "topic-list"})
    )
    level = forms.TypedChoiceField(
        label=_("Cognitive level"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", _("All levels")), *CognitiveLevel.choices],
    )
    type = forms.ChoiceField(label=_("Type"), required=False, choices=[("", _("All types")), *QuestionType.choices])
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("Any status")), *selectors.MINE_STATUSES]
    )

    def __init__(self, *args, subjects, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["grade"].choices = [("", _("All grades"))] + [(g, str(g)) for g in selectors.GRADES]
        subjects = list(subjects)
        chosen = (self.data.get("subject") or "").strip() if self.is_bound else ""
        if chosen and chosen not in subjects and len(chosen) <= 100:
            subjects.append(chosen)  # a subject named in a shared link is kept, even if not listed
        self.fields["subject"].choices = [("", _("All subjects"))] + [(s, s) for s in subjects]

    def filters(self) -> dict:
        data = self.cleaned_data if self.is_bound else {}
        return {name: data.get(name) for name in self.fields}
