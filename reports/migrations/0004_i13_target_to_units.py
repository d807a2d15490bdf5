# Target moves to units (issue #13: courses reads the targets in force and sits below reports).
# State only: the table reports_target stays where it is, with all its rows; units.Target takes it over
# (db_table) in units/migrations/0004_i13_target.py, which runs after this one.

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0003_declared_accounts"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="Target")],
            database_operations=[],
        ),
    ]
