"""``Publication`` moves here from the newsroom app. Its table (``newsroom_publication``) and
rows stay as they are: only Django's record of which app owns the model changes (the newsroom
side is ``newsroom/migrations/0003_publication_moved``). The content type follows, so existing
permissions keep pointing at the model."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def _relabel(apps, schema_editor, old: str, new: str) -> None:
    content_types = apps.get_model("contenttypes", "ContentType").objects.using(
        schema_editor.connection.alias
    )
    if not content_types.filter(app_label=new, model="publication").exists():
        content_types.filter(app_label=old, model="publication").update(app_label=new)


def move_content_type(apps, schema_editor):
    _relabel(apps, schema_editor, "newsroom", "publishing")


def restore_content_type(apps, schema_editor):
    _relabel(apps, schema_editor, "publishing", "newsroom")


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("newsroom", "0002_media_types"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Publication",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("channel", models.CharField(max_length=32, verbose_name="channel")),
                        (
                            "url",
                            models.URLField(blank=True, max_length=500, verbose_name="address"),
                        ),
                        ("published_at", models.DateTimeField(verbose_name="published at")),
                        (
                            "item",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="publications",
                                to="newsroom.newsitem",
                            ),
                        ),
                        (
                            "published_by",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "publication",
                        "verbose_name_plural": "publications",
                        "db_table": "newsroom_publication",
                        "ordering": ["item", "pk"],
                        "constraints": [
                            models.UniqueConstraint(
                                fields=("item", "channel"), name="newsroom_one_per_channel"
                            )
                        ],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(move_content_type, restore_content_type, elidable=True),
    ]
