from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

# The notification the requester gets when a channel fails or needs a person.
FAILED_KIND = "publication_failed"


class PublishingConfig(AppConfig):
    """Where news items are published: the built-in website and the other channels."""

    name = "warta.publishing"
    label = "publishing"
    verbose_name = _("Publishing")

    def ready(self) -> None:
        from warta.publishing import audit_actions, capabilities

        audit_actions.register()
        capabilities.register()
        from warta.notify.kinds import register_kind

        register_kind(FAILED_KIND, _("Publication failed"), default_delivery="immediate")
