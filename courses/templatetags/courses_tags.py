"""Template helpers for course pages and unit spaces. They only decide which buttons to show; the views
check the same rules again.

    {% load courses_tags %}
    {% course_create_links user unit as links %}
    {% content_actions user course as actions %}  {# actions.delete_url / actions.restore_url, "" when not allowed #}
    {% include "courses/trash_banner.html" with obj=course %}
    {{ course.words.instructors }}  {# the words of the course's kind: courses/wording.py #}
    {% words_format course.words.closed_note when=… %}  {{ course.words.learners_count|words_count:n }}
    {{ enrolment|enrolment_source:course }}  {% with words=obj|words_of %}…{% endwith %}
"""

from decimal import Decimal

from django import template
from django.urls import NoReverseMatch, reverse
from django.utils.formats import number_format
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from ..models import Course
from ..permissions import can_create_course, can_delete_content, can_restore_content, course_of
from ..services.trash import kind_of
from ..wording import CourseWords, course_words

register = template.Library()

CREATE_LABELS = {
    Course.Kind.TRAINING: _("Create a course"),
    Course.Kind.LESSON: _("Create a lesson"),
    Course.Kind.TOPIC: _("Create a topic"),
}


@register.simple_tag
def course_create_links(user, unit) -> list[dict]:
    """The "create a course / lesson / topic" buttons this person may use in this unit's space."""
    try:
        base = reverse("courses:course_create")
    except NoReverseMatch:  # the authoring pages are not installed
        return []
    return [
        {"kind": kind, "label": label, "url": f"{base}?{urlencode({'unit': unit.pk, 'kind': kind})}"}
        for kind, label in CREATE_LABELS.items()
        if can_create_course(user, unit, kind)
    ]


@register.simple_tag
def content_actions(user, obj) -> dict:
    """{"delete_url", "restore_url"}: the remove/restore links this person may use for a course, section,
    assignment, submission, live session or product ("" when not allowed)."""
    kind = kind_of(obj)
    if obj.is_deleted:
        allowed = can_restore_content(user, obj)
        return {"delete_url": "", "restore_url": reverse("courses:restore", args=[kind, obj.pk]) if allowed else ""}
    allowed = can_delete_content(user, obj)
    return {"delete_url": reverse("courses:delete", args=[kind, obj.pk]) if allowed else "", "restore_url": ""}


@register.simple_tag
def words_format(text, **values) -> str:
    """One of a course's words that takes values: {% words_format course.words.closed_note when=… %}."""
    return str(text) % values


@register.filter
def words_count(text, n) -> str:
    """One of a course's counted words with its number: {{ course.words.learners_count|words_count:12 }}
    gives "12 learners" / "12 students" / "12 participants"."""
    return text % {"n": n, "total": n}


@register.filter
def words_of(obj) -> CourseWords:
    """The words of the course an item (a course, section, assignment, submission or live session) belongs
    to; a product, handed in to a professional group, takes a topic's."""
    course = course_of(obj)
    return course.words if course is not None else course_words(Course.Kind.TOPIC)


@register.filter
def enrolment_source(enrolment, course) -> str:
    """How someone came into the course, in its words: "Registered themselves" / "Started on their own"."""
    return course.words.source_label(enrolment.source)


@register.filter
def grade(value) -> str:
    """A grade on the 10-point scale without trailing zeros, in the local number format: 8,5 · 10 · 7,25."""
    if value is None or value == "":
        return ""
    text = f"{Decimal(value):.2f}".rstrip("0").rstrip(".")
    return number_format(Decimal(text))
