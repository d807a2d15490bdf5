"""The profile form (details and photo in one, so nothing typed is lost when the photo is refused)
and the school admin's photo decision. The rules themselves live in accounts.services.photos; these
forms only read the input and say clearly what could not be read."""

from django import forms
from django.utils.translation import gettext_lazy as _

from truonghoc.forms import BootstrapFormMixin

from ..models import User

# Always day first, whatever the language: 05/09/1985 is the 5th of September.
DATE_INPUT_FORMATS = ["%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%Y-%m-%d"]
PHOTO_ACCEPT = "image/jpeg,image/png,.jpg,.jpeg,.png"


class ProfileForm(BootstrapFormMixin, forms.Form):
    email = forms.EmailField(
        label=_("Email"),
        required=False,
        max_length=254,
        error_messages={"invalid": _("Enter an email address like ten@truong.edu.vn.")},
        widget=forms.EmailInput(attrs={"autocomplete": "email", "class": "form-control"}),
    )
    phone = forms.CharField(
        label=_("Phone number"),
        required=False,
        max_length=20,
        error_messages={"max_length": _("A phone number has at most 20 characters.")},
        widget=forms.TextInput(
            attrs={"autocomplete": "tel", "inputmode": "tel", "placeholder": "0912 345 678", "class": "form-control"}
        ),
    )
    date_of_birth = forms.DateField(
        label=_("Date of birth"),
        required=False,
        input_formats=DATE_INPUT_FORMATS,
        error_messages={"invalid": _("Enter the date as dd/mm/yyyy, for example 28/10/1985.")},
        widget=forms.DateInput(
            format="%d/%m/%Y",
            attrs={
                "autocomplete": "bday",
                "inputmode": "numeric",
                "placeholder": _("dd/mm/yyyy"),
                "class": "form-control",
            },
        ),
    )
    photo = forms.FileField(
        label=_("ID photo"),
        required=False,
        help_text=_("JPEG or PNG, at most 5 MB, a portrait photo in the 3:4 ratio, at least 300 × 400 px."),
        error_messages={
            "empty": _("The file is empty. Choose your photo again."),
            "invalid": _("No file was sent. Choose your photo again."),
        },
        widget=forms.FileInput(attrs={"accept": PHOTO_ACCEPT, "class": "form-control"}),
    )


class PhotoStatusForm(BootstrapFormMixin, forms.Form):
    """A school admin's decision on someone's photo. `photo` is the file they were looking at."""

    status = forms.ChoiceField(
        label=_("Photo status"),
        choices=[(User.PhotoStatus.PROPER, _("Proper")), (User.PhotoStatus.NOT_PROPER, _("Not proper"))],
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose whether the photo is proper or not."),
            "invalid_choice": _("Choose whether the photo is proper or not."),
        },
    )
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=255,
        error_messages={"max_length": _("The note may be at most 255 characters.")},
    )
    photo = forms.CharField(required=False, widget=forms.HiddenInput)


class ProfileRuleForm(BootstrapFormMixin, forms.Form):
    """One account type's profile rule at a unit: follow the level above, or require these details."""

    FOLLOW, OWN = "follow", "own"

    mode = forms.ChoiceField(
        label=_("Rule"),
        choices=[(FOLLOW, _("Follow the rule from above")), (OWN, _("Set a rule for the units below"))],
        widget=forms.RadioSelect,
    )
    required = forms.MultipleChoiceField(
        label=_("They must fill in"),
        required=False,
        choices=[
            ("email", _("email")),
            ("phone", _("phone number")),
            ("date_of_birth", _("date of birth")),
            ("photo", _("a proper ID photo")),
        ],
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Leave every box empty to require nothing beyond what the school imported."),
    )
