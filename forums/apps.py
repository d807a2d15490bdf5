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

        # A child's conversation between the parents and the homeroom teacher (issue #17): a forum owned by
        # the child's account, read and written by them alone (forums/homeroom.py).
        from django.contrib.auth import get_user_model
        from django.urls import reverse

        from . import homeroom
        from .permissions import register_owner_rules

        register_owner_rules(
            get_user_model(),
            can_view=homeroom.can_read_homeroom,
            can_moderate=lambda user, child: False,
            can_oversee=homeroom.can_read_homeroom,
            can_post=homeroom.can_write_homeroom,
            moderators=lambda child: [],
            link=lambda child: (child.full_name, reverse("forums:homeroom", args=[child.pk])),
        )


def _posts_since(*, school, since):
    from django.utils.translation import gettext as _

    from .models import Post

    return _("new forum posts") if Post.objects.filter(author__unit=school, created_at__gt=since).exists() else ""
