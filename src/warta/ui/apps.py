from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class UiConfig(AppConfig):
    """The shared look: base templates, the stylesheet, login and language switch, formatting
    tags. No models."""

    name = "warta.ui"
    label = "ui"
    verbose_name = _("User interface")

    def ready(self) -> None:
        from django.contrib import admin

        # Who may do what: registers the named permissions ``user.has_perm`` answers.
        import warta.policy  # noqa: F401

        admin.site.site_header = _("Warta administration")
        admin.site.site_title = "Warta"
        admin.site.index_title = _("Administration")
