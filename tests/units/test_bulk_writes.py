"""truonghoc.bulk on the unit tree's tables: bulk_insert stores what bulk_create stores, bulk_update_rows
writes only the fields it is given, and wide_batches makes a bulk write one statement on SQLite too."""

from datetime import timedelta

from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from truonghoc.bulk import bulk_insert, bulk_update_rows, wide_batches
from units.models import AuditEntry, Unit

STORED = (
    "actor_id",
    "unit_id",
    "action",
    "target_type_id",
    "target_id",
    "target_repr",
    "before",
    "after",
    "created_at",
)


def entries(unit, tag: str, n: int = 3) -> list[AuditEntry]:
    kind = ContentType.objects.get_for_model(Unit)
    made = []
    for i in range(n):
        entry = AuditEntry(
            unit=unit if i else None, action=tag, before=None if i else {"n": i}, after={"n": i, "s": "Tổ"}
        )
        if i:
            entry.target_type, entry.target_id, entry.target_repr = kind, str(unit.pk), unit.name
        made.append(entry)
    return made


def test_bulk_insert_stores_what_bulk_create_stores_and_sets_the_keys(tree):
    by_orm = AuditEntry.objects.bulk_create(entries(tree.s1, "by.orm"))
    by_insert = bulk_insert(AuditEntry, entries(tree.s1, "by.insert"))
    assert all(e.pk and not e._state.adding for e in by_insert)
    assert [e.pk for e in by_insert] == sorted(e.pk for e in by_insert)
    stored = {
        e.pk: row
        for e, row in zip(
            by_insert, AuditEntry.objects.filter(action="by.insert").order_by("pk").values_list(*STORED), strict=True
        )
    }
    expected = list(AuditEntry.objects.filter(action="by.orm").order_by("pk").values_list(*STORED))
    assert len(by_orm) == len(stored) == 3
    for mine, theirs in zip(stored.values(), expected, strict=True):
        assert mine[:2] + mine[3:-1] == theirs[:2] + theirs[3:-1]  # all but the action and the moment
        assert abs(mine[-1] - theirs[-1]) < timedelta(minutes=1) and mine[-1].tzinfo is not None


def test_bulk_update_rows_writes_only_the_given_fields(tree):
    schools = [Unit.objects.get(pk=tree.s1.pk), Unit.objects.get(pk=tree.s2.pk)]
    untouched = Unit.objects.get(pk=tree.s3.pk)
    later = timezone.now() + timedelta(days=1)
    schools[0].name, schools[0].declared_teachers, schools[0].updated_at = "Trường A", 12, later
    schools[1].name, schools[1].declared_teachers, schools[1].updated_at = "Trường B", None, later
    schools[0].address = "not asked to write this"
    with CaptureQueriesContext(connection) as queries:
        assert bulk_update_rows(Unit, schools, ["name", "declared_teachers", "updated_at"]) == 2
    assert len(queries) == 1
    rows = dict(Unit.objects.filter(pk__in=[s.pk for s in schools]).values_list("pk", "name"))
    assert rows == {tree.s1.pk: "Trường A", tree.s2.pk: "Trường B"}
    first = Unit.objects.get(pk=tree.s1.pk)
    assert (first.declared_teachers, first.address, first.updated_at) == (12, tree.s1.address, later)
    assert Unit.objects.get(pk=tree.s2.pk).declared_teachers is None
    assert Unit.objects.values_list("name", "updated_at").get(pk=untouched.pk) == (untouched.name, untouched.updated_at)


def test_wide_batches_make_a_bulk_insert_one_statement_and_are_undone_after(tree):
    limit = connection.features.max_query_params
    with CaptureQueriesContext(connection) as narrow:
        bulk_insert(AuditEntry, entries(tree.s1, "narrow", 300))
    with wide_batches(), CaptureQueriesContext(connection) as wide:
        bulk_insert(AuditEntry, entries(tree.s1, "wide", 300))
    assert len(wide) == 1
    assert connection.features.max_query_params == limit
    if connection.vendor == "sqlite":  # 300 rows of 9 values: past the 999 values Django allows SQLite
        assert len(narrow) > 1
    assert AuditEntry.objects.filter(action="wide").count() == AuditEntry.objects.filter(action="narrow").count() == 300
