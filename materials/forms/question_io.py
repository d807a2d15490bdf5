"""Forms of the question import (upload, confirmation) and export (the selection and the format).
The services check what depends on the database and the file's content; these turn what was typed into
values and say what is missing."""

from django import forms
from django.utils.translation import gettext_lazy as _

from truonghoc.forms import BootstrapFormMixin

from ..models import CognitiveLevel, QuestionImport, QuestionType
from ..services.question_io.exporting import MINE, USABLE

LEVEL_CHOICES = [("", "—"), *CognitiveLevel.choices]
TYPE_CHOICES = [("", _("Any type")), *QuestionType.choices]


class QuestionImportForm(BootstrapFormMixin, forms.Form):
    format = forms.ChoiceField(
        label=_("Format of the file"),
        choices=QuestionImport.Format.choices,
        initial=QuestionImport.Format.XLSX,
        widget=forms.RadioSelect,
    )
    file = forms.FileField(
        label=_("File"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.xml,.txt,.gift"}),
        help_text=_("At most 20 MB. The template (.xlsx), a Moodle XML export (.xml) or a GIFT text file."),
    )
    unit = forms.TypedChoiceField(label=_("Add the questions to"), coerce=int)
    subject = forms.CharField(
        label=_("Subject"),
        max_length=100,
        required=False,
        help_text=_("Moodle XML and GIFT only: the spreadsheet has its own columns."),
    )
    grade = forms.IntegerField(label=_("Grade"), min_value=1, max_value=12, required=False)
    topic = forms.CharField(
        label=_("Topic"),
        max_length=255,
        required=False,
        help_text=_("For questions outside any category of the file."),
    )
    level = forms.TypedChoiceField(
        label=_("Usual cognitive level"), choices=LEVEL_CHOICES, coerce=int, empty_value=None, required=False
    )

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.units = {u.pk: u for u in units}
        self.fields["unit"].choices = [(u.pk, u.name) for u in units]

    def clean(self):
        data = super().clean()
        if data.get("format") and data["format"] != QuestionImport.Format.XLSX:
            for name, message in (
                ("subject", _("Moodle XML and GIFT files do not say the subject: give it.")),
                ("grade", _("Moodle XML and GIFT files do not say the grade: give it.")),
                ("level", _("Give the usual cognitive level; change it per question later.")),
            ):
                if data.get(name) in (None, ""):
                    self.add_error(name, message)
        return data

    def service_fields(self) -> dict:
        data = self.cleaned_data
        return {
            "unit": self.units[data["unit"]],
            "format": data["format"],
            "upload": data["file"],
            "subject": data.get("subject") or "",
            "grade": data.get("grade"),
            "topic": data.get("topic") or "",
            "level": data.get("level"),
        }


class QuestionImportConfirmForm(forms.Form):
    skip_problems = forms.BooleanField(required=False)


class QuestionExportForm(BootstrapFormMixin, forms.Form):
    scope = forms.ChoiceField(
        label=_("Questions"),
        choices=[(USABLE, _("Every question I can use")), (MINE, _("Only my questions"))],
        initial=USABLE,
        required=False,
        widget=forms.RadioSelect,
    )
    subject = forms.CharField(label=_("Subject"), max_length=100, required=False)
    grade = forms.IntegerField(label=_("Grade"), min_value=1, max_value=12, required=False)
    topic = forms.CharField(label=_("Topic"), max_length=255, required=False)
    level = forms.TypedChoiceField(
        label=_("Cognitive level"), choices=LEVEL_CHOICES, coerce=int, empty_value=None, required=False
    )
    type = forms.ChoiceField(label=_("Type"), choices=TYPE_CHOICES, required=False)
    format = forms.ChoiceField(
        label=_("Format"),
        choices=[("xlsx", _("Spreadsheet (.xlsx template)")), ("moodle", _("Moodle XML")), ("gift", _("GIFT"))],
        required=False,
    )

    def selection(self) -> dict:
        data = self.cleaned_data
        return {
            "scope": data.get("scope") or USABLE,
            "subject": (data.get("subject") or "").strip(),
            "grade": data.get("grade"),
            "topic": (data.get("topic") or "").strip(),
            "level": data.get("level"),
            "type": data.get("type") or "",
        }
