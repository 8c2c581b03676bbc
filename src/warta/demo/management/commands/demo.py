from django.conf import settings
from django.core.management.base import BaseCommand

from warta.demo.news import create_demo_news, describe
from warta.demo.people import create_demo_users, format_logins, save_logins


class Command(BaseCommand):
    help = (
        "Create demo users (the people of warta/demo/people.yaml) and demo news when the "
        "database has no users."
    )

    def handle(self, *args, **options):
        logins = create_demo_users()
        if not logins:
            if options["verbosity"]:
                self.stdout.write("Pengguna sudah ada; akun demo tidak dibuat.")
            return
        text = format_logins(logins)
        path = save_logins(text, settings.DATA_DIR)
        items = create_demo_news()
        if not options["verbosity"]:
            return
        self.stdout.write(text)
        self.stdout.write(f"(Disimpan juga di {path}; ganti sandi sebelum dipakai sungguhan.)")
        if items:
            self.stdout.write(describe(items))
