from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q
from django.utils.translation import gettext as _

from reports import exports
from reports.selectors import dashboard, flags_for
from truonghoc.text import nfc
from units import periods
from units.models import Unit
from units.selectors import targets_resolver


class Command(BaseCommand):
    help = "Write a unit's participation table as an xlsx workbook, the same as the dashboard's export."

    def add_arguments(self, parser):
        parser.add_argument("--unit", required=True, help="A unit code, or its exact name.")
        parser.add_argument("--out", required=True, type=Path)
        parser.add_argument("--period", default="all", help='A period key such as "all" or "semester:2025-09-01".')

    def handle(self, *args, **options):
        wanted = nfc(options["unit"])
        matches = list(Unit.objects.filter(Q(code=wanted) | Q(name=wanted))[:3])
        if not matches:
            raise CommandError(_("No unit has the code or name “%(unit)s”.") % {"unit": wanted})
        if len(matches) > 1:
            raise CommandError(
                _("Several units are called “%(unit)s”; give the code instead: %(codes)s")
                % {"unit": wanted, "codes": ", ".join(u.code for u in matches)}
            )
        unit = matches[0]
        period = periods.parse(options["period"])
        own, sections = dashboard(unit=unit, period=period)
        if own is None:
            raise CommandError(
                _("No figures are computed for %(unit)s yet: run recompute_stats first.") % {"unit": unit.name}
            )
        resolve = targets_resolver(unit=unit)
        content = exports.participation_xlsx(
            unit=unit, period=period, own=own, sections=sections,
            flags_of=lambda stat: flags_for(stat, resolve(stat.unit.path), period),
        )  # fmt: skip
        options["out"].write_bytes(content)
        rows = sum(len(s.rows) for s in sections)
        self.stdout.write(
            self.style.SUCCESS(_("%(rows)d rows written to %(out)s.") % {"rows": rows, "out": options["out"]})
        )
