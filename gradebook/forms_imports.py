from django import forms
from django.utils.translation import gettext_lazy as _

from truonghoc.forms import BootstrapFormMixin


class ImportFileForm(BootstrapFormMixin, forms.Form):
    """The file of an assignment or grid import (its size and content are checked by the import engine)."""

    file = forms.FileField(
        label=_("Spreadsheet (.xlsx or .csv)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv,text/csv"}),
        error_messages={"required": _("Choose the file to upload.")},
    )
