import pytest
from django.db import IntegrityError, transaction

from accounts.models import User
from tests.accounts.factories import UserFactory, make_person
from units.models import Role


@pytest.mark.django_db
def test_full_name_is_stored_nfc_and_nfd_input_is_the_same_name():
    nfd = "Nguye\u0302\u0303n Va\u0306n A"
    user = UserFactory(full_name=nfd)
    user.refresh_from_db()
    assert user.full_name == "Nguyễn Văn A"
    assert User.objects.filter(name_folded="nguyen van a").get() == user


@pytest.mark.django_db
def test_people_sort_by_given_name_then_family_name():
    for name in ["Trần Văn Bình", "Nguyễn Thị An", "Lê Anh", "Phạm Văn An"]:
        UserFactory(full_name=name)
    assert list(User.objects.order_by("name_sort").values_list("full_name", flat=True)) == [
        "Nguyễn Thị An",
        "Phạm Văn An",
        "Lê Anh",
        "Trần Văn Bình",
    ]


@pytest.mark.django_db
def test_personal_id_is_unique_when_present_and_blank_ids_do_not_clash():
    UserFactory(national_id="012345678901")
    UserFactory(national_id="")
    UserFactory(national_id=None)
    assert User.objects.filter(national_id__isnull=True).count() == 2
    with pytest.raises(IntegrityError), transaction.atomic():
        UserFactory(national_id="012345678901")


@pytest.mark.django_db
def test_a_proper_photo_status_needs_a_photo():
    with pytest.raises(IntegrityError), transaction.atomic():
        UserFactory(photo_status=User.PhotoStatus.PROPER, photo="")
    assert UserFactory(photo_status=User.PhotoStatus.PROPER, photo="photos/a.jpg").photo_status == "proper"


def test_roles_lists_the_roles_held(tree):
    user = make_person(unit=tree.g1, role=Role.TEACHER)
    from units.services import role_assign

    role_assign(actor=None, user=user, unit=tree.g1, role=Role.GROUP_LEADER)
    assert user.roles == ["group_leader", "teacher"]
