from django import forms
from django.utils.translation import gettext_lazy as _

from truonghoc.forms import BootstrapFormMixin

from .models import Role


class DeclareNumbersForm(BootstrapFormMixin, forms.Form):
    teachers = forms.IntegerField(label=_("Number of teachers at the school"), min_value=0, max_value=20_000)
    students = forms.IntegerField(label=_("Number of students at the school"), min_value=0, max_value=100_000)


class RoleGrantForm(BootstrapFormMixin, forms.Form):
    """Name one of the unit's people to a role: the roles the user may give there, the people found by name."""

    role = forms.ChoiceField(label=_("Role"))
    person = forms.ModelChoiceField(
        label=_("Person"),
        queryset=None,
        empty_label=_("— choose a person —"),
        error_messages={"invalid_choice": _("Choose one of this unit's people from the list.")},
    )

    def __init__(self, *args, roles, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = [(role, Role(role).label) for role in roles]
        self.fields["person"].queryset = people
        self.fields["person"].label_from_instance = lambda person: person.full_name
def _date_field(label):
    return forms.DateField(
        label=label,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
        error_messages={"invalid": _("Write the date as dd/mm/yyyy, for example 05/09/2025.")},
    )


class SchoolYearForm(BootstrapFormMixin, forms.Form):
    """A school year's label and dates (the Ministry's page); without the label, a Department's adjustment."""

    label = forms.CharField(
        label=_("School year"), max_length=20, help_text=_("Two following years, for example 2026-2027.")
    )
    start = _date_field(_("First day of the school year"))
    semester1_start = _date_field(_("Semester 1 starts on"))
    semester1_end = _date_field(_("Semester 1 ends on"))
    semester2_start = _date_field(_("Semester 2 starts on"))
    semester2_end = _date_field(_("Semester 2 ends on"))
    end = _date_field(_("Last day of the school year"))

    def __init__(self, *args, with_label: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        if not with_label:
            del self.fields["label"]

    @staticmethod
    def initial_of(year) -> dict:
        """The form's values from a SchoolYear row or a selectors.SchoolYearDates."""
        (s1_start, s1_end), (s2_start, s2_end) = (
            year.semesters
            if hasattr(year, "semesters")
            else ((year.semester1_start, year.semester1_end), (year.semester2_start, year.semester2_end))
        )
        return {
            "label": year.label,
            "start": year.start,
            "end": year.end,
            "semester1_start": s1_start,
            "semester1_end": s1_end,
            "semester2_start": s2_start,
            "semester2_end": s2_end,
        }
