"""Forms of experiential activities: what the teacher and the students type, with translated messages.
The services in contests/activities.py check everything again; their refusals come back on the fields."""

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from truonghoc.forms import BootstrapFormMixin, IdMultipleChoiceField, RichTextWidget, moment_field
from truonghoc.marks import MarkField
from units.models import Unit

from .models import ASSESSMENT_MAX, ASSESSMENT_MIN, Round, StageProductVersion

INVALID_MOMENT = _("Write a date and time as dd/mm/yyyy hh:mm.")
SCORE_CHOICES = [(n, str(n)) for n in range(ASSESSMENT_MIN, ASSESSMENT_MAX + 1)]


class _People(IdMultipleChoiceField):
    def label_from_instance(self, obj):
        return obj.full_name or obj.get_username()


class _Person(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.full_name or obj.get_username()


def _people_queryset(people):
    return get_user_model().objects.filter(pk__in=[p.pk for p in people]).order_by("name_sort")


class ActivityForm(BootstrapFormMixin, forms.Form):
    school_class = forms.ModelChoiceField(label=_("Class"), queryset=None, empty_label=None)
    title = forms.CharField(label=_("Title"), max_length=255)
    goal = forms.CharField(label=_("Goal"), widget=forms.Textarea(attrs={"rows": 2}), required=False)
    description = forms.CharField(label=_("Description"), widget=RichTextWidget, required=False)
    whole_class = forms.BooleanField(label=_("The whole class takes part"), required=False, initial=True)
    students = _People(
        label=_("Or only these students"), queryset=None, required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, classes, students, fixed_class=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["school_class"].queryset = Unit.objects.filter(pk__in=[c.pk for c in classes]).order_by(
            "grade", "name_folded"
        )
        self.fields["students"].queryset = _people_queryset(students)
        if fixed_class is not None:
            del self.fields["school_class"]


class StageForm(BootstrapFormMixin, forms.Form):
    name = forms.CharField(label=_("Stage"), max_length=255)
    due_at = moment_field(label=_("Due at"), invalid=INVALID_MOMENT)
    description = forms.CharField(label=_("What to do"), widget=RichTextWidget, required=False)


class TeamForm(BootstrapFormMixin, forms.Form):
    name = forms.CharField(label=_("Team name"), max_length=255)
    members = _People(label=_("Members"), queryset=None, widget=forms.CheckboxSelectMultiple)
    leader = _Person(label=_("Leader"), queryset=None, required=False, empty_label=_("The first member"))

    def __init__(self, *args, students, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["members"].queryset = _people_queryset(students)
        self.fields["leader"].queryset = _people_queryset(students)


class StageProductForm(BootstrapFormMixin, forms.Form):
    title = forms.CharField(label=_("Title"), max_length=255, required=False)
    description = forms.CharField(label=_("Description"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    link = forms.CharField(
        label=_("Link"), max_length=500, required=False, help_text=_("A link starting with https://.")
    )
    file = forms.FileField(label=_("File"), required=False)


class AssessmentForm(BootstrapFormMixin, forms.Form):
    score = forms.TypedChoiceField(label=_("Score"), choices=SCORE_CHOICES, coerce=int, widget=forms.RadioSelect)
    comment = forms.CharField(label=_("Comment"), widget=forms.Textarea(attrs={"rows": 2}), required=False)


class CommentForm(BootstrapFormMixin, forms.Form):
    comment = forms.CharField(label=_("Comment"), widget=forms.Textarea(attrs={"rows": 3}))
    mark = MarkField(label=_("Mark (optional, 0–10)"), required=False)


class _RoundChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.contest.title} — {obj.title} ({obj.contest.organiser.name})"


class _VersionChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.product.stage.name} — v{obj.number}: {obj.title}"


class EnterContestForm(BootstrapFormMixin, forms.Form):
    round = _RoundChoice(label=_("Contest round"), queryset=Round.objects.none(), empty_label=None)
    version = _VersionChoice(label=_("Product"), queryset=StageProductVersion.objects.none(), empty_label=None)
    team_name = forms.CharField(
        label=_("Team name in the contest"), max_length=255, required=False,
        help_text=_("Empty: the team's name and its class."),
    )  # fmt: skip

    def __init__(self, *args, rounds, versions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["round"].queryset = Round.objects.filter(pk__in=[r.pk for r in rounds]).select_related(
            "contest__organiser"
        )
        self.fields["version"].queryset = StageProductVersion.objects.filter(
            pk__in=[v.pk for v in versions]
        ).select_related("product__stage")
