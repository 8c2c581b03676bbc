"""``warta search rebuild``: recompute the search index from the published items."""

from __future__ import annotations

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "The public search index: `rebuild` recomputes it from the published items."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("rebuild", help="recompute the index of every published item")

    def handle(self, *args, action: str, **options):
        from warta.search.services import rebuild

        verbosity = options["verbosity"]

        def progress(done: int, total: int) -> None:
            if verbosity:
                self.stdout.write(f"\r{done}/{total}", ending="")
                self.stdout.flush()

        count = rebuild(progress=progress)
        if verbosity:
            self.stdout.write("")
        self.stdout.write(self.style.SUCCESS(f"{count} items indexed."))
