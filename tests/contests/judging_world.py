"""A product round ready for judging, built for the judging tests (contests' own services for contests,
rounds and registrations live in branch ct_core; these rows are set up directly)."""

from datetime import timedelta
from decimal import Decimal
from types import SimpleNamespace

from django.core.files.base import ContentFile
from django.utils import timezone

from contests.models import (
    Band,
    Contest,
    Criterion,
    Level,
    Product,
    ProductVersion,
    Registration,
    Round,
    RoundEntry,
    Rubric,
    Team,
    TeamMember,
)
from tests.accounts.factories import make_person
from units.models import Role


def make_contest(*, organiser, by, slug="khkt-2026", title="Cuộc thi Khoa học kỹ thuật 2026"):
    now = timezone.now()
    return Contest.objects.create(
        title=title,
        slug=slug,
        organiser=organiser,
        registration_opens_at=now - timedelta(days=30),
        registration_closes_at=now - timedelta(days=10),
        created_by=by,
        status=Contest.Status.RUNNING,
    )


def make_round(contest, *, margin="2", judges=2, order=1, level=Level.DEPARTMENT):
    rubric = Rubric.objects.create(contest=contest, title="Tiêu chí chấm sản phẩm")
    content = Criterion.objects.create(rubric=rubric, position=1, title="Nội dung", weight=Decimal("2"),
                                       max_score=Decimal("10"))  # fmt: skip
    form = Criterion.objects.create(rubric=rubric, position=2, title="Hình thức", weight=Decimal("1"),
                                    max_score=Decimal("5"))  # fmt: skip
    Band.objects.create(criterion=content, label="Tốt", min_score=Decimal("8"), max_score=Decimal("10"))
    round_ = Round.objects.create(
        contest=contest,
        order=order,
        title=f"Vòng {order}: sản phẩm",
        level=level,
        kind=Round.Kind.PRODUCT,
        closes_at=timezone.now() - timedelta(days=1),
        rubric=rubric,
        judges_per_product=judges,
        disagreement_margin=Decimal(margin),
    )
    return round_, content, form


def enter_product(round_, *, person, school, title=None, rank_unit=None, team_members=()):
    """A registration (a person, or a team of `team_members` with `person` leading), its entry and a product
    with one version holding a small file whose name carries the author's name."""
    contest = round_.contest
    if team_members:
        team = Team.objects.create(contest=contest, name=f"Nhóm {person.full_name}", school=school)
        for member, member_school in [(person, school), *team_members]:
            TeamMember.objects.create(team=team, user=member, school=member_school, is_leader=member == person)
        registration = Registration.objects.create(contest=contest, team=team, school=school, registered_by=person)
    else:
        registration = Registration.objects.create(contest=contest, user=person, school=school, registered_by=person)
    entry = RoundEntry.objects.create(round=round_, registration=registration, rank_unit=rank_unit or contest.organiser)
    product = Product.objects.create(entry=entry, title=title or f"Sản phẩm của {person.full_name}", version_count=1)
    version = ProductVersion(product=product, number=1, title=product.title, description="Mô tả sản phẩm.",
                             submitted_by=person, file_name=f"{person.full_name} - bai du thi.pdf",
                             file_size=9)  # fmt: skip
    version.file.save(f"{person.username}-bai-du-thi.pdf", ContentFile(b"%PDF-1.4\n"), save=False)
    version.save()
    return product


def world(tree):
    """Department A runs a contest with a product round; students of S1, S2 and S3 hand in; teachers of the
    three schools and an Office's staff judge."""
    organiser = make_person(unit=tree.dept_a, role=Role.DEPARTMENT_STAFF, full_name="Trần Văn Tổ Chức")
    contest = make_contest(organiser=tree.dept_a, by=organiser)
    round_, content, form = make_round(contest)
    students = {
        "s1": make_person(unit=tree.c1, role=Role.STUDENT, full_name="Nguyễn Thị Tác Giả"),
        "s2": make_person(unit=tree.s2, role=Role.STUDENT, full_name="Lê Văn Học Trò"),
        "s3": make_person(unit=tree.s3, role=Role.STUDENT, full_name="Phạm Minh Sáng"),
    }
    products = {
        key: enter_product(round_, person=person, school=getattr(tree, key)) for key, person in students.items()
    }
    judges = {
        "s1": make_person(unit=tree.g1, role=Role.TEACHER, full_name="Giám Khảo Trần Phú"),
        "s2": make_person(unit=tree.g3, role=Role.TEACHER, full_name="Giám Khảo Tiên Tân"),
        "s3": make_person(unit=tree.s3, role=Role.TEACHER, full_name="Giám Khảo Yên Thắng"),
        "office": make_person(unit=tree.office_a1, role=Role.OFFICE_STAFF, full_name="Giám Khảo Phòng"),
    }
    return SimpleNamespace(
        organiser=organiser,
        contest=contest,
        round=round_,
        content=content,
        form=form,
        students=students,
        products=products,
        judges=judges,
        tree=tree,
    )
