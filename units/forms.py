from django import forms
from django.utils.translation import gettext_lazy as _

from truonghoc.forms import BootstrapFormMixin, IdMultipleChoiceField
from truonghoc.params import parse_id

from .models import Role, Unit


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


# --- The structure pages -------------------------------------------------------------------------


class _UnitChoiceField(forms.ModelChoiceField):
    """A unit picked from a list: its name, kind and code (two schools may share a name). A posted value
    that is no id (params.parse_id: "²", thirty digits) is an invalid choice before any query."""

    def to_python(self, value):
        if value not in self.empty_values and parse_id(value) is None:
            raise forms.ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return super().to_python(value)

    def label_from_instance(self, unit):
        return f"{unit.name} · {unit.get_kind_display()} · {unit.code}"


class UnitAddForm(BootstrapFormMixin, forms.Form):
    """A new unit under `parent`: which kind (the kinds the parent may hold), code, name, grade."""

    kind = forms.ChoiceField(label=_("Kind of unit"))
    code = forms.CharField(
        label=_("Code"), max_length=40, help_text=_("Unique in the whole country, e.g. the school's code.")
    )
    name = forms.CharField(label=_("Name"), max_length=255)
    grade = forms.IntegerField(label=_("Grade (classes only)"), min_value=1, max_value=12, required=False)

    def __init__(self, *args, parent, **kwargs):
        super().__init__(*args, **kwargs)
        from .services import child_kinds_allowed

        choices = []
        for kind, level in child_kinds_allowed(parent):
            label = Unit.SchoolLevel(level).label if level else Unit.Kind(kind).label
            choices.append((f"{kind}:{level}", label))
        self.fields["kind"].choices = choices

    def clean_code(self):
        code = self.cleaned_data["code"].strip()
        if not code:
            raise forms.ValidationError(_("Give the unit a code."))
        return code

    def service_values(self) -> dict:
        kind, _sep, level = self.cleaned_data["kind"].partition(":")
        return {
            "kind": kind,
            "school_level": level,
            "code": self.cleaned_data["code"],
            "name": self.cleaned_data["name"],
            "grade": self.cleaned_data.get("grade") if kind == Unit.Kind.CLASS else None,
        }


class UnitRenameForm(BootstrapFormMixin, forms.Form):
    name = forms.CharField(label=_("Name"), max_length=255)
    code = forms.CharField(label=_("Code"), max_length=40)


class UnitMoveForm(BootstrapFormMixin, forms.Form):
    new_parent = _UnitChoiceField(label=_("New parent unit"), queryset=Unit.objects.none())

    def __init__(self, *args, parents, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["new_parent"].queryset = parents


class UnitMergeForm(BootstrapFormMixin, forms.Form):
    into = _UnitChoiceField(label=_("Merge into"), queryset=Unit.objects.none())
    confirm = forms.BooleanField(
        label=_("I understand: the units below it, its people and roles go to the chosen unit, and it is closed.")
    )

    def __init__(self, *args, targets, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["into"].queryset = targets


class UnitCloseForm(BootstrapFormMixin, forms.Form):
    on = forms.DateField(label=_("Closing date"), widget=forms.DateInput(attrs={"type": "date"}))
    confirm = forms.BooleanField(label=_("I understand: the unit is hidden from lists and pickers; its history stays."))


class ClusterForm(BootstrapFormMixin, forms.Form):
    code = forms.CharField(label=_("Code"), max_length=40)
    name = forms.CharField(label=_("Name"), max_length=255)
    schools = IdMultipleChoiceField(
        label=_("Schools"), queryset=Unit.objects.none(), required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, schools, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["schools"].queryset = schools


class UnitImportForm(BootstrapFormMixin, forms.Form):
    file = forms.FileField(
        label=_("Spreadsheet (.xlsx or .csv)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv,text/csv"}),
    )
