import pytest

from accounts.models import AccountQuota
from tests.accounts.factories import make_person
from units.models import Role


@pytest.fixture
def school(tree):
    """School S1 with room for 10 teachers and 10 students (a module may set its own quota)."""
    AccountQuota.objects.create(school=tree.s1, teachers=10, students=10)
    return tree.s1


@pytest.fixture
def admin(school):
    """The school's admin, who issues and imports its accounts."""
    return make_person(unit=school, role=Role.SCHOOL_ADMIN, username="quantri.tp", account_type="teacher")
