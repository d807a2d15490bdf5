from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ForumsConfig(AppConfig):
    name = "forums"
    verbose_name = _("Forums")

    def ready(self):
        from accounts.signals import person_left_school

        from .services import person_left_school_receiver

        # A moderator who moves to another school stops moderating the old school's forums (issue #14).
        person_left_school.connect(person_left_school_receiver, dispatch_uid="forums.person_left_school")
