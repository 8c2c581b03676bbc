from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotifyConfig(AppConfig):
    """In-app notifications and e-mail (through an outbox, sent by the task worker)."""

    name = "warta.notify"
    label = "notify"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        from warta.notify import audit_actions, notifiers

        audit_actions.register()
        # The kinds of notification about cases, and the notifiers that listen to the engine.
        notifiers.register()
