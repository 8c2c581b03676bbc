from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SopConfig(AppConfig):
    name = "warta.sop"
    label = "sop"
    verbose_name = _("SOP")

    def ready(self) -> None:
        from warta.sop import audit_actions

        audit_actions.register()
