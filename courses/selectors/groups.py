"""Reads of a professional group's space: its members, topics and products, each teacher's figures for the
semester, and everything posted month by month. Each read is a fixed number of queries however many
people and posts the group has."""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db.models import Count, Q, QuerySet
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from forums.models import Post
from truonghoc.softdelete import alive_q
from units.models import Role, RoleAssignment, Unit
from units.permissions import TEACHING_ROLES

from ..models import COUNTED_STATUSES, Course, Product

MONTHS_PER_PAGE = 12


@dataclass
class Member:
    user: object
    is_leader: bool = False
    topics: int = 0  # posted this period, whatever their quality
    real_topics: int = 0  # proper ones only
    flagged_topics: int = 0
    products: int = 0
    needs_product: bool = False


def group_members(*, group: Unit) -> list[Member]:
    """The teachers and leaders of the group (roles held at the group), leaders first, then by given name."""
    members: dict[int, Member] = {}
    for assignment in (
        RoleAssignment.objects.filter(unit=group, role__in=sorted(TEACHING_ROLES), user__is_active=True)
        .select_related("user")
        .order_by("user__name_sort", "user_id")
    ):
        member = members.setdefault(assignment.user_id, Member(user=assignment.user))
        member.is_leader = member.is_leader or assignment.role == Role.GROUP_LEADER
    return sorted(members.values(), key=lambda m: (not m.is_leader, m.user.name_sort))


def _aware(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def group_semester(*, group: Unit, period, product_target: Decimal = Decimal(1)) -> list[Member]:
    """Each member's topics (proper and flagged) and products posted in the period; `needs_product` marks
    those below the products-per-teacher target. Three queries."""
    members = group_members(group=group)
    start, end = _aware(period.start), _aware(period.end + timedelta(days=1))
    ids = [m.user.pk for m in members]
    topics = {
        row["author_id"]: row
        for row in Course.objects.counted_topics()
        .filter(unit=group, author_id__in=ids, created_at__gte=start, created_at__lt=end)
        .values("author_id")
        .annotate(n=Count("id"), real=Count("id", filter=Q(quality=Course.Quality.OK)))
        .order_by()
    }
    products = dict(
        Product.objects.alive()
        .filter(unit=group, author_id__in=ids, created_at__gte=start, created_at__lt=end)
        .values("author_id")
        .annotate(n=Count("id"))
        .order_by()
        .values_list("author_id", "n")
    )
    for member in members:
        row = topics.get(member.user.pk, {"n": 0, "real": 0})
        member.topics, member.real_topics = row["n"], row["real"]
        member.flagged_topics = member.topics - member.real_topics
        member.products = products.get(member.user.pk, 0)
        member.needs_product = member.products < product_target
    return members


def group_topics(*, group: Unit, user) -> QuerySet[Course]:
    """The group's topics: the posted ones, and the viewer's own drafts. Removed ones are in the trash."""
    visible = Q(status__in=COUNTED_STATUSES)
    if getattr(user, "is_authenticated", False):
        visible |= Q(author=user)
    return (
        Course.objects.alive()
        .filter(visible, kind=Course.Kind.TOPIC, unit=group)
        .select_related("author", "duplicate_of")
        .order_by("-created_at", "-id")
    )


def flagged_topic_count(*, group: Unit) -> int:
    return Course.objects.counted_topics().filter(unit=group).exclude(quality=Course.Quality.OK).count()


def group_products(*, group: Unit) -> QuerySet[Product]:
    return Product.objects.alive().filter(unit=group).select_related("author", "topic").order_by("-created_at", "-id")


def product_topic_choices(*, group: Unit) -> QuerySet[Course]:
    return Course.objects.counted_topics().filter(unit=group).order_by("-created_at", "-id")


# --- by month -------------------------------------------------------------------------------------


@dataclass
class Item:
    when: datetime
    kind: str  # "topic", "product", "post"
    title: str
    url: str
    flag: str = ""  # a topic's quality when it is not a proper one


@dataclass
class TeacherMonth:
    user: object
    items: list[Item] = field(default_factory=list)


@dataclass
class Month:
    start: date
    teachers: list[TeacherMonth] = field(default_factory=list)

    @property
    def count(self) -> int:
        return sum(len(t.items) for t in self.teachers)


def month_start(day: date, back: int = 0) -> date:
    """The first day of the month `back` months before `day`'s month."""
    index = day.year * 12 + day.month - 1 - back
    return date(index // 12, index % 12 + 1, 1)


def group_by_month(*, group: Unit, last_month: date, months: int = MONTHS_PER_PAGE) -> list[Month]:
    """Month → teacher → dated items (topics, products, posts in the group's forums) for `months` months
    ending with `last_month`, newest month first. Three queries."""
    first = month_start(last_month, months - 1)
    start, end = _aware(first), _aware(month_start(last_month, -1))
    items: list[tuple[object, Item]] = []
    for topic in (
        Course.objects.counted_topics()
        .filter(unit=group, author__isnull=False, created_at__gte=start, created_at__lt=end)
        .select_related("author")
    ):
        flag = topic.get_quality_display() if topic.quality != Course.Quality.OK else ""
        items.append((topic.author, Item(topic.created_at, "topic", topic.title, _course_url(topic), flag)))
    for product in (
        Product.objects.alive().filter(unit=group, created_at__gte=start, created_at__lt=end).select_related("author")
    ):
        url = reverse("courses:product", args=[product.pk])
        items.append((product.author, Item(product.created_at, "product", product.title, url)))
    for post in (
        Post.objects.alive()
        .filter(
            alive_q("thread__"),
            thread__forum__unit=group,
            thread__is_public=True,
            is_hidden=False,
            created_at__gte=start,
            created_at__lt=end,
        )
        .select_related("author", "thread")
    ):
        url = reverse("forums:post", args=[post.pk])
        items.append((post.author, Item(post.created_at, "post", post.thread.title, url)))

    by_month: dict[date, dict[int, TeacherMonth]] = {}
    for user, item in items:
        local = timezone.localtime(item.when).date()
        teachers = by_month.setdefault(local.replace(day=1), {})
        teachers.setdefault(user.pk, TeacherMonth(user=user)).items.append(item)
    result = []
    for n in range(months):
        start_of = month_start(last_month, n)
        teachers = sorted(by_month.get(start_of, {}).values(), key=lambda t: t.user.name_sort)
        for teacher in teachers:
            teacher.items.sort(key=lambda i: i.when)
        result.append(Month(start=start_of, teachers=teachers))
    return result


def _course_url(course: Course) -> str:
    try:
        return reverse("courses:course", args=[course.pk])
    except NoReverseMatch:  # the course page is another module's; without it the title still shows
        return ""
