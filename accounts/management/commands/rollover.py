"""manage.py rollover --school UNIT_CODE [--intake 6A1,6A2] [--rename 8A1=9A1] [--apply]

Prints the year-end rollover proposed for a school; with --apply, runs it with the same checks and the
same all-or-nothing transaction as the wizard page (accounts.services.rollover)."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from accounts.services.rollover import rollover_apply, rollover_preview
from units.models import Unit


class Command(BaseCommand):
    help = "Preview (and with --apply, run) a school's year-end rollover."

    def add_arguments(self, parser):
        parser.add_argument("--school", required=True, help="The school's unit code.")
        parser.add_argument("--intake", default="", help="Names of the new intake classes, comma-separated.")
        parser.add_argument(
            "--rename", action="append", default=[], metavar="OLD=NEW", help="A class's name in the new year."
        )
        parser.add_argument("--apply", action="store_true", help="Run the rollover (default: only print it).")

    def handle(self, *args, school, intake, rename, apply, **options):
        unit = Unit.objects.filter(code=school.strip(), kind=Unit.Kind.SCHOOL).first()
        if unit is None:
            raise CommandError(f"No school has the code {school!r}.")
        plan = rollover_preview(school=unit)
        plan.intake = [name.strip() for name in intake.split(",") if name.strip()]
        by_name = {move.name: move.class_id for move in plan.classes.moves}
        names = {}
        for pair in rename:
            old, sep, new = pair.partition("=")
            if not sep or old.strip() not in by_name:
                raise CommandError(f"--rename {pair!r}: give OLD=NEW with the name of one of the school's classes.")
            names[by_name[old.strip()]] = new.strip()
        plan.rename(names)
        self._print(unit, plan)
        if not apply:
            self.stdout.write("Nothing changed (add --apply to run it).")
            return
        try:
            rollover = rollover_apply(actor=None, school=unit, plan=plan)
        except ValidationError as exc:
            raise CommandError("Refused, nothing changed: " + " ".join(exc.messages)) from exc
        summary = ", ".join(f"{key} {value}" for key, value in rollover.summary.items())
        self.stdout.write(
            self.style.SUCCESS(f"Rolled over from {rollover.from_year} to {rollover.to_year}: {summary}.")
        )

    @staticmethod
    def _year(year) -> str:
        source = {"national": "the Ministry's", "department": "the Department's adjustment"}.get(
            year.source, "the fixed calendar: no school year is set"
        )
        return f"{year.label} ({year.start:%d/%m/%Y} – {year.end:%d/%m/%Y}, {source})"

    def _print(self, unit, plan):
        self.stdout.write(f"{unit.name} ({unit.code}): school year {plan.from_year} → {plan.to_year}")
        years = plan.years
        self.stdout.write(f"  Closes: {self._year(years.closing)}")
        if years.opening is not None:
            self.stdout.write(f"  Opens:  {self._year(years.opening)}")
        else:
            self.stdout.write(self.style.WARNING(f"  Opens:  {plan.to_year}: {years.not_set}"))
        if plan.done is not None:
            self.stdout.write(f"Already rolled over to {plan.to_year} on {plan.done.applied_at:%d/%m/%Y %H:%M}.")
        for move in plan.classes.moves:
            if move.graduates:
                self.stdout.write(f"  {move.name} (grade {move.grade}): graduates, {move.students} students")
            else:
                new = move.new_name or "?? (no grade in the name: --rename it)"
                self.stdout.write(f"  {move.name} → {new} (grade {move.grade + 1}), {move.students} students")
        self.stdout.write(f"  New intake classes (grade {plan.classes.first_grade}): {', '.join(plan.intake) or '—'}")
        self.stdout.write(f"  Graduating students: {plan.graduates}")
