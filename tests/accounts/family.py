"""The families of issue #17's parent tests, built through the services: at school S1 a principal, a
school admin, a maths teacher, the homeroom teacher of 6A1 (C1) and of 7A1 (C2); pupils An (6A1) and
Hoa (7A1) whose mother Bình has one parent account, and whose father Dũng is linked to An too; Cường
(6A1) of another family; Khác, a pupil of S2 with his own parent."""

from types import SimpleNamespace

from accounts.models import AccountQuota
from accounts.services.parents import parent_issue
from tests.accounts.factories import complete_profile, make_person
from units.models import Role

PASSWORD = "Mat-khau-rieng-2026"


def ready(user):
    """Past the first login, with a password of their own."""
    user.set_password(PASSWORD)
    user.must_change_password = False
    user.save(update_fields=["password", "must_change_password"])
    return user


def make_family(tree) -> SimpleNamespace:
    AccountQuota.objects.create(school=tree.s1, teachers=10, students=10)
    AccountQuota.objects.create(school=tree.s2, teachers=10, students=10)
    principal = make_person(unit=tree.s1, role=Role.PRINCIPAL, full_name="Phạm Hiệu Trưởng")
    admin = make_person(unit=tree.s1, role=Role.SCHOOL_ADMIN, full_name="Đỗ Quản Trị")
    maths = complete_profile(make_person(unit=tree.g1, role=Role.TEACHER, full_name="Nguyễn Văn Toán"))
    homeroom = complete_profile(make_person(unit=tree.g2, role=Role.TEACHER, full_name="Lê Chủ Nhiệm"))
    homeroom2 = complete_profile(make_person(unit=tree.g2, role=Role.TEACHER, full_name="Hồ Chủ Nhiệm Bảy"))
    tree.c1.homeroom_teacher = homeroom
    tree.c1.save(update_fields=["homeroom_teacher"])
    tree.c2.homeroom_teacher = homeroom2
    tree.c2.save(update_fields=["homeroom_teacher"])
    an = make_person(unit=tree.c1, role=Role.STUDENT, full_name="Nguyễn Văn An")
    hoa = make_person(unit=tree.c2, role=Role.STUDENT, full_name="Nguyễn Thị Hoa")
    cuong = make_person(unit=tree.c1, role=Role.STUDENT, full_name="Lê Văn Cường")
    other = make_person(unit=tree.s2, role=Role.STUDENT, full_name="Vũ Văn Khác")
    other_admin = make_person(unit=tree.s2, role=Role.SCHOOL_ADMIN)
    values = {"parent_name": "Trần Thị Bình", "parent_phone": "0912345678", "parent_relation": "mother"}
    mother = parent_issue(actor=principal, child=an, values=values).parent
    parent_issue(actor=principal, child=hoa, values={"parent_phone": "0912345678"})
    father = parent_issue(
        actor=principal, child=an, values={"parent_name": "Nguyễn Văn Dũng", "parent_phone": "0987654321"}
    ).parent
    cuong_parent = parent_issue(actor=principal, child=cuong, values={"parent_email": "cuong.ph@example.vn"}).parent
    other_parent = parent_issue(actor=other_admin, child=other, values={"parent_phone": "0911111111"}).parent
    for person in (mother, father, cuong_parent, other_parent, principal, admin, maths, homeroom, homeroom2):
        ready(person)
    return SimpleNamespace(**{k: v for k, v in locals().items() if k not in ("values", "person")})
