"""What the generic engine asks of a news item: is the text / a photo / a video there?"""

from __future__ import annotations

from django.urls import reverse

from warta.newsroom.models import SUBJECT_TYPE, NewsItem
from warta.workflow.registry import register_subject


def artifact_present(artifact_id: str, *, item: NewsItem, photos: int, videos: int) -> bool | None:
    """Whether the item holds an SOP artifact; None for artifacts the newsroom does not know."""
    if artifact_id == "naskah":
        return bool(item.title.strip() and item.body.strip())
    if artifact_id == "foto":
        return photos > 0
    if artifact_id == "video":
        return videos > 0
    return None


class NewsItemHooks:
    def has_artifact(self, case, artifact_id: str) -> bool | None:
        item = NewsItem.objects.filter(case=case).first()
        if item is None:
            return None
        return artifact_present(
            artifact_id, item=item, photos=item.photos.count(), videos=item.videos.count()
        )

    def subject_url(self, case) -> str:
        item_id = NewsItem.objects.filter(case=case).values_list("pk", flat=True).first()
        return reverse("newsroom:item", args=[item_id]) if item_id else ""


def register() -> None:
    register_subject(SUBJECT_TYPE, NewsItemHooks())
