"""Every write of the timetable (thời khóa biểu, issue #17 point 3): a class's timetable in force from a
date (a newer one replaces it from its own date; the older stays for history), and its slots: day,
session, period, subject, teacher and at most one link (a plan lesson, a live session, an LMS lesson or a
plain http(s) link: "làm đường link gắn vào TKB").

The rules every write shares (the editing page and the import alike):
- the subject is one of the class's grade in the programme of the year (the grade book's subject rules),
  written as schools write it ("Văn", "Anh", "KHTN", "Chào cờ": `subject_of_grade`);
- the teacher teaches at the class's school;
- a teacher is in one class at a time: the same day, session and period of another class's timetable in
  force on the same date is refused (`teacher_clash`);
- a link is only http:// or https:// (never javascript: or data:), also refused by the database.
"""

from dataclasses import dataclass
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from gradebook.selectors import school_teachers
from gradebook.services import current_school_year, rules_of_year
from truonghoc.softdelete import alive_q
from truonghoc.text import fold, nfc
from units.models import Unit
from units.services import audit_log

from .models import MAX_PERIOD, DaySession, LessonMode, PlanLesson, Timetable, TimetableSlot, Weekday
from .permissions import can_edit_timetable
from .services import _link, regulation_of_grade

K = Unit.Kind

# How schools write subjects in a timetable, folded, to the programme's names (the first one the grade has).
SUBJECT_ALIASES = {
    "van": ["Ngữ văn"],
    "tieng viet": ["Tiếng Việt"],
    "anh": ["Ngoại ngữ 1"],
    "tieng anh": ["Ngoại ngữ 1"],
    "nn1": ["Ngoại ngữ 1"],
    "ngoai ngu": ["Ngoại ngữ 1"],
    "gdcd": ["Giáo dục công dân"],
    "gdktpl": ["Giáo dục kinh tế và pháp luật (lựa chọn)"],
    "su": ["Lịch sử", "Lịch sử và Địa lí"],
    "dia": ["Địa lí (lựa chọn)", "Lịch sử và Địa lí"],
    "ls-dl": ["Lịch sử và Địa lí"],
    "ls&dl": ["Lịch sử và Địa lí"],
    "su - dia": ["Lịch sử và Địa lí"],
    "khtn": ["Khoa học tự nhiên"],
    "ly": ["Vật lí (lựa chọn)", "Khoa học tự nhiên"],
    "hoa": ["Hóa học (lựa chọn)", "Khoa học tự nhiên"],
    "sinh": ["Sinh học (lựa chọn)", "Khoa học tự nhiên"],
    "tin": ["Tin học", "Tin học (lựa chọn)", "Tin học và Công nghệ"],
    "cn": ["Công nghệ", "Công nghệ (lựa chọn)"],
    "td": ["Giáo dục thể chất"],
    "the duc": ["Giáo dục thể chất"],
    "gdtc": ["Giáo dục thể chất"],
    "gdqp": ["Giáo dục quốc phòng và an ninh"],
    "nhac": ["Âm nhạc (lựa chọn)", "Nghệ thuật (Âm nhạc, Mĩ thuật)"],
    "am nhac": ["Âm nhạc (lựa chọn)", "Nghệ thuật (Âm nhạc, Mĩ thuật)"],
    "mi thuat": ["Mĩ thuật (lựa chọn)", "Nghệ thuật (Âm nhạc, Mĩ thuật)"],
    "my thuat": ["Mĩ thuật (lựa chọn)", "Nghệ thuật (Âm nhạc, Mĩ thuật)"],
    "nghe thuat": ["Nghệ thuật (Âm nhạc, Mĩ thuật)"],
    "hdtn": ["Hoạt động trải nghiệm, hướng nghiệp", "Hoạt động trải nghiệm"],
    "chao co": ["Hoạt động trải nghiệm, hướng nghiệp", "Hoạt động trải nghiệm"],
    "shl": ["Hoạt động trải nghiệm, hướng nghiệp", "Hoạt động trải nghiệm"],
    "sinh hoat": ["Hoạt động trải nghiệm, hướng nghiệp", "Hoạt động trải nghiệm"],
    "sinh hoat lop": ["Hoạt động trải nghiệm, hướng nghiệp", "Hoạt động trải nghiệm"],
    "gddp": ["Nội dung giáo dục của địa phương"],
}


class LinkKind:
    """What a slot links to (the editing form's choice)."""

    NONE = ""
    PLAN_LESSON = "plan_lesson"
    LIVE = "live"
    LMS = "lms"
    URL = "url"
    ALL = (NONE, PLAN_LESSON, LIVE, LMS, URL)


def grade_subjects(school_year: str, grade: int) -> list[str]:
    """The programme's subjects of a grade in a school year (the grade book's rules; cached per process)."""
    regulation = regulation_of_grade(grade)
    return [s for (reg, g, s) in rules_of_year(school_year) if reg == regulation and g == grade]


