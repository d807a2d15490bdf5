from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ContestsConfig(AppConfig):
    name = "contests"
    verbose_name = _("Contests")

    def ready(self):
        # Participants of an online round take the round's test through the test engine of materials.
        from materials.permissions.quizzes import register_taker_rule

        from .selectors import takes_round_test

        register_taker_rule(takes_round_test)
