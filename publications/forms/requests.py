import uuid

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from truonghoc.forms import BootstrapFormMixin
from units.models import Unit

from ..services import report_file_check
from .recipients import RecipientsMixin, acting_unit_field, recipient_fields

FILE_ACCEPT = ".pdf,.docx,.xlsx,application/pdf"
NOTE_MAX_LENGTH = 2000


class ReportFileField(forms.FileField):
    """A PDF, .docx or .xlsx file of at most 20 MB, checked by its content (services.report_file_check)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("widget", forms.ClearableFileInput(attrs={"accept": FILE_ACCEPT}))
        super().__init__(**kwargs)

    def clean(self, data, initial=None):
        upload = super().clean(data, initial)
        if upload:
            report_file_check(upload)
        return upload


class ReportRequestForm(RecipientsMixin, BootstrapFormMixin, forms.Form):
    issuer = acting_unit_field(label=_("On behalf of"), refused=_("You cannot ask for reports on behalf of this unit."))
    title = forms.CharField(label=_("Title"), max_length=255)
    instructions = forms.CharField(
        label=_("Instructions"),
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("What the report must contain and how it will be used."),
    )
    deadline = forms.DateTimeField(
        label=_("Deadline"),
        widget=forms.TextInput(attrs={"placeholder": "dd/mm/yyyy hh:mm", "autocomplete": "off"}),
        error_messages={"invalid": _("Write the deadline as dd/mm/yyyy hh:mm, for example 29/12/2025 17:00.")},
        help_text=_("dd/mm/yyyy hh:mm (Vietnam time). Reports after this moment are accepted but marked late."),
    )
    template_file = ReportFileField(
        label=_("Template file (optional)"),
        required=False,
        help_text=_("PDF, Word (.docx) or Excel (.xlsx), at most 20 MB."),
    )
    kinds, units, codes = recipient_fields(
        kinds_label=_("Every unit of these kinds below you"),
        kinds_invalid=_("“%(value)s” cannot be asked by the units you issue for."),
        codes_attrs={"placeholder": "HANAM-PHULY-THCS-001, …"},
    )
    token = forms.UUIDField(widget=forms.HiddenInput)
    nothing_chosen = _("Choose who must report: kinds of unit, single units, or both.")

    def __init__(self, *args, issuers: list[Unit], unit_choices: list[Unit], **kwargs):
        kwargs.setdefault("initial", {}).setdefault("token", uuid.uuid4())
        super().__init__(*args, **kwargs)
        self._setup_issuer("issuer", issuers)
        self._setup_recipients(issuers=issuers, unit_choices=unit_choices)

    def clean_deadline(self):
        deadline = self.cleaned_data["deadline"]
        if deadline <= timezone.now():
            raise forms.ValidationError(_("The deadline has already passed; choose a later date and time."))
        return deadline


class ReportSubmissionForm(BootstrapFormMixin, forms.Form):
    file = ReportFileField(label=_("Report file"), help_text=_("PDF, Word (.docx) or Excel (.xlsx), at most 20 MB."))
    note = forms.CharField(
        label=_("Note (optional)"),
        required=False,
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    token = forms.UUIDField(widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("token", uuid.uuid4())
        super().__init__(*args, **kwargs)
