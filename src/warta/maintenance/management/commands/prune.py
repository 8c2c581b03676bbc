from dataclasses import asdict

from django.core.management.base import BaseCommand

from warta.maintenance import texts
from warta.maintenance.services import prune_byproducts


class Command(BaseCommand):
    help = (
        "Delete sent e-mails (WARTA_MAIL_RETENTION_DAYS), finished background task results and "
        "handled step alerts (WARTA_TASK_RESULT_RETENTION_DAYS), and notifications "
        "(WARTA_NOTIFICATION_RETENTION_DAYS; 0 keeps them for ever) older than their retention. "
        "The worker does this every night."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="only count what would be deleted"
        )

    def handle(self, *args, **options):
        pruned = prune_byproducts(dry_run=options["dry_run"])
        counts = asdict(pruned)
        self.stdout.write(texts.would_delete(counts) if pruned.dry_run else texts.deleted(counts))
