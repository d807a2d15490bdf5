from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from reports.scale import (
    BATCH,
    DEFAULT_PREFIX,
    ScaleError,
    ScalePlan,
    generate_country,
    plan_for_accounts,
    prefix_check,
)

SHAPE = ("provinces", "offices_per_province", "schools_per_office", "thpt_per_province", "topics_per_school")
PEOPLE = ("teachers_per_school", "students_per_school")


class Command(BaseCommand):
    help = (
        "Build a synthetic country for load tests: provinces (Sở) with THPT schools, Offices (Phòng) with "
        "primary and THCS schools, groups and classes, teacher and student accounts with their roles, topics. "
        f"Either --accounts N (a plausible shape with exactly N accounts: 63 provinces at 1,000,000) or the "
        f"numbers below. Written in batches of {BATCH:,} accounts, one transaction per province. Every code "
        "starts with --prefix; a prefix used before is refused."
    )

    def add_arguments(self, parser):
        parser.add_argument("--accounts", type=int, help="Total teacher and student accounts, e.g. 1000000.")
        parser.add_argument("--provinces", type=int, help="Provinces, each with its Sở GDĐT (default 1).")
        parser.add_argument("--offices-per-province", type=int, help="Phòng GDĐT per province (default 10).")
        parser.add_argument("--schools-per-office", type=int, help="TH and THCS schools per Office (default 3).")
        parser.add_argument("--thpt-per-province", type=int, help="THPT schools under each Sở (default 3).")
        parser.add_argument("--teachers-per-school", type=int, help="Teacher accounts per school (default 35).")
        parser.add_argument("--students-per-school", type=int, help="Student accounts per school (default 450).")
        parser.add_argument("--topics-per-school", type=int, help="Topics per school on average (default 20).")
        parser.add_argument(
            "--check-tree",
            action="store_true",
            help="Check the whole unit tree at the end (treebeard's find_problems: slow, two queries per unit).",
        )
        parser.add_argument("--seed", type=int, default=1, help="Random seed: the same seed gives the same data.")
        parser.add_argument(
            "--prefix",
            default=DEFAULT_PREFIX,
            help=f"Start of every unit code and username (default {DEFAULT_PREFIX}).",
        )

    def handle(self, *args, **options):
        shape = {key: options[key] for key in SHAPE if options[key] is not None}
        try:
            if options["accounts"] is not None:
                given = [f"--{key.replace('_', '-')}" for key in PEOPLE if options[key] is not None]
                if given:
                    raise ScaleError(
                        _("--accounts sets the accounts per school itself; leave out %(options)s.")
                        % {"options": ", ".join(given)}
                    )
                plan = plan_for_accounts(options["accounts"], **shape)
            else:
                plan = ScalePlan(**shape, **{key: options[key] for key in PEOPLE if options[key] is not None})
            plan.check()
            prefix = prefix_check(options["prefix"])
            self.stdout.write(
                _(
                    "Generating %(prefix)s: provinces %(provinces)s, schools %(schools)s, accounts %(accounts)s "
                    "(teachers %(teachers)s, students %(students)s), topics %(topics)s; batches of %(batch)s accounts."
                )
                % {
                    "prefix": prefix,
                    "provinces": plan.provinces,
                    "schools": f"{plan.schools:,}",
                    "accounts": f"{plan.accounts:,}",
                    "teachers": f"{plan.teachers:,}",
                    "students": f"{plan.students:,}",
                    "topics": f"{plan.topics:,}",
                    "batch": f"{BATCH:,}",
                }
            )
            result = generate_country(
                plan=plan,
                prefix=prefix,
                seed=options["seed"],
                progress=self._progress,
                check_tree=options["check_tree"],
            )
        except ScaleError as exc:
            raise CommandError(str(exc)) from exc
        created = result.created
        accounts = created["teacher accounts"] + created["student accounts"]
        totals = ", ".join(f"{key} {value:,}" for key, value in sorted(created.items()))
        self.stdout.write(
            self.style.SUCCESS(
                _("Done in %(seconds).1f s: %(totals)s (%(rate)s accounts/s).")
                % {"seconds": result.seconds, "totals": totals, "rate": f"{accounts / max(result.seconds, 1e-6):,.0f}"}
            )
        )
        if any(result.tree_problems):
            raise CommandError(_("The unit tree has problems: %(problems)s") % {"problems": result.tree_problems})
        if options["check_tree"]:
            self.stdout.write(_("The unit tree is valid."))

    def _progress(self, line: str) -> None:
        self.stdout.write("  " + line)
        self.stdout.flush()
