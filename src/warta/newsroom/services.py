"""The newsroom's writes. Each public function is one change in one transaction with its audit
event; workflow transitions go through the engine's services in the same transaction."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from typing import Any

from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from warta.audit.models import Event
from warta.audit.services import record_event
from warta.audit.snapshots import snapshot
from warta.errors import WartaError
from warta.media import services as media
from warta.media.models import Asset
from warta.media.services import StoredOriginal
from warta.newsroom.capabilities import EDIT, continues_editing
from warta.newsroom.errors import EditConflict, NotEditable
from warta.newsroom.models import SUBJECT_TYPE, NewsItem, Photo, Revision, Video
from warta.newsroom.selectors import news_sop
from warta.publishing import channels as channel_list
from warta.workflow import services as workflow
from warta.workflow.capabilities import COMPLETE
from warta.workflow.errors import NotPermitted
from warta.workflow.models import Case, StepRun
from warta.workflow.registry import capability_for

OBJECT_TYPE = "newsroom.newsitem"
# The audit events that record the item's content (``_audited_state``).
TEXT_EVENTS = ("newsroom.item_created", "newsroom.draft_saved")
CONTENT_FIELDS = ("title", "activity_name", "activity_at", "place", "covered_by", "notes", "body")
# What the audit events of an item record (before and after).
AUDITED_FIELDS = (*CONTENT_FIELDS, "channels", "cover", "edit_version")


def _sanitize_body(html: str) -> str:
    return NewsItem._meta.get_field("body").sanitize(html or "")


def _add_revision(item: NewsItem, *, user: Any, kind: str, now: dt.datetime) -> Revision:
    """Keep the current title and text as a revision; return the revision that holds them.

    - The newest revision already holds them: it is returned, and an autosave that an explicit
      save confirms becomes a saved version. A submission of the newest saved or autosaved
      text makes that revision the submitted version (its kind, author and time become the
      submission's; the text, which audit events may name, stays): the text is kept once, not
      copied. A submission after another one always adds a revision (the reviewer's diff is
      taken between submitted versions).
    - Autosaves are coalesced: while the newest revision is an autosave of the same person in
      the same revision round, the next autosave updates it instead of adding one. So between
      two explicit saves one autosave is kept; every saved and submitted version stays, and a
      revision an audit event names (``text_reference``) never changes again.
    """
    last = item.revisions.order_by("-number").first()
    same_text = last is not None and last.title == item.title and last.body == item.body
    revision_round = item.case.revision_round if item.case_id else 0
    if same_text and kind == Revision.Kind.SUBMITTED and last.kind != Revision.Kind.SUBMITTED:
        last.kind, last.saved_by, last.saved_at = kind, user, now
        last.revision_round = revision_round
        last.save(update_fields=["kind", "saved_by", "saved_at", "revision_round"])
        return last
    if same_text and kind != Revision.Kind.SUBMITTED:
        if kind == Revision.Kind.SAVED and last.kind == Revision.Kind.AUTOSAVE:
            last.kind, last.saved_by, last.saved_at = Revision.Kind.SAVED, user, now
            last.save(update_fields=["kind", "saved_by", "saved_at"])
        return last
    if (
        kind == Revision.Kind.AUTOSAVE
        and last is not None
        and last.kind == Revision.Kind.AUTOSAVE
        and last.saved_by_id == user.pk
        and last.revision_round == revision_round
    ):
        last.title, last.body, last.saved_at = item.title, item.body, now
        last.save(update_fields=["title", "body", "saved_at"])
        return last
    return Revision.objects.create(
        item=item,
        number=(last.number if last else 0) + 1,
        kind=kind,
        title=item.title,
        body=item.body,
        revision_round=revision_round,
        saved_by=user,
        saved_at=now,
    )


def text_reference(text: str, revision: Revision | None = None) -> dict[str, Any]:
    """What an audit event records of a long text instead of the text: its SHA-256 (of the
    UTF-8 bytes) and length in characters, and the revision that keeps it when there is one."""
    reference: dict[str, Any] = {
        "sha256": hashlib.sha256(text.encode()).hexdigest(),
        "length": len(text),
    }
    if revision is not None:
        reference["revision"] = revision.pk
    return reference


# The long texts an event names by reference (``text_reference``).
TEXT_FIELDS = ("body", "notes")
# What a save event records: the audited fields and the item's media.
RECORDED_KEYS = frozenset((*AUDITED_FIELDS, "media"))
TIME_FIELDS = frozenset(
    name
    for name in AUDITED_FIELDS
    if isinstance(NewsItem._meta.get_field(name), models.DateTimeField)
)


def _state_on_record(item_id: int) -> dict[str, Any]:
    """The item as the trail holds it: for each key, its value in the newest creation or save
    event that recorded it. Creation events and saves before issue 12 hold every key; later
    saves only what they changed (``_save_draft``). One query, however many saves."""
    afters = (
        Event.objects.filter(
            object_type=OBJECT_TYPE, object_id=str(item_id), action__in=TEXT_EVENTS
        )
        .order_by("-seq")
        .values_list("after", flat=True)
    )
    state: dict[str, Any] = {}
    for after in afters:
        if isinstance(after, dict):
            for key, value in after.items():
                state.setdefault(key, value)
        if state.keys() >= RECORDED_KEYS:
            break
    return state


def _text_hash(value: Any) -> Any:
    """A recorded long text as a save compares it: by its SHA-256, whether the event names
    it by reference or (before issue 12) carries it."""
    if isinstance(value, dict) and "sha256" in value:
        return value["sha256"]
    if isinstance(value, str):
        return text_reference(value)["sha256"]
    return value


def _instant(value: Any) -> Any:
    parsed = parse_datetime(value) if isinstance(value, str) else None
    return parsed if parsed is not None and parsed.tzinfo is not None else value


def _as_before(key: str, value: Any) -> Any:
    """A value on record as a save's ``before`` repeats it: a long text by reference only (the
    text itself is in the event that recorded it)."""
    if key not in TEXT_FIELDS or value is None:
        return value
    if isinstance(value, str):
        return text_reference(value)
    return {name: part for name, part in value.items() if name != "text"}


def _changes(
    on_record: Mapping[str, Any], unrecorded: Mapping[str, Any], after: Mapping[str, Any]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """(before, after) of a save event: the keys whose value differs from what the trail
    holds (``on_record``; a key it never held is taken from ``unrecorded``, the item before
    the save), long texts compared by hash. Changes an autosave made since the last event
    are among them: the trail holds every explicitly saved state."""
    before, changed = {}, {}
    for key, value in after.items():
        recorded = on_record.get(key, unrecorded.get(key))
        if key in TEXT_FIELDS:
            differs = _text_hash(recorded) != _text_hash(value)
        elif key in TIME_FIELDS:  # the same instant may be written in another time zone
            differs = _instant(recorded) != _instant(value)
        else:
            differs = recorded != value
        if differs:
            before[key], changed[key] = _as_before(key, recorded), value
    return before, changed


def _audited_state(
    item: NewsItem, *, revision: Revision | None, notes_on_record: str | None
) -> dict[str, Any]:
    """The item as an audit event records it: the short fields as they are; the news text by
    reference to the revision that holds it (by hash alone when none does); the coverage notes,
    which no revision keeps, by hash — with the text itself when the trail does not hold it yet
    (``notes_on_record``: the hash of the notes the trail holds)."""
    state = snapshot(item, AUDITED_FIELDS)
    held = revision if revision is not None and revision.body == item.body else None
    state["body"] = text_reference(item.body, held)
    state["notes"] = text_reference(item.notes)
    if state["notes"]["sha256"] != notes_on_record:
        state["notes"]["text"] = item.notes
    return state


@dataclass
class _StoredMedia:
    """The files of one save, checked and written before its transaction (see ``_store_media``)."""

    photos: list[StoredOriginal] = dataclass_field(default_factory=list)
    videos: list[StoredOriginal] = dataclass_field(default_factory=list)

    def discard(self) -> None:
        """Delete the written files again: the save that was to refer to them did not happen."""
        for stored in (*self.photos, *self.videos):
            stored.discard()


def _store_media(photos: Iterable[Any], videos: Iterable[Any]) -> _StoredMedia:
    """Check every upload by its content, then write them all to storage — before the save's
    transaction: copying photos and videos takes seconds, and on SQLite a transaction holds the
    single write lock of the whole database, so every other writer would wait for the copy.
    Nothing is written unless every upload passed (``media.store_uploads``)."""
    uploads = [(upload, Asset.Kind.PHOTO) for upload in photos]
    uploads += [(upload, Asset.Kind.VIDEO) for upload in videos]
    stored = media.store_uploads(uploads)
    return _StoredMedia(
        photos=[one for one in stored if one.kind == Asset.Kind.PHOTO],
        videos=[one for one in stored if one.kind == Asset.Kind.VIDEO],
    )


def _add_media(
    item: NewsItem, *, user: Any, stored: _StoredMedia, now: dt.datetime
) -> tuple[list[Photo], list[Video]]:
    """The assets and rows of files already checked and written by ``_store_media``."""
    position = item.photos.order_by("-position").values_list("position", flat=True).first() or 0
    new_photos = [
        Photo.objects.create(
            item=item,
            asset=media.create_asset(photo, user=user, now=now),
            position=position + offset,
        )
        for offset, photo in enumerate(stored.photos, start=1)
    ]
    new_videos = [
        Video.objects.create(item=item, asset=media.create_asset(video, user=user, now=now))
        for video in stored.videos
    ]
    if new_photos and item.cover_id is None:
        item.cover = new_photos[0]
        item.save(update_fields=["cover"])
    return new_photos, new_videos


def _media_names(photos: Iterable[Photo], videos: Iterable[Video]) -> list[str]:
    """What an audit event records of added or removed media: kind, asset and file name."""
    return [
        *(f"foto {photo.asset_id}: {photo.asset.original_name}" for photo in photos),
        *(f"video {video.asset_id}: {video.asset.original_name}" for video in videos),
    ]


def _media_state(photos: Iterable[Photo], videos: Iterable[Video]) -> dict[str, Any]:
    """The item's media as an audit event records them: by asset, its file name and texts."""
    return {
        str(row.asset_id): {
            "file": row.asset.original_name,
            "caption": row.asset.caption,
            "alt_text": row.asset.alt_text,
        }
        for row in (*photos, *videos)
    }


