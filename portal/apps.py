from django.apps import AppConfig


class PortalConfig(AppConfig):
    # No models and no admin: its name is never shown, so it needs no translated verbose_name.
    name = "portal"
