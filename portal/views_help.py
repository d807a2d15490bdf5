"""The help centre's pages (portal/helpcentre.py reads the guides). Open to everyone, signed in or not:
someone who cannot log in needs help most. They read files of the code and write nothing."""

from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_safe

from truonghoc.paging import page_number
from truonghoc.text import search_text

from . import helpcentre

RESULTS_PER_PAGE = 20


@require_safe
def help_index(request):
    return render(request, "portal/help_index.html", {"guides": helpcentre.guides()})


@require_safe
def help_guide(request, slug):
    guide = helpcentre.guide(slug)
    if guide is None:
        raise Http404
    return render(request, "portal/help_guide.html", {"guide": guide, "guides": helpcentre.guides()})


@require_safe
def help_section(request, anchor):
    """The target of a page's "?" link: the section in its guide."""
    section = helpcentre.section(anchor)
    if section is None:
        raise Http404
    return redirect(section.url)


@require_safe
def help_search(request):
    query = search_text(request.GET.get("q"))
    hits = helpcentre.search(query)
    page = Paginator(hits, RESULTS_PER_PAGE).get_page(page_number(request.GET.get("page")))
    return render(
        request,
        "portal/help_search.html",
        {"query": query, "page": page, "hits": page.object_list, "count": len(hits), "searched": bool(query)},
    )
