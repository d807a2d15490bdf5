"""Forms of the deadlines and locks page, change requests and the class book (absences, conduct)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from truonghoc.forms import BootstrapFormMixin, moment_field

from .models import Level, MarkKind, Rating

SEMESTER_CHOICES = [(1, _("Semester 1")), (2, _("Semester 2")), (0, _("Whole year"))]


class DeadlineForm(BootstrapFormMixin, forms.Form):
    kind = forms.ChoiceField(label=_("Column"), choices=MarkKind.choices)
    due = forms.DateField(
        label=_("Deadline"),
        widget=forms.DateInput(attrs={"type": "date"}),
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
        error_messages={"invalid": _("Write the day as dd/mm/yyyy.")},
    )


class LockForm(BootstrapFormMixin, forms.Form):
    school_class = forms.ModelChoiceField(label=_("Class"), queryset=None, required=False, empty_label=_("Every class"))
    subject = forms.CharField(label=_("Subject"), required=False, max_length=100)
    kind = forms.ChoiceField(label=_("Column"), choices=[("", _("Every column")), *MarkKind.choices], required=False)
    locks_at = moment_field(label=_("Locked from"), invalid=_("Write the time as dd/mm/yyyy hh:mm."))

    def __init__(self, *args, classes, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["school_class"].queryset = classes


class ChangeRequestForm(BootstrapFormMixin, forms.Form):
    value = forms.CharField(label=_("New mark"), required=False, max_length=10)
    level = forms.ChoiceField(label=_("New level"), required=False, choices=[("", "—"), *Level.choices])
    reason = forms.CharField(
        label=_("Reason"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Say why the mark must change.")},
    )


class DecisionForm(BootstrapFormMixin, forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"), choices=[("approve", _("Approve")), ("refuse", _("Refuse"))], widget=forms.RadioSelect
    )
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required when refusing: the teacher reads it."),
    )

    def clean(self):
        data = super().clean()
        if data.get("decision") == "refuse" and not (data.get("reason") or "").strip():
            self.add_error("reason", _("Say why the change is refused, so the teacher knows."))
        return data


class AbsenceForm(BootstrapFormMixin, forms.Form):
    student = forms.TypedChoiceField(label=_("Student"), coerce=int, choices=())
    day = forms.DateField(
        label=_("Day"),
        widget=forms.DateInput(attrs={"type": "date"}),
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
        error_messages={"invalid": _("Write the day as dd/mm/yyyy.")},
    )
    period = forms.TypedChoiceField(
        label=_("Period"),
        coerce=int,
        choices=[(0, _("Whole day")), *[(n, str(n)) for n in range(1, 11)]],
        initial=0,
    )
    subject = forms.CharField(label=_("Subject"), required=False, max_length=100)
    with_permission = forms.BooleanField(label=_("With permission"), required=False)

    def __init__(self, *args, students, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["student"].choices = [(s.pk, s.full_name) for s in students]


RATING_CHOICES = [("", "—"), *Rating.choices]
