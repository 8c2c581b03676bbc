from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SiteConfig(AppConfig):
    """The public website: published news only, nothing of a draft."""

    name = "warta.site"
    label = "site"
    verbose_name = _("Public website")

    def ready(self) -> None:
        from django.db.models.signals import post_save

        from warta.media.models import Asset
        from warta.publishing.signals import public_changed
        from warta.site.invalidation import on_asset_saved, on_public_changed

        public_changed.connect(on_public_changed, dispatch_uid="warta.site.pages")
        # Media of a published item changing after publication (renditions made, a caption):
        # announced as a change of what the public sees.
        post_save.connect(on_asset_saved, sender=Asset, dispatch_uid="warta.site.media")
