"""Forms for writing a course and its sections. The services check the rules; these forms check what was
typed and keep it when the page comes back with an error."""

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from truonghoc.forms import BootstrapFormMixin, RichTextWidget, SearchField
from truonghoc.text import refuse_formula_or_bidi
from truonghoc.uploads import human_size

from ..models import Course
from ..services.authoring import DOCUMENT_MAX_BYTES, AudienceChoice
from ..wording import CourseWords


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class CourseForm(BootstrapFormMixin, forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=Course.Kind.choices)
    # Course titles head the progress and grade exports: refused at entry like names (issue #14).
    title = forms.CharField(label=_("Title"), max_length=255, validators=[refuse_formula_or_bidi])
    subject = forms.CharField(
        label=_("Subject"), max_length=100, required=False, help_text=_("For example: Mathematics, Literature.")
    )
    grade = forms.IntegerField(label=_("Grade"), required=False, min_value=1, max_value=12)
    audience = forms.ChoiceField(
        label=_("Open to"), help_text=_("Who may see the course and register for it, besides its instructors.")
    )
    starts_on = forms.DateField(label=_("Starts on"), required=False, widget=DateInput())
    ends_on = forms.DateField(label=_("Ends on"), required=False, widget=DateInput())
    purpose = forms.CharField(
        label=_("Purpose and requirements"),
        required=False,
        widget=RichTextWidget(attrs={"rows": 6}),
        help_text=_(
            "What learners will gain, what is required of them, and what they must hand in. "
            "A draft may be saved without it; it is needed to publish."
        ),
    )
    body = forms.CharField(
        label=_("Introduction"),
        required=False,
        widget=RichTextWidget(attrs={"rows": 6}),
        help_text=_("Optional. For a professional topic, the topic itself."),
    )

    def __init__(
        self,
        *args,
        audience_choices: list[AudienceChoice],
        kinds: list[str] | None = None,
        words: CourseWords | None = None,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        if words is not None:  # the help speaks of the kind being written: courses/wording.py
            self.fields["audience"].help_text = words.audience_help
            self.fields["purpose"].help_text = words.purpose_help
        self.fields["audience"].choices = [(c.key, c.label) for c in audience_choices]
        if kinds is None:
            del self.fields["kind"]
        else:
            self.fields["kind"].choices = [(value, label) for value, label in Course.Kind.choices if value in kinds]

    def clean(self):
        data = super().clean()
        starts_on, ends_on = data.get("starts_on"), data.get("ends_on")
        if starts_on and ends_on and ends_on < starts_on:
            self.add_error("ends_on", _("The end date cannot be before the start date."))
        return data


class SectionForm(BootstrapFormMixin, forms.Form):
    title = forms.CharField(label=_("Title"), max_length=255)
    body = forms.CharField(label=_("Text"), required=False, widget=RichTextWidget(attrs={"rows": 8}))
    upload = forms.FileField(
        label=_("File"),
        required=False,
        help_text=_(
            "A video (MP4, WebM) is played in the page; a PDF is shown in the page; Word, Excel and PowerPoint "
            "files are downloaded; images are shown. Videos up to %(video)s, documents up to %(document)s."
        ),
    )
    remove_file = forms.BooleanField(label=_("Remove the current file"), required=False)
    link_url = forms.URLField(
        label=_("Link"), required=False, max_length=1000, assume_scheme="https", help_text=_("Optional: a web page.")
    )
    link_title = forms.CharField(label=_("Link text"), max_length=255, required=False)

    def __init__(self, *args, has_file: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["upload"].help_text = self.fields["upload"].help_text % {
            "video": human_size(settings.UPLOAD_MAX_BYTES),
            "document": human_size(DOCUMENT_MAX_BYTES),
        }
        if not has_file:
            del self.fields["remove_file"]


class CoInstructorSearchForm(forms.Form):
    q = SearchField(label=_("Name or username"), required=False, max_length=100)
