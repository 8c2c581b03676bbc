from django.db import migrations


def seed(apps, schema_editor):
    from warta.workflow.calendar_config import seed_default_calendar

    seed_default_calendar(apps, schema_editor)


class Migration(migrations.Migration):
    dependencies = [("workflow", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