def subject_of_grade(text: str, *, school_year: str, grade: int) -> str:
    """The programme's name of the subject written `text` for a grade: its exact name, a name schools
    use ("Văn", "KHTN", "Chào cờ"), or the one subject whose name starts so ("Tin" → "Tin học").
    Refused with a message naming the grade otherwise."""
    subjects = grade_subjects(school_year, grade)
    folded = fold(nfc(text)).strip()
    by_fold = {fold(s): s for s in subjects}
    if folded in by_fold:
        return by_fold[folded]
    for candidate in SUBJECT_ALIASES.get(folded, []):
        if candidate in subjects:
            return candidate
    starting = [s for f, s in by_fold.items() if folded and f.startswith(folded)]
    if len(starting) == 1:
        return starting[0]
    raise ValidationError(
        _("%(subject)s is not a subject of grade %(grade)s in the school year %(year)s.")
        % {"subject": text.strip() or "?", "grade": grade, "year": school_year}
    )


def valid_link_url(url: str) -> str:
    """An http(s) address, or the refusal (a javascript:, data: or file: link never reaches a pupil)."""
    url = (url or "").strip()
    try:
        URLValidator(schemes=["http", "https"])(url)
    except ValidationError:
        raise ValidationError(
            {"link_url": [_("The link must be a web address starting with http:// or https://.")]}
        ) from None
    return url


def in_force_q_subquery(day: date):
    """Per class (OuterRef "timetable__school_class_id"): the id of its timetable in force on `day`."""
    return Subquery(
        Timetable.objects.filter(school_class_id=OuterRef("timetable__school_class_id"), valid_from__lte=day)
        .order_by("-valid_from", "-id")
        .values("pk")[:1]
    )


def teacher_clash(*, timetable: Timetable, teacher_id: int, weekday: int, session: str, period: int) -> str | None:
    """The name of another class where the teacher already teaches at that time, in the timetables in force
    on `timetable.valid_from` (one query), or None."""
    same_time = {"teacher_id": teacher_id, "weekday": weekday, "session": session, "period": period}
    rows = (
        TimetableSlot.objects.filter(timetable__school=timetable.school_id, **same_time)
        .exclude(timetable__school_class_id=timetable.school_class_id)
        .annotate(in_force=in_force_q_subquery(timetable.valid_from))
        .values_list("timetable_id", "in_force", "timetable__school_class__name")
    )
    for timetable_id, in_force, name in rows:
        if timetable_id == in_force:
            return name
    return None


def _may_edit(actor, school: Unit) -> None:
    if not can_edit_timetable(actor, school):
        raise PermissionDenied(_("Only the school admin, the principal or a vice-principal edits the timetable."))


@transaction.atomic
def timetable_create(*, actor, school_class: Unit, valid_from: date, copy: bool = True) -> Timetable:
    """A new timetable of the class, in force from `valid_from`; with `copy`, it starts as a copy of the
    one in force the day before (the school changes a few slots, not the whole week). Audited."""
    if school_class.kind != K.CLASS or not school_class.is_active:
        raise ValidationError(_("%(name)s is not an open class.") % {"name": school_class})
    school = Unit.objects.get(path=school_class.school_path)
    _may_edit(actor, school)
    if not isinstance(valid_from, date):
        raise ValidationError({"valid_from": [_("Give the date the timetable applies from.")]})
    if Timetable.objects.filter(school_class=school_class, valid_from=valid_from).exists():
        raise ValidationError(
            {"valid_from": [_("This class already has a timetable from %(day)s.") % {"day": f"{valid_from:%d/%m/%Y}"}]}
        )
    earlier = (
        Timetable.objects.filter(school_class=school_class, valid_from__lt=valid_from)
        .order_by("-valid_from", "-id")
        .first()
    )
    timetable = Timetable.objects.create(
        school=school, school_class=school_class, school_year=current_school_year(school, valid_from),
        valid_from=valid_from, created_by=actor,
    )  # fmt: skip
    if copy and earlier is not None:
        TimetableSlot.objects.bulk_create([_copy(s, timetable) for s in earlier.slots.all()])
    audit_log(
        actor=actor, action="teaching.timetable_create", unit=school, target=timetable,
        after={"class": school_class.name, "valid_from": valid_from.isoformat(), "copied_from": earlier and earlier.pk},
    )  # fmt: skip
    return timetable


def _copy(slot: TimetableSlot, timetable: Timetable) -> TimetableSlot:
    fields = ("weekday", "session", "period", "subject", "teacher_id", "plan_lesson_id", "live_session_id",
              "section_id", "link_url")  # fmt: skip
    return TimetableSlot(timetable=timetable, **{name: getattr(slot, name) for name in fields})


