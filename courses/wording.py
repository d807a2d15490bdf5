"""The words a course uses for its people and its actions, by kind: one `Course` model carries training
courses, class lessons and professional topics, and a student opening a lesson must not read
"instructor", "trainee" or "register for this course". Pages, buttons and messages take their words from
here (`course.words.instructors`, `{% words_format course.words.closed_note when=… %}`), never from
if/else on the kind in templates.

Training courses keep the words they always had (same msgids, same translations).
"""

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy, pgettext_lazy


@dataclass(frozen=True)
class CourseWords:
    instructors: Promise  # the people who teach it, as a label
    co_instructors: Promise
    learner: Promise  # a column heading
    learners_count: Promise  # "%(n)s learners", lazily plural on n
    registered_count: Promise  # "%(n)s learners registered."
    sections_count: Promise  # "The course has %(total)s sections."
    register: Promise  # the button
    registered_on: Promise  # "%(when)s", "%(how)s"
    welcome: Promise  # the message after registering
    leave: Promise  # the link
    left: Promise  # the message after leaving
    leave_note: Promise  # the leaving page
    leader_warning: Promise
    progress: Promise  # the people page and its button
    questions: Promise  # the questions forum's button
    study_hint: Promise  # under the section titles, for those not in yet
    draft_note: Promise
    closed_note: Promise  # "%(when)s"
    close_confirm: Promise
    nobody_yet: Promise  # the people page, empty
    not_published: Promise  # refusals to register
    closed: Promise
    ended: Promise  # "%(date)s"
    not_open: Promise
    work_needs_enrolment: Promise  # refusals to hand in work
    closed_for_work: Promise


TRAINING = CourseWords(
    instructors=_("Instructors"),
    co_instructors=_("Co-instructors"),
    learner=_("Learner"),
    learners_count=ngettext_lazy("%(n)s learner", "%(n)s learners", "n"),
    registered_count=ngettext_lazy("%(n)s learner registered.", "%(n)s learners registered.", "n"),
    sections_count=ngettext_lazy("The course has %(total)s section.", "The course has %(total)s sections.", "total"),
    register=_("Register for this course"),
    registered_on=_("Registered on %(when)s (%(how)s)."),
    welcome=_("You are registered. Start with the purpose and requirements, then each section."),
    leave=_("Leave the course"),
    left=_("You have left the course. What you did is kept if you register again later."),
    leave_note=_(
        "You will no longer see its sections, discussions and assignments. What you have done is kept: if you "
        "register again, you continue where you were."
    ),
    leader_warning=_("You lead a learning group: its members or the instructors will have to name a new leader."),
    progress=_("Progress of learners"),
    questions=_("Questions to the instructors"),
    study_hint=_("Register for the course to study its sections."),
    draft_note=_(
        "This is a draft: only its instructors and those who oversee its unit can see it. "
        "Learners see it once it is published."
    ),
    closed_note=_("This course was closed on %(when)s: it stays readable, but nobody can register any more."),
    close_confirm=_("Close the course? Nobody will be able to register any more."),
    nobody_yet=_("Nobody has registered yet."),
    not_published=_("This course is not published yet: registration opens when it is."),
    closed=_("This course is closed: nobody can register any more."),
    ended=_("This course ended on %(date)s: nobody can register any more."),
    not_open=_("This course is not open to your unit."),
    work_needs_enrolment=_("Only learners enrolled in this course can hand in work. Register for the course first."),
    closed_for_work=_("This course is closed: it no longer accepts work."),
)

LESSON = CourseWords(
    instructors=pgettext_lazy("lesson", "Teachers"),
    co_instructors=pgettext_lazy("lesson", "Co-teachers"),
    learner=pgettext_lazy("lesson", "Student"),
    learners_count=ngettext_lazy("%(n)s student", "%(n)s students", "n"),
    registered_count=ngettext_lazy("%(n)s student has started.", "%(n)s students have started.", "n"),
    sections_count=ngettext_lazy("The lesson has %(n)s section.", "The lesson has %(n)s sections.", "n"),
    register=pgettext_lazy("lesson", "Start this lesson"),
    registered_on=pgettext_lazy("lesson", "Started on %(when)s (%(how)s)."),
    welcome=pgettext_lazy(
        "lesson", "You have started the lesson. Begin with its purpose and requirements, then each section."
    ),
    leave=pgettext_lazy("lesson", "Leave the lesson"),
    left=pgettext_lazy("lesson", "You have left the lesson. What you did is kept if you start it again later."),
    leave_note=pgettext_lazy(
        "lesson",
        "You will no longer see its sections, discussions and assignments. What you have done is kept: if you "
        "start the lesson again, you continue where you were.",
    ),
    leader_warning=pgettext_lazy(
        "lesson", "You lead a learning group: its members or the teachers will have to name a new leader."
    ),
    progress=pgettext_lazy("lesson", "Progress of the students"),
    questions=pgettext_lazy("lesson", "Questions to the teachers"),
    study_hint=pgettext_lazy("lesson", "Start the lesson to study its sections."),
    draft_note=pgettext_lazy(
        "lesson",
        "This is a draft: only its teachers and those who oversee its unit can see it. "
        "Students see it once it is published.",
    ),
    closed_note=pgettext_lazy(
        "lesson", "This lesson was closed on %(when)s: it stays readable, but nobody can start it any more."
    ),
    close_confirm=pgettext_lazy("lesson", "Close the lesson? Nobody will be able to start it any more."),
    nobody_yet=pgettext_lazy("lesson", "No student has started yet."),
    not_published=pgettext_lazy("lesson", "This lesson is not published yet: it can be started once it is."),
    closed=pgettext_lazy("lesson", "This lesson is closed: nobody can start it any more."),
    ended=pgettext_lazy("lesson", "This lesson ended on %(date)s: nobody can start it any more."),
    not_open=pgettext_lazy("lesson", "This lesson is not meant for your class."),
    work_needs_enrolment=pgettext_lazy(
        "lesson", "Only students who have started this lesson can hand in work. Start the lesson first."
    ),
    closed_for_work=pgettext_lazy("lesson", "This lesson is closed: it no longer accepts work."),
)

