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
    catalogue: Promise  # the breadcrumb back to the catalogue, filtered on the kind
    removed_note: Promise  # the confirmation before removing the course itself
    submission_removed_note: Promise  # the confirmation before removing a submission to it
    removed_banner: Promise  # "%(when)s", "%(who)s": a removed course or item, on its page
    live_notice: Promise  # the live-session form
    live_needs_enrolment: Promise  # the live-session list, for those not in yet
    co_instructors_note: Promise  # "%(author)s": the co-instructors page
    co_instructor_remove: Promise  # "%(name)s": the confirmation
    co_instructor_none: Promise
    co_instructor_add: Promise  # "%(unit)s"
    co_instructor_added: Promise  # "%(name)s"
    co_instructor_removed: Promise  # "%(name)s"
    enrolled_with_count: Promise  # "%(n)s learners enrolled with it" (a class or group it is given to)
    source_self: Promise  # how someone came in: Enrolment.Source, one word per value
    source_group: Promise
    source_class: Promise
    source_prof_group: Promise
    source_instructor: Promise
    removed: Promise  # refusals, of a course removed to the trash
    teaches_it: Promise
    already_registered: Promise
    not_registered: Promise
    progress_needs_enrolment: Promise
    only_instructors_edit: Promise
    only_instructors_live: Promise
    only_instructors_assignments: Promise
    only_instructors_grade: Promise
    co_instructor_already: Promise  # "%(name)s"
    co_instructor_cannot: Promise  # "%(name)s", "%(unit)s"
    only_instructors_give: Promise  # giving it to a whole class or group
    only_instructors_take_back: Promise
    audience_help: Promise  # the course form
    purpose_help: Promise
    saved: Promise  # messages after the author's actions
    published: Promise
    reopened: Promise
    closed_done: Promise
    no_purpose_note: Promise
    no_work: Promise  # the assignments page, empty
    note_label: Promise  # handing in work: the note to those who mark it
    graded_no_remove: Promise
    unit_given: Promise  # "%(added)d", "%(unit)s", "%(already)d"
    unit_taken_back: Promise  # "%(unit)s", "%(ended)d"
    unit_take_back_confirm: Promise  # "%(unit)s"
    via_unit_note: Promise  # "%(unit)s": the leaving page, for someone who came with their class or group
    not_given: Promise  # "%(unit)s"
    group_work_needs_group: Promise  # handing in group work
    group_leader_left: Promise  # "%(group)s"
    group_leader_missing: Promise  # the learning group's page
    no_units: Promise  # giving it to a class or group: none in its audience
    choose_unit: Promise
    # Learning groups (nhóm học tập) registered to it: refusals.
    group_register_refused: Promise
    group_name_taken: Promise  # "%(name)s"
    group_not_in_audience: Promise  # "%(names)s"
    group_in_another: Promise  # "%(names)s"
    group_leader_refused: Promise
    group_has_leader: Promise

    def source_label(self, source: str) -> str:
        """How someone came in (an `Enrolment.Source` value), in these words."""
        return str(getattr(self, f"source_{source}", source))


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
    catalogue=_("Courses"),
    removed_note=_(
        "The course, its sections, assignments, submissions and discussion disappear for learners. Nothing is "
        "erased: its instructors and the unit that owns it can restore it from the trash."
    ),
    submission_removed_note=_(
        "This version of the work disappears; the previous version, if there is one, becomes the current one "
        "again. The instructors and the unit can restore it."
    ),
    removed_banner=_("Removed on %(when)s by %(who)s. Learners no longer see it."),
    live_notice=_("Enrolled learners are notified. They see a “Join” button from 15 minutes before the start."),
    live_needs_enrolment=_("Register for the course to join."),
    co_instructors_note=_(
        "Co-instructors change the course, its sections and assignments, and grade, like its author "
        "(%(author)s). Only the author chooses them."
    ),
    co_instructor_remove=_("Remove %(name)s from the instructors?"),
    co_instructor_none=_("No co-instructor yet."),
    co_instructor_add=_("Add a co-instructor from %(unit)s"),
    co_instructor_added=_("%(name)s is now a co-instructor."),
    co_instructor_removed=_("%(name)s is no longer a co-instructor."),
    enrolled_with_count=ngettext_lazy("%(n)s learner enrolled with it", "%(n)s learners enrolled with it", "n"),
    source_self=_("Registered themselves"),
    source_group=_("Registered with a learning group"),
    source_class=_("Enrolled with their class"),
    source_prof_group=_("Enrolled with their professional group"),
    source_instructor=_("Enrolled by an instructor"),
    removed=_("This course has been removed."),
    teaches_it=_("You teach this course, so you do not register for it."),
    already_registered=_("You are already registered for this course."),
    not_registered=_("You are not registered for this course."),
    progress_needs_enrolment=_("Register for the course to record your progress."),
    only_instructors_edit=_("Only the course's instructors can change it."),
    only_instructors_live=_("Only the course's instructors can schedule live sessions."),
    only_instructors_assignments=_("Only the course's instructors can change its assignments."),
    only_instructors_grade=_("Only the course's instructors can grade."),
    co_instructor_already=_("%(name)s is a co-instructor already."),
    co_instructor_cannot=_("%(name)s does not teach in %(unit)s, so cannot be a co-instructor."),
    only_instructors_give=_("Only the course's instructors can enrol a whole class or group."),
    only_instructors_take_back=_("Only the course's instructors can take a course back from a class or group."),
    audience_help=_("Who may see the course and register for it, besides its instructors."),
    purpose_help=_(
        "What learners will gain, what is required of them, and what they must hand in. "
        "A draft may be saved without it; it is needed to publish."
    ),
    saved=_("The course is saved."),
    published=_("The course is published: its audience can register."),
    reopened=_("The course is open again."),
    closed_done=_("The course is closed: it stays readable, but nobody can register any more."),
    no_purpose_note=_(
        "This draft has no purpose and requirements yet. Learners need them: the course cannot be "
        "published until you write them."
    ),
    no_work=_("This course asks for no work yet."),
    note_label=_("Note for the instructor (optional)"),
    graded_no_remove=_("This submission has been graded, so it can no longer be removed. Ask the instructor."),
    unit_given=_("%(added)d people of %(unit)s are registered; %(already)d were registered already or had left."),
    unit_taken_back=_(
        "The course is no longer given to %(unit)s: %(ended)d enrolments that came with it ended; "
        "what they did is kept."
    ),
    unit_take_back_confirm=_(
        "Stop giving this course to %(unit)s? Its students leave the course; what they did is kept."
    ),
    via_unit_note=_(
        "You were enrolled with %(unit)s. If you leave, you stay out even while you are in %(unit)s; "
        "you can register again yourself."
    ),
    not_given=_("This course is not given to %(unit)s."),
    group_work_needs_group=_("This is group work: join a learning group of the course first; its leader hands it in."),
    group_leader_left=_(
        "The leader of %(group)s has left the course, so nobody can hand in the group's work yet. "
        "Ask the instructor to name a new group leader; nothing you did is lost."
    ),
    group_leader_missing=_(
        "The group's leader has left the course or no longer has an active account. "
        "Name a new leader among the members below."
    ),
    no_units=_("There is no class or professional group inside this course's audience."),
    choose_unit=_("Choose a class or professional group inside the course's audience."),
    group_register_refused=_("Only group leaders, school managers and instructors can register a learning group."),
    group_name_taken=_("This course already has a group named %(name)s."),
    group_not_in_audience=_("Not in this course's audience or not from that school or cluster: %(names)s."),
    group_in_another=_("Already in another learning group of this course: %(names)s."),
    group_leader_refused=_("Only the course's instructors or the group's members can name its leader."),
    group_has_leader=_("The group has an active leader: ask the course's instructors to change the leader."),
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
    catalogue=pgettext_lazy("lesson", "Lessons"),
    removed_note=pgettext_lazy(
        "lesson",
        "The lesson, its sections, assignments, submissions and discussion disappear for students. Nothing is "
        "erased: its teachers and the unit that owns it can restore it from the trash.",
    ),
    submission_removed_note=pgettext_lazy(
        "lesson",
        "This version of the work disappears; the previous version, if there is one, becomes the current one "
        "again. The teachers and the unit can restore it.",
    ),
    removed_banner=pgettext_lazy("lesson", "Removed on %(when)s by %(who)s. Students no longer see it."),
    live_notice=pgettext_lazy(
        "lesson", "Students in the lesson are notified. They see a “Join” button from 15 minutes before the start."
    ),
    live_needs_enrolment=pgettext_lazy("lesson", "Start the lesson to join."),
    co_instructors_note=pgettext_lazy(
        "lesson",
        "Co-teachers change the lesson, its sections and assignments, and mark the work, like its author "
        "(%(author)s). Only the author chooses them.",
    ),
    co_instructor_remove=pgettext_lazy("lesson", "Remove %(name)s from the teachers of the lesson?"),
    co_instructor_none=pgettext_lazy("lesson", "No co-teacher yet."),
    co_instructor_add=pgettext_lazy("lesson", "Add a co-teacher from %(unit)s"),
    co_instructor_added=pgettext_lazy("lesson", "%(name)s now teaches the lesson too."),
    co_instructor_removed=pgettext_lazy("lesson", "%(name)s no longer teaches the lesson."),
    enrolled_with_count=ngettext_lazy("%(n)s student came with it", "%(n)s students came with it", "n"),
    source_self=pgettext_lazy("lesson", "Started on their own"),
    source_group=pgettext_lazy("lesson", "Started with a learning group"),
    source_class=pgettext_lazy("lesson", "With their class"),
    source_prof_group=pgettext_lazy("lesson", "With their professional group"),
    source_instructor=pgettext_lazy("lesson", "Added by a teacher"),
    removed=pgettext_lazy("lesson", "This lesson has been removed."),
    teaches_it=pgettext_lazy("lesson", "You teach this lesson, so you do not start it as a student."),
    already_registered=pgettext_lazy("lesson", "You have already started this lesson."),
    not_registered=pgettext_lazy("lesson", "You have not started this lesson."),
    progress_needs_enrolment=pgettext_lazy("lesson", "Start the lesson to record your progress."),
    only_instructors_edit=pgettext_lazy("lesson", "Only the lesson's teachers can change it."),
    only_instructors_live=pgettext_lazy("lesson", "Only the lesson's teachers can schedule live sessions."),
    only_instructors_assignments=pgettext_lazy("lesson", "Only the lesson's teachers can change its assignments."),
    only_instructors_grade=pgettext_lazy("lesson", "Only the lesson's teachers can mark the work."),
    co_instructor_already=pgettext_lazy("lesson", "%(name)s teaches the lesson already."),
    co_instructor_cannot=pgettext_lazy("lesson", "%(name)s does not teach in %(unit)s, so cannot teach the lesson."),
    only_instructors_give=pgettext_lazy("lesson", "Only the lesson's teachers can give it to a whole class or group."),
    only_instructors_take_back=pgettext_lazy(
        "lesson", "Only the lesson's teachers can take it back from a class or group."
    ),
    audience_help=pgettext_lazy("lesson", "Who may see the lesson and start it, besides its teachers."),
    purpose_help=pgettext_lazy(
        "lesson",
        "What students will gain, what is required of them, and what they must hand in. "
        "A draft may be saved without it; it is needed to publish.",
    ),
    saved=pgettext_lazy("lesson", "The lesson is saved."),
    published=pgettext_lazy("lesson", "The lesson is published: its students can start it."),
    reopened=pgettext_lazy("lesson", "The lesson is open again."),
    closed_done=pgettext_lazy("lesson", "The lesson is closed: it stays readable, but nobody can start it any more."),
    no_purpose_note=pgettext_lazy(
        "lesson",
        "This draft has no purpose and requirements yet. Students need them: the lesson cannot be "
        "published until you write them.",
    ),
    no_work=pgettext_lazy("lesson", "This lesson asks for no work yet."),
    note_label=pgettext_lazy("lesson", "Note for the teacher (optional)"),
    graded_no_remove=pgettext_lazy(
        "lesson", "This submission has been marked, so it can no longer be removed. Ask the teacher."
    ),
    unit_given=pgettext_lazy(
        "lesson", "%(added)d people of %(unit)s have started the lesson; %(already)d had started already or had left."
    ),
    unit_taken_back=pgettext_lazy(
        "lesson",
        "The lesson is no longer given to %(unit)s: %(ended)d students who came with it stopped; "
        "what they did is kept.",
    ),
    unit_take_back_confirm=pgettext_lazy(
        "lesson", "Stop giving this lesson to %(unit)s? Its students leave the lesson; what they did is kept."
    ),
    via_unit_note=pgettext_lazy(
        "lesson",
        "You started with %(unit)s. If you leave, you stay out even while you are in %(unit)s; "
        "you can start again yourself.",
    ),
    not_given=pgettext_lazy("lesson", "This lesson is not given to %(unit)s."),
    group_work_needs_group=pgettext_lazy(
        "lesson", "This is group work: join a learning group of the lesson first; its leader hands it in."
    ),
    group_leader_left=pgettext_lazy(
        "lesson",
        "The leader of %(group)s has left the lesson, so nobody can hand in the group's work yet. "
        "Ask the teacher to name a new group leader; nothing you did is lost.",
    ),
    group_leader_missing=pgettext_lazy(
        "lesson",
        "The group's leader has left the lesson or no longer has an active account. "
        "Name a new leader among the members below.",
    ),
    no_units=pgettext_lazy("lesson", "There is no class or professional group among those the lesson is for."),
    choose_unit=pgettext_lazy("lesson", "Choose a class or professional group among those the lesson is for."),
    group_register_refused=pgettext_lazy(
        "lesson", "Only group leaders, school managers and the lesson's teachers can register a learning group."
    ),
    group_name_taken=pgettext_lazy("lesson", "This lesson already has a group named %(name)s."),
    group_not_in_audience=pgettext_lazy(
        "lesson", "Not among those the lesson is for, or not from that school or cluster: %(names)s."
    ),
    group_in_another=pgettext_lazy("lesson", "Already in another learning group of this lesson: %(names)s."),
    group_leader_refused=pgettext_lazy(
        "lesson", "Only the lesson's teachers or the group's members can name its leader."
    ),
    group_has_leader=pgettext_lazy(
        "lesson", "The group has an active leader: ask the lesson's teachers to change the leader."
    ),
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
    catalogue=pgettext_lazy("topic", "Topics"),
    removed_note=pgettext_lazy(
        "topic",
        "The topic, its sections, assignments, submissions and discussion disappear for participants. Nothing "
        "is erased: those in charge of it and the unit that owns it can restore it from the trash.",
    ),
    submission_removed_note=pgettext_lazy(
        "topic",
        "This version of the work disappears; the previous version, if there is one, becomes the current one "
        "again. Those in charge and the unit can restore it.",
    ),
    removed_banner=pgettext_lazy("topic", "Removed on %(when)s by %(who)s. Participants no longer see it."),
    live_notice=pgettext_lazy(
        "topic", "Participants are notified. They see a “Join” button from 15 minutes before the start."
    ),
    live_needs_enrolment=pgettext_lazy("topic", "Join the topic to take part."),
    co_instructors_note=pgettext_lazy(
        "topic",
        "Those also in charge change the topic, its sections and assignments, and review the work, like its "
        "author (%(author)s). Only the author chooses them.",
    ),
    co_instructor_remove=pgettext_lazy("topic", "Remove %(name)s from those in charge?"),
    co_instructor_none=pgettext_lazy("topic", "Nobody else is in charge yet."),
    co_instructor_add=pgettext_lazy("topic", "Add someone in charge from %(unit)s"),
    co_instructor_added=pgettext_lazy("topic", "%(name)s is now also in charge of the topic."),
    co_instructor_removed=pgettext_lazy("topic", "%(name)s is no longer in charge of the topic."),
    enrolled_with_count=ngettext_lazy("%(n)s participant came with it", "%(n)s participants came with it", "n"),
    source_self=pgettext_lazy("topic", "Joined on their own"),
    source_group=pgettext_lazy("topic", "Joined with a learning group"),
    source_class=pgettext_lazy("topic", "With their class"),
    source_prof_group=pgettext_lazy("topic", "With their professional group"),
    source_instructor=pgettext_lazy("topic", "Added by those in charge"),
    removed=pgettext_lazy("topic", "This topic has been removed."),
    teaches_it=pgettext_lazy("topic", "You are in charge of this topic, so you do not join it as a participant."),
    already_registered=pgettext_lazy("topic", "You have already joined this topic."),
    not_registered=pgettext_lazy("topic", "You have not joined this topic."),
    progress_needs_enrolment=pgettext_lazy("topic", "Join the topic to record your progress."),
    only_instructors_edit=pgettext_lazy("topic", "Only those in charge of the topic can change it."),
    only_instructors_live=pgettext_lazy("topic", "Only those in charge of the topic can schedule live sessions."),
    only_instructors_assignments=pgettext_lazy(
        "topic", "Only those in charge of the topic can change its assignments."
    ),
    only_instructors_grade=pgettext_lazy("topic", "Only those in charge of the topic can review the work."),
    co_instructor_already=pgettext_lazy("topic", "%(name)s is in charge of the topic already."),
    co_instructor_cannot=pgettext_lazy(
        "topic", "%(name)s does not teach in %(unit)s, so cannot be in charge of the topic."
    ),
    only_instructors_give=pgettext_lazy(
        "topic", "Only those in charge of the topic can give it to a whole class or group."
    ),
    only_instructors_take_back=pgettext_lazy(
        "topic", "Only those in charge of the topic can take it back from a class or group."
    ),
    audience_help=pgettext_lazy("topic", "Who may see the topic and join it, besides those in charge."),
    purpose_help=pgettext_lazy(
        "topic",
        "What participants will gain, what is required of them, and what they must hand in. "
        "A draft may be saved without it; it is needed to publish.",
    ),
    saved=pgettext_lazy("topic", "The topic is saved."),
    published=pgettext_lazy("topic", "The topic is published: those it is open to can join it."),
    reopened=pgettext_lazy("topic", "The topic is open again."),
    closed_done=pgettext_lazy("topic", "The topic is closed: it stays readable, but nobody can join any more."),
    no_purpose_note=pgettext_lazy(
        "topic",
        "This draft has no purpose and requirements yet. Participants need them: the topic cannot be "
        "published until you write them.",
    ),
    no_work=pgettext_lazy("topic", "This topic asks for no work yet."),
    note_label=pgettext_lazy("topic", "Note for those in charge (optional)"),
    graded_no_remove=pgettext_lazy(
        "topic", "This submission has been reviewed, so it can no longer be removed. Ask those in charge."
    ),
    unit_given=pgettext_lazy(
        "topic", "%(added)d people of %(unit)s have joined the topic; %(already)d had joined already or had left."
    ),
    unit_taken_back=pgettext_lazy(
        "topic",
        "The topic is no longer given to %(unit)s: %(ended)d participants who came with it stopped; "
        "what they did is kept.",
    ),
    unit_take_back_confirm=pgettext_lazy(
        "topic", "Stop giving this topic to %(unit)s? Its members leave the topic; what they did is kept."
    ),
    via_unit_note=pgettext_lazy(
        "topic",
        "You joined with %(unit)s. If you leave, you stay out even while you are in %(unit)s; "
        "you can join again yourself.",
    ),
    not_given=pgettext_lazy("topic", "This topic is not given to %(unit)s."),
    group_work_needs_group=pgettext_lazy(
        "topic", "This is group work: join a learning group of the topic first; its leader hands it in."
    ),
    group_leader_left=pgettext_lazy(
        "topic",
        "The leader of %(group)s has left the topic, so nobody can hand in the group's work yet. "
        "Ask those in charge to name a new group leader; nothing you did is lost.",
    ),
    group_leader_missing=pgettext_lazy(
        "topic",
        "The group's leader has left the topic or no longer has an active account. "
        "Name a new leader among the members below.",
    ),
    no_units=pgettext_lazy("topic", "There is no class or professional group among those the topic is open to."),
    choose_unit=pgettext_lazy("topic", "Choose a class or professional group among those the topic is open to."),
    group_register_refused=pgettext_lazy(
        "topic", "Only group leaders, school managers and those in charge of the topic can register a learning group."
    ),
    group_name_taken=pgettext_lazy("topic", "This topic already has a group named %(name)s."),
    group_not_in_audience=pgettext_lazy(
        "topic", "Not among those the topic is open to, or not from that school or cluster: %(names)s."
    ),
    group_in_another=pgettext_lazy("topic", "Already in another learning group of this topic: %(names)s."),
    group_leader_refused=pgettext_lazy(
        "topic", "Only those in charge of the topic or the group's members can name its leader."
    ),
    group_has_leader=pgettext_lazy(
        "topic", "The group has an active leader: ask those in charge of the topic to change the leader."
    ),
)