def add_media(*, item_id: int, user: Any, stored: StoredOriginal, ip: str = "") -> Photo | Video:
    """Attach one checked, stored file (a finished resumable upload) to the item being edited.
    The text's ``edit_version`` is not touched: an open editor keeps saving its text. On any
    refusal the stored file is deleted again."""
    try:
        with transaction.atomic():
            item, _run = _lock_editable(item_id, user)
            now = timezone.now()
            bundle = _StoredMedia()
            (bundle.videos if stored.kind == Asset.Kind.VIDEO else bundle.photos).append(stored)
            photos, videos = _add_media(item, user=user, stored=bundle, now=now)
            record_event(
                action="newsroom.media_added",
                actor=user,
                object_type=OBJECT_TYPE,
                object_id=item.pk,
                after={"media": _media_names(photos, videos)},
                ip=ip,
            )
    except BaseException:
        stored.discard()
        raise
    return (photos or videos)[0]


def item_asset(item_id: int, asset_id: int) -> Asset:
    """One of the item's photos' or videos' assets (``Asset.DoesNotExist`` otherwise)."""
    return Asset.objects.filter(
        Q(news_photo__item_id=item_id) | Q(news_video__item_id=item_id)
    ).get(pk=asset_id)


def set_focus(*, item_id: int, asset_id: int, user: Any, x: float, y: float, ip: str = "") -> Any:
    """Move the focus point of one of the item's photos (while the item may be edited)."""
    with transaction.atomic():
        _lock_editable(item_id, user)
        asset = item_asset(item_id, asset_id)
        return media.set_focus(asset.pk, x, y, user=user, ip=ip)


