"""The test flush on PostgreSQL (truonghoc/postgresql/base.py): DELETE under FLUSH_WITH_DELETE, TRUNCATE
otherwise and whenever sequences are reset."""

import pytest
from django.core.management import call_command
from django.core.management.color import no_style

from accounts.models import User
from tests.accounts.factories import make_person
from truonghoc.postgresql.base import DatabaseOperations
from units.models import Role, RoleAssignment, Unit

OPS = DatabaseOperations(connection=None)  # sql_flush only quotes names: no connection needed


def test_the_test_settings_flush_with_delete(settings):
    assert settings.FLUSH_WITH_DELETE
    assert OPS.sql_flush(no_style(), ["units_unit", "accounts_user"]) == [
        'DELETE FROM "units_unit";', 'DELETE FROM "accounts_user";'
    ]  # fmt: skip


def test_production_and_sequence_resets_keep_truncate(settings):
    assert OPS.sql_flush(no_style(), ["units_unit"], reset_sequences=True)[0].startswith("TRUNCATE")
    settings.FLUSH_WITH_DELETE = False
    assert OPS.sql_flush(no_style(), ["units_unit"])[0].startswith("TRUNCATE")
    assert OPS.sql_flush(no_style(), []) == []


@pytest.mark.django_db(transaction=True)
def test_a_flush_empties_rows_that_reference_each_other(tree):
    """Parents and children deleted in the tables' order, whatever it is (the foreign keys are deferred)."""
    person = make_person(unit=tree.c1, role=Role.STUDENT)
    assert RoleAssignment.objects.filter(user=person, unit=tree.c1).exists()
    call_command("flush", verbosity=0, interactive=False)
    assert not Unit.objects.exists()
    assert not RoleAssignment.objects.exists()
    assert not User.objects.exists()
