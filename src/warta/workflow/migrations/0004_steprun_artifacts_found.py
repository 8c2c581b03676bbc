from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("workflow", "0003_deviation_review_and_step_alerts"),
    ]

    operations = [
        migrations.AddField(
            model_name="steprun",
            name="artifacts_found",
            field=models.JSONField(
                blank=True,
                help_text=(
                    "For each kelengkapan or output item the step lists: whether it was there "
                    "when the step was finished. Empty when the step was left without checking "
                    "them (a return, a refusal, an automatic relay)."
                ),
                null=True,
                verbose_name="items found",
            ),
        ),
    ]
