from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NewsroomConfig(AppConfig):
    name = "warta.newsroom"
    label = "newsroom"
    verbose_name = _("Newsroom")

    def ready(self) -> None:
        from warta.newsroom import audit_actions
        from warta.newsroom.capabilities import register

        register()
        audit_actions.register()
