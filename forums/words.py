"""The words of a questions forum (Hỏi – Đáp) about the people who answer: "the instructors" by default;
an owner app replaces some through its `OwnerRules.words` (a class lesson's students ask their teachers,
courses/wording.py). Pages and services read them here, so a refusal speaks like the page."""

from django.utils.translation import gettext_lazy

from .permissions import owner_rules

QUESTION_WORDS = {
    "intro_moderator": gettext_lazy(
        "Questions waiting for an answer come first. A new question is seen only by its author and the "
        "instructors until an instructor makes it visible to the course."
    ),
    "intro": gettext_lazy(
        "Ask the instructors here. Your question is seen only by you and the instructors until an instructor "
        "makes it visible to the whole course."
    ),
    "private_badge": gettext_lazy("Instructors only"),
    "ask": gettext_lazy("Ask the instructors"),
    "make_visible": gettext_lazy("Make visible to the course"),
    "private_note": gettext_lazy(
        "Only the person who asked and the instructors see this question, until an instructor makes it "
        "visible to the course."
    ),
    "sent": gettext_lazy("Your question has been sent to the instructors."),
    # Messages and refusals of the services (forums.services) about the same people.
    "published": gettext_lazy("The question and its answers are now visible to the whole course."),
    "already_visible": gettext_lazy("This question is already visible to the course."),
    "publish_refused": gettext_lazy("Only the instructors can make a question visible to the course."),
    "accept_refused": gettext_lazy("Only the person who asked or the instructors can choose the accepted answer."),
}


def question_words(forum) -> dict:
    """The questions forum's words for this forum: the engine's, with those its owner app replaces."""
    rules = owner_rules(forum) if forum.pk is not None else None
    if rules is None or rules.words is None:
        return QUESTION_WORDS
    return {**QUESTION_WORDS, **rules.words(forum.owner)}
