import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from reports.demo import DEMO_LOGINS, DEMO_PASSWORD, SeedError, seed_province
from reports.participation import read_participation_table
from reports.services import stats_recompute
from units.models import Unit
from units.services import school_years_seed

DEFAULT_TABLE = Path(__file__).resolve().parents[2] / "data" / "ha_nam_2015.tsv"


class Command(BaseCommand):
    help = (
        "Build a province from a participation table (by default the Hà Nam table of 2015) with exactly its "
        "numbers of accounts, proper photos and topics, plus one demo login per role. Idempotent."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--table", type=Path, default=DEFAULT_TABLE, help="Tab-separated table (see reports/README.md)."
        )
        parser.add_argument("--province", default="Hà Nam", help='Province name, e.g. "Hà Nam".')
        parser.add_argument("--code", default=None, help="Province code used in unit codes (default: folded name).")
        parser.add_argument("--if-empty", action="store_true", help="Do nothing if the database already has units.")
        parser.add_argument("--no-demo-logins", action="store_true", help="Do not create the demo logins.")

    def handle(self, *args, **options):
        if options["if_empty"] and Unit.objects.exists():
            self.stdout.write(_("The database already has data: the demo province was not loaded again."))
            units = dict(
                User.objects.filter(username__in=[n for n, *_r in DEMO_LOGINS]).values_list("username", "unit__name")
            )
            self._print_logins(
                [(name, str(who), units[name] or "—") for name, _role, who in DEMO_LOGINS if name in units]
            )
            return
        started = time.perf_counter()
        table = read_participation_table(options["table"])
        try:
            result = seed_province(
                table=table,
                province=options["province"],
                code=options["code"],
                demo_logins=not options["no_demo_logins"],
            )
        except SeedError as exc:
            raise CommandError(
                _("The table was not loaded; nothing was written.") + "\n" + "\n".join(f"  - {m}" for m in exc.messages)
            ) from exc
        # The Ministry's calendar: this school year and the next (kept if the Ministry already set them).
        school_years_seed(actor=None, today=timezone.localdate())
        # The dashboards read snapshots: compute them now rather than wait for the night.
        stats_recompute()
        elapsed = time.perf_counter() - started
        for warning in result.warnings:
            self.stdout.write(self.style.WARNING(f"! {warning}"))
        created = ", ".join(f"{key}: {value}" for key, value in sorted(result.created.items())) or _("nothing new")
        self.stdout.write(
            self.style.SUCCESS(
                _("%(province)s: %(rows)d schools from %(table)s. Created — %(created)s. %(seconds).1f s.")
                % {
                    "province": result.department.name,
                    "rows": len(table.rows),
                    "table": options["table"].name,
                    "created": created,
                    "seconds": elapsed,
                }
            )
        )
        self.stdout.write("  " + ", ".join(f"{k} {v:.2f}s" for k, v in result.timings.items()))
        self._print_logins(result.logins)

    def _print_logins(self, logins):
        if logins:
            self.stdout.write(_("Demo logins (password: %(password)s):") % {"password": DEMO_PASSWORD})
            for username, who, unit in logins:
                self.stdout.write(f"  {username:<11} {who} — {unit}")
            self.stdout.write(
                _(
                    "Grade book (sổ điểm): hieutruong sees the school's grade-entry progress, giaovien enters "
                    "Toán in hocsinh's class, hocsinh sees “My marks”, so and phong see the grade-entry figure "
                    "on their dashboards."
                )
            )
