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
        from django.db.models.signals import post_migrate

        from warta.notify.kinds import register_kind
        from warta.publishing import audit_actions, capabilities
        from warta.publishing.starting import ensure_starting_accounts

        audit_actions.register()
        capabilities.register()
        register_kind(FAILED_KIND, _("Publication failed"), default_delivery="immediate")
        post_migrate.connect(ensure_starting_accounts, sender=self, dispatch_uid="warta-accounts")
