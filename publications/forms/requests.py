import uuid

from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from truonghoc.forms import BootstrapFormMixin
from units.models import Unit

from ..models import ReportRequest
from ..services import AUDIENCES_FOR_ISSUER, report_file_check

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


class UnitsField(forms.Field):
    """Units chosen one by one in a list, or typed as codes (one per line or separated by commas).

    Any existing unit is accepted here, so the service can say in words which ones lie outside the
    issuer's subtree instead of a bare "not one of the available choices"."""

    widget = forms.SelectMultiple

    def __init__(self, *, choices=(), **kwargs):
        super().__init__(**kwargs)
        self.widget.choices = list(choices)

    def to_python(self, value):
        if not value:
            return []
        ids = []
        for item in value if isinstance(value, list | tuple) else [value]:
            try:
                ids.append(int(item))
            except (TypeError, ValueError) as exc:
                raise forms.ValidationError(_("Choose units from the list."), code="invalid") from exc
            if not 0 < ids[-1] < 2**63:
                # Past a 64-bit id SQLite's driver raises OverflowError instead of finding nothing.
                raise forms.ValidationError(_("Choose units from the list."), code="invalid")
        units = list(Unit.objects.filter(pk__in=ids))
        if len(units) != len(set(ids)):
            raise forms.ValidationError(_("Some of the chosen units no longer exist; choose again."), code="missing")
        return units


class ReportRequestForm(BootstrapFormMixin, forms.Form):
    issuer = forms.ModelChoiceField(
        label=_("On behalf of"),
        queryset=Unit.objects.none(),
        empty_label=None,
        error_messages={"invalid_choice": _("You cannot ask for reports on behalf of this unit.")},
    )
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
    kinds = forms.MultipleChoiceField(
        label=_("Every unit of these kinds below you"),
        choices=(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": _("“%(value)s” cannot be asked by the units you issue for.")},
    )
    units = UnitsField(
        label=_("And/or these units"),
        required=False,
        help_text=_("Hold Ctrl (⌘ on a Mac) to choose several; on a phone, tap each one."),
    )
    codes = forms.CharField(
        label=_("Or their unit codes"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "placeholder": "HANAM-PHULY-THCS-001, …"}),
        help_text=_("One per line, or separated by commas."),
    )
    token = forms.UUIDField(widget=forms.HiddenInput)

    def __init__(self, *args, issuers: list[Unit], unit_choices: list[Unit], **kwargs):
        kwargs.setdefault("initial", {}).setdefault("token", uuid.uuid4())
        super().__init__(*args, **kwargs)
        self.fields["issuer"].queryset = Unit.objects.filter(pk__in=[u.pk for u in issuers]).order_by("depth", "path")
        if len(issuers) == 1:
            self.fields["issuer"].widget = forms.HiddenInput()
            self.fields["issuer"].initial = issuers[0].pk
        audiences = {a for issuer in issuers for a in AUDIENCES_FOR_ISSUER[issuer.kind]}
        self.fields["kinds"].choices = [(a.value, a.label) for a in ReportRequest.Audience if a in audiences]
        top = min((u.depth for u in issuers), default=0)
        self.fields["units"].widget.choices = [
            (u.pk, "— " * max(0, u.depth - top - 1) + f"{u.name} ({u.code})") for u in unit_choices
        ]
        self.fields["units"].widget.attrs["size"] = min(12, max(4, len(unit_choices)))

    def clean_deadline(self):
        deadline = self.cleaned_data["deadline"]
        if deadline <= timezone.now():
            raise forms.ValidationError(_("The deadline has already passed; choose a later date and time."))
        return deadline

    def clean_codes(self):
        text = self.cleaned_data.get("codes", "")
        codes = [c.strip() for c in text.replace(",", "\n").replace(";", "\n").splitlines() if c.strip()]
        if not codes:
            return []
        # Codes are matched whatever the letter case people type them in.
        matching = Q(pk__in=[])
        for code in set(codes):
            matching |= Q(code__iexact=code)
        units = {u.code.lower(): u for u in Unit.objects.filter(matching)}
        unknown = [c for c in codes if c.lower() not in units]
        if unknown:
            raise forms.ValidationError(
                _("No unit has these codes: %(codes)s.") % {"codes": ", ".join(unknown)}, code="unknown"
            )
        return list(units.values())

    def clean(self):
        cleaned = super().clean()
        chosen = cleaned.get("kinds") or cleaned.get("units") or cleaned.get("codes")
        if not chosen and not any(name in self.errors for name in ("kinds", "units", "codes")):
            self.add_error(None, _("Choose who must report: kinds of unit, single units, or both."))
        return cleaned

    def recipient_units(self) -> list[Unit]:
        return [*self.cleaned_data.get("units", []), *self.cleaned_data.get("codes", [])]


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
