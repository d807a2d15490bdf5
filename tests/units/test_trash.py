"""units.trash: the one write of removing and restoring soft-deleted content, with its audit entry. Each
app's refusals (who may, in its own words) are tested with its flow: tests/courses/test_trash.py,
tests/materials (library, questions, tests), tests/forums/test_services.py, tests/publications."""

import pytest
from django.core.exceptions import ValidationError

from courses.models import Product
from tests.accounts.factories import make_person
from units.models import AuditEntry, Role
from units.trash import soft_remove, soft_restore

pytestmark = pytest.mark.django_db


@pytest.fixture
def teacher(tree):
    return make_person(unit=tree.g1, role=Role.TEACHER)


@pytest.fixture
def product(tree, teacher):
    return Product.objects.create(unit=tree.g1, author=teacher, title="Giáo án", link_url="https://example.com/p")


def test_remove_marks_who_and_when_and_audits(tree, teacher, product):
    soft_remove(product, by=teacher, action="test.delete", unit=tree.g1, after={"why": "thử"})
    product.refresh_from_db()
    assert product.is_deleted and product.deleted_by == teacher
    assert list(Product.objects.removed()) == [product] and not Product.objects.alive().exists()
    entry = AuditEntry.objects.get(action="test.delete")
    assert (entry.actor, entry.unit, entry.target_id, entry.before, entry.after) == (
        teacher,
        tree.g1,
        str(product.pk),
        None,
        {"why": "thử"},
    )


def test_remove_twice_is_refused_and_changes_nothing(tree, teacher, product):
    soft_remove(product, by=teacher, action="test.delete", unit=tree.g1)
    with pytest.raises(ValidationError):
        soft_remove(product, by=teacher, action="test.delete", unit=tree.g1)
    assert AuditEntry.objects.filter(action="test.delete").count() == 1


def test_unaudited_removal_leaves_no_entry(tree, teacher, product):
    soft_remove(product, by=teacher, action="test.delete", unit=tree.g1, audited=False)
    assert Product.objects.get(pk=product.pk).is_deleted
    assert not AuditEntry.objects.filter(action="test.delete").exists()


def test_restore_puts_it_back_and_audits(tree, teacher, product):
    with pytest.raises(ValidationError):
        soft_restore(product, by=teacher, action="test.restore", unit=tree.g1)
    soft_remove(product, by=teacher, action="test.delete", unit=tree.g1)
    soft_restore(product, by=teacher, action="test.restore", unit=tree.g1, before={"deleted_by": teacher.pk})
    product.refresh_from_db()
    assert not product.is_deleted and product.deleted_by is None
    assert list(Product.objects.alive()) == [product]
    entry = AuditEntry.objects.get(action="test.restore")
    assert (entry.actor, entry.before) == (teacher, {"deleted_by": teacher.pk})


def test_only_the_soft_delete_columns_are_written(tree, teacher, product):
    """A removal is not an edit: other unsaved changes on the instance stay out of the database."""
    product.title = "Đổi tên chưa lưu"
    soft_remove(product, by=teacher, action="test.delete", unit=tree.g1)
    assert Product.objects.get(pk=product.pk).title == "Giáo án"
