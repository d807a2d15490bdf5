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
