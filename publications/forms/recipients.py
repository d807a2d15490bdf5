"""The recipients picker of official letters and report requests: kinds of unit, single units from a
list, and unit codes typed in. Rendered by templates/publications/recipient_fields.html; what the
choice means is decided by services.recipients.recipients_resolve."""

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from units.models import Unit

from ..models import ReportRequest
from ..services.recipients import AUDIENCES_FOR_ISSUER


def acting_unit_field(*, label, refused) -> forms.ModelChoiceField:
    """The unit a person acts for (issues a letter, asks for reports, forwards, writes news as): one of
    the units the form is given (it sets the queryset), refused in the form's own words otherwise."""
    return forms.ModelChoiceField(
        label=label, queryset=Unit.objects.none(), empty_label=None, error_messages={"invalid_choice": refused}
    )


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


def recipient_fields(*, kinds_label, kinds_invalid, codes_attrs=None) -> tuple:
    """The three fields (kinds, units, codes), declared on a form as `kinds, units, codes = recipient_fields(…)`.
    Letters and requests label the kinds in their own words."""
    return (
        forms.MultipleChoiceField(
            label=kinds_label,
            choices=(),
            required=False,
            widget=forms.CheckboxSelectMultiple,
            error_messages={"invalid_choice": kinds_invalid},
        ),
        UnitsField(
            label=_("And/or these units"),
            required=False,
            help_text=_("Hold Ctrl (⌘ on a Mac) to choose several; on a phone, tap each one."),
        ),
        forms.CharField(
            label=_("Or their unit codes"),
            required=False,
            widget=forms.Textarea(attrs={"rows": 2, **(codes_attrs or {})}),
            help_text=_("One per line, or separated by commas."),
        ),
    )


class RecipientsMixin:
    """Fills the picker's choices for the issuers and reads the codes typed in. Units outside the issuer's
    subtree are accepted here so that the service can name them in its message. `nothing_chosen` is the
    form's own words for an empty choice."""

    nothing_chosen = _("Choose the recipients: kinds of unit, single units, or both.")

    def _setup_issuer(self, name: str, issuers: list[Unit], order=("depth", "path")):
        """The unit the letter or request goes out from: a list, or hidden when there is only one."""
        self.fields[name].queryset = Unit.objects.filter(pk__in=[u.pk for u in issuers]).order_by(*order)
        if len(issuers) == 1:
            self.fields[name].widget = forms.HiddenInput()
            self.fields[name].initial = issuers[0].pk

    def _setup_recipients(self, *, issuers: list[Unit], unit_choices: list[Unit]):
        audiences = {a for issuer in issuers for a in AUDIENCES_FOR_ISSUER.get(issuer.kind, [])}
        self.fields["kinds"].choices = [(a.value, a.label) for a in ReportRequest.Audience if a in audiences]
        top = min((u.depth for u in issuers), default=0)
        self.fields["units"].widget.choices = [
            (u.pk, "— " * max(0, u.depth - top - 1) + f"{u.name} ({u.code})") for u in unit_choices
        ]
        self.fields["units"].widget.attrs["size"] = min(12, max(4, len(unit_choices)))

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
            self.add_error(None, self.nothing_chosen)
        return cleaned

    def recipient_units(self) -> list[Unit]:
        return list(
            {u.pk: u for u in [*self.cleaned_data.get("units", []), *self.cleaned_data.get("codes", [])]}.values()
        )
