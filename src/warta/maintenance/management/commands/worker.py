from django.db import DatabaseError
from django_tasks_db.management.commands.db_worker import Command as DatabaseWorkerCommand

from warta.maintenance.tasks import ensure_scheduled


class Command(DatabaseWorkerCommand):
    help = (
        "The background task worker (django-tasks-db's db_worker, same options), after making "
        "sure the recurring work is scheduled: the nightly prune of old by-products."
    )

    def handle(self, *args, **options):
        try:
            ensure_scheduled()
        except DatabaseError as error:  # a database not migrated yet: `warta setup` schedules it
            self.stderr.write(f"the nightly prune is not scheduled: {error}")
        return super().handle(*args, **options)
