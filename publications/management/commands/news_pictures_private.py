from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from publications.services.news import pictures_move_private


class Command(BaseCommand):
    help = "Move news pictures uploaded before issue #14 from public media to private storage (safe to run again)."

    def handle(self, *args, **options):
        moved = pictures_move_private()
        self.stdout.write(self.style.SUCCESS(_("%(count)d news pictures moved to private storage.") % {"count": moved}))
