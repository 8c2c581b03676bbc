from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SearchConfig(AppConfig):
    """Full-text search over what the public sees of every published item."""

    name = "warta.search"
    label = "search"
    verbose_name = _("Search")

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from warta.publishing.signals import public_changed
        from warta.search.receivers import prune_orphans, reindex_changed_items

        public_changed.connect(reindex_changed_items, dispatch_uid="warta.search")
        post_migrate.connect(prune_orphans, sender=self, dispatch_uid="warta.search.prune")