TOPIC = CourseWords(
    instructors=pgettext_lazy("topic", "In charge"),
    co_instructors=pgettext_lazy("topic", "Also in charge"),
    learner=pgettext_lazy("topic", "Participant"),
    learners_count=ngettext_lazy("%(n)s participant", "%(n)s participants", "n"),
    registered_count=ngettext_lazy("%(n)s participant has joined.", "%(n)s participants have joined.", "n"),
    sections_count=ngettext_lazy("The topic has %(n)s section.", "The topic has %(n)s sections.", "n"),
    register=pgettext_lazy("topic", "Join this topic"),
    registered_on=pgettext_lazy("topic", "Joined on %(when)s (%(how)s)."),
    welcome=pgettext_lazy(
        "topic", "You have joined the topic. Begin with its purpose and requirements, then each section."
    ),
    leave=pgettext_lazy("topic", "Leave the topic"),
    left=pgettext_lazy("topic", "You have left the topic. What you did is kept if you join again later."),
    leave_note=pgettext_lazy(
        "topic",
        "You will no longer see its sections, discussions and assignments. What you have done is kept: if you "
        "join again, you continue where you were.",
    ),
    leader_warning=pgettext_lazy(
        "topic", "You lead a learning group: its members or those in charge will have to name a new leader."
    ),
    progress=pgettext_lazy("topic", "Progress of the participants"),
    questions=pgettext_lazy("topic", "Questions to those in charge"),
    study_hint=pgettext_lazy("topic", "Join the topic to study its sections."),
    draft_note=pgettext_lazy(
        "topic",
        "This is a draft: only those in charge of it and those who oversee its group can see it. "
        "Participants see it once it is published.",
    ),
    closed_note=pgettext_lazy(
        "topic", "This topic was closed on %(when)s: it stays readable, but nobody can join any more."
    ),
    close_confirm=pgettext_lazy("topic", "Close the topic? Nobody will be able to join any more."),
    nobody_yet=pgettext_lazy("topic", "Nobody has joined yet."),
    not_published=pgettext_lazy("topic", "This topic is not published yet: it can be joined once it is."),
    closed=pgettext_lazy("topic", "This topic is closed: nobody can join any more."),
    ended=pgettext_lazy("topic", "This topic ended on %(date)s: nobody can join any more."),
    not_open=pgettext_lazy("topic", "This topic is not open to your unit."),
    work_needs_enrolment=pgettext_lazy(
        "topic", "Only participants of this topic can hand in work. Join the topic first."
    ),
    closed_for_work=pgettext_lazy("topic", "This topic is closed: it no longer accepts work."),
)

WORDS = {"training": TRAINING, "lesson": LESSON, "topic": TOPIC}

# The questions forum (Hỏi – Đáp) of a lesson or topic, replacing the forum engine's words about
# instructors (forums.views.QUESTION_WORDS); a training course keeps the engine's.
FORUM_WORDS = {
    "lesson": {
        "intro_moderator": pgettext_lazy(
            "lesson",
            "Questions waiting for an answer come first. A new question is seen only by the student who asked "
            "and the teachers until a teacher makes it visible to the class.",
        ),
        "intro": pgettext_lazy(
            "lesson",
            "Ask your teachers here. Your question is seen only by you and the teachers until a teacher makes "
            "it visible to the whole class.",
        ),
        "private_badge": pgettext_lazy("lesson", "Teachers only"),
        "ask": pgettext_lazy("lesson", "Ask the teachers"),
        "make_visible": pgettext_lazy("lesson", "Make visible to the class"),
        "private_note": pgettext_lazy(
            "lesson",
            "Only the student who asked and the teachers see this question, until a teacher makes it visible "
            "to the class.",
        ),
        "sent": pgettext_lazy("lesson", "Your question has been sent to the teachers."),
    },
    "topic": {
        "intro_moderator": pgettext_lazy(
            "topic",
            "Questions waiting for an answer come first. A new question is seen only by its author and those "
            "in charge until one of them makes it visible to all participants.",
        ),
        "intro": pgettext_lazy(
            "topic",
            "Ask those in charge of the topic here. Your question is seen only by you and them until they make "
            "it visible to all participants.",
        ),
        "private_badge": pgettext_lazy("topic", "Those in charge only"),
        "ask": pgettext_lazy("topic", "Ask those in charge"),
        "make_visible": pgettext_lazy("topic", "Make visible to all participants"),
        "private_note": pgettext_lazy(
            "topic",
            "Only the person who asked and those in charge see this question, until they make it visible to "
            "all participants.",
        ),
        "sent": pgettext_lazy("topic", "Your question has been sent to those in charge."),
    },
}


def course_words(kind: str) -> CourseWords:
    """The words for a course of this kind (a training course's for an unknown kind)."""
    return WORDS.get(kind, TRAINING)


def forum_words(kind: str) -> dict:
    """The questions forum's words for a course of this kind ({} keeps the forum engine's)."""
    return FORUM_WORDS.get(kind, {})
