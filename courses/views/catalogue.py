"""Finding courses: the catalogue (search without accents, filters kept in the URL, pages) and "my courses"
(the ones I study, the ones I teach)."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render
from django.urls import path

from truonghoc.params import parse_int
from truonghoc.text import search_text

from ..models import Course
from ..selectors import catalogue as selectors


def _filters(request, units) -> selectors.CatalogueFilters:
    params = request.GET
    kind = params.get("kind", "")
    grade = params.get("grade", "")
    unit_pk = params.get("unit", "")
    unit = next((u for u in units if str(u.pk) == unit_pk), None)
    return selectors.CatalogueFilters(
        q=search_text(params.get("q")),
        kind=kind if kind in Course.Kind.values else "",
        subject=search_text(params.get("subject"), max_length=100),
        grade=parse_int(grade, minimum=1, maximum=12),
        unit=unit,
    )


@login_required
def catalogue(request):
    user = request.user
    units = selectors.catalogue_units(user=user)
    filters = _filters(request, units)
    page = Paginator(selectors.catalogue(user=user, filters=filters), selectors.PER_PAGE).get_page(
        request.GET.get("page")
    )
    context = {
        "page": page,
        "filters": filters,
        "filtered": any((filters.q, filters.kind, filters.subject, filters.grade, filters.unit)),
        "kinds": Course.Kind.choices,
        "subjects": selectors.catalogue_subjects(user=user),
        "grades": range(1, 13),
        "units": units,
        "tab": "catalogue",
    }
    return render(request, "courses/catalogue.html", context)


@login_required
def my_courses(request):
    user = request.user
    tab = "teaching" if request.GET.get("tab") == "teaching" else "learning"
    rows = selectors.my_teaching(user=user) if tab == "teaching" else selectors.my_enrolments(user=user)
    page = Paginator(rows, selectors.PER_PAGE).get_page(request.GET.get("page"))
    if tab == "learning":
        for enrolment in page:
            enrolment.percent = (
                min(100, round(100 * enrolment.sections_done / enrolment.total)) if enrolment.total else 0
            )
    return render(request, "courses/catalogue_mine.html", {"page": page, "tab": tab})


urlpatterns = [
    path("", catalogue, name="catalogue"),
    path("cua-toi/", my_courses, name="mine"),
]
