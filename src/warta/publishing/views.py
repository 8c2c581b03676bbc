"""The channel pages: channel accounts (admins), an item's per-channel texts and preview, the
publication status of an item with what people do about it (record an address, send again,
confirm a removal, withdraw). Thin: forms validate, services change, selectors read.

Who may do what:
- accounts: active staff (``warta.open_admin``, as the admin site);
- texts: while the case is open, holders of the SOP's first role (Staf Humas) and staff;
- preview and status: every member (as the item page);
- a publication's actions: staff, or whoever may act on the publication's open publishing step
  (``workflow.services.check_actor``); once that step is over, holders of the publishing role;
- withdrawal: staff and holders of the publishing step's role.

Django references followed: https://docs.djangoproject.com/en/5.2/topics/forms/ and
https://docs.djangoproject.com/en/5.2/topics/http/file-uploads/.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import prefetch_related_objects
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from warta.accounts.access import member_required
from warta.accounts.client import client_ip
from warta.accounts.selectors import role_codes_of
from warta.errors import WartaError
from warta.newsroom.forms import MAX_ID
from warta.newsroom.models import NewsItem
from warta.policy import may
from warta.publishing import account_services, selectors, services
from warta.publishing.forms import (
    AccountForm,
    ChannelTextsForm,
    CorrectionForm,
    RecordUrlForm,
    WithdrawForm,
    platform_choices,
)
from warta.publishing.models import ChannelAccount, Publication
from warta.workflow.errors import WorkflowError
from warta.workflow.selectors import supervisor_capacity
from warta.workflow.services import can_reopen, check_actor


# --- who may ----------------------------------------------------------------------------------
def is_admin(user: Any) -> bool:
    return may(user, "warta.open_admin")


def admin_required(view):
    """Signed in and active staff (the second factor is asked by the middleware)."""

    @login_required
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not is_admin(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return wrapped


def may_edit_texts(user: Any, item: NewsItem) -> bool:
    """While the item itself may be edited, by who may edit it: the texts are part of what the
    Kasubbag checks and the Kabag permits (the preview shows them), so they are fixed after."""
    if item.case.status != "open":
        return False
    from warta.newsroom.selectors import open_step_of

    return open_step_of(item.case, user).editable


def _holds_publishing_role(user: Any, item: NewsItem) -> bool:
    return bool(selectors.publishing_roles(item) & role_codes_of(user))


def may_act_on(user: Any, publication: Publication) -> bool:
    """Staff, or who may act on the publication's open publishing step; when that step is over
    (or the record belongs to a withdrawal), holders of the publishing role."""
    if is_admin(user):
        return True
    run = publication.step_run
    if run is not None and run.finished_at is None:
        try:
            check_actor(case=publication.item.case, run=run, user=user)
        except WorkflowError:
            return False
        return True
    return _holds_publishing_role(user, publication.item)


def may_withdraw(user: Any, item: NewsItem) -> bool:
    """Staff, the publishing role, and the roles above it (the Kasubbag who orders the upload
    and the Kabag who permits it)."""
    if is_admin(user) or _holds_publishing_role(user, item):
        return True
    definition, now = item.case.sop.definition(), timezone.now()
    return any(
        supervisor_capacity(definition, user, role, now) is not None
        for role in selectors.publishing_roles(item)
    )


def _item(pk: int) -> NewsItem:
    if not 0 < pk <= MAX_ID:
        raise Http404
    try:
        return NewsItem.objects.select_related("case", "case__sop", "cover").get(pk=pk)
    except NewsItem.DoesNotExist:
        raise Http404 from None


def _publication(pk: int) -> Publication:
    if not 0 < pk <= MAX_ID:
        raise Http404
    try:
        return Publication.objects.select_related(
            "account", "item", "item__case", "item__case__sop", "step_run"
        ).get(pk=pk)
    except Publication.DoesNotExist:
        raise Http404 from None


def _account(pk: int) -> ChannelAccount:
    if not 0 < pk <= MAX_ID:
        raise Http404
    try:
        return ChannelAccount.objects.select_related("connected_by").get(pk=pk)
    except ChannelAccount.DoesNotExist:
        raise Http404 from None


# --- 1. channel accounts ----------------------------------------------------------------------
@require_safe
@admin_required
def accounts(request: HttpRequest) -> HttpResponse:
    from django.conf import settings

    return render(
        request,
        "publishing/accounts.html",
        {
            "rows": selectors.account_rows(),
            "warning_days": settings.WARTA_TOKEN_WARNING_DAYS,
            "platforms": platform_choices(),
        },
    )


def _account_values(data: dict) -> dict:
    return {field: data[field] for field in account_services.ACCOUNT_FIELDS if field in data}


@require_http_methods(["GET", "HEAD", "POST"])
@admin_required
def account_new(request: HttpRequest) -> HttpResponse:
    platform = (request.GET.get("platform") or request.POST.get("platform") or "")[:32]
    known = dict(platform_choices())
    if platform not in known:
        return render(
            request, "publishing/account_platform.html", {"platforms": platform_choices()}
        )
    fields = account_services.credential_fields(platform)
    form = AccountForm(
        request.POST if request.method == "POST" else None,
        credential_fields=fields,
        initial={"name": known[platform], "code": platform, "mode": "manual"},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            account = account_services.save_account(
                user=request.user,
                values=_account_values(data),
                credentials=form.credentials(),
                code=data["code"],
                platform=platform,
                options={"hashtags": data["hashtags"]},
                ip=client_ip(request),
            )
        except WartaError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("The account was saved."))
            return redirect("publishing:account", pk=account.pk)
    context = {"form": form, "platform": platform, "platform_name": known[platform]}
    status = 400 if request.method == "POST" else 200
    return render(request, "publishing/account_form.html", context, status=status)


@require_http_methods(["GET", "HEAD", "POST"])
@admin_required
def account_edit(request: HttpRequest, pk: int) -> HttpResponse:
    account = _account(pk)
    fields = account_services.credential_fields(account.platform)
    initial = {field: getattr(account, field) for field in account_services.ACCOUNT_FIELDS}
    initial["hashtags"] = (account.options or {}).get("hashtags", "")
    form = AccountForm(
        request.POST if request.method == "POST" else None,
        credential_fields=fields,
        credential_status=account_services.credential_status(account),
        editing=True,
        initial=initial,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            account_services.save_account(
                user=request.user,
                account_id=account.pk,
                values=_account_values(data),
                credentials=form.credentials(),
                options={"hashtags": data["hashtags"]},
                ip=client_ip(request),
            )
        except WartaError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("The account was saved."))
            return redirect("publishing:account", pk=account.pk)
    from warta.publishing.channels import PLATFORM_NAMES

    context = {
        "form": form,
        "account": account,
        "platform": account.platform,
        "platform_name": PLATFORM_NAMES.get(account.platform, account.platform),
        "token": selectors.token_state(account),
    }
    status = 400 if request.method == "POST" else 200
    return render(request, "publishing/account_form.html", context, status=status)


@require_POST
@admin_required
def account_test(request: HttpRequest, pk: int) -> HttpResponse:
    account = _account(pk)
    outcome = account_services.test_connection(account.pk, request.user, ip=client_ip(request))
    if outcome.ok:
        messages.success(request, outcome.message)
    else:
        text = " ".join(filter(None, [outcome.message, outcome.advice]))
        messages.error(request, _("The connection test failed: %(why)s") % {"why": text})
    return redirect("publishing:account", pk=account.pk)


@require_POST
@admin_required
def account_deactivate(request: HttpRequest, pk: int) -> HttpResponse:
    account = _account(pk)
    try:
        account_services.deactivate_account(
            account_id=account.pk, user=request.user, ip=client_ip(request)
        )
    except WartaError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The account was deactivated."))
    return redirect("publishing:accounts")


# --- 2. per-item channel texts ----------------------------------------------------------------
def _text_rows(item: NewsItem) -> list[tuple[ChannelAccount, str, int]]:
    from warta.publishing.posts import caption_for

    rows = []
    for account in selectors.social_targets(item):
        limit = account_services.text_limit(account)
        try:
            text = caption_for(item, account)
        except (KeyError, ImportError):
            text = ""
        rows.append((account, text, limit))
    return rows


@require_http_methods(["GET", "HEAD", "POST"])
@member_required
def channel_texts(request: HttpRequest, pk: int) -> HttpResponse:
    item = _item(pk)
    editable = may_edit_texts(request.user, item)
    if request.method == "POST" and not editable:
        raise PermissionDenied
    rows = _text_rows(item)
    form = ChannelTextsForm(request.POST if request.method == "POST" else None, accounts=rows)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                account_services.save_channel_texts(
                    item_id=item.pk,
                    user=request.user,
                    texts=form.texts(),
                    ip=client_ip(request),
                )
            except WartaError as error:
                form.add_error(None, error.message)
                status = error.status
            else:
                messages.success(request, _("The channel texts were saved."))
                return redirect("publishing:texts", pk=item.pk)
    entries = [
        {"account": account, "field": form[f"text_{account.pk}"], "limit": limit}
        for account, _text, limit in rows
    ]
    context = {"item": item, "form": form, "entries": entries, "editable": editable}
    return render(request, "publishing/texts.html", context, status=status)


# --- 3. per-channel preview -------------------------------------------------------------------
@require_safe
@member_required
def channel_preview(request: HttpRequest, pk: int) -> HttpResponse:
    from warta.newsroom.selectors import MEDIA_PREFETCH, item_media

    item = _item(pk)
    prefetch_related_objects([item], *MEDIA_PREFETCH)  # read once, for the cover and previews
    photos, _videos = item_media(item)
    cover = next((p for p in photos if p.row.pk == item.cover_id), photos[0] if photos else None)
    from warta.site.selectors import excerpt

    context = {
        "item": item,
        "cover": cover,
        "lead": excerpt(item.body),
        "previews": selectors.channel_previews(item),
        "may_edit_texts": may_edit_texts(request.user, item),
    }
    return render(request, "publishing/preview.html", context)


# --- 4. publication status and people's actions -----------------------------------------------
def _status_context(
    request: HttpRequest, item: NewsItem, *, bound: dict[int, Any] | None = None
) -> dict:
    publications = selectors.item_publications(item)
    bound = bound or {}
    rows = []
    previews: dict[int, Any] = {}
    media: selectors.PreviewMedia | None = None
    # One actor check per step run (and one for the records of no open step), not per record.
    may_act: dict[int | None, bool] = {}
    for publication in publications:
        manual_wait = publication.state in (
            Publication.State.NEEDS_MANUAL,
            Publication.State.NEEDS_CHECK,
            Publication.State.FAILED,
        )
        preview = None
        if (
            publication.account is not None
            and publication.account.mode == ChannelAccount.Mode.MANUAL
            and publication.operation != Publication.Operation.WITHDRAW
            and publication.state == Publication.State.NEEDS_MANUAL
        ):
            if publication.account_id not in previews:
                media = media or selectors.preview_media(item)
                previews[publication.account_id] = selectors.channel_preview(
                    item, publication.account, media
                )
            preview = previews[publication.account_id]
            if publication.caption:
                preview.caption = publication.caption
        run = publication.step_run
        key = run.pk if run is not None and run.finished_at is None else None
        if key not in may_act:
            may_act[key] = may_act_on(request.user, publication)
        rows.append(
            {
                "pub": publication,
                "may_act": may_act[key],
                "record_form": bound.get(publication.pk)
                or (RecordUrlForm(auto_id=f"rec{publication.pk}-%s") if manual_wait else None),
                "can_record": manual_wait and publication.operation != "withdraw",
                "can_retry": publication.state
                in (Publication.State.FAILED, Publication.State.NEEDS_CHECK)
                and publication.account is not None
                and publication.account.mode == ChannelAccount.Mode.API,
                "can_confirm_removed": publication.operation == "withdraw"
                and publication.state == Publication.State.NEEDS_MANUAL,
                "prepare": preview,
            }
        )
    return {
        "item": item,
        "rows": rows,
        "withdraw_form": bound.get("withdraw") or WithdrawForm(),
        "correction_form": bound.get("correct") or CorrectionForm(),
        "may_correct": item.published_at is not None and can_reopen(item.case, request.user),
        "may_withdraw": item.published_at is not None and may_withdraw(request.user, item),
    }


@require_safe
@member_required
def status(request: HttpRequest, pk: int) -> HttpResponse:
    item = _item(pk)
    return render(request, "publishing/status.html", _status_context(request, item))


def _refused(
    request: HttpRequest, item: NewsItem, message: str, bound: dict, status: int = 400
) -> HttpResponse:
    messages.error(request, message)
    context = _status_context(request, item, bound=bound)
    return render(request, "publishing/status.html", context, status=status)


def _checked_publication(request: HttpRequest, pk: int) -> Publication:
    publication = _publication(pk)
    if not may_act_on(request.user, publication):
        raise PermissionDenied
    return publication


@require_POST
@member_required
def record_address(request: HttpRequest, pk: int) -> HttpResponse:
    from warta.media import services as media

    publication = _checked_publication(request, pk)
    item = publication.item
    form = RecordUrlForm(request.POST, request.FILES, auto_id=f"rec{publication.pk}-%s")
    if not form.is_valid():
        return _refused(
            request, item, _("Check the address; nothing was recorded."), {publication.pk: form}
        )
    upload = form.cleaned_data.get("screenshot")
    stored = []
    try:
        if upload is not None:
            stored = media.store_uploads([(upload, "photo")])
        with transaction.atomic():
            screenshot = media.create_asset(stored[0], user=request.user) if stored else None
            services.record_manual(
                publication_id=publication.pk,
                user=request.user,
                url=form.cleaned_data["url"],
                screenshot=screenshot,
                ip=client_ip(request),
            )
    except WartaError as error:
        for one in stored:
            one.discard()
        form.add_error("screenshot" if not stored and upload else None, error.message)
        if upload is not None and stored:
            form.add_error(None, _("Choose the screenshot again before sending."))
        return _refused(request, item, error.message, {publication.pk: form})
    messages.success(
        request,
        _("The address on %(account)s was recorded.") % {"account": publication.account},
    )
    return redirect("publishing:status", pk=item.pk)


@require_POST
@member_required
def send_again(request: HttpRequest, pk: int) -> HttpResponse:
    publication = _checked_publication(request, pk)
    try:
        services.retry(publication_id=publication.pk, user=request.user, ip=client_ip(request))
    except WartaError as error:
        return _refused(request, publication.item, error.message, {})
    messages.success(
        request, _("%(account)s will be sent again.") % {"account": publication.account}
    )
    return redirect("publishing:status", pk=publication.item_id)


@require_POST
@member_required
def confirm_removed(request: HttpRequest, pk: int) -> HttpResponse:
    publication = _checked_publication(request, pk)
    try:
        services.confirm_removed(
            publication_id=publication.pk, user=request.user, ip=client_ip(request)
        )
    except WartaError as error:
        return _refused(request, publication.item, error.message, {})
    messages.success(
        request, _("The removal from %(account)s was recorded.") % {"account": publication.account}
    )
    return redirect("publishing:status", pk=publication.item_id)


# --- 6. withdrawal ----------------------------------------------------------------------------
@require_POST
@member_required
def withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    item = _item(pk)
    if not may_withdraw(request.user, item):
        raise PermissionDenied
    form = WithdrawForm(request.POST)
    if not form.is_valid():
        return _refused(request, item, _("Say why the news is withdrawn."), {"withdraw": form})
    try:
        services.withdraw(
            item_id=item.pk,
            user=request.user,
            reason=form.cleaned_data["reason"],
            ip=client_ip(request),
        )
    except WartaError as error:
        form.add_error(None, error.message)
        return _refused(request, item, error.message, {"withdraw": form})
    messages.success(request, _("The news was withdrawn."))
    return redirect("publishing:status", pk=item.pk)


# --- corrections ------------------------------------------------------------------------------
@require_POST
@member_required
def correct(request: HttpRequest, pk: int) -> HttpResponse:
    """Start a correction of a published item: its case runs through the SOP again."""
    item = _item(pk)
    if item.published_at is None or not can_reopen(item.case, request.user):
        raise PermissionDenied
    form = CorrectionForm(request.POST)
    if not form.is_valid():
        return _refused(request, item, _("Say what needs correcting."), {"correct": form})
    try:
        services.start_correction(
            item_id=item.pk,
            user=request.user,
            reason=form.cleaned_data["reason"],
            ip=client_ip(request),
        )
    except WartaError as error:
        form.add_error(None, error.message)
        return _refused(request, item, error.message, {"correct": form})
    messages.success(
        request,
        _(
            "The correction has started. The website keeps showing the published version until "
            "the corrected one is published."
        ),
    )
    return redirect("newsroom:item", pk=item.pk)
