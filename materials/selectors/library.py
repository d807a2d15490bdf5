"""Finding learning materials: the library's search, filters, sorts and pages, over only the items the
visitor may see.

The search runs on `Material.search_text` (folded title, subject, topic, "lop N" and description, kept by
the services): every word of the query must appear in it, so accents and word order do not matter. On
PostgreSQL a trigram GIN index (migration 0002) answers those LIKE '%word%' filters. Pages are fetched
one row past their size instead of counting every match: a COUNT(*) over a common word would cost more
than the page itself.
"""

import re

from django.db.models import F, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from truonghoc.paging import MAX_PAGE, Page, count_free_page, page_number  # noqa: F401 (views page here)
from truonghoc.params import parse_id, parse_int
from truonghoc.text import fold
from units.models import Unit

from ..models import Kind, Material, MaterialVersion
from ..permissions import ancestor_paths, materials_visible_q

PAGE_SIZE = 20
MAX_WORDS = 8
GRADES = tuple(range(1, 13))

# The subjects of the 2018 general-education programme, offered in the subject filter.
SUBJECTS = (
    "Toán",
    "Ngữ văn",
    "Tiếng Việt",
    "Tiếng Anh",
    "Vật lí",
    "Hóa học",
    "Sinh học",
    "Khoa học tự nhiên",
    "Lịch sử",
    "Địa lí",
    "Lịch sử và Địa lí",
    "Giáo dục công dân",
    "Tin học",
    "Công nghệ",
    "Âm nhạc",
    "Mĩ thuật",
    "Giáo dục thể chất",
    "Hoạt động trải nghiệm",
    "Tự nhiên và Xã hội",
    "Đạo đức",
)


class Sharing:
    """How far an item is shared: the kind of its `shared_with` unit."""

    SCHOOL = "school"
    OFFICE = "office"
    DEPARTMENT = "department"
    MINISTRY = "ministry"
    CHOICES = (
        (SCHOOL, _("Within a school")),
        (OFFICE, _("Office-wide")),
        (DEPARTMENT, _("Department-wide")),
        (MINISTRY, _("Nationwide")),
    )
    KINDS = {
        SCHOOL: (Unit.Kind.SCHOOL, Unit.Kind.UNIVERSITY),
        OFFICE: (Unit.Kind.OFFICE,),
        DEPARTMENT: (Unit.Kind.DEPARTMENT,),
        MINISTRY: (Unit.Kind.MINISTRY,),
    }

    @classmethod
    def of(cls, unit: Unit | None) -> str:
        if unit is None:
            return ""
        return next((level for level, kinds in cls.KINDS.items() if unit.kind in kinds), "")

    @classmethod
    def label(cls, level: str) -> str:
        return dict(cls.CHOICES).get(level, "")


class Sort:
    NEWEST = "newest"
    POPULAR = "popular"
    CHOICES = ((NEWEST, _("Newest")), (POPULAR, _("Most used")))


_WORD = re.compile(r"\w+")


def search_words(query: str) -> list[str]:
    """Folded words of a query; one-letter words match nearly everything and are dropped, except digits."""
    words = []
    for word in _WORD.findall(fold(query)):
        if (len(word) > 1 or word.isdigit()) and word not in words:
            words.append(word)
    return words[:MAX_WORDS]


def grade_from_words(words: list[str]) -> tuple[int | None, list[str]]:
    """ "lop 6" / "khoi 6" in a query is the grade 6 filter, not two words: as text, "1" would also find
    grades 10, 11 and 12. Returns (grade or None, the other words)."""
    for i, word in enumerate(words[:-1]):
        following = words[i + 1]
        if word in ("lop", "khoi") and (grade := parse_int(following, minimum=1, maximum=12)) is not None:
            return grade, words[:i] + words[i + 2 :]
    return None, words


# What a list row (the library's, the bank's) shows of the unit an item was made in, the unit it is
# shared with and its author: loaded with .only() so a page reads no other column of them.
ROW_PEOPLE_AND_UNITS = (
    "unit__id",
    "unit__name",
    "unit__kind",
    "shared_with__id",
    "shared_with__name",
    "shared_with__kind",
    "author__id",
    "author__full_name",
)


