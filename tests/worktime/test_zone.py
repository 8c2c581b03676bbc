"""The one time zone and the one WIB formatter."""

from __future__ import annotations

import datetime as dt

from django.template import Context, Template
from django.utils import timezone, translation

from warta.worktime.zone import JAKARTA, format_instant, local_date

INSTANT = dt.datetime(2026, 11, 30, 0, 50, tzinfo=dt.UTC)  # Monday 07:50 WIB


def test_an_instant_reads_in_wib_whatever_zone_is_active():
    with translation.override("id"), timezone.override(dt.timezone(dt.timedelta(hours=9))):
        assert format_instant(INSTANT) == "30 November 2026 07:50 WIB"
        assert format_instant(INSTANT, "l, j F Y H:i") == "Senin, 30 November 2026 07:50 WIB"


def test_the_wib_filter_uses_the_same_formatter():
    template = Template('{% load warta %}{{ at|wib }}|{{ at|wib:"j F Y H:i" }}|{{ none|wib }}')
    with translation.override("id"), timezone.override(dt.UTC):
        text = template.render(Context({"at": INSTANT, "none": None}))
    assert text == "30 Nov 2026 07:50 WIB|30 November 2026 07:50 WIB|—"


def test_the_local_date_is_jakartas():
    late_sunday_utc = dt.datetime(2026, 11, 29, 17, 30, tzinfo=dt.UTC)  # Monday 00:30 WIB
    assert local_date(late_sunday_utc) == dt.date(2026, 11, 30)
    assert JAKARTA.utcoffset(late_sunday_utc.replace(tzinfo=None)) == dt.timedelta(hours=7)
