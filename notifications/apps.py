from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = _("Notifications")

    def ready(self):
        from units.signals import role_changed

        from .receivers import tell_role_changed

        # A person named to a role or relieved of one is told (units never imports notifications).
        role_changed.connect(tell_role_changed, dispatch_uid="notifications.tell_role_changed")
