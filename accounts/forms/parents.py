from django import forms
from django.utils.translation import gettext_lazy as _

from truonghoc.forms import BootstrapFormMixin
from truonghoc.text import refuse_formula_or_bidi

from ..models import Guardianship


class ParentForm(BootstrapFormMixin, forms.Form):
    """A parent for one student ("Cấp tài khoản phụ huynh"); the service checks the rest (the phone, an
    email already in use, the same person already issued)."""

    parent_name = forms.CharField(
        label=_("Parent's full name"), max_length=150, required=False, validators=[refuse_formula_or_bidi]
    )
    parent_relation = forms.ChoiceField(
        label=_("Relation to the student"), choices=Guardianship.Relation.choices, initial="guardian"
    )
    parent_phone = forms.CharField(
        label=_("Phone"),
        max_length=20,
        required=False,
        help_text=_("A parent already issued with this phone or email is linked again, not issued twice."),
    )
    parent_email = forms.EmailField(label=_("Email"), required=False)


class ParentRequestForm(BootstrapFormMixin, forms.Form):
    """A parent asks the school for an account linked to their child ("on request", issue #17). Without an
    account they name the school; from a parent account the school is the one that issued it."""

    school_code = forms.CharField(
        label=_("School code"), max_length=30, help_text=_("As printed on the school's notice to parents.")
    )
    student_code = forms.CharField(
        label=_("Your child's student code"),
        max_length=40,
        help_text=_("The mã định danh on the child's school papers, or the username the school gave the child."),
    )
    date_of_birth = forms.DateField(
        label=_("Your child's date of birth"),
        widget=forms.DateInput(format="%d/%m/%Y", attrs={"placeholder": "dd/mm/yyyy", "autocomplete": "off"}),
        error_messages={"invalid": _("Write the date as dd/mm/yyyy, for example 05/09/2014.")},
    )
    parent_name = forms.CharField(label=_("Your full name"), max_length=150, validators=[refuse_formula_or_bidi])
    parent_relation = forms.ChoiceField(
        label=_("You are the child's"), choices=Guardianship.Relation.choices, initial="mother"
    )
    parent_phone = forms.CharField(
        label=_("Your phone number"), max_length=20, help_text=_("The school calls you back on it.")
    )
    parent_email = forms.EmailField(label=_("Email"), required=False)

    def __init__(self, *args, parent=None, **kwargs):
        super().__init__(*args, **kwargs)
        if parent is not None:  # the account says who and where
            del self.fields["school_code"]
            del self.fields["parent_name"]
            del self.fields["parent_email"]
            if parent.phone:
                del self.fields["parent_phone"]


class DeclineForm(BootstrapFormMixin, forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=500, widget=forms.Textarea(attrs={"rows": 2}))
