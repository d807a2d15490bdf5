"""Forms of the account lifecycle: deactivate, move class, transfer, answer a transfer, promote a class.

They check what a person typed; the business rules (quota, same school, one pending transfer…) are
the services' and come back as ValidationError, shown on the same form."""

from django import forms
from django.utils.translation import gettext_lazy as _

from truonghoc.forms import BootstrapFormMixin
from truonghoc.text import refuse_formula_or_bidi
from units.models import Unit

from ..models import User
from ..selectors import placements_for, school_classes

NOTE_MAX_LENGTH = 1000


def _confirm_box(label) -> forms.BooleanField:
    # The box a person ticks before a step that is hard to undo; left empty, the form says so.
    return forms.BooleanField(label=label, error_messages={"required": _("Please tick the box to confirm.")})


class DeactivateForm(BootstrapFormMixin, forms.Form):
    RETIRED, LEFT, OTHER = "retired", "left", "other"
    REASONS = [(RETIRED, _("Retired")), (LEFT, _("Left the school")), (OTHER, _("Other reason"))]

    reason = forms.ChoiceField(label=_("Why"), choices=REASONS, widget=forms.RadioSelect, initial=LEFT)
    details = forms.CharField(
        label=_("Details"),
        max_length=200,
        required=False,
        help_text=_("Required for another reason; for example the date or the decision number."),
    )
    confirm = _confirm_box(
        _("I understand that this person can no longer log in and their place in the quota is freed.")
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("reason") == self.OTHER and not (cleaned.get("details") or "").strip():
            self.add_error("details", _("Please say why the account is deactivated."))
        return cleaned

    def reason_text(self) -> str:
        """The reason as it is stored and shown: the kind, then the details."""
        label = dict(self.REASONS)[self.cleaned_data["reason"]]
        details = self.cleaned_data.get("details", "").strip()
        if self.cleaned_data["reason"] == self.OTHER:
            return details
        return f"{label}: {details}" if details else str(label)


class MoveClassForm(BootstrapFormMixin, forms.Form):
    to_class = forms.ModelChoiceField(
        label=_("New class"),
        queryset=Unit.objects.none(),
        error_messages={"invalid_choice": _("Choose a class of this school.")},
    )

    def __init__(self, *args, school: Unit, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_class"].queryset = school_classes(school=school)


class TransferForm(BootstrapFormMixin, forms.Form):
    # The school is picked from search results rendered by the page, never from a list of every unit;
    # the service says why a unit cannot receive the person.
    to_school = forms.ModelChoiceField(
        label=_("Receiving school"),
        queryset=Unit.objects.all(),
        widget=forms.HiddenInput,
        error_messages={
            "required": _("Search for the receiving school and choose it."),
            "invalid_choice": _("That school was not found."),
        },
    )
    note = forms.CharField(
        label=_("Note for the receiving school"),
        max_length=NOTE_MAX_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class AcceptForm(BootstrapFormMixin, forms.Form):
    unit = forms.ModelChoiceField(
        label=_("Place in"),
        queryset=Unit.objects.none(),
        error_messages={
            "required": _("Choose the group or class the person joins."),
            "invalid_choice": _("Choose a group or class of your school."),
        },
    )

    def __init__(self, *args, school: Unit, account_type: str, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["unit"]
        field.queryset = placements_for(school=school, account_type=account_type)
        field.label = _("Professional group") if account_type == User.AccountType.TEACHER else _("Class")


class RefuseForm(BootstrapFormMixin, forms.Form):
    reason = forms.CharField(
        label=_("Reason for refusing"),
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("Please give the reason for refusing.")},
    )


class PromoteForm(BootstrapFormMixin, forms.Form):
    new_name = forms.CharField(
        label=_("New name"),
        max_length=255,
        required=False,
        validators=[refuse_formula_or_bidi],
        help_text=_("Leave as proposed unless the school names its classes differently."),
    )
    confirm = _confirm_box(_("Move this class and all its students up to the next grade."))
