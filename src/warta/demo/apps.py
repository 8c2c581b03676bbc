from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    """Demo people and demo news for a fresh installation (the ``demo`` command)."""

    name = "warta.demo"
    label = "demo"
    verbose_name = _("Demo data")
