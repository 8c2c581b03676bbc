"""Photos and videos become media assets (``warta.media``).

Each photo and video row gets an asset that takes over its stored file (the same name: nothing
is copied), type, name and caption; the renditions are made by the worker afterwards
(`warta media process`, which `warta setup` also runs). Then the columns the asset now
holds are dropped.
"""

from __future__ import annotations

from django.db import migrations, models
from django.db.models import deletion


def _size(storage, name: str) -> int:
    try:
        return storage.size(name)
    except (OSError, NotImplementedError, ValueError):
        return 0


def to_assets(apps, schema_editor) -> None:
    asset_model = apps.get_model("media", "Asset")
    storage = asset_model._meta.get_field("original").storage
    for model_name, field_name, kind in (("Photo", "image", "photo"), ("Video", "file", "video")):
        model = apps.get_model("newsroom", model_name)
        for row in model.objects.order_by("pk").iterator():
            name = getattr(row, field_name).name or ""
            extension = name.rsplit(".", 1)[-1].lower() if "." in name else "bin"
            asset = asset_model.objects.create(
                kind=kind,
                original=name,
                content_type=row.content_type or "application/octet-stream",
                extension=extension[:8],
                original_name=row.original_name,
                size=_size(storage, name),
                width=getattr(row, "width", 0) or 0,
                height=getattr(row, "height", 0) or 0,
                caption=row.caption,
                state="processing",
                uploaded_by_id=row.uploaded_by_id,
                uploaded_at=row.uploaded_at,
            )
            model.objects.filter(pk=row.pk).update(asset=asset)


class Migration(migrations.Migration):
    dependencies = [
        ("media", "0001_initial"),
        ("newsroom", "0003_publication_moved"),
    ]

    operations = [
        migrations.AddField(
            model_name="photo",
            name="asset",
            field=models.OneToOneField(
                null=True,
                on_delete=deletion.PROTECT,
                related_name="news_photo",
                to="media.asset",
            ),
        ),
        migrations.AddField(
            model_name="video",
            name="asset",
            field=models.OneToOneField(
                null=True,
                on_delete=deletion.PROTECT,
                related_name="news_video",
                to="media.asset",
            ),
        ),
        migrations.RunPython(to_assets, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="photo",
            name="asset",
            field=models.OneToOneField(
                on_delete=deletion.PROTECT, related_name="news_photo", to="media.asset"
            ),
        ),
        migrations.AlterField(
            model_name="video",
            name="asset",
            field=models.OneToOneField(
                on_delete=deletion.PROTECT, related_name="news_video", to="media.asset"
            ),
        ),
        migrations.RemoveField(model_name="photo", name="image"),
        migrations.RemoveField(model_name="photo", name="width"),
        migrations.RemoveField(model_name="photo", name="height"),
        migrations.RemoveField(model_name="photo", name="original_name"),
        migrations.RemoveField(model_name="photo", name="content_type"),
        migrations.RemoveField(model_name="photo", name="caption"),
        migrations.RemoveField(model_name="photo", name="uploaded_by"),
        migrations.RemoveField(model_name="photo", name="uploaded_at"),
        migrations.RemoveField(model_name="video", name="file"),
        migrations.RemoveField(model_name="video", name="original_name"),
        migrations.RemoveField(model_name="video", name="content_type"),
        migrations.RemoveField(model_name="video", name="caption"),
        migrations.RemoveField(model_name="video", name="uploaded_by"),
        migrations.RemoveField(model_name="video", name="uploaded_at"),
    ]
