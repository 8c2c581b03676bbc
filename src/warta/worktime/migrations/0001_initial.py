"""The working calendar's models moved here from the engine (``workflow``) without touching the
database: their tables keep the ``workflow_`` names, so existing rows stay where they are.

On a fresh database ``workflow.0001_initial`` creates the tables and ``workflow.0002`` seeds the
default week; this migration only takes the models into this app's state (``workflow.0005``
drops them from the engine's), and moves their content types (and so their permissions and
admin log entries) from ``workflow`` to ``worktime``.
"""

import django.db.models.deletion
from django.db import migrations, models

MODELS = ("holidayoverride", "specialperiod", "specialperiodhours", "weekdayhours")


def _move_content_types(apps, schema_editor, source, target):
    content_type = apps.get_model("contenttypes", "ContentType")
    manager = content_type.objects.using(schema_editor.connection.alias)
    taken = set(manager.filter(app_label=target, model__in=MODELS).values_list("model", flat=True))
    manager.filter(app_label=source, model__in=set(MODELS) - taken).update(app_label=target)


def forwards(apps, schema_editor):
    _move_content_types(apps, schema_editor, "workflow", "worktime")


def backwards(apps, schema_editor):
    _move_content_types(apps, schema_editor, "worktime", "workflow")


STATE = [
    migrations.CreateModel(
        name="HolidayOverride",
        fields=[
            (
                "id",
                models.BigAutoField(
                    auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                ),
            ),
            ("date", models.DateField(unique=True, verbose_name="date")),
            (
                "kind",
                models.CharField(
                    choices=[
                        ("day_off", "day off (added)"),
                        ("working_day", "working day (removed from the holiday list)"),
                    ],
                    help_text="“Day off” adds a local day off. “Working day” makes the date a working day even if it is a national holiday, cuti bersama or a weekend; a weekend day then uses the hours of the first working weekday (normally Monday).",
                    max_length=16,
                    verbose_name="kind",
                ),
            ),
            (
                "description",
                models.CharField(
                    help_text="E.g. “Hari jadi kabupaten”.",
                    max_length=200,
                    verbose_name="description",
                ),
            ),
            ("updated_at", models.DateTimeField(auto_now=True, verbose_name="updated at")),
        ],
        options={
            "verbose_name": "holiday override",
            "verbose_name_plural": "holiday overrides",
            "db_table": "workflow_holidayoverride",
            "ordering": ["-date"],
        },
    ),
    migrations.CreateModel(
        name="SpecialPeriod",
        fields=[
            (
                "id",
                models.BigAutoField(
                    auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                ),
            ),
            (
                "name",
                models.CharField(
                    help_text="E.g. “Ramadan 1448 H”.", max_length=100, verbose_name="name"
                ),
            ),
            ("start_date", models.DateField(verbose_name="first day")),
            ("end_date", models.DateField(help_text="Inclusive.", verbose_name="last day")),
            ("updated_at", models.DateTimeField(auto_now=True, verbose_name="updated at")),
        ],
        options={
            "verbose_name": "special working-hours period",
            "verbose_name_plural": "special working-hours periods",
            "db_table": "workflow_specialperiod",
            "ordering": ["-start_date"],
            "constraints": [
                models.CheckConstraint(
                    condition=models.Q(("start_date__lte", models.F("end_date"))),
                    name="workflow_specialperiod_start_before_end",
                    violation_error_message="The last day must not be before the first day.",
                )
            ],
        },
    ),
    migrations.CreateModel(
        name="WeekdayHours",
        fields=[
            (
                "id",
                models.BigAutoField(
                    auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                ),
            ),
            (
                "is_working",
                models.BooleanField(
                    default=True,
                    help_text="Untick for a day off; the times are then ignored.",
                    verbose_name="working day",
                ),
            ),
            (
                "start",
                models.TimeField(
                    blank=True,
                    help_text="When work starts, e.g. 07:30 (WIB).",
                    null=True,
                    verbose_name="start",
                ),
            ),
            (
                "end",
                models.TimeField(
                    blank=True,
                    help_text="When work ends, e.g. 16:00 (WIB).",
                    null=True,
                    verbose_name="end",
                ),
            ),
            (
                "break_start",
                models.TimeField(
                    blank=True,
                    help_text="Leave both break fields empty for a day without a break.",
                    null=True,
                    verbose_name="break start",
                ),
            ),
            ("break_end", models.TimeField(blank=True, null=True, verbose_name="break end")),
            ("updated_at", models.DateTimeField(auto_now=True, verbose_name="updated at")),
            (
                "weekday",
                models.PositiveSmallIntegerField(
                    choices=[
                        (0, "Monday"),
                        (1, "Tuesday"),
                        (2, "Wednesday"),
                        (3, "Thursday"),
                        (4, "Friday"),
                        (5, "Saturday"),
                        (6, "Sunday"),
                    ],
                    unique=True,
                    verbose_name="day",
                ),
            ),
        ],
        options={
            "verbose_name": "working hours",
            "verbose_name_plural": "working hours",
            "db_table": "workflow_weekdayhours",
            "ordering": ["weekday"],
            "abstract": False,
            "constraints": [
                models.CheckConstraint(
                    condition=models.Q(
                        ("is_working", False),
                        models.Q(
                            ("end__isnull", False),
                            ("start__isnull", False),
                            ("start__lt", models.F("end")),
                        ),
                        _connector="OR",
                    ),
                    name="workflow_weekdayhours_start_before_end",
                    violation_error_message="A working day needs a start before its end.",
                ),
                models.CheckConstraint(
                    condition=models.Q(
                        ("is_working", False),
                        models.Q(("break_end__isnull", True), ("break_start__isnull", True)),
                        models.Q(
                            ("break_end__isnull", False),
                            ("break_end__lt", models.F("end")),
                            ("break_start__isnull", False),
                            ("break_start__lt", models.F("break_end")),
                            ("start__lt", models.F("break_start")),
                        ),
                        _connector="OR",
                    ),
                    name="workflow_weekdayhours_break_inside_hours",
                    violation_error_message="The break must lie inside working hours: start < break start < break end < end.",
                ),
            ],
        },
    ),
    migrations.CreateModel(
        name="SpecialPeriodHours",
        fields=[
            (
                "id",
                models.BigAutoField(
                    auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                ),
            ),
            (
                "weekday",
                models.PositiveSmallIntegerField(
                    choices=[
                        (0, "Monday"),
                        (1, "Tuesday"),
                        (2, "Wednesday"),
                        (3, "Thursday"),
                        (4, "Friday"),
                        (5, "Saturday"),
                        (6, "Sunday"),
                    ],
                    verbose_name="day",
                ),
            ),
            (
                "is_working",
                models.BooleanField(
                    default=True,
                    help_text="Untick for a day off; the times are then ignored.",
                    verbose_name="working day",
                ),
            ),
            (
                "start",
                models.TimeField(
                    blank=True,
                    help_text="When work starts, e.g. 07:30 (WIB).",
                    null=True,
                    verbose_name="start",
                ),
            ),
            (
                "end",
                models.TimeField(
                    blank=True,
                    help_text="When work ends, e.g. 16:00 (WIB).",
                    null=True,
                    verbose_name="end",
                ),
            ),
            (
                "break_start",
                models.TimeField(
                    blank=True,
                    help_text="Leave both break fields empty for a day without a break.",
                    null=True,
                    verbose_name="break start",
                ),
            ),
            ("break_end", models.TimeField(blank=True, null=True, verbose_name="break end")),
            ("updated_at", models.DateTimeField(auto_now=True, verbose_name="updated at")),
            (
                "period",
                models.ForeignKey(
                    on_delete=django.db.models.deletion.CASCADE,
                    related_name="hours",
                    to="worktime.specialperiod",
                    verbose_name="special period",
                ),
            ),
        ],
        options={
            "verbose_name": "special working hours",
            "verbose_name_plural": "special working hours",
            "db_table": "workflow_specialperiodhours",
            "ordering": ["period", "weekday"],
            "abstract": False,
            "constraints": [
                models.CheckConstraint(
                    condition=models.Q(
                        ("is_working", False),
                        models.Q(
                            ("end__isnull", False),
                            ("start__isnull", False),
                            ("start__lt", models.F("end")),
                        ),
                        _connector="OR",
                    ),
                    name="workflow_specialperiodhours_start_before_end",
                    violation_error_message="A working day needs a start before its end.",
                ),
                models.CheckConstraint(
                    condition=models.Q(
                        ("is_working", False),
                        models.Q(("break_end__isnull", True), ("break_start__isnull", True)),
                        models.Q(
                            ("break_end__isnull", False),
                            ("break_end__lt", models.F("end")),
                            ("break_start__isnull", False),
                            ("break_start__lt", models.F("break_end")),
                            ("start__lt", models.F("break_start")),
                        ),
                        _connector="OR",
                    ),
                    name="workflow_specialperiodhours_break_inside_hours",
                    violation_error_message="The break must lie inside working hours: start < break start < break end < end.",
                ),
                models.UniqueConstraint(
                    fields=("period", "weekday"), name="workflow_specialperiodhours_one_per_weekday"
                ),
            ],
        },
    ),
]


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("workflow", "0002_seed_default_calendar"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=STATE, database_operations=[]),
        migrations.RunPython(forwards, backwards),
    ]
