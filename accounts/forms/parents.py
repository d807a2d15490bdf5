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