@dataclass
class SlotInput:
    """What a slot says, as the form or a file gives it."""

    subject: str
    teacher_id: int | None = None
    link_kind: str = LinkKind.NONE
    plan_lesson_id: int | None = None
    live_session_id: int | None = None
    section_id: int | None = None
    link_url: str = ""


def _place(weekday, session, period) -> None:
    if weekday not in Weekday.values:
        raise ValidationError(_("The day is Monday to Saturday."))
    if session not in DaySession.values:
        raise ValidationError(_("The session is morning or afternoon."))
    if not (isinstance(period, int) and 1 <= period <= MAX_PERIOD):
        raise ValidationError(_("The period is a number from 1 to %(max)s.") % {"max": MAX_PERIOD})


def _plan_lesson(school: Unit, pk) -> PlanLesson:
    lesson = PlanLesson.objects.filter(alive_q("plan__"), pk=pk, plan__school=school).select_related("plan").first()
    if lesson is None:
        raise ValidationError({"plan_lesson": [_("Choose a lesson of a teaching plan of this school.")]})
    return lesson


@transaction.atomic
def slot_set(
    *, actor, timetable: Timetable, weekday: int, session: str, period: int, values: SlotInput
) -> TimetableSlot:
    """Write one slot of the week (a new lesson or a change). Refused with the field's message, nothing
    written: a subject the grade does not have, a teacher of another school, a teacher already in another
    class then, a link that is not of this school or not an http(s) address."""
    school_class = timetable.school_class
    _may_edit(actor, timetable.school)
    _place(weekday, session, period)
    subject = subject_of_grade(values.subject, school_year=timetable.school_year, grade=school_class.grade)
    teacher_id = values.teacher_id
    if teacher_id is not None:
        if not school_teachers(school=timetable.school).filter(pk=teacher_id).exists():
            raise ValidationError({"teacher": [_("Choose a teacher of this school.")]})
        clash = teacher_clash(
            timetable=timetable, teacher_id=teacher_id, weekday=weekday, session=session, period=period
        )
        if clash:
            raise ValidationError(
                {"teacher": [_("This teacher already teaches %(name)s at that time.") % {"name": clash}]}
            )
    links = {"plan_lesson": None, "live_session": None, "section": None, "link_url": ""}
    kind = values.link_kind
    if kind not in LinkKind.ALL:
        raise ValidationError({"link_kind": [_("Choose what the slot links to.")]})
    if kind == LinkKind.PLAN_LESSON:
        links["plan_lesson"] = _plan_lesson(timetable.school, values.plan_lesson_id)
    elif kind == LinkKind.LIVE:
        if not values.live_session_id:
            raise ValidationError({"live_session": [_("Choose a live session of a course of this school.")]})
        links["live_session"], _unused = _link(timetable.school, LessonMode.LIVE, values.live_session_id, None)
    elif kind == LinkKind.LMS:
        if not values.section_id:
            raise ValidationError({"section": [_("Choose a section of a course of this school.")]})
        _unused, links["section"] = _link(timetable.school, LessonMode.LMS, None, values.section_id)
    elif kind == LinkKind.URL:
        links["link_url"] = valid_link_url(values.link_url)
    slot = (
        TimetableSlot.objects.select_for_update()
        .filter(timetable=timetable, weekday=weekday, session=session, period=period)
        .first()
    )
    before = _slot_values(slot) if slot else None
    if slot is None:
        slot = TimetableSlot(timetable=timetable, weekday=weekday, session=session, period=period)
    slot.subject, slot.teacher_id = subject, teacher_id
    for name, value in links.items():
        setattr(slot, name, value)
    slot.full_clean(validate_unique=False)
    slot.save()
    _touch(timetable)
    audit_log(
        actor=actor, action="teaching.timetable_slot_set", unit=timetable.school, target=timetable,
        before=before, after=_slot_values(slot),
    )  # fmt: skip
    return slot


@transaction.atomic
def slot_clear(*, actor, timetable: Timetable, weekday: int, session: str, period: int) -> bool:
    """No lesson in that slot any more (True when there was one)."""
    _may_edit(actor, timetable.school)
    slot = TimetableSlot.objects.filter(timetable=timetable, weekday=weekday, session=session, period=period).first()
    if slot is None:
        return False
    before = _slot_values(slot)
    slot.delete()
    _touch(timetable)
    audit_log(
        actor=actor, action="teaching.timetable_slot_clear", unit=timetable.school, target=timetable, before=before
    )
    return True


def _touch(timetable: Timetable) -> None:
    timetable.updated_at = timezone.now()
    timetable.save(update_fields=["updated_at"])


def _slot_values(slot: TimetableSlot) -> dict:
    return {
        "day": slot.weekday, "session": slot.session, "period": slot.period, "subject": slot.subject,
        "teacher": slot.teacher_id, "plan_lesson": slot.plan_lesson_id, "live_session": slot.live_session_id,
        "section": slot.section_id, "link": slot.link_url,
    }  # fmt: skip
