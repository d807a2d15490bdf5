"""The create and edit pages of a course's items that its instructors schedule one by one (assignments
and live sessions). Both follow the same steps (a model form, the service, a message, back to the
course's list of them), so the steps are written once here and each kind is one `ItemPages` row; the
views in submissions.py and live.py keep their URLs and their own permission checks. No URLs here."""

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib import messages
from django.shortcuts import redirect, render

from truonghoc.forms import form_saved

from ..permissions import editable_course_or_404


@dataclass(frozen=True)
class ItemPages:
    form: type  # a ModelForm of the item
    template: str
    name: str  # what the template and the update service call the item ("assignment", "session")
    listing: str  # the URL name of the course's list of these items
    create: Callable  # the service: create(actor=, course=, **fields) -> item
    update: Callable  # the service: update(actor=, <name>=item, **fields)
    created: str  # lazily translated, with %(title)s
    updated: str


def item_create_page(request, pk: int, pages: ItemPages):
    course = editable_course_or_404(request.user, pk)
    form = pages.form(request.POST or None)
    saved = form_saved(request, form, lambda data: pages.create(actor=request.user, course=course, **data))
    if saved:
        messages.success(request, pages.created % {"title": saved.result.title})
        return redirect(pages.listing, course.pk)
    return render(request, pages.template, {"course": course, "form": form, pages.name: None})


def item_edit_page(request, item, pages: ItemPages):
    """`item` is one the view has checked the person may change."""
    form = pages.form(request.POST or None, instance=item)
    if form_saved(request, form, lambda data: pages.update(actor=request.user, **{pages.name: item}, **data)):
        messages.success(request, str(pages.updated))
        return redirect(pages.listing, item.course_id)
    return render(request, pages.template, {"course": item.course, "form": form, pages.name: item})
