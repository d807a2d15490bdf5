"""Forms of contests: what organisers and participants type, validated with translated messages. The
services check everything again (dates, eligibility, quotas) and their refusals come back on the fields."""

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from materials.models import Quiz
from materials.selectors.library import SUBJECTS
from truonghoc.forms import BootstrapFormMixin, RichTextWidget, SearchField, moment_field
from truonghoc.text import nfc
from truonghoc.uploads import TYPES
from units.models import Unit, in_subtree_q

from .models import LEVEL_ORDER, Audience, Contest, Participation, Round
from .permissions import UNIT_LEVEL

INVALID_MOMENT = _("Write a date and time as dd/mm/yyyy hh:mm.")
GRADE_CHOICES = [(g, str(g)) for g in range(1, 13)]
SUBJECT_CHOICES = [(s, s) for s in SUBJECTS]
TYPE_CHOICES = [(ext, label) for ext, (label, _ct, _family) in TYPES.items()]


class ContestForm(BootstrapFormMixin, forms.Form):
    title = forms.CharField(label=_("Title"), max_length=255)
    summary = forms.CharField(label=_("Summary"), max_length=500, required=False)
    audience = forms.ChoiceField(label=_("For"), choices=Audience.choices)
    participation = forms.ChoiceField(label=_("Taking part"), choices=Participation.choices)
    team_min = forms.IntegerField(label=_("Team size, at least"), min_value=1, max_value=10, initial=1)
    team_max = forms.IntegerField(label=_("Team size, at most"), min_value=1, max_value=10, initial=1)
    team_cross_school = forms.BooleanField(label=_("Teams may mix schools"), required=False)
    open_to = forms.ModelMultipleChoiceField(
        label=_("Open to (empty: every unit below the organiser)"), queryset=Unit.objects.none(), required=False
    )
    grades = forms.TypedMultipleChoiceField(
        label=_("Grades (empty: all)"), choices=GRADE_CHOICES, coerce=int, required=False,
        widget=forms.CheckboxSelectMultiple,
    )  # fmt: skip
    subjects = forms.MultipleChoiceField(
        label=_("Subjects (empty: all)"), choices=SUBJECT_CHOICES, required=False, widget=forms.CheckboxSelectMultiple
    )
    per_school_limit = forms.IntegerField(label=_("Registrations per school, at most"), min_value=1, required=False)
    rules = forms.CharField(label=_("Rules"), widget=RichTextWidget, required=False)
    registration_opens_at = moment_field(label=_("Registration opens at"), invalid=INVALID_MOMENT)
    registration_closes_at = moment_field(label=_("Registration closes at"), invalid=INVALID_MOMENT)
    ends_at = moment_field(label=_("The contest ends at"), invalid=INVALID_MOMENT)
    ends_at.required = False
    certificate_template = forms.CharField(
        label=_("Certificate text"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text=_("{name}, {school}, {prize} and {contest} are filled in on each certificate."),
    )

    def __init__(self, *args, organiser: Unit, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["open_to"].queryset = Unit.objects.children(organiser).filter(is_active=True).order_by("name")


class RoundForm(BootstrapFormMixin, forms.Form):
    title = forms.CharField(label=_("Title"), max_length=255)
    level = forms.ChoiceField(label=_("Level"))
    kind = forms.ChoiceField(label=_("Kind"), choices=Round.Kind.choices)
    description = forms.CharField(label=_("Description"), widget=RichTextWidget, required=False)
    quiz = forms.ModelChoiceField(label=_("Test (online round)"), queryset=Quiz.objects.none(), required=False)
    opens_at = moment_field(label=_("Opens at"), invalid=INVALID_MOMENT)
    opens_at.required = False
    closes_at = moment_field(label=_("Closes at (the deadline for products)"), invalid=INVALID_MOMENT)
    allowed_types = forms.MultipleChoiceField(
        label=_("Allowed file types (product round)"), choices=TYPE_CHOICES, required=False,
        widget=forms.CheckboxSelectMultiple,
    )  # fmt: skip
    max_file_mb = forms.IntegerField(label=_("Largest file (MB)"), min_value=1, max_value=500, initial=50)
    qualify_rule = forms.ChoiceField(label=_("Who goes on"), choices=Round.Qualify.choices)
    qualify_top_n = forms.IntegerField(label=_("How many per unit"), min_value=1, required=False)
    qualify_threshold = forms.DecimalField(
        label=_("Score at least"), min_value=0, max_digits=6, decimal_places=2, required=False
    )
    judges_per_product = forms.IntegerField(label=_("Judges per product"), min_value=2, max_value=10, initial=2)
    disagreement_margin = forms.DecimalField(
        label=_("Disagreement margin"), min_value=0, max_digits=5, decimal_places=2, initial=2
    )
    results_publish_at = moment_field(label=_("Results published at"), invalid=INVALID_MOMENT)
    results_publish_at.required = False

    def __init__(self, *args, contest: Contest, user, **kwargs):
        super().__init__(*args, **kwargs)
        top = LEVEL_ORDER.index(UNIT_LEVEL[contest.organiser.kind])
        self.fields["level"].choices = [(lv.value, lv.label) for lv in LEVEL_ORDER[: top + 1]]
        self.fields["quiz"].queryset = (
            Quiz.objects.alive()
            .filter(status=Quiz.Status.PUBLISHED, mode=Quiz.Mode.EXAM)
            .filter(Q(author=user) | in_subtree_q(contest.organiser))
            .order_by("-created_at")
        )


class SearchForm(BootstrapFormMixin, forms.Form):
    q = SearchField(label=_("Search"), required=False)


class RegisterForm(BootstrapFormMixin, forms.Form):
    subject = forms.ChoiceField(label=_("Subject"), required=False)

    def __init__(self, *args, contest: Contest, **kwargs):
        super().__init__(*args, **kwargs)
        if contest.subjects:
            self.fields["subject"].choices = [(s, s) for s in contest.subjects]
            self.fields["subject"].required = True
        else:
            del self.fields["subject"]


def _usernames(value: str) -> list[str]:
    return [nfc(w) for w in value.replace(",", " ").split() if nfc(w)]


class TeamForm(RegisterForm):
    name = forms.CharField(label=_("Team name"), max_length=255)
    members = forms.CharField(
        label=_("Other members"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Their usernames, separated by spaces or new lines."),
        required=False,
    )

    def __init__(self, *args, leader_choices=None, **kwargs):
        super().__init__(*args, **kwargs)
        if leader_choices is not None:
            self.fields["leader"] = forms.CharField(
                label=_("Leader's username"), max_length=150, help_text=_("The leader is one of the team.")
            )
        self.order_fields(["name", "leader", "members", "subject"])

    def clean(self):
        data = super().clean()
        names = _usernames(data.get("members") or "")
        if data.get("leader"):
            names.append(nfc(data["leader"]))
        users = {u.username: u for u in get_user_model().objects.filter(username__in=names)}
        unknown = [n for n in names if n not in users]
        if unknown:
            self.add_error("members", _("No account with these usernames: %(names)s.") % {"names": ", ".join(unknown)})
        data["member_users"] = [users[n] for n in _usernames(data.get("members") or "") if n in users]
        data["leader_user"] = users.get(nfc(data.get("leader") or ""))
        return data


class SchoolRegisterForm(RegisterForm):
    people = forms.ModelMultipleChoiceField(
        label=_("People to register"), queryset=get_user_model().objects.none(), widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["people"].queryset = candidates
        self.fields["people"].label_from_instance = lambda u: u.full_name or u.username


class ProductForm(BootstrapFormMixin, forms.Form):
    title = forms.CharField(label=_("Title"), max_length=255)
    description = forms.CharField(label=_("Description"), widget=forms.Textarea(attrs={"rows": 4}), required=False)
    video_url = forms.URLField(
        label=_("Video link"), required=False, assume_scheme="https", help_text=_("A link starting with https://.")
    )
    file = forms.FileField(label=_("File"), required=False)
