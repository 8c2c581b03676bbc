"""The publishing worker's tasks. Each attempt is claimed and committed before the platform is
called, and its outcome recorded in a second transaction (see ``services``)."""

from __future__ import annotations

import logging

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from warta.publishing import failpoints
from warta.publishing import services as publishing
from warta.publishing.models import Publication
from warta.publishing.platforms.base import (
    AccountConfig,
    Ambiguous,
    CannotCheck,
    ChannelError,
    Permanent,
    Platform,
    Remote,
    Transient,
)

logger = logging.getLogger(__name__)
# In a publication's ``extra``: the platform accepted the post and is still processing it
# (YouTube, TikTok); ``follow_publication`` asks again until it is live or refused.
PROCESSING = "processing"
FOLLOW_LIMIT = 48


def platform_for(publication: Publication) -> Platform:
    """The connector for the publication's account, with its decrypted credentials."""
    from warta.publishing.platforms import platform_class
    from warta.publishing.secrets import unseal

    account = publication.account
    config = AccountConfig(
        code=account.code,
        name=account.name,
        platform=account.platform,
        external_id=account.external_id,
        handle=account.handle,
        base_url=account.base_url,
        credentials=unseal(account.credentials),
        options={k: str(v) for k, v in (account.options or {}).items()},
    )
    return platform_class(account.platform)(
        config,
        timeout=settings.WARTA_PUBLISH_TIMEOUT,
        progress=lambda: publishing.extend_lease(publication.pk),
        save_credentials=lambda values, expires_at: publishing.save_renewed_credentials(
            account_id=account.pk, credentials=values, expires_at=expires_at
        ),
    )


@task()
def run_publication(publication_id: int) -> str:
    """One attempt at one publication."""
    from warta.publishing.posts import build_post

    publication = publishing.claim(publication_id)
    if publication is None:
        return "nothing to do"
    try:
        platform = platform_for(publication)
        post = build_post(publication)
    except Exception as exc:  # nothing was sent: a problem of Warta's own data or key
        logger.exception("publication %s could not be prepared", publication_id)
        publishing.record_permanent(publication_id, message=str(exc), advice="")
        return "failed"
    failpoints.reach(failpoints.BEFORE_CALL)
    try:
        remote = _call(platform, publication, post)
    except Transient as exc:
        publishing.record_transient(
            publication_id, message=exc.message, retry_after=exc.retry_after
        )
        return "retry"
    except Permanent as exc:
        publishing.record_permanent(publication_id, message=exc.message, advice=exc.advice)
        return "failed"
    except (Ambiguous, ChannelError) as exc:
        publishing.record_ambiguous(publication_id, message=exc.message)
        return "needs check"
    except Exception as exc:  # a connector's bug mid-call: the platform may have acted
        logger.exception("publication %s: unexpected error during the call", publication_id)
        publishing.record_ambiguous(publication_id, message=repr(exc)[:500])
        return "needs check"
    failpoints.reach(failpoints.AFTER_CALL)
    processing = remote is not None and remote.state == "processing"
    extra = {**(remote.extra if remote else {}), PROCESSING: processing}
    publishing.record_success(
        publication_id,
        external_id=remote.external_id if remote else publication.external_id,
        url=remote.url if remote else publication.url,
        extra=extra,
        follow_up=processing,
    )
    failpoints.reach(failpoints.AFTER_RECORD)
    return "published"


def _call(platform: Platform, publication: Publication, post):
    Op = Publication.Operation
    if publication.operation == Op.WITHDRAW:
        platform.withdraw(publishing._remote(publication))
        return None
    if publication.operation == Op.UPDATE:
        if not platform.can_update:
            # Nothing to send: the platform keeps the first version (the page says so).
            kept = publishing._remote(publication)
            return Remote(
                external_id=kept.external_id,
                url=kept.url,
                extra={**kept.extra, publishing.KEPT_FIRST_VERSION: True},
            )
        return platform.update(publishing._remote(publication), post)
    return platform.publish(post)


@task()
def check_publication(publication_id: int) -> str:
    """The watchdog at the end of an attempt's lease."""
    if publishing.expire_lease(publication_id):
        return "needs check"
    return "fine"


@task()
def reconcile_publication(publication_id: int) -> str:
    """Ask the platform whether a post whose outcome is unknown exists."""
    from warta.publishing.posts import build_post

    publication = Publication.objects.select_related("account", "item").get(pk=publication_id)
    if publication.state != Publication.State.NEEDS_CHECK:
        return "nothing to do"
    try:
        platform = platform_for(publication)
        post = build_post(publication)
        since = (
            publication.started_at or publication.queued_at or timezone.now()
        ) - publishing.lease()
        if publication.operation == Publication.Operation.PUBLISH:
            found = platform.find(post, since)
        else:
            # An update or a removal is safe to repeat; look at the post as it is.
            found = None
    except CannotCheck as exc:
        publishing.record_cannot_check(publication_id, message=exc.message)
        return "a person must check"
    except (Transient, Ambiguous) as exc:
        publishing.record_check_postponed(publication_id, message=exc.message)
        reconcile_publication.using(
            run_after=timezone.now() + publishing.retry_delay(publication.attempts, exc.retry_after)
        ).enqueue(publication_id)
        return "asked again later"
    except ChannelError as exc:
        publishing.record_cannot_check(publication_id, message=exc.message)
        return "a person must check"
    if found is None:
        publishing.record_not_found(publication_id)
        return "not there: sent again"
    publishing.record_success(
        publication_id, external_id=found.external_id, url=found.url, extra=found.extra
    )
    return "found"


@task()
def follow_publication(publication_id: int, attempt: int = 1) -> str:
    """Ask the platform about a post it was still processing: live, refused, or gone."""
    publication = Publication.objects.select_related("account", "item").get(pk=publication_id)
    if publication.state != Publication.State.PUBLISHED or not publication.extra.get(PROCESSING):
        return "nothing to do"
    try:
        remote = platform_for(publication).status(publishing._remote(publication))
    except Permanent as exc:
        publishing.record_refused_after_acceptance(
            publication_id, message=exc.message, advice=exc.advice
        )
        return "refused"
    except ChannelError as exc:  # busy, or cannot say: ask again later
        remote = Remote(external_id=publication.external_id, url=publication.url, state=PROCESSING)
        logger.info("publication %s: status not known yet (%s)", publication_id, exc.message)
    if remote is None:
        publishing.record_refused_after_acceptance(
            publication_id,
            message=_("%(account)s no longer has the post.") % {"account": publication.account},
            advice=_("Look on the platform; send it again if it is missing."),
        )
        return "gone"
    if remote.state == PROCESSING:
        if attempt < FOLLOW_LIMIT:
            follow_publication.using(
                run_after=timezone.now() + publishing.retry_delay(attempt)
            ).enqueue(publication_id, attempt + 1)
        return "still processing"
    publishing.record_processed(publication_id, url=remote.url)
    return "live"
