"""A publication time chosen after the Kabag's permission: nothing goes out before it, the step
stays open, and at that time the website publishes and the step finishes."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from tests.newsroom.conftest import open_run
from tests.publishing.test_services import at_upload, reload
from warta.publishing import services as publishing
from warta.publishing.models import Publication
from warta.publishing.tasks import run_publication


@pytest.mark.django_db
def test_a_scheduled_publication_waits_for_its_time(people, new_item):
    item = at_upload(people, new_item)
    run = open_run(item)
    when = timezone.now() + dt.timedelta(hours=2)
    publishing.publish(item_id=item.pk, step_run_id=run.pk, user=people["humas"], not_before=when)
    website = Publication.objects.get(item=item, channel="website")
    assert (website.state, website.not_before) == ("queued", when)
    item = reload(item)
    assert item.published_at is None and item.case.status == "open"

    assert run_publication.call(website.pk) == "nothing to do"  # too early: nothing happens
    assert reload(item).published_at is None

    with time_machine.travel(when + dt.timedelta(minutes=1), tick=False):
        assert run_publication.call(website.pk) == "published"
    item = reload(item)
    assert item.published_at is not None and item.slug
    assert item.case.status == "completed"


@pytest.mark.django_db
def test_a_time_already_past_publishes_at_once(people, new_item):
    item = at_upload(people, new_item)
    past = timezone.now() - dt.timedelta(minutes=5)
    publishing.publish(
        item_id=item.pk, step_run_id=open_run(item).pk, user=people["humas"], not_before=past
    )
    assert reload(item).case.status == "completed"
