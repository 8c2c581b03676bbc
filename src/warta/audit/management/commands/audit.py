from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from warta.audit.models import Event
from warta.audit.verify import verify_chain


class Command(BaseCommand):
    help = "Audit trail tools: `audit verify` checks the hash chain of all events."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("verify", help="check that no event was edited, deleted or reordered")

    def handle(self, *args, **options):
        problems = list(verify_chain())
        total = Event.objects.count()
        if problems:
            for problem in problems:
                self.stderr.write(str(problem))
            raise CommandError(
                _("Audit trail BROKEN: %(problems)d problem(s) found in %(total)d events.")
                % {"problems": len(problems), "total": total}
            )
        self.stdout.write(
            _("Audit trail intact: %(total)d events checked, nothing was changed.")
            % {"total": total}
        )
