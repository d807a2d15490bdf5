from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ForumsConfig(AppConfig):
    name = "forums"
    verbose_name = _("Forums")

    def ready(self):
        from accounts.services.rollover import register_activity_check
        from accounts.signals import person_left_school

        from .services import person_left_school_receiver

        # A moderator who moves to another school stops moderating the old school's forums (issue #14).
        person_left_school.connect(person_left_school_receiver, dispatch_uid="forums.person_left_school")
        # A year-end rollover can be undone until the school's first new activity: a post is one.
        register_activity_check(_posts_since)


def _posts_since(*, school, since):
    from django.utils.translation import gettext as _

    from .models import Post

    return _("new forum posts") if Post.objects.filter(author__unit=school, created_at__gt=since).exists() else ""
