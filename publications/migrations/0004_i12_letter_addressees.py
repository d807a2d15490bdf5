"""Issue #12, point 5 and 6: whom a letter is addressed to, the role a receipt was recorded as, and the
ordered "Căn cứ" lines (letters in the system and typed references).

The data step makes the existing rows follow the new rules: a school's letters (written to its
professional groups) are addressed to the heads and teachers, every other letter to the heads of the
units; a receipt recorded by someone whose opening no longer counts (a student, a teacher of a letter
written to the heads) is cleared, so the unit shows as not opened until one of its heads opens it; the
others get the role they counted as. Letters already cited become the first lines of the "Căn cứ",
oldest first.
"""

import django.db.models.deletion
from django.db import migrations, models

HEAD_ROLES = {"ministry_staff", "department_staff", "office_staff", "school_admin", "principal", "group_leader"}
TEACHING_ROLES = {"teacher", "group_leader"}
BATCH = 1000


def _counting_role(roles, unit, addressed_to):
    """The role (of (role, path, kind) rows) that makes the person's opening count for `unit`, or ''."""
    for role, path, _kind in roles:
        if path == unit.path and role in HEAD_ROLES:
            return role
    if addressed_to in ("staff", "everyone"):
        for role, path, kind in roles:
            if role in TEACHING_ROLES and (path == unit.path or (kind == "group" and path[:-4] == unit.path)):
                return role
    return ""


def forwards(apps, schema_editor):
    Letter = apps.get_model("publications", "Letter")
    LetterRecipient = apps.get_model("publications", "LetterRecipient")
    LetterCitation = apps.get_model("publications", "LetterCitation")
    RoleAssignment = apps.get_model("units", "RoleAssignment")

    Letter.objects.filter(issuer__kind__in=["school", "university"]).update(addressed_to="staff")

    rows = LetterRecipient.objects.filter(read_by__isnull=False).select_related("unit", "letter").order_by("pk")
    last = 0
    while True:
        batch = list(rows.filter(pk__gt=last)[:BATCH])
        if not batch:
            break
        last = batch[-1].pk
        roles: dict[int, list] = {}
        for user_id, role, path, kind in RoleAssignment.objects.filter(
            user_id__in={r.read_by_id for r in batch}, unit__is_active=True
        ).values_list("user_id", "role", "unit__path", "unit__kind"):
            roles.setdefault(user_id, []).append((role, path, kind))
        cleared, counted = [], {}
        for row in batch:
            role = _counting_role(roles.get(row.read_by_id, []), row.unit, row.letter.addressed_to)
            if role:
                counted.setdefault(role, []).append(row.pk)
            else:
                cleared.append(row.pk)
        LetterRecipient.objects.filter(pk__in=cleared).update(read_at=None, read_by=None, read_role="")
        for role, pks in counted.items():
            LetterRecipient.objects.filter(pk__in=pks).update(read_role=role)

    Through = Letter.cites.through
    citations, position = [], {}
    for from_id, to_id in (
        Through.objects.order_by("from_letter_id", "to_letter__issued_on", "to_letter_id")
        .values_list("from_letter_id", "to_letter_id")
        .iterator(chunk_size=BATCH)
    ):
        position[from_id] = position.get(from_id, 0) + 1
        citations.append(LetterCitation(letter_id=from_id, cited_id=to_id, position=position[from_id]))
    LetterCitation.objects.bulk_create(citations, batch_size=BATCH)


class Migration(migrations.Migration):
    dependencies = [
        ("publications", "0003_letter_search_trigram"),
    ]

    operations = [
        migrations.AddField(
            model_name="letter",
            name="addressed_to",
            field=models.CharField(
                choices=[
                    ("heads", "The heads of each unit (principal, school admin, Office staff, group leader)"),
                    ("staff", "The heads and the teachers"),
                    ("everyone", "Everyone, students included (students may read it)"),
                ],
                db_default="heads",
                default="heads",
                max_length=10,
                verbose_name="addressed to",
            ),
        ),
        migrations.AddField(
            model_name="letterrecipient",
            name="read_role",
            field=models.CharField(
                blank=True,
                db_default="",
                default="",
                choices=[
                    ("ministry_staff", "Ministry staff"),
                    ("department_staff", "Department staff"),
                    ("office_staff", "Office staff"),
                    ("school_admin", "School admin"),
                    ("principal", "Principal"),
                    ("group_leader", "Group leader"),
                    ("teacher", "Teacher"),
                    ("student", "Student"),
                ],
                max_length=20,
                verbose_name="opened as",
            ),
        ),
        migrations.CreateModel(
            name="LetterCitation",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("position", models.PositiveSmallIntegerField(verbose_name="position")),
                ("text", models.CharField(blank=True, max_length=400, verbose_name="reference")),
                (
                    "cited",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="publications.letter",
                        verbose_name="letter cited",
                    ),
                ),
                (
                    "letter",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="citations",
                        to="publications.letter",
                        verbose_name="letter",
                    ),
                ),
            ],
            options={
                "verbose_name": "citation (căn cứ)",
                "verbose_name_plural": "citations (căn cứ)",
                "ordering": ["letter", "position"],
                "constraints": [
                    models.UniqueConstraint(fields=("letter", "position"), name="letter_citation_position_unique"),
                    models.CheckConstraint(
                        condition=models.Q(
                            models.Q(("cited__isnull", False), ("text", "")),
                            models.Q(("cited__isnull", True), models.Q(("text", ""), _negated=True)),
                            _connector="OR",
                        ),
                        name="letter_citation_letter_or_text",
                    ),
                ],
            },
        ),
        migrations.RunPython(forwards, migrations.RunPython.noop),
    ]
