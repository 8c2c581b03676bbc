from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MaintenanceConfig(AppConfig):
    """Keeping the database small: the daily removal of by-products past their retention."""

    name = "warta.maintenance"
    label = "maintenance"
    verbose_name = _("Maintenance")

    def ready(self) -> None:
        from warta.maintenance import audit_actions

        audit_actions.register()
