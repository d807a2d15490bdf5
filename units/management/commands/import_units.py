from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from units.importing import unit_import_apply, unit_import_confirm, unit_import_start, unit_import_validate
from units.models import Unit, UnitImport, UnitImportRow

A = UnitImportRow.Action


class Command(BaseCommand):
    help = (
        "Load units from a spreadsheet (xlsx or csv): a province's Offices and schools, or a school's groups and "
        "classes, with the same checks as the web page. Prints every row as created / updated / unchanged / "
        "refused with its line. The file is applied, all of it, when no row is refused; with a refused row it "
        "prints the refusals and changes nothing. --dry-run only prints."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--under", default=None, help="Code of the unit loaded into (default: the top of the tree, the Ministry)."
        )
        parser.add_argument("--as", dest="actor", default=None, help="Username recorded as the loader (audit log).")
        parser.add_argument("--dry-run", action="store_true", help="Check and print; change nothing.")

    def handle(self, *args, **options):
        if options["under"]:
            under = Unit.objects.filter(code=options["under"]).first()
            if under is None:
                raise CommandError(_("No unit has the code %(code)s.") % {"code": options["under"]})
        else:
            roots = list(Unit.objects.get_root_nodes()[:2])
            if len(roots) != 1:
                raise CommandError(_("Say which unit the file is loaded into with --under UNIT_CODE."))
            under = roots[0]
        actor = None
        if options["actor"]:
            actor = get_user_model().objects.filter(username=options["actor"]).first()
            if actor is None:
                raise CommandError(_("No account has the username %(username)s.") % {"username": options["actor"]})
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(_("The file %(path)s does not exist.") % {"path": path})
        with path.open("rb") as handle:
            try:
                batch = unit_import_start(actor=actor, under=under, upload=File(handle, name=path.name))
            except ValidationError as exc:
                raise CommandError(" ".join(exc.messages)) from exc
            handle.seek(0)
            batch = unit_import_validate(batch=batch, content=handle.read())
        words = {A.CREATE: _("created"), A.UPDATE: _("updated"), A.UNCHANGED: _("unchanged"), A.ERROR: _("refused")}
        for row in batch.rows.order_by("line").iterator(chunk_size=2000):
            text = f"{_('line')} {row.line}: {words[row.action]} {row.data.get('code', '')} {row.data.get('name', '')}"
            if row.errors:
                text += " — " + "; ".join(row.errors)
            (self.stderr if row.errors else self.stdout).write(text)
        summary = _(
            "%(under)s: %(created)d to create, %(updated)d to update, %(unchanged)d unchanged, %(refused)d refused."
        ) % {
            "under": under.name,
            "created": batch.new_rows,
            "updated": batch.updated_rows,
            "unchanged": batch.unchanged_rows,
            "refused": batch.error_rows,
        }
        self.stdout.write(summary)
        if batch.status != UnitImport.Status.READY:
            if batch.total_rows and not batch.error_rows:
                self.stdout.write(self.style.SUCCESS(batch.message))
                return
            raise CommandError(" ".join(filter(None, [_("Nothing was changed."), batch.message])))
        if options["dry_run"]:
            self.stdout.write(_("Dry run: nothing was changed."))
            return
        batch = unit_import_confirm(actor=actor, batch=batch)
        batch = unit_import_apply(actor=actor, batch=batch)
        if batch.status != UnitImport.Status.DONE:
            raise CommandError(batch.message)
        self.stdout.write(
            self.style.SUCCESS(
                _("Applied: %(created)d created, %(updated)d updated, %(unchanged)d unchanged.")
                % {"created": batch.new_rows, "updated": batch.updated_rows, "unchanged": batch.unchanged_rows}
            )
        )