class PosterRefused(WartaError):
    code = "poster"

    def __init__(self) -> None:
        super().__init__(_("Choose one of the video's poster frames."))


def choose_poster(*, item_id: int, asset_id: int, user: Any, time: float, ip: str = "") -> Any:
    """Choose the poster frame of one of the item's videos (while the item may be edited)."""
    with transaction.atomic():
        _lock_editable(item_id, user)
        asset = item_asset(item_id, asset_id)
        return media.choose_poster(asset.pk, time, user=user, ip=ip)


def create_item(
    *,
    user: Any,
    title: str,
    activity_name: str,
    activity_at: dt.datetime,
    place: str,
    covered_by: str,
    notes: str = "",
    body: str = "",
    photos: Iterable[Any] = (),
    videos: Iterable[Any] = (),
    ip: str = "",
) -> NewsItem:
    """Step 1 begins: a new coverage note, and the SOP case that will carry it.

    The uploads are checked and written to storage first, outside the transaction; if the
    transaction is refused or fails, the written files are deleted again.
    """
    stored = _store_media(photos, videos)
    try:
        return _create_item(
            user=user,
            title=title,
            activity_name=activity_name,
            activity_at=activity_at,
            place=place,
            covered_by=covered_by,
            notes=notes,
            body=body,
            stored=stored,
            ip=ip,
        )
    except BaseException:
        stored.discard()
        raise


