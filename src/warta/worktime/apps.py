from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorktimeConfig(AppConfig):
    """The working-time calendar, the time zone and WIB formatting (see docs/calendar.md)."""

    name = "warta.worktime"
    label = "worktime"
    verbose_name = _("Working time")

    def ready(self) -> None:
        from warta.worktime import audit_actions

        audit_actions.register()
