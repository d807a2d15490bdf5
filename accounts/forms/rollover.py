"""The year-end rollover wizard's form: the promoted classes' new names (one field per class), the new
intake classes' names, the leavers (checkboxes) and the confirmation. The rules (clashes, a class with
no next grade, leavers who may leave) are the service's and come back on this form."""

import re

from django import forms
from django.utils.translation import gettext_lazy as _

from truonghoc.forms import BootstrapFormMixin
from truonghoc.text import nfc, refuse_formula_or_bidi

INTAKE_MAX = 60


class RolloverForm(BootstrapFormMixin, forms.Form):
    intake = forms.CharField(
        label=_("New intake classes"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One name per line or separated by commas, e.g. 6A1, 6A2, 6A3. Leave empty if none."),
    )
    leavers = forms.TypedMultipleChoiceField(
        label=_("Students leaving the school"),
        required=False,
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Their accounts are deactivated; they can be reopened later."),
    )
    confirm = forms.BooleanField(
        label=_("I have checked the preview: run the rollover for the whole school."),
        error_messages={"required": _("Please tick the box to confirm.")},
    )

    def __init__(self, *args, plan, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        self.promoted = plan.classes.promoted
        for move in self.promoted:
            self.fields[f"class_{move.class_id}"] = forms.CharField(
                label=_("New name of %(name)s") % {"name": move.name},
                max_length=255,
                required=False,
                initial=move.new_name,
                validators=[refuse_formula_or_bidi],
                widget=forms.TextInput(attrs={"class": "form-control"}),
            )
        self.fields["leavers"].choices = [(row["pk"], row["full_name"]) for row in candidates]

    def class_fields(self):
        return [(move, self[f"class_{move.class_id}"]) for move in self.promoted]

    def clean_intake(self):
        names = [nfc(name) for name in re.split(r"[,\n;]", self.cleaned_data["intake"]) if nfc(name)]
        if len(names) > INTAKE_MAX:
            raise forms.ValidationError(_("At most %(n)d new classes at once.") % {"n": INTAKE_MAX})
        for name in names:
            refuse_formula_or_bidi(name)
        return names

    def new_names(self) -> dict[int, str]:
        return {move.class_id: self.cleaned_data.get(f"class_{move.class_id}") or "" for move in self.promoted}
