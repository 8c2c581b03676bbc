import datetime as dt

from django.db import migrations

# The default week as it was when this migration was written (Perpres 21/2023), kept here so the
# migration does not depend on code that may change: (weekday, start, end, break start, break
# end); Saturday and Sunday are days off. The calendar now lives in ``warta.worktime``.
_T = dt.time
DEFAULT_WEEK = [
    (0, _T(7, 30), _T(16, 0), _T(12, 0), _T(13, 0)),
    (1, _T(7, 30), _T(16, 0), _T(12, 0), _T(13, 0)),
    (2, _T(7, 30), _T(16, 0), _T(12, 0), _T(13, 0)),
    (3, _T(7, 30), _T(16, 0), _T(12, 0), _T(13, 0)),
    (4, _T(7, 30), _T(16, 30), _T(11, 30), _T(13, 0)),
]
DAYS_OFF = (5, 6)


def seed(apps, schema_editor):
    model = apps.get_model("workflow", "WeekdayHours")
    manager = model.objects.using(schema_editor.connection.alias)
    if manager.exists():
        return
    manager.bulk_create(
        [
            model(weekday=day, is_working=True, start=a, end=b, break_start=c, break_end=d)
            for day, a, b, c, d in DEFAULT_WEEK
        ]
        + [model(weekday=day, is_working=False) for day in DAYS_OFF]
    )


class Migration(migrations.Migration):
    dependencies = [("workflow", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
