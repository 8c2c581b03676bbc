"""A post the platform accepted and is still processing (YouTube, TikTok): recorded as
published, then followed until it is live — or refused, which reaches Staf Humas."""

from __future__ import annotations

import pytest

from tests.newsroom.conftest import open_run
from tests.publishing.test_services import at_upload
from warta.notify.models import Notification
from warta.publishing import services as publishing
from warta.publishing.models import ChannelAccount, Publication
from warta.publishing.platforms.base import MediaRejected, Platform, Remote
from warta.publishing.tasks import follow_publication, run_publication

# What the slow platform answers to status(): "processing", "live", "refused" or "gone".
ANSWER = {"status": "processing"}


class SlowVideo(Platform):
    code = "slowvideo"
    name = "Slow Video"
    caption_limit = 100
    takes_video = True

    def publish(self, post):
        return Remote(external_id="v1", url="https://video.example/v1", state="processing")

    def status(self, remote):
        answer = ANSWER["status"]
        if answer == "refused":
            raise MediaRejected("The video was refused while processing.", advice="Check it.")
        if answer == "gone":
            return None
        state = "processing" if answer == "processing" else "published"
        return Remote(
            external_id=remote.external_id, url="https://video.example/watch/v1", state=state
        )


@pytest.fixture
def slow_item(people, new_item, monkeypatch):
    monkeypatch.setenv("WARTA_EXTRA_PLATFORMS", f"slowvideo={__name__}.SlowVideo")
    ChannelAccount.objects.create(code="slow", name="Slow Video", platform="slowvideo", mode="api")
    item = at_upload(people, new_item, channels=("website", "slow"))
    publishing.publish(item_id=item.pk, step_run_id=open_run(item).pk, user=people["humas"])
    publication = Publication.objects.get(item=item, channel="slow")
    run_publication.call(publication.pk)
    publication.refresh_from_db()
    assert publication.state == "published" and publication.extra["processing"] is True
    return publication


@pytest.mark.django_db
def test_a_processed_post_becomes_live_with_its_final_address(slow_item):
    ANSWER["status"] = "processing"
    assert follow_publication.call(slow_item.pk) == "still processing"
    ANSWER["status"] = "live"
    assert follow_publication.call(slow_item.pk, 2) == "live"
    slow_item.refresh_from_db()
    assert slow_item.state == "published" and slow_item.extra["processing"] is False
    assert slow_item.url == "https://video.example/watch/v1"
    assert follow_publication.call(slow_item.pk) == "nothing to do"


@pytest.mark.django_db
@pytest.mark.parametrize("answer", ["refused", "gone"])
def test_a_post_refused_or_lost_while_processing_fails_and_tells_the_requester(slow_item, answer):
    ANSWER["status"] = answer
    follow_publication.call(slow_item.pk)
    slow_item.refresh_from_db()
    assert slow_item.state == "failed" and slow_item.last_error
    assert Notification.objects.filter(
        recipient=slow_item.requested_by, kind="publication_failed"
    ).exists()
