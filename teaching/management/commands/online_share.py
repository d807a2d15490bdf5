import re

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from gradebook.services import current_school_year
from truonghoc.formatting import number, percent
from truonghoc.text import nfc
from units.models import Unit

from ...selectors import online_share


class Command(BaseCommand):
    help = (
        "Print the online teaching share of a unit, planned and taught, per subject and grade and on average "
        "(for an Office, Department or the Ministry: per school, then the average), as the page shows it."
    )

    def add_arguments(self, parser):
        parser.add_argument("--unit", required=True, help="The unit's code.")
        parser.add_argument(
            "--year", default="", help='The school year, such as "2026-2027" (default: the current one).'
        )

    def handle(self, *args, **options):
        code = nfc(options["unit"]).strip()
        unit = Unit.objects.filter(code=code).first()
        if unit is None or unit.kind in (Unit.Kind.GROUP, Unit.Kind.CLASS):
            raise CommandError(_("No school, Office, Department or Ministry has the code “%(code)s”.") % {"code": code})
        year = options["year"] or current_school_year(unit)
        match = re.fullmatch(r"([0-9]{4})-([0-9]{4})", year)
        if not match or int(match.group(2)) != int(match.group(1)) + 1:
            raise CommandError(_("“%(year)s” is not a school year such as 2026-2027.") % {"year": year})
        share = online_share(unit=unit, school_year=year)
        out = self.stdout
        out.write(f"{_('Online teaching share')} · {unit.name} · {year}")
        head = "\t".join([_("Subject and grade"), _("Programme periods"), _("Planned share"), _("Taught share")])
        if unit.is_school:
            school = share.schools[0]
            out.write(head)
            for row in school.rows:
                out.write(
                    "\t".join(
                        [row.label, number(row.programme), percent(row.planned_percent), percent(row.taught_percent)]
                    )
                )
        else:
            out.write(head.replace(_("Subject and grade"), _("School"), 1))
            for school in share.schools:
                flag = f"\t{_('below target')}" if school.below_target else ""
                total = school.total
                out.write(
                    "\t".join(
                        [school.school.name, number(total.programme), percent(total.planned_percent),
                         percent(total.taught_percent)]
                    ) + flag
                )  # fmt: skip
        total = share.total
        out.write(
            _("Average: planned %(planned)s, taught %(taught)s")
            % {"planned": percent(total.planned_percent), "taught": percent(total.taught_percent)}
        )
        if unit.is_school and share.schools[0].below_target:
            school = share.schools[0]
            out.write(
                _("Below the %(target)s required at secondary level; pulled down by: %(subjects)s")
                % {
                    "target": percent(school.target),
                    "subjects": ", ".join(row.label for row in school.pulling_down[:10]),
                }
            )
