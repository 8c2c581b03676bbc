"""``Publication`` now belongs to the publishing app (``publishing/migrations/0001_initial``).
The table and its rows stay; only the newsroom's record of the model goes."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("newsroom", "0002_media_types"),
        ("publishing", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="Publication")],
            database_operations=[],
        ),
    ]
