"""Forms of the group-task pages. What depends on the school and the group (the deadline in the future,
members of the group, a link to a page of this portal) is the service's check, so the message is the
same wherever the task is changed."""

from django import forms
from django.utils.translation import gettext_lazy as _

from truonghoc.forms import BootstrapFormMixin, IdMultipleChoiceField, moment_field

from ..models import GroupTask

DEADLINE_INVALID = _("Write the deadline as dd/mm/yyyy hh:mm, e.g. 30/11/2025 17:00.")


class GroupTaskForm(BootstrapFormMixin, forms.Form):
    group = forms.ModelChoiceField(label=_("Professional group"), queryset=None, empty_label=None)
    kind = forms.ChoiceField(label=_("Kind of task"), choices=GroupTask.Kind.choices)
    title = forms.CharField(label=_("Title"), max_length=255)
    description = forms.CharField(
        label=_("What is asked"), required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 4})
    )
    deadline = moment_field(label=_("Deadline"), invalid=DEADLINE_INVALID)

    def __init__(self, *args, groups, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["group"].queryset = groups


class GroupTaskAssignForm(BootstrapFormMixin, forms.Form):
    members = IdMultipleChoiceField(
        label=_("Members on this task"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": _("Choose members of this group only: %(value)s is not one of them.")},
        help_text=_("Tick the members of the group who work on it; untick someone to take them off."),
    )

    def __init__(self, *args, members, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["members"].queryset = members


class GroupTaskDoneForm(BootstrapFormMixin, forms.Form):
    link = forms.CharField(
        label=_("Link to the result"),
        max_length=1000,
        help_text=_("The address of the topic, product or page of this portal that shows the result."),
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 3}))


class GroupTaskReopenForm(BootstrapFormMixin, forms.Form):
    deadline = moment_field(
        label=_("New deadline"), invalid=DEADLINE_INVALID, help_text=_("Leave empty to keep the deadline.")
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["deadline"].required = False
