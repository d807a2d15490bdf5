"""The letters archive page ("Tra cứu công văn"), open to everyone: anonymous visitors find the public
letters, signed-in people also those sent to their units or issued by the units they look after."""

from django import forms
from django.core.validators import MaxValueValidator
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from truonghoc import fragments
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
        page = selectors.archive_page(letters, number=selectors.page_number(request.GET.get("page")))
    searching = any(request.GET.get(name) for name in ("q", "issuer", "year", "date_from", "date_to"))
    context = {"form": form, "page": page, "query": query, "searching": searching}
    # The form and the rows are the page's costly parts (a select's options and twenty rows through the
    # template engine); each is kept in the cache under everything it shows, so it is never stale and two
    # people who may see different letters get different rows, hence different keys.
    context["form_html"] = fragments.shared(
        "letters-archive-form",
        lambda: render_to_string("publications/archive.html#search-form", context),
        _form_inputs(request, form),
        searching,
    )
    if page is not None:
        # The excerpts (each body stripped of its tags and searched) are made only when the rows are built:
        # the key holds the bodies and the query's words they come from instead.
        rows = tuple(
            (
                row.pk,
                row.reference,
                row.issued_on,
                row.is_public,
                row.subject,
                row.issuer.name,
                row.signer_name,
                row.body,
            )
            for row in page.items
        )

        def build_rows():
            selectors.with_excerpts(page, query)
            return render_to_string("publications/archive.html#results", context)

        context["results_html"] = fragments.shared(
            "letters-archive-rows", build_rows, rows, tuple(selectors.search_words(query)), searching
        )
    return render(request, "publications/archive.html", context)


def _form_inputs(request, form: ArchiveSearchForm) -> tuple:
    """What the rendered form shows: the values typed (or none: an unbound form), the issuers offered and
    the latest year allowed (the errors follow from these)."""
    typed = tuple((name, tuple(request.GET.getlist(name))) for name in form.fields) if form.is_bound else None
    return typed, tuple((pk, unit.name) for pk, unit in form.issuers.items()), form.fields["year"].max_value


urlpatterns = [path("tra-cuu/", archive, name="archive")]
