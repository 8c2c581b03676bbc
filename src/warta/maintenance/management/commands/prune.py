from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from warta.maintenance.services import prune_byproducts


class Command(BaseCommand):
    help = (
        "Delete sent e-mails and finished background task results older than their retention "
        "(WARTA_MAIL_RETENTION_DAYS, WARTA_TASK_RESULT_RETENTION_DAYS). The worker does this "
        "every night."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="only count what would be deleted"
        )

    def handle(self, *args, **options):
        pruned = prune_byproducts(dry_run=options["dry_run"])
        values = {
            "mails": pruned.mails,
            "mail_days": pruned.mail_retention_days,
            "tasks": pruned.task_results,
            "task_days": pruned.task_result_retention_days,
        }
        if pruned.dry_run:
            message = _(
                "Would delete %(mails)d sent e-mails older than %(mail_days)d days and "
                "%(tasks)d finished task results older than %(task_days)d days (dry run: "
                "nothing deleted)."
            )
        else:
            message = _(
                "Deleted %(mails)d sent e-mails older than %(mail_days)d days and %(tasks)d "
                "finished task results older than %(task_days)d days."
            )
        self.stdout.write(message % values)