def library_search(
    *,
    user,
    q: str = "",
    subject: str = "",
    grade: int | None = None,
    kind: str = "",
    unit: Unit | None = None,
    sharing: str = "",
    sort: str = Sort.NEWEST,
) -> QuerySet[Material]:
    """The items the user may see that match every word of `q` and the filters, newest or most used first."""
    items = Material.objects.filter(materials_visible_q(user))
    grade_said, words = grade_from_words(search_words(q))
    for word in words:
        items = items.filter(search_text__contains=word)
    if subject:
        items = items.filter(subject=subject)
    grade = grade or grade_said
    if grade:
        items = items.filter(grade=grade)
    if kind:
        items = items.filter(kind=kind)
    if unit is not None:
        # Made in the unit or anywhere below it (a school's groups, an Office's schools).
        items = items.filter(unit__in=Unit.objects.below(unit).values("pk"))
    if sharing in Sharing.KINDS:
        items = items.filter(shared_with__kind__in=Sharing.KINDS[sharing])
    if sort == Sort.POPULAR:
        order = [(F("download_count") + F("view_count")).desc(), F("id").desc()]
    else:
        # Drafts (the author's own, never approved) come after the approved items.
        order = [F("approved_at").desc(nulls_last=True), F("id").desc()]
    return (
        items.select_related("unit", "shared_with", "author")
        .only(
            "id",
            "kind",
            "title",
            "subject",
            "grade",
            "topic",
            "view_count",
            "download_count",
            "created_at",
            "updated_at",
            "approved_at",
            "live_version_id",
            *ROW_PEOPLE_AND_UNITS,
        )
        .order_by(*order)
    )


def library_page(items: QuerySet[Material], *, number: int = 1, size: int = PAGE_SIZE) -> Page:
    """One page in one query (truonghoc.paging), each item with its sharing label and icon."""
    page = count_free_page(items, number=number, size=size)
    for item in page.items:
        item.sharing = Sharing.of(item.shared_with)
        item.sharing_label = Sharing.label(item.sharing)
        item.icon = KIND_ICONS.get(item.kind, "bi-file-earmark")
    return page


def library_units(*, user, chosen=None) -> list[Unit]:
    """Units offered in the "made in" filter: those at and above the person's own (their group, school,
    Office, Department, the Ministry). `chosen` (an id from a shared link) is added when it names
    another unit; what is listed stays limited by what the person may see."""
    offered = Q(path__in=sorted(ancestor_paths(user)), kind__in=[k for k in Unit.Kind.values if k != Unit.Kind.CLASS])
    if chosen_pk := parse_id(chosen):
        offered |= Q(pk=chosen_pk)
    return list(Unit.objects.filter(offered).only("id", "name", "kind", "path", "depth").order_by("path"))


def shown_version(material: Material) -> MaterialVersion | None:
    """What the item's page shows: its live (approved) version, or, before the first approval, its
    latest version (only its author and reviewers see such an item)."""
    if material.live_version_id:
        return material.live_version
    return material.versions.order_by("-number").first()


def used_items(*, user, version: MaterialVersion) -> list[Material]:
    """The library items a lesson uses that the user may open."""
    return list(version.uses.filter(materials_visible_q(user)).only("id", "title", "kind").order_by("title"))


def sharing_of(material: Material) -> tuple[str, str]:
    level = Sharing.of(material.shared_with)
    return level, Sharing.label(level)


KIND_ICONS = {
    Kind.VIDEO: "bi-camera-video",
    Kind.DOCUMENT: "bi-file-earmark-text",
    Kind.IMAGE: "bi-image",
    Kind.AUDIO: "bi-music-note-beamed",
    Kind.SIMULATION: "bi-joystick",
    Kind.ILLUSTRATIVE_LESSON: "bi-easel",
    Kind.INTERACTIVE_LESSON: "bi-ui-checks",
}
