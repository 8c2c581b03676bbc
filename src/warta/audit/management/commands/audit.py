import os

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from warta.audit.models import Event
from warta.audit.verify import verify_chain


class Command(BaseCommand):
    help = "Audit trail tools: `audit verify` checks the hash chain of all events."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        verify = sub.add_parser(
            "verify", help="check that no event was edited, deleted or reordered"
        )
        verify.add_argument(
            "--workers",
            type=int,
            default=os.cpu_count() or 1,
            help="processes checking parts of a long chain side by side (default: the CPUs)",
        )

    def handle(self, *args, **options):
        if options["workers"] < 1:
            raise CommandError(_("--workers must be 1 or more."))
        problems = list(verify_chain(workers=options["workers"]))
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
