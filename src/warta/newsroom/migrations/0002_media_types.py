"""Record the type of every stored photo and video, and give each stored file the extension of
the type found in its content.

Before this, a stored name kept the client's extension, so a PNG uploaded as ``foto.html`` was
stored as ``<uuid>.html`` and served as ``text/html``. Each file is copied to its right name; the
old name is deleted only once the migration has committed, so a failure leaves rows and files as
they were. A row whose file is missing is left alone.
"""

from __future__ import annotations

import posixpath

from django.db import migrations, models, transaction

from warta.media.types import read_head, sniff

FIELDS = (("Photo", "image"), ("Video", "file"))


def fix_media_names(apps, schema_editor) -> None:
    for model_name, field_name in FIELDS:
        model = apps.get_model("newsroom", model_name)
        storage = model._meta.get_field(field_name).storage
        # Plain values, not model instances: loading an image row reads its file for its size.
        rows = model.objects.order_by("pk").values_list("pk", field_name, "content_type")
        for pk, name, content_type in rows.iterator():
            _fix_row(model, storage, pk, name, content_type, field_name)


def _fix_row(model, storage, pk: int, name: str, content_type: str, field_name: str) -> None:
    try:
        if not name or not storage.exists(name):
            return
        with storage.open(name, "rb") as handle:
            media_type = sniff(read_head(handle))
            stem, extension = posixpath.splitext(name)
            wanted = media_type.extension if media_type else "bin"
            new_name = name
            if extension.lower() != f".{wanted}":
                new_name = storage.save(f"{stem}.{wanted}", handle)
    except OSError:
        return  # unreadable: leave the row as it was
    mime = media_type.mime if media_type else ""
    if new_name == name and content_type == mime:
        return
    model.objects.filter(pk=pk).update(**{field_name: new_name, "content_type": mime})
    if new_name != name:
        transaction.on_commit(lambda: storage.delete(name))


class Migration(migrations.Migration):
    dependencies = [
        ("newsroom", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="photo",
            name="content_type",
            field=models.CharField(blank=True, max_length=100),
        ),
        migrations.RunPython(fix_media_names, migrations.RunPython.noop, elidable=True),
    ]
