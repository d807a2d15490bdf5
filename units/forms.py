from django import forms
from django.utils.translation import gettext_lazy as _

from truonghoc.forms import BootstrapFormMixin


class DeclareNumbersForm(BootstrapFormMixin, forms.Form):
    teachers = forms.IntegerField(label=_("Number of teachers at the school"), min_value=0, max_value=20_000)
    students = forms.IntegerField(label=_("Number of students at the school"), min_value=0, max_value=100_000)


class UnitImportForm(BootstrapFormMixin, forms.Form):
    file = forms.FileField(
        label=_("Spreadsheet (.xlsx or .csv)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv,text/csv"}),
    )