@transaction.atomic
def _create_item(
    *,
    user: Any,
    title: str,
    activity_name: str,
    activity_at: dt.datetime,
    place: str,
    covered_by: str,
    notes: str,
    body: str,
    stored: _StoredMedia,
    ip: str,
) -> NewsItem:
    now = timezone.now()
    item = NewsItem.objects.create(
        title=title.strip(),
        activity_name=activity_name.strip(),
        activity_at=activity_at,
        place=place.strip(),
        covered_by=covered_by.strip(),
        notes=notes.strip(),
        body=_sanitize_body(body),
        channels=[channel_list.WEBSITE],
        created_by=user,
        created_at=now,
        updated_at=now,
    )
    case = workflow.start_case(
        sop=news_sop(),
        subject_type=SUBJECT_TYPE,
        subject_id=item.pk,
        title=item.title,
        started_by=user,
        ip=ip,
    )
    item.case = case
    item.save(update_fields=["case"])
    _add_media(item, user=user, stored=stored, now=now)
    revision = _add_revision(item, user=user, kind=Revision.Kind.SAVED, now=now)
    record_event(
        action="newsroom.item_created",
        actor=user,
        object_type=OBJECT_TYPE,
        object_id=item.pk,
        after=_audited_state(item, revision=revision, notes_on_record=None),
        ip=ip,
    )
    return item


def _lock_editable(item_id: int, user: Any) -> tuple[NewsItem, StepRun]:
    item = (
        NewsItem.objects.select_for_update(of=("self",))
        .select_related("case", "case__sop")
        .get(pk=item_id)
    )
    case = Case.objects.select_for_update(no_key=True).get(pk=item.case_id)
    item.case = case
    run = case.step_runs.filter(finished_at__isnull=True).first()
    if run is None or not _serving(case, run).editable:
        raise NotEditable()
    workflow.check_actor(case=case, run=run, user=user)
    return item, run


def save_draft(
    *,
    item_id: int,
    user: Any,
    base_version: int,
    content: Mapping[str, Any],
    channels: Iterable[str] | None = None,
    captions: Mapping[int, str] | None = None,
    alt_texts: Mapping[int, str] | None = None,
    cover_id: int | None = None,
    remove_photo_ids: Iterable[int] = (),
    remove_video_ids: Iterable[int] = (),
    photos: Iterable[Any] = (),
    videos: Iterable[Any] = (),
    autosave: bool = False,
    ip: str = "",
) -> NewsItem:
    """Save the note/draft (steps 1–2). ``content`` holds any of ``CONTENT_FIELDS``.
    ``base_version`` is the ``edit_version`` the editor loaded; an older one is refused.
    ``captions`` and ``alt_texts`` are keyed by the media asset's id.

    New uploads are checked and written to storage before the transaction, and deleted again
    when the save is refused or fails (as in ``create_item``).
    """
    stored = _store_media(photos, videos)
    try:
        return _save_draft(
            item_id=item_id,
            user=user,
            base_version=base_version,
            content=content,
            channels=channels,
            captions=captions,
            alt_texts=alt_texts,
            cover_id=cover_id,
            remove_photo_ids=remove_photo_ids,
            remove_video_ids=remove_video_ids,
            stored=stored,
            autosave=autosave,
            ip=ip,
        )
    except BaseException:
        stored.discard()
        raise


