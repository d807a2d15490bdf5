"""The letters archive page ("Tra cứu công văn"), open to everyone: anonymous visitors find the public
letters, signed-in people also those sent to their units or issued by the units they look after."""

from django import forms
from django.core.validators import MaxValueValidator
from django.shortcuts import render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from truonghoc.forms import BootstrapFormMixin, SearchField
from truonghoc.replica import reads_from_replica
from units.models import Unit

from ..selectors import archive as selectors

FIRST_YEAR = 1945


class ArchiveSearchForm(BootstrapFormMixin, forms.Form):
    q = SearchField(
        label=_("Number, subject or text"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("e.g. 1364/SGDĐT or ke hoach nam hoc")}),
    )
    issuer = forms.TypedChoiceField(label=_("Issued by"), required=False, coerce=int, empty_value=None)
    year = forms.IntegerField(label=_("Year"), required=False, min_value=FIRST_YEAR)
    date_from = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, issuers: list[Unit], **kwargs):
        super().__init__(*args, **kwargs)
        self.issuers = {unit.pk: unit for unit in issuers}
        self.fields["issuer"].choices = [("", _("Any issuer"))] + [(u.pk, u.name) for u in issuers]
        self.fields["year"].max_value = timezone.localdate().year + 1
        self.fields["year"].widget.attrs["max"] = self.fields["year"].max_value
        # Validators are made when the field is built; a year past what a date can hold would crash the query.
        self.fields["year"].validators.append(MaxValueValidator(self.fields["year"].max_value))

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            self.add_error("date_to", _("The end date is before the start date."))
        return data


@reads_from_replica
def archive(request):
    user = request.user
    issuers = selectors.archive_issuers(user=user, chosen=request.GET.get("issuer"))
    form = ArchiveSearchForm(request.GET or None, issuers=issuers)
    page = None
    query = ""
    if not request.GET or form.is_valid():
        data = form.cleaned_data if request.GET else {}
        query = data.get("q") or ""
        letters = selectors.archive_letters(
            user=user,
            query=query,
            issuer=form.issuers.get(data.get("issuer")),
            year=data.get("year"),
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
        )
        page = selectors.with_excerpts(
            selectors.archive_page(letters, number=selectors.page_number(request.GET.get("page"))), query
        )
    searching = any(request.GET.get(name) for name in ("q", "issuer", "year", "date_from", "date_to"))
    context = {"form": form, "page": page, "query": query, "searching": searching}
    return render(request, "publications/archive.html", context)


urlpatterns = [path("tra-cuu/", archive, name="archive")]
