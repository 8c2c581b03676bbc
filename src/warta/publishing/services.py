"""Publishing's writes: the step's publish action, the worker's attempts, reconciliation, and
what people do when a channel needs them.

The outbox: ``publish`` writes one ``Publication`` per target account and enqueues its task in
the same transaction as the step (the task backend stores tasks in the same database). A worker
``claim``s a record (publishing, a lease, attempts + 1) and commits *before* calling the
platform, so a worker that dies mid-call leaves a record that says so. Afterwards ``record_*``
writes the outcome. A record found ``publishing`` after its lease is *ambiguous*: it goes to
``needs_check`` and ``reconcile`` asks the platform (``find``) before anything is sent again.

The service does not ask which step of the SOP it serves: the definition names the step that
publishes (``uses: publishing.publish``) and the capability registered for that name calls
``publish``, so the engine has already matched the step, its role and its assignee. The step
finishes only when every publication of it is published or recorded (``_settle``).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from warta.audit.services import appended_at_commit, record_event
from warta.newsroom.models import SUBJECT_TYPE, NewsItem
from warta.publishing import post_urls
from warta.publishing.apps import FAILED_KIND
from warta.publishing.models import ChannelAccount, Publication
from warta.publishing.signals import announce
from warta.workflow import services as workflow
from warta.workflow.errors import NotPermitted, WorkflowError
from warta.workflow.models import Case, StepRun

logger = logging.getLogger(__name__)

# The capability (``uses:``) of the steps at which an item is published; see ``capabilities``.
PUBLISH_CAPABILITY = "publishing.publish"
WEBSITE = "website"

# Kept from before publishing was its own app, so the audit trail reads the same across the move.
PUBLISHED_ACTION = "newsroom.item_published"
REQUESTED_ACTION = "publishing.requested"
RECORDED_ACTION = "publishing.recorded"
FAILED_ACTION = "publishing.failed"
CHECK_ACTION = "publishing.needs_check"
RETRIED_ACTION = "publishing.retried"
WITHDRAWN_ACTION = "publishing.withdrawn"
OBJECT_TYPE = "publishing.publication"
# In a publication's ``extra``: the platform does not allow edits, so it keeps the revision
# first published there.
KEPT_FIRST_VERSION = "kept_first_version"

State = Publication.State
Op = Publication.Operation


class PublishingError(WorkflowError):
    """A publishing request that cannot be carried out as asked (nothing was changed)."""

    code = "publishing-refused"


# --- the step's action ----------------------------------------------------------------------
def target_accounts(item: NewsItem) -> list[ChannelAccount]:
    """The accounts ``item`` goes to: the website always, then its chosen active accounts."""
    codes = set(item.channels or ()) | {WEBSITE}
    return list(ChannelAccount.objects.filter(code__in=codes, active=True))


def _revision_for(item: NewsItem) -> int:
    last = (
        Publication.objects.filter(item=item)
        .exclude(operation=Op.WITHDRAW)
        .order_by("-revision")
        .values_list("revision", flat=True)
        .first()
    )
    return (last or 0) + 1


def _published_before(item: NewsItem, account: ChannelAccount) -> Publication | None:
    """The latest publication of ``item`` on ``account`` that the platform holds now."""
    return (
        Publication.objects.filter(item=item, account=account, state=State.PUBLISHED)
        .exclude(operation=Op.WITHDRAW)
        .exclude(external_id="", url="")
        .order_by("-revision")
        .first()
    )


@transaction.atomic
@appended_at_commit()  # the chain head is locked only at the end, not while posts are built
def publish(
    *,
    item_id: int,
    step_run_id: int,
    user: Any,
    channel_urls: Mapping[str, str] | None = None,
    note: str = "",
    ip: str = "",
    not_before: dt.datetime | None = None,
) -> Case:
    """Publish ``item_id`` on every account it targets, as the open publishing step
    ``step_run_id`` of its case, for ``user``.

    The website goes live at once (or at ``not_before``); accounts with an API are queued for
    the worker; accounts used by hand are recorded with the address given in ``channel_urls``
    (by account code) or wait for it. The step finishes when every one of them is published
    or recorded — possibly right here.

    Raises the engine's errors (``NotPermitted``, ``RequirementsMissing`` …) when ``user`` may
    not finish the step, ``PublishingError`` for an address that is not a post of the account,
    ``StepRun.DoesNotExist`` for a step run of another case; then nothing is changed.
    """
    item = (
        NewsItem.objects.select_for_update(of=("self",))
        .select_related("case", "case__sop")
        .get(pk=item_id)
    )
    run = StepRun.objects.get(pk=step_run_id, case_id=item.case_id)
    if item.case.sop.definition().step(run.step_id).uses != PUBLISH_CAPABILITY:
        raise NotPermitted(_("This item is not at a publishing step."))
    workflow.check_completable(case_id=item.case_id, step_run_id=run.pk, user=user)
    if Publication.objects.filter(step_run=run).exists():
        raise PublishingError(_("Publishing of this item has already started."))
    now = timezone.now()
    if not_before is not None and not_before <= now:
        not_before = None
    accounts = target_accounts(item)
    urls = _checked_manual_urls(accounts, channel_urls or {})
    revision = _revision_for(item)
    from warta.publishing.posts import caption_for

    publications = []
    for account in accounts:
        before = _published_before(item, account)
        publication = Publication.objects.create(
            item=item,
            account=account,
            channel=account.code,
            revision=revision,
            operation=Op.UPDATE if before else Op.PUBLISH,
            state=State.QUEUED,
            caption=caption_for(item, account) if account.platform != WEBSITE else "",
            external_id=before.external_id if before else "",
            url=before.url if before else "",
            requested_by=user,
            queued_at=now,
            not_before=not_before,
            step_run=run,
            extra={"note": note, "ip": ip},
        )
        publications.append(publication)
    record_event(
        action=REQUESTED_ACTION,
        actor=user,
        object_type=SUBJECT_TYPE,
        object_id=item.pk,
        after={
            "revision": revision,
            "accounts": [p.channel for p in publications],
            "not_before": not_before.isoformat() if not_before else None,
        },
        note=note,
        ip=ip,
    )
    for publication in publications:
        _dispatch(publication, urls=urls, user=user, ip=ip)
    _settle(item, run)
    return Case.objects.get(pk=item.case_id)


def _checked_manual_urls(
    accounts: list[ChannelAccount], given: Mapping[str, str]
) -> dict[str, str]:
    """The addresses given for the accounts used by hand, each checked to be a post of that
    account; ``PublishingError`` naming the first that is not."""
    checked = {}
    for account in accounts:
        url = (given.get(account.code) or "").strip()
        if url and account.mode == ChannelAccount.Mode.MANUAL and account.platform != WEBSITE:
            checked[account.code] = post_urls.check(account, url)
    return checked


def _dispatch(publication: Publication, *, urls: Mapping[str, str], user: Any, ip: str) -> None:
    """Send ``publication`` on its way: done here for the website and for an address given by
    hand, waiting for a person for a manual account, else queued for the worker."""
    account = publication.account
    if account.platform == WEBSITE and publication.not_before is None:
        _perform_website(publication, user=user, ip=ip)
    elif account.mode == ChannelAccount.Mode.MANUAL and account.platform != WEBSITE:
        if account.code in urls:
            _record_published(publication, external_id="", url=urls[account.code], user=user, ip=ip)
        else:
            publication.state = State.NEEDS_MANUAL
            if publication.operation == Op.UPDATE:
                publication.advice = _(
                    "Edit the post by hand on the platform (or post the corrected version), "
                    "then record its address."
                )
            publication.save(update_fields=["state", "advice"])
    else:
        enqueue(publication, run_after=publication.not_before)


def enqueue(publication: Publication, *, run_after: dt.datetime | None = None) -> None:
    """Queue the worker's attempt at ``publication`` in the caller's transaction."""
    from warta.publishing.tasks import run_publication

    task = run_publication.using(run_after=run_after) if run_after else run_publication
    task.enqueue(publication.pk)


def _perform_website(publication: Publication, *, user: Any, ip: str) -> None:
    from warta.publishing.posts import build_post, connector

    platform = connector(publication.account)
    post = build_post(publication)
    if publication.operation == Op.WITHDRAW:
        platform.withdraw(_remote(publication))
        _record_withdrawn(publication, user=user, ip=ip)
        return
    remote = platform.publish(post)
    publication.attempts += 1
    _record_published(
        publication,
        external_id=remote.external_id,
        url=remote.url,
        user=user,
        ip=ip,
        extra=remote.extra,
    )


def _remote(publication: Publication):
    from warta.publishing.platforms.base import Remote

    return Remote(external_id=publication.external_id, url=publication.url, extra=publication.extra)


# --- outcomes -------------------------------------------------------------------------------
def _record_published(
    publication: Publication, *, external_id: str, url: str, user: Any, ip: str = "", extra=None
) -> None:
    now = timezone.now()
    publication.state = State.PUBLISHED
    publication.external_id = external_id or publication.external_id
    publication.url = url or publication.url
    publication.published_at = now
    publication.published_by = user
    publication.lease_until = None
    publication.last_error = publication.advice = ""
    if extra:
        publication.extra = {**publication.extra, **extra}
    publication.save()
    record_event(
        action=RECORDED_ACTION,
        actor=user,
        object_type=OBJECT_TYPE,
        object_id=publication.pk,
        after={
            "item": publication.item_id,
            "channel": publication.channel,
            "revision": publication.revision,
            "operation": publication.operation,
            "external_id": publication.external_id,
            "url": publication.url,
            "attempts": publication.attempts,
        },
        ip=ip,
    )
    announce(publication.item_id)


def _record_withdrawn(publication: Publication, *, user: Any, ip: str = "") -> None:
    now = timezone.now()
    publication.state = State.WITHDRAWN
    publication.withdrawn_at = now
    publication.lease_until = None
    publication.save()
    Publication.objects.filter(
        item=publication.item_id, account=publication.account_id, state=State.PUBLISHED
    ).exclude(pk=publication.pk).update(state=State.WITHDRAWN, withdrawn_at=now)
    record_event(
        action=WITHDRAWN_ACTION,
        actor=user,
        object_type=OBJECT_TYPE,
        object_id=publication.pk,
        after={"item": publication.item_id, "channel": publication.channel, "url": publication.url},
        note=publication.extra.get("reason", ""),
        ip=ip,
    )
    announce(publication.item_id)


def _settle(item: NewsItem, run: StepRun | None) -> None:
    """Finish the publishing step ``run`` once every publication of it is settled, as the
    person who asked to publish. When they may no longer finish it (reassigned, role ended),
    the step stays open with everything settled and its capability offers to finish it."""
    if run is None or run.finished_at is not None:
        return
    publications = list(Publication.objects.filter(step_run=run).select_related("requested_by"))
    if not publications or not all(p.settled for p in publications):
        return
    first = publications[0]
    try:
        with transaction.atomic():
            workflow.complete_step(
                case_id=item.case_id,
                step_run_id=run.pk,
                user=first.requested_by,
                note=first.extra.get("note", ""),
                ip=first.extra.get("ip", ""),
            )
    except WorkflowError as exc:
        logger.warning("publishing step %s left open: %s", run.pk, exc)
        return
    record_event(
        action=PUBLISHED_ACTION,
        actor=first.requested_by,
        object_type=SUBJECT_TYPE,
        object_id=item.pk,
        after={
            "slug": NewsItem.objects.values_list("slug", flat=True).get(pk=item.pk),
            "channels": {p.channel: p.url for p in publications},
        },
        ip=first.extra.get("ip", ""),
    )


@transaction.atomic
def finish_step(*, item_id: int, step_run_id: int, user: Any, note: str = "", ip: str = "") -> Case:
    """Finish a publishing step whose publications are all settled, as ``user`` (when the one
    who started publishing may no longer do it)."""
    item = NewsItem.objects.select_for_update(of=("self",)).get(pk=item_id)
    run = StepRun.objects.get(pk=step_run_id, case_id=item.case_id)
    publications = list(Publication.objects.filter(step_run=run))
    if not publications or not all(p.settled for p in publications):
        raise PublishingError(_("Not every channel is published or recorded yet."))
    return workflow.complete_step(
        case_id=item.case_id, step_run_id=run.pk, user=user, note=note, ip=ip
    )


def _locked(publication_id: int) -> tuple[NewsItem, Publication]:
    """The publication and its item, locked in the documented order (subject first)."""
    item_id = Publication.objects.values_list("item_id", flat=True).get(pk=publication_id)
    item = NewsItem.objects.select_for_update(of=("self",)).get(pk=item_id)
    publication = (
        Publication.objects.select_for_update(of=("self",))
        .select_related("account", "step_run")
        .get(pk=publication_id)
    )
    return item, publication


# --- the worker's side ------------------------------------------------------------------------
def lease() -> dt.timedelta:
    return dt.timedelta(seconds=settings.WARTA_PUBLISH_LEASE_SECONDS)


def retry_delay(attempts: int, retry_after: float | None = None) -> dt.timedelta:
    """Exponential back-off from ``WARTA_PUBLISH_RETRY_SECONDS``, at most an hour, never
    sooner than the platform asked."""
    seconds = min(settings.WARTA_PUBLISH_RETRY_SECONDS * 2 ** max(attempts - 1, 0), 3600.0)
    return dt.timedelta(seconds=max(seconds, retry_after or 0.0))


@transaction.atomic
def claim(publication_id: int) -> Publication | None:
    """Take ``publication_id`` for one attempt: ``publishing`` with a lease, attempts + 1, and a
    watchdog task at the lease's end. ``None`` when there is nothing to do (already taken,
    published, waiting for a person, or not due yet)."""
    _item, publication = _locked(publication_id)
    now = timezone.now()
    if publication.state != State.QUEUED:
        return None
    if publication.not_before and publication.not_before > now:
        return None
    publication.state = State.PUBLISHING
    publication.attempts += 1
    publication.started_at = now
    publication.lease_until = now + lease()
    publication.save(update_fields=["state", "attempts", "started_at", "lease_until"])
    from warta.publishing.tasks import check_publication

    check_publication.using(run_after=publication.lease_until).enqueue(publication.pk)
    return publication


@transaction.atomic
def extend_lease(publication_id: int) -> None:
    """Keep a long attempt (a big upload) from counting as interrupted."""
    Publication.objects.filter(pk=publication_id, state=State.PUBLISHING).update(
        lease_until=timezone.now() + lease()
    )


@transaction.atomic
def record_success(
    publication_id: int, *, external_id: str, url: str, extra=None, follow_up: bool = False
) -> None:
    """The platform accepted the post. ``follow_up``: it is still processing it; a task asks
    again until it is live or refused."""
    item, publication = _locked(publication_id)
    if follow_up:
        from warta.publishing.tasks import follow_publication

        follow_publication.using(run_after=timezone.now() + retry_delay(1)).enqueue(publication_id)
    if publication.state not in (State.PUBLISHING, State.NEEDS_CHECK):
        logger.warning("publication %s finished in state %s", publication_id, publication.state)
    if publication.operation == Op.WITHDRAW:
        _record_withdrawn(publication, user=None)
    else:
        _record_published(publication, external_id=external_id, url=url, user=None, extra=extra)
    _settle(item, publication.step_run)


@transaction.atomic
def record_processed(publication_id: int, *, url: str) -> None:
    """A post the platform was processing is live."""
    _item, publication = _locked(publication_id)
    publication.extra = {**publication.extra, "processing": False}
    publication.url = url or publication.url
    publication.save(update_fields=["extra", "url"])


@transaction.atomic
def record_refused_after_acceptance(publication_id: int, *, message: str, advice: str) -> None:
    """The platform accepted the post, then refused it while processing (or lost it)."""
    _item, publication = _locked(publication_id)
    publication.extra = {**publication.extra, "processing": False}
    publication.save(update_fields=["extra"])
    _fail(publication, message=message, advice=advice)


@transaction.atomic
def record_transient(publication_id: int, *, message: str, retry_after: float | None) -> None:
    """Nothing was created: queue another attempt after the back-off, or give up after
    ``WARTA_PUBLISH_MAX_ATTEMPTS``."""
    _item, publication = _locked(publication_id)
    if publication.attempts >= settings.WARTA_PUBLISH_MAX_ATTEMPTS:
        _fail(
            publication,
            message=message,
            advice=_("Warta tried %(n)s times. Check the platform, then try again.")
            % {"n": publication.attempts},
        )
        return
    publication.state = State.QUEUED
    publication.lease_until = None
    publication.last_error = message
    publication.save(update_fields=["state", "lease_until", "last_error"])
    when = timezone.now() + retry_delay(publication.attempts, retry_after)
    enqueue(publication, run_after=when)


@transaction.atomic
def record_permanent(publication_id: int, *, message: str, advice: str) -> None:
    _item, publication = _locked(publication_id)
    _fail(publication, message=message, advice=advice)


def _fail(publication: Publication, *, message: str, advice: str) -> None:
    publication.state = State.FAILED
    publication.lease_until = None
    publication.last_error = message
    publication.advice = advice
    publication.save(update_fields=["state", "lease_until", "last_error", "advice"])
    record_event(
        action=FAILED_ACTION,
        actor=None,
        object_type=OBJECT_TYPE,
        object_id=publication.pk,
        after={"item": publication.item_id, "channel": publication.channel, "error": message},
    )
    _notify(publication, _("Publishing to %(account)s failed") % {"account": publication.account})


def _notify(publication: Publication, title: str) -> None:
    from django.urls import reverse

    from warta.notify.services import notify

    if publication.requested_by_id is None:
        return
    notify(
        recipients=[publication.requested_by],
        kind=FAILED_KIND,
        title=title,
        body=" ".join(filter(None, [publication.last_error, publication.advice])),
        url=reverse("newsroom:item", args=[publication.item_id]),
        dedupe_key=f"publication-{publication.pk}-{publication.attempts}",
    )


@transaction.atomic
def record_ambiguous(publication_id: int, *, message: str) -> None:
    """The platform may have acted: needs checking, and reconciliation is queued."""
    _item, publication = _locked(publication_id)
    _needs_check(publication, message)


def _needs_check(publication: Publication, message: str) -> None:
    publication.state = State.NEEDS_CHECK
    publication.lease_until = None
    publication.last_error = message
    publication.advice = _("Warta is asking the platform whether the post was made.")
    publication.save(update_fields=["state", "lease_until", "last_error", "advice"])
    record_event(
        action=CHECK_ACTION,
        actor=None,
        object_type=OBJECT_TYPE,
        object_id=publication.pk,
        after={"item": publication.item_id, "channel": publication.channel, "why": message},
    )
    from warta.publishing.tasks import reconcile_publication

    reconcile_publication.enqueue(publication.pk)


@transaction.atomic
def expire_lease(publication_id: int) -> bool:
    """The watchdog: a record still ``publishing`` after its lease belongs to a worker that
    died or hangs; the outcome is unknown. Returns whether it was moved to needs-check."""
    _item, publication = _locked(publication_id)
    if publication.state != State.PUBLISHING:
        return False
    if publication.lease_until and publication.lease_until > timezone.now():
        from warta.publishing.tasks import check_publication

        check_publication.using(run_after=publication.lease_until).enqueue(publication.pk)
        return False
    _needs_check(
        publication,
        _("The attempt started at %(time)s was interrupted before Warta learnt its outcome.")
        % {"time": timezone.localtime(publication.started_at).strftime("%d/%m/%Y %H:%M")},
    )
    return True


@transaction.atomic
def record_not_found(publication_id: int) -> None:
    """Reconciliation found no post: sending again is safe."""
    _item, publication = _locked(publication_id)
    if publication.state != State.NEEDS_CHECK:
        return
    if publication.attempts >= settings.WARTA_PUBLISH_MAX_ATTEMPTS:
        _fail(
            publication,
            message=publication.last_error,
            advice=_("Warta tried %(n)s times. Check the platform, then try again.")
            % {"n": publication.attempts},
        )
        return
    publication.state = State.QUEUED
    publication.advice = ""
    publication.save(update_fields=["state", "advice"])
    record_event(
        action=RETRIED_ACTION,
        actor=None,
        object_type=OBJECT_TYPE,
        object_id=publication.pk,
        after={"item": publication.item_id, "channel": publication.channel, "found": False},
    )
    enqueue(publication, run_after=timezone.now() + retry_delay(publication.attempts))


@transaction.atomic
def record_check_postponed(publication_id: int, *, message: str) -> None:
    """The platform was busy when asked; Warta asks again by itself (no one is told)."""
    Publication.objects.filter(pk=publication_id, state=State.NEEDS_CHECK).update(
        last_error=message
    )


@transaction.atomic
def record_cannot_check(publication_id: int, *, message: str) -> None:
    """The platform cannot say: a person looks and confirms (``confirm``)."""
    _item, publication = _locked(publication_id)
    publication.last_error = message
    publication.advice = _(
        "Look on the platform whether the post exists. If it does, record its address; if it "
        "does not, send it again."
    )
    publication.save(update_fields=["last_error", "advice"])
    _notify(publication, _("Check the post on %(account)s") % {"account": publication.account})


def save_renewed_credentials(
    *, account_id: int, credentials: dict[str, str], expires_at: dt.datetime | None
) -> None:
    """Keep credentials a connector renewed (a refreshed token pair) with the account, in their
    own committed transaction: the old refresh token may already be spent, so the new one must
    outlive whatever the attempt does next. Audited without the values."""
    from warta.publishing.secrets import seal, unseal

    with transaction.atomic():
        account = ChannelAccount.objects.select_for_update().get(pk=account_id)
        merged = {**unseal(account.credentials), **credentials}
        account.credentials = seal(merged)
        account.token_expires_at = expires_at
        account.save(update_fields=["credentials", "token_expires_at"])
        record_event(
            action="publishing.account_saved",
            actor=None,
            object_type="publishing.channelaccount",
            object_id=account.pk,
            after={"channel": account.code, "renewed": sorted(credentials)},
        )


# --- what people do -------------------------------------------------------------------------
@transaction.atomic
def record_manual(
    *, publication_id: int, user: Any, url: str, screenshot: Any = None, ip: str = ""
) -> Publication:
    """Record the address of a post made by hand (an account used by hand, or a post that
    reconciliation could not confirm): checked to be a post of the account."""
    item, publication = _locked(publication_id)
    if publication.operation == Op.WITHDRAW or publication.state not in (
        State.NEEDS_MANUAL,
        State.NEEDS_CHECK,
        State.FAILED,
    ):
        raise PublishingError(_("This channel is not waiting for an address."))
    publication.url = ""
    checked = post_urls.check(publication.account, url)
    if screenshot is not None:
        publication.screenshot = screenshot
    _record_published(publication, external_id="", url=checked, user=user, ip=ip)
    _settle(item, publication.step_run)
    return publication


@transaction.atomic
def retry(*, publication_id: int, user: Any, ip: str = "") -> Publication:
    """Send a failed publication again, or one a person checked and found missing."""
    _item, publication = _locked(publication_id)
    if publication.state not in (State.FAILED, State.NEEDS_CHECK):
        raise PublishingError(_("Only a failed or unconfirmed channel can be sent again."))
    if publication.account.mode == ChannelAccount.Mode.MANUAL:
        raise PublishingError(_("This account is used by hand: record the post's address."))
    publication.state = State.QUEUED
    publication.attempts = 0
    publication.advice = ""
    publication.save(update_fields=["state", "attempts", "advice"])
    record_event(
        action=RETRIED_ACTION,
        actor=user,
        object_type=OBJECT_TYPE,
        object_id=publication.pk,
        after={"item": publication.item_id, "channel": publication.channel},
        ip=ip,
    )
    enqueue(publication)
    return publication


@transaction.atomic
def withdraw(*, item_id: int, user: Any, reason: str, ip: str = "") -> list[Publication]:
    """Take a published item down: off the website at once, removed from every platform that
    allows it (through the worker); the others are listed for removal by hand. ``reason`` is
    required and kept with who asked."""
    from warta.publishing.posts import connector

    reason = reason.strip()
    if not reason:
        raise PublishingError(_("Say why the news is withdrawn."))
    item = NewsItem.objects.select_for_update(of=("self",)).get(pk=item_id)
    if item.published_at is None:
        raise PublishingError(_("This news is not published."))
    withdrawals = []
    live = (
        Publication.objects.filter(item=item, state=State.PUBLISHED)
        .exclude(operation=Op.WITHDRAW)
        .select_related("account")
        .order_by("account_id", "-revision")
    )
    seen = set()
    for current in live:
        if current.account_id in seen:
            continue
        seen.add(current.account_id)
        account = current.account
        withdrawal = Publication.objects.create(
            item=item,
            account=account,
            channel=account.code,
            revision=current.revision,
            operation=Op.WITHDRAW,
            state=State.QUEUED,
            external_id=current.external_id,
            url=current.url,
            requested_by=user,
            queued_at=timezone.now(),
            extra={"reason": reason, **current.extra},
        )
        withdrawals.append(withdrawal)
        if account.platform == WEBSITE:
            _perform_website(withdrawal, user=user, ip=ip)
        elif account.mode == ChannelAccount.Mode.API and connector(account).can_withdraw:
            enqueue(withdrawal)
        else:
            withdrawal.state = State.NEEDS_MANUAL
            withdrawal.advice = _("Remove the post by hand on the platform, then confirm here.")
            withdrawal.save(update_fields=["state", "advice"])
    record_event(
        action=WITHDRAWN_ACTION,
        actor=user,
        object_type=SUBJECT_TYPE,
        object_id=item.pk,
        after={"channels": [w.channel for w in withdrawals]},
        note=reason,
        ip=ip,
    )
    return withdrawals


@transaction.atomic
def start_correction(*, item_id: int, user: Any, reason: str, ip: str = "") -> Case:
    """Correct a published item: its case runs through the SOP again (a new round from the
    step its revision loop returns to; the reviewers see what changed). The public keeps seeing
    the published version until the corrected one is published, which updates every channel
    that allows it."""
    item = NewsItem.objects.select_for_update(of=("self",)).get(pk=item_id)
    if item.published_at is None:
        raise PublishingError(_("This news is not published."))
    return workflow.reopen_case(case_id=item.case_id, user=user, reason=reason, ip=ip)


@transaction.atomic
def confirm_removed(*, publication_id: int, user: Any, ip: str = "") -> Publication:
    """A person removed a post by hand (a platform Warta cannot remove posts from)."""
    _item, publication = _locked(publication_id)
    if publication.operation != Op.WITHDRAW or publication.state != State.NEEDS_MANUAL:
        raise PublishingError(_("This channel is not waiting for a removal."))
    _record_withdrawn(publication, user=user, ip=ip)
    return publication