@transaction.atomic
def _save_draft(
    *,
    item_id: int,
    user: Any,
    base_version: int,
    content: Mapping[str, Any],
    channels: Iterable[str] | None,
    captions: Mapping[int, str] | None,
    alt_texts: Mapping[int, str] | None,
    cover_id: int | None,
    remove_photo_ids: Iterable[int],
    remove_video_ids: Iterable[int],
    stored: _StoredMedia,
    autosave: bool,
    ip: str,
) -> NewsItem:
    item, _run = _lock_editable(item_id, user)
    if base_version != item.edit_version:
        raise EditConflict()
    now = timezone.now()
    photos = list(item.photos.select_related("asset"))
    videos = list(item.videos.select_related("asset"))
    unrecorded: dict[str, Any] = {}
    if not autosave:
        # The item before the save: what a save compares with for a key the trail never held.
        unrecorded = {
            **_audited_state(item, revision=None, notes_on_record=None),
            "media": _media_state(photos, videos),
        }
    for field in CONTENT_FIELDS:
        if field in content:
            value = content[field]
            if field == "body":
                value = _sanitize_body(value)
            elif isinstance(value, str):
                value = value.strip()
            setattr(item, field, value)
    if channels is not None:
        item.channels = channel_list.clean_channels(channels)
    for row in (*photos, *videos):
        media.describe(
            row.asset,
            caption=(captions or {}).get(row.asset_id),
            alt_text=(alt_texts or {}).get(row.asset_id),
        )
    removed = set(remove_photo_ids)
    gone_photos = [photo for photo in photos if photo.pk in removed]
    gone_videos = [video for video in videos if video.pk in set(remove_video_ids)]
    if gone_photos and item.cover_id in removed:
        item.cover = None
    for row in (*gone_photos, *gone_videos):
        row.delete()
    media.remove([row.asset for row in (*gone_photos, *gone_videos)])
    added_photos, added_videos = _add_media(item, user=user, stored=stored, now=now)
    kept_photos = [photo for photo in photos if photo not in gone_photos] + added_photos
    kept_videos = [video for video in videos if video not in gone_videos] + added_videos
    if cover_id is not None and item.photos.filter(pk=cover_id).exists():
        item.cover_id = cover_id
    if item.cover_id is None:
        item.cover = item.photos.first()
    item.edit_version += 1
    item.updated_at = now
    item.save()
    kind = Revision.Kind.AUTOSAVE if autosave else Revision.Kind.SAVED
    revision = _add_revision(item, user=user, kind=kind, now=now)
    if item.case.title != item.title:
        item.case.title = item.title
        item.case.save(update_fields=["title"])
    if not autosave:
        # Only what changed since the trail last recorded the item (autosaves included), the
        # title to name it, and the versions; new coverage notes with their text.
        on_record = _state_on_record(item.pk)
        state = {
            **_audited_state(
                item, revision=revision, notes_on_record=_text_hash(on_record.get("notes"))
            ),
            "media": _media_state(kept_photos, kept_videos),
        }
        del state["edit_version"]  # recorded as the version saved upon and the new one
        before, after = _changes(on_record, unrecorded, state)
        record_event(
            action="newsroom.draft_saved",
            actor=user,
            object_type=OBJECT_TYPE,
            object_id=item.pk,
            before={**before, "edit_version": base_version},
            after={**after, "title": state["title"], "edit_version": item.edit_version},
            ip=ip,
        )
    return item


def _item_with_case(item_id: int) -> NewsItem:
    return NewsItem.objects.select_related("case", "case__sop").get(pk=item_id)


def _serving(case: Case, run: StepRun):
    return capability_for(case.sop.definition().step(run.step_id)) or COMPLETE


@transaction.atomic
def submit(*, item_id: int, step_run_id: int, user: Any, note: str = "", ip: str = "") -> Case:
    """Finish a manual step of the item (the note, the draft, the order to upload). Submitting
    the draft keeps the submitted text as a revision: the reviewer's diff is taken against it."""
    item = _item_with_case(item_id)
    run = StepRun.objects.get(pk=step_run_id, case_id=item.case_id)
    definition = item.case.sop.definition()
    step = definition.step(run.step_id)
    serving = capability_for(step)
    if serving is None or serving.name not in (EDIT.name, COMPLETE.name):
        raise NotPermitted(_("Use the form of this step on the item page to finish it."))
    case = workflow.complete_step(
        case_id=item.case_id, step_run_id=step_run_id, user=user, note=note, ip=ip
    )
    if serving.editable and not continues_editing(definition, step):
        # The item leaves the writers' hands: keep the text handed over, for the reviewer's diff.
        _add_revision(item, user=user, kind=Revision.Kind.SUBMITTED, now=timezone.now())
    return case


@transaction.atomic
def decide(
    *, item_id: int, step_run_id: int, user: Any, branch: str, reason: str = "", ip: str = ""
) -> Case:
    """A decision on the item (approve, return for revision, permit, refuse)."""
    item = _item_with_case(item_id)
    return workflow.decide(
        case_id=item.case_id,
        step_run_id=step_run_id,
        user=user,
        branch=branch,
        reason=reason,
        ip=ip,
    )
