from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from warta.media import maintenance


class Command(BaseCommand):
    help = (
        "Media tools: `media process` makes the renditions of media that have none yet (after "
        "an upgrade) or, with --all, of every medium again; `media cleanup` deletes unfinished "
        "uploads past their time."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        process = sub.add_parser("process", help="make missing renditions (in this process)")
        process.add_argument("--all", action="store_true", help="remake every medium's renditions")
        sub.add_parser("cleanup", help="delete unfinished uploads past their time")

    def handle(self, *args, **options):
        self.verbosity = options["verbosity"]
        if options["action"] == "cleanup":
            removed = maintenance.cleanup_uploads()
            self.stdout.write(_("%(count)d unfinished upload(s) deleted.") % {"count": removed})
            return
        counts = maintenance.process(everything=options["all"], progress=self._progress)
        self.stdout.write(
            _("%(ready)d medium/media ready, %(failed)d failed.")
            % {"ready": counts["ready"], "failed": counts["failed"]}
        )

    def _progress(self, done: int, total: int) -> None:
        if self.verbosity >= 1:
            self.stdout.write(f"{done}/{total}", ending="\r" if done < total else "\n")
