from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from accounts.models import ImportRow, IssueBatch, User
from accounts.services.credentials import sheet_load, sheet_xlsx
from accounts.services.issuing import import_apply, import_confirm, import_start, import_validate
from units.models import Unit


class Command(BaseCommand):
    help = (
        "Issue accounts from a spreadsheet (xlsx or csv) for one school, with the same checks and the same "
        "all-or-nothing import as the web page; writes the credentials sheet beside the file."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--school", required=True, help="The school's unit code.")
        parser.add_argument("--type", choices=["student", "teacher"], default="student", help="Who the file lists.")
        parser.add_argument("--as", dest="actor", default=None, help="Username recorded as the issuer (audit log).")

    def handle(self, *args, **options):
        school = Unit.objects.filter(code=options["school"]).first()
        if school is None or not school.is_school:
            raise CommandError(_("No school has the code %(code)s.") % {"code": options["school"]})
        actor = None
        if options["actor"]:
            actor = User.objects.filter(username=options["actor"]).first()
            if actor is None:
                raise CommandError(_("No account has the username %(username)s.") % {"username": options["actor"]})
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(_("The file %(path)s does not exist.") % {"path": path})
        with path.open("rb") as handle:
            upload = File(handle, name=path.name)
            try:
                batch = import_start(actor=actor, school=school, account_type=options["type"], upload=upload)
            except ValidationError as exc:
                raise CommandError(" ".join(exc.messages)) from exc
            handle.seek(0)
            batch = import_validate(batch=batch, content=handle.read())
        refused = list(batch.rows.filter(action=ImportRow.Action.ERROR).order_by("line"))
        if batch.total_rows and not batch.error_rows and not batch.new_rows:
            # Everybody already has an account: importing the same file again is not a failure.
            self.stdout.write(
                self.style.SUCCESS(
                    _("%(school)s: 0 created, %(unchanged)d unchanged, 0 refused.")
                    % {"school": school.name, "unchanged": batch.unchanged_rows}
                )
            )
            return
        if batch.status != IssueBatch.Status.READY:
            for row in refused:
                self.stderr.write(f"  {_('line')} {row.line}: {'; '.join(row.errors)}")
            summary = _("Nothing was imported: %(errors)d rows refused, %(unchanged)d already have an account.") % {
                "errors": batch.error_rows,
                "unchanged": batch.unchanged_rows,
            }
            raise CommandError(" ".join(filter(None, [summary, batch.message])))
        batch = import_confirm(actor=actor, batch=batch)
        batch = import_apply(actor=actor, batch=batch)
        if batch.status != IssueBatch.Status.DONE:
            raise CommandError(batch.message)
        sheet_path = path.with_name(f"{path.stem}.tai-khoan.xlsx")
        rows = sheet_load(batch=batch) or []
        # The sheet holds working credentials: readable by its owner only.
        sheet_path.touch(mode=0o600, exist_ok=True)
        sheet_path.chmod(0o600)
        sheet_path.write_bytes(sheet_xlsx(batch=batch, rows=rows))
        self.stdout.write(
            self.style.SUCCESS(
                _("%(school)s: %(created)d created, %(unchanged)d unchanged, 0 refused. Credentials: %(sheet)s")
                % {
                    "school": school.name,
                    "created": batch.new_rows,
                    "unchanged": batch.unchanged_rows,
                    "sheet": sheet_path,
                }
            )
        )
