# Target moves here from reports (issue #13): targets are set at a unit and inherited down the tree, and
# courses reads them, so they live in the lowest app. State only: the table keeps its name
# (reports_target, via db_table) and every row; reports/migrations/0004_i13_target_to_units.py drops the
# model from reports' state first.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def content_type_follows(apps, schema_editor):
    """Keep the content type (and the permissions that point at it) under the model's new app."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    if not ContentType.objects.filter(app_label="units", model="target").exists():
        ContentType.objects.filter(app_label="reports", model="target").update(app_label="units")


def content_type_back(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    if not ContentType.objects.filter(app_label="reports", model="target").exists():
        ContentType.objects.filter(app_label="units", model="target").update(app_label="reports")


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("reports", "0004_i13_target_to_units"),
        ("units", "0003_declared_numbers"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Target",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID"),
                        ),
                        (
                            "metric",
                            models.CharField(
                                choices=[
                                    (
                                        "teacher_coverage",
                                        "Teachers with an account, in percent of the declared number",
                                    ),
                                    (
                                        "student_coverage",
                                        "Students with an account, in percent of the declared number",
                                    ),
                                    ("photo_ok", "Teachers with a proper photo, in percent"),
                                    ("topics_per_group", "Topics per professional group per semester"),
                                    ("products_per_teacher", "Products per teacher per semester"),
                                ],
                                max_length=24,
                            ),
                        ),
                        ("value", models.DecimalField(decimal_places=1, max_digits=6)),
                        ("updated_at", models.DateTimeField(auto_now=True)),
                        (
                            "set_by",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "unit",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="targets",
                                to="units.unit",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "reports_target",
                        "constraints": [
                            models.UniqueConstraint(fields=("unit", "metric"), name="one_target_per_unit_metric"),
                            models.CheckConstraint(condition=models.Q(("value__gte", 0)), name="target_not_negative"),
                            models.CheckConstraint(
                                condition=models.Q(
                                    models.Q(
                                        ("metric__in", ["teacher_coverage", "student_coverage", "photo_ok"]),
                                        _negated=True,
                                    ),
                                    ("value__lte", 100),
                                    _connector="OR",
                                ),
                                name="percent_target_at_most_100",
                            ),
                        ],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(content_type_follows, content_type_back),
    ]
