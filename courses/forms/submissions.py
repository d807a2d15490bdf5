"""Forms for assignments, handing in work and grading. Business rules (deadline, file checks, who may
submit) live in courses.services.submissions; these forms turn what was typed into values and keep it
when the service refuses."""

from django import forms
from django.utils.translation import gettext_lazy as _

from truonghoc.forms import BootstrapFormMixin, MultipleFileField, RichTextWidget, moment_field
from truonghoc.marks import MarkField
from truonghoc.text import refuse_formula_or_bidi

from ..models import Assignment
from ..services import submissions as submission_rules
from ..services.submissions import FEEDBACK_MAX_CHARS, GRADE_WORDS, NOTE_MAX_CHARS, normalise_types


class AssignmentForm(BootstrapFormMixin, forms.ModelForm):
    due_at = moment_field(
        label=_("Deadline"),
        invalid=_("Write the deadline as dd/mm/yyyy hh:mm, for example 29/12/2025 17:00."),
        help_text=_("Vietnam time. Work handed in one second later counts as late."),
    )

    class Meta:
        model = Assignment
        # What the service stores, but the position: the course's order sets it.
        fields = [name for name in submission_rules.ASSIGNMENT_FIELDS if name != "position"]
        widgets = {
            "instructions": RichTextWidget(attrs={"rows": 5}),
            "late_policy": forms.RadioSelect,
        }
        help_texts = {
            "allowed_types": _("File extensions separated by commas, for example pdf,docx,pptx,mp4."),
            "per_group": _("Only each learning group's leader hands in, for the whole group."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "title" in self.fields:  # a column header of the grade exports
            self.fields["title"].validators.append(refuse_formula_or_bidi)

    def clean_allowed_types(self):
        try:
            return normalise_types(self.cleaned_data["allowed_types"])
        except forms.ValidationError as exc:
            raise forms.ValidationError(exc.message_dict["allowed_types"]) from exc

    def _post_clean(self):
        # The service validates and saves the model; the form only converts input.
        pass


class SubmissionForm(BootstrapFormMixin, forms.Form):
    files = MultipleFileField(label=_("Your files"))
    note = forms.CharField(
        label=_("Note for the instructor (optional)"),
        required=False,
        max_length=NOTE_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, assignment: Assignment, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["note"].label = assignment.course.words.note_label
        accept = ",".join(f".{e}" for e in assignment.allowed_extensions)
        self.fields["files"].widget.attrs.update({"accept": accept, "data-testid": "submission-files"})


class GradeForm(BootstrapFormMixin, forms.Form):
    grade = MarkField(
        words=GRADE_WORDS,
        label=_("Grade (0–10)"),
        help_text=_("At most two decimals; a comma or a dot: 8,5 or 8.5."),
    )
    feedback = forms.CharField(
        label=_("Feedback"), required=False, max_length=FEEDBACK_MAX_CHARS, widget=forms.Textarea(attrs={"rows": 4})
    )
