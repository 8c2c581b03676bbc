from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from warta.site import pages
from warta.site.rebuild import rebuild


class Command(BaseCommand):
    help = (
        "The public website's pre-rendered pages: `site rebuild` renders every page again "
        "(articles, index pages, feeds, sitemap); `site clear` deletes them all (each is "
        "rendered again on its next request)."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("rebuild", help="render every public page again")
        sub.add_parser("clear", help="delete every pre-rendered page")

    def handle(self, *args, **options):
        self.verbosity = options["verbosity"]
        if options["action"] == "clear":
            removed = pages.clear()
            self.stdout.write(_("%(count)d public page(s) deleted.") % {"count": removed})
            return
        rendered = rebuild(progress=self._progress)
        self.stdout.write(_("%(count)d public page(s) rendered.") % {"count": rendered})

    def _progress(self, done: int, total: int) -> None:
        if self.verbosity >= 1 and (done == total or done % 100 == 0):
            self.stdout.write(f"{done}/{total}", ending="\r" if done < total else "\n")
