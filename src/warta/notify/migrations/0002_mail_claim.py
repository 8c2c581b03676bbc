"""A mail being sent is claimed ("sending" + claimed_at) in a short transaction of its own."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("notify", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="outgoingmail",
            name="claimed_at",
            field=models.DateTimeField(
                blank=True,
                help_text="When a worker took the mail to send it; a stale claim is sent again.",
                null=True,
                verbose_name="sending since",
            ),
        ),
        migrations.AlterField(
            model_name="outgoingmail",
            name="status",
            field=models.CharField(
                choices=[
                    ("pending", "Pending"),
                    ("sending", "Sending"),
                    ("sent", "Sent"),
                    ("failed", "Failed"),
                ],
                default="pending",
                max_length=16,
                verbose_name="status",
            ),
        ),
    ]
