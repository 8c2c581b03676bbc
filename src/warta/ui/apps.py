from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class UiConfig(AppConfig):
    """The shared look: base templates, the stylesheet, login and language switch, formatting
    tags. No models."""

    name = "warta.ui"
    label = "ui"
    verbose_name = _("User interface")
