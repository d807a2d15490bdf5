"""The world of the experiential-activity tests, built through the services: at school S1 (the `tree`
fixture) the principal, the homeroom teacher of 6A1 (C1) who sets the activity, a maths teacher of 6A1
(a teaching assignment), another teacher of the school, five pupils of 6A1, a pupil of 7A1 (C2), the
mother of An; at school S2 a teacher and a pupil. The activity has two stages and two teams and is open."""

from datetime import timedelta
from types import SimpleNamespace

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from accounts.models import AccountQuota
from accounts.services.parents import parent_issue
from contests import activities
from gradebook import services as gradebook
from tests.accounts.factories import make_person
from tests.accounts.family import ready
from tests.units.factories import make_unit
from units.models import Role, Unit
from units.services import class_set_homeroom_teacher

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def pdf(name="san-pham.pdf", content=PDF):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def make_world(tree, *, open_it=True) -> SimpleNamespace:
    AccountQuota.objects.create(school=tree.s1, teachers=20, students=20)
    principal = make_person(unit=tree.s1, role=Role.PRINCIPAL, full_name="Phạm Hiệu Trưởng")
    teacher = make_person(unit=tree.g1, role=Role.TEACHER, full_name="Lê Chủ Nhiệm")
    maths = make_person(unit=tree.g1, role=Role.TEACHER, full_name="Nguyễn Văn Toán")
    other_teacher = make_person(unit=tree.g2, role=Role.TEACHER, full_name="Trần Thị Khác")
    class_set_homeroom_teacher(actor=None, school_class=tree.c1, teacher=teacher)
    gradebook.assignment_set(actor=principal, school_class=tree.c1, subject="Toán", semester=1, teacher=maths)
    an = make_person(unit=tree.c1, role=Role.STUDENT, full_name="Nguyễn Văn An")
    binh = make_person(unit=tree.c1, role=Role.STUDENT, full_name="Trần Thị Bình")
    cuong = make_person(unit=tree.c1, role=Role.STUDENT, full_name="Lê Văn Cường")
    dung = make_person(unit=tree.c1, role=Role.STUDENT, full_name="Vũ Văn Dũng")
    em = make_person(unit=tree.c1, role=Role.STUDENT, full_name="Hoàng Thị Em")
    hoa = make_person(unit=tree.c2, role=Role.STUDENT, full_name="Đỗ Thị Hoa")
    c3 = make_unit(tree.s2, Unit.Kind.CLASS, "6B", grade=6)
    far_teacher = make_person(unit=tree.g3, role=Role.TEACHER, full_name="Cao Văn Xa")
    class_set_homeroom_teacher(actor=None, school_class=c3, teacher=far_teacher)
    khac = make_person(unit=c3, role=Role.STUDENT, full_name="Vũ Văn Khác")
    # Past their first login (a new parent account must first choose a password).
    mother = ready(parent_issue(actor=principal, child=an, values={"parent_phone": "0912345678"}).parent)
    other_parent = ready(parent_issue(actor=principal, child=dung, values={"parent_phone": "0987654321"}).parent)
    now = timezone.now()
    activity = activities.activity_create(
        actor=teacher,
        school_class=tree.c1,
        title="Dự án: Em yêu môi trường",
        goal="Tìm hiểu rác thải nhựa ở địa phương",
        description="<p>Khảo sát, làm poster</p><script>alert(1)</script>",
    )
    survey = activities.stage_add(actor=teacher, activity=activity, name="Khảo sát", due_at=now + timedelta(days=2))
    poster = activities.stage_add(actor=teacher, activity=activity, name="Poster", due_at=now + timedelta(days=5))
    sun = activities.team_create(actor=teacher, activity=activity, name="Nhóm Mặt Trời", members=[an, binh, cuong],
                                 leader=an)  # fmt: skip
    star = activities.team_create(actor=teacher, activity=activity, name="Nhóm Ngôi Sao", members=[dung, em])
    if open_it:
        activity = activities.activity_open(actor=teacher, activity=activity)
    return SimpleNamespace(**{k: v for k, v in locals().items() if k not in ("now", "open_it")})
