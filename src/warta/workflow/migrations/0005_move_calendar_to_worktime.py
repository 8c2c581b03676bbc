"""The working calendar's models moved to ``warta.worktime`` (see ``worktime.0001_initial``).

Only the engine's migration state forgets them; their tables stay as they are.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("workflow", "0004_steprun_artifacts_found"),
        ("worktime", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name="SpecialPeriodHours"),
                migrations.DeleteModel(name="SpecialPeriod"),
                migrations.DeleteModel(name="HolidayOverride"),
                migrations.DeleteModel(name="WeekdayHours"),
            ],
            database_operations=[],
        )
    ]
