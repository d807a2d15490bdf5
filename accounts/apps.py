from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts")

    def ready(self):
        from units.services import register_merge_listener

        from . import signals  # noqa: F401
        from .services.lifecycle import unit_people_move

        # A merged unit's people follow it into the unit it merged into (units never writes User).
        register_merge_listener(unit_people_move)
