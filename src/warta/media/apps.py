from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MediaConfig(AppConfig):
    """Photos and videos: upload, validation by content, storage, renditions, video probing."""

    name = "warta.media"
    label = "media"
    verbose_name = _("Media")

    def ready(self) -> None:
        from warta.media import audit_actions, providers

        audit_actions.register()
        providers.register()
