"""Notification kinds come from a registry (``notify.kinds``) that apps fill from their
``AppConfig.ready()`` instead of a closed list: the fields take their choices from it. Stored
codes are unchanged, so existing notifications and preferences stay valid."""

from django.db import migrations, models

import warta.notify.kinds


class Migration(migrations.Migration):
    dependencies = [
        ("notify", "0002_mail_claim"),
    ]

    operations = [
        migrations.AlterField(
            model_name="notification",
            name="kind",
            field=models.CharField(
                choices=warta.notify.kinds.kind_choices, max_length=32, verbose_name="kind"
            ),
        ),
        migrations.AlterField(
            model_name="preference",
            name="kind",
            field=models.CharField(
                choices=warta.notify.kinds.kind_choices, max_length=32, verbose_name="kind"
            ),
        ),
    ]