WORDS = {"training": TRAINING, "lesson": LESSON, "topic": TOPIC}

# The questions forum (Hỏi – Đáp) of a lesson or topic, replacing the forum engine's words about
# instructors (forums/words.py QUESTION_WORDS); a training course keeps the engine's.
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
        "published": pgettext_lazy("lesson", "The question and its answers are now visible to the whole class."),
        "already_visible": pgettext_lazy("lesson", "This question is already visible to the class."),
        "publish_refused": pgettext_lazy("lesson", "Only the teachers can make a question visible to the class."),
        "accept_refused": pgettext_lazy(
            "lesson", "Only the student who asked or the teachers can choose the accepted answer."
        ),
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
        "published": pgettext_lazy("topic", "The question and its answers are now visible to all participants."),
        "already_visible": pgettext_lazy("topic", "This question is already visible to all participants."),
        "publish_refused": pgettext_lazy(
            "topic", "Only those in charge can make a question visible to all participants."
        ),
        "accept_refused": pgettext_lazy(
            "topic", "Only the person who asked or those in charge can choose the accepted answer."
        ),
    },
}


def course_words(kind: str) -> CourseWords:
    """The words for a course of this kind (a training course's for an unknown kind)."""
    return WORDS.get(kind, TRAINING)


def forum_words(kind: str) -> dict:
    """The questions forum's words for a course of this kind ({} keeps the forum engine's)."""
    return FORUM_WORDS.get(kind, {})
