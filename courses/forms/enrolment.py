"""Forms for registering learning groups, enrolling a whole class or group, and naming a group's leader."""

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from truonghoc.forms import BootstrapFormMixin, IdMultipleChoiceField


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.full_name} ({obj.username})"


class PeopleChoiceField(IdMultipleChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.full_name} ({obj.username})"


class LearningGroupForm(BootstrapFormMixin, forms.Form):
    name = forms.CharField(label=_("Group name"), max_length=150)
    scope = forms.ChoiceField(label=_("From"), widget=forms.HiddenInput)
    leader = PersonChoiceField(label=pgettext_lazy("learning group", "Group leader"), queryset=None)
    members = PeopleChoiceField(
        label=_("Members"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("The leader is a member even if not ticked."),
    )

    def __init__(self, *args, scopes, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["scope"].choices = [(key, label) for key, label, _school, _cluster in scopes]
        self.fields["leader"].queryset = candidates
        self.fields["members"].queryset = candidates


class EnrolUnitForm(BootstrapFormMixin, forms.Form):
    unit = forms.ModelChoiceField(
        label=_("Class or professional group"),
        queryset=None,
        help_text=_(
            "Every student and teacher of it is registered, and so is whoever joins it later; whoever leaves it "
            "stops (their work is kept). People already registered on their own are left as they are."
        ),
    )

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units
        self.fields["unit"].label_from_instance = lambda unit: f"{unit.name} · {unit.get_kind_display()}"


class LeaderForm(BootstrapFormMixin, forms.Form):
    leader = PersonChoiceField(label=_("New leader"), queryset=None)

    def __init__(self, *args, members, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["leader"].queryset = members
