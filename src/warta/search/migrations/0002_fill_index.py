"""Fill the search index of a database that had published items before it existed.

Uses the models as they are at this point of the migrations: an item is published with a
publication time and a web address; while a correction runs (its case is open), the public
sees the version recorded with its last website publication (``publishing.selectors.
public_versions`` does the same for the running code)."""

from django.db import migrations

BATCH = 500


def fill(apps, schema_editor):
    from warta.site.selectors import plain_text

    NewsItem = apps.get_model("newsroom", "NewsItem")
    Publication = apps.get_model("publishing", "Publication")
    SearchEntry = apps.get_model("search", "SearchEntry")
    db = schema_editor.connection.alias
    published = (
        NewsItem.objects.using(db)
        .filter(published_at__isnull=False, slug__isnull=False)
        .exclude(slug="")
        .order_by("pk")
    )
    last_pk = 0
    while True:
        batch = list(
            published.filter(pk__gt=last_pk).values("pk", "title", "body", "case__status")[:BATCH]
        )
        if not batch:
            break
        last_pk = batch[-1]["pk"]
        versions = {}
        correcting = [row["pk"] for row in batch if row["case__status"] == "open"]
        if correcting:
            rows = (
                Publication.objects.using(db)
                .filter(item_id__in=correcting, account__platform="website", state="published")
                .exclude(operation="withdraw")
                .order_by("item_id", "-revision", "-pk")
                .values_list("item_id", "extra")
            )
            for item_id, extra in rows:
                version = (extra or {}).get("public")
                if item_id not in versions and version:
                    versions[item_id] = version
        entries = []
        for row in batch:
            version = versions.get(row["pk"], row)
            entries.append(
                SearchEntry(
                    item_id=row["pk"],
                    title=version["title"],
                    body=plain_text(version["body"]),
                )
            )
        SearchEntry.objects.using(db).filter(item_id__in=[e.item_id for e in entries]).delete()
        SearchEntry.objects.using(db).bulk_create(entries)


class Migration(migrations.Migration):
    dependencies = [
        ("search", "0001_search_entry"),
        ("newsroom", "0004_media_assets"),
        ("publishing", "0002_channel_accounts"),
        ("workflow", "0005_move_calendar_to_worktime"),
    ]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
