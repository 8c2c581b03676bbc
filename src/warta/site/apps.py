from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SiteConfig(AppConfig):
    """The public website: published news only, nothing of a draft."""

    name = "warta.site"
    label = "site"
    verbose_name = _("Public website")
