import time

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from reports.services import stats_recompute
from units.models import Unit


class Command(BaseCommand):
    help = "Recompute the participation statistics (snapshots) of everything, or of one unit's subtree."

    def add_arguments(self, parser):
        parser.add_argument("--unit", default=None, help="A unit code: only its subtree and the units above it.")

    def handle(self, *args, **options):
        unit = None
        if options["unit"]:
            unit = Unit.objects.filter(code=options["unit"]).first()
            if unit is None:
                raise CommandError(_("No unit has the code %(code)s.") % {"code": options["unit"]})
        started = time.perf_counter()
        rows = stats_recompute(unit=unit)
        self.stdout.write(
            self.style.SUCCESS(
                _("%(rows)d statistics rows written in %(seconds).2f s.")
                % {"rows": rows, "seconds": time.perf_counter() - started}
            )
        )
