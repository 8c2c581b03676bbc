"""Newsroom pages. Thin: forms validate, services change, selectors read."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from warta.accounts.access import member_required
from warta.accounts.client import client_ip
from warta.errors import WartaError
from warta.newsroom import selectors, services
from warta.newsroom.diff import html_diff
from warta.newsroom.forms import MAX_ID, AutosaveForm, DraftForm, NewItemForm
from warta.newsroom.models import NewsItem
from warta.workflow import actions
from warta.workflow.errors import NotPermitted, WorkflowError

# Saved versions listed per page (autosaves make many; the compare form reaches any two).
REVISIONS_PAGE_SIZE = 50


@require_safe
@member_required
def inbox(request: HttpRequest) -> HttpResponse:
    listed = selectors.inbox(request.user, page=request.GET.get("page"))
    return render(
        request,
        "newsroom/inbox.html",
        {
            "tasks": listed.tasks,
            "counts": listed.counts,
            "page_obj": listed.page_obj,
            "deviations_to_explain": selectors.deviations_to_explain(request.user),
            "can_create": selectors.may_create(request.user),
        },
    )


@require_safe
@member_required
def unit_overview(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm("warta.view_unit"):
        raise PermissionDenied
    listed = selectors.unit_overview(page=request.GET.get("page"))
    return render(
        request,
        "newsroom/unit.html",
        {"tasks": listed.tasks, "counts": listed.counts, "page_obj": listed.page_obj},
    )


def _item_page(request: HttpRequest, pk: int, **rebind) -> selectors.ItemPage:
    try:
        return selectors.item_page(pk, request.user, **rebind)
    except NewsItem.DoesNotExist:
        raise Http404 from None


def _item_context(page: selectors.ItemPage) -> dict:
    return {"page": page, "item": page.item, "case": page.case, "article": page.item}


@require_safe
@member_required
def item_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return render(request, "newsroom/item.html", _item_context(_item_page(request, pk)))


@require_http_methods(["GET", "HEAD", "POST"])
@member_required
def item_new(request: HttpRequest) -> HttpResponse:
    initial = {"covered_by": request.user.get_full_name() or request.user.get_username()}
    form = NewItemForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            item = services.create_item(
                user=request.user,
                title=data["title"],
                activity_name=data["activity_name"],
                activity_at=data["activity_at"],
                place=data["place"],
                covered_by=data["covered_by"],
                notes=data["notes"],
                body=data["body"],
                photos=data["photos"],
                videos=data["videos"],
                ip=client_ip(request),
            )
        except WartaError as error:
            form.add_error(None, error.message)
        else:
            if "continue" in request.POST:
                return _hand_on(request, item.pk)
            messages.success(request, _("The coverage note was saved."))
            return redirect("newsroom:item", pk=item.pk)
    status = 200
    if request.method == "POST":
        status = 400
        _ask_for_files_again(request, form)
    context = {"form": form, "hand_on_label": selectors.start_hand_on_label()}
    return render(request, "newsroom/item_new.html", context, status=status)


def _ask_for_files_again(request: HttpRequest, form) -> None:
    """A refused form keeps every typed field, but a browser cannot be given files back."""
    if request.FILES:
        form.add_error(
            None,
            _("Nothing was saved yet. Choose the photos and videos again before saving."),
        )


def _id(value: str) -> int | None:
    """A database id from a form value; None for anything that cannot be one."""
    if not value.isdigit() or len(value) > 19:
        return None
    number = int(value)
    return number if 0 < number <= MAX_ID else None


def _texts(request: HttpRequest, prefix: str) -> dict[int, str]:
    """``<prefix><asset id>`` fields of the form (captions, alt texts) by asset id."""
    texts = {}
    for key, value in request.POST.items():
        if key.startswith(prefix) and (pk := _id(key[len(prefix) :])) is not None:
            texts[pk] = value
    return texts


def _ids(request: HttpRequest, name: str) -> list[int]:
    return [pk for value in request.POST.getlist(name) if (pk := _id(value)) is not None]


@require_http_methods(["GET", "HEAD", "POST"])
@member_required
def item_edit(request: HttpRequest, pk: int) -> HttpResponse:
    page = _item_page(request, pk)
    context = _item_context(page)
    item = page.item
    if not page.open.editable:
        messages.error(request, page.open.why_not or _("This item cannot be edited now."))
        return redirect("newsroom:item", pk=pk)
    initial = {
        "title": item.title,
        "activity_name": item.activity_name,
        "activity_at": item.activity_at,
        "place": item.place,
        "covered_by": item.covered_by,
        "notes": item.notes,
        "body": item.body,
        "channels": item.channels,
        "base_version": item.edit_version,
    }
    form = DraftForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        cover = request.POST.get("cover", "")
        try:
            services.save_draft(
                item_id=item.pk,
                user=request.user,
                base_version=data["base_version"],
                content={field: data[field] for field in services.CONTENT_FIELDS},
                channels=data["channels"],
                captions=_texts(request, "caption-"),
                alt_texts=_texts(request, "alt-"),
                cover_id=_id(cover),
                remove_photo_ids=_ids(request, "remove_photo"),
                remove_video_ids=_ids(request, "remove_video"),
                photos=data["photos"],
                videos=data["videos"],
                ip=client_ip(request),
            )
        except WartaError as error:
            form.add_error(None, error.message)
        else:
            if "submit" not in request.POST:
                messages.success(request, _("Saved."))
                return redirect("newsroom:item_edit", pk=item.pk)
            return _hand_on(request, item.pk)
    context["form"] = form
    status = 200
    if request.method == "POST":
        status = 400
        _ask_for_files_again(request, form)
    return render(request, "newsroom/item_edit.html", context, status=status)


@require_POST
@member_required
def item_autosave(request: HttpRequest, pk: int) -> JsonResponse:
    form = AutosaveForm(request.POST)
    if not form.is_valid():
        return JsonResponse(
            {"ok": False, "error": _("The draft could not be saved: check the fields.")},
            status=400,
        )
    data = form.cleaned_data
    content = {
        field: data[field] for field in data if field != "base_version" and field in request.POST
    }
    if "title" in content and not content["title"]:
        del content["title"]
    try:
        item = services.save_draft(
            item_id=pk,
            user=request.user,
            base_version=data["base_version"],
            content=content,
            captions=_texts(request, "caption-"),
            alt_texts=_texts(request, "alt-"),
            autosave=True,
            ip=client_ip(request),
        )
    except NewsItem.DoesNotExist:
        raise Http404 from None
    except WartaError as error:
        return JsonResponse(
            {"ok": False, "error": error.message, "code": error.code}, status=error.status
        )
    return JsonResponse({"ok": True, "version": item.edit_version})


def _refused_action(
    request: HttpRequest, pk: int, action: str, error: WorkflowError
) -> HttpResponse:
    """The item page again, with the reason for the refusal and what was typed kept."""
    messages.error(request, error.message)
    page = _item_page(request, pk, data=request.POST, action=action)
    context = _item_context(page)
    form = getattr(error, "form", None)
    if form is not None:
        # The action's own form, bound, with its field errors.
        if action == actions.REASSIGN:
            page.open.reassign_form = form
        else:
            page.open.form = form
    shown = action == actions.REASSIGN and page.open.reassign_form is not None
    shown = shown or any(offered.name == action for offered in page.open.actions)
    note = request.POST.get("reason", "")
    if note.strip() and not shown:
        # The step moved on meanwhile, so its form is gone: the note is shown to copy.
        context["kept_note"] = note
    return render(request, "newsroom/item.html", context, status=error.status)


@require_POST
@member_required
def item_action(request: HttpRequest, pk: int) -> HttpResponse:
    """Every action on the item's open step, whatever the SOP: the engine knows the actions."""
    case_id = NewsItem.objects.filter(pk=pk).values_list("case_id", flat=True).first()
    if case_id is None:
        raise Http404
    action = request.POST.get("action", "")[:100]
    step_run = _id(request.POST.get("step_run", ""))
    try:
        if step_run is None:
            raise actions.IncompleteRequest()
        outcome = actions.perform_action(
            case_id=case_id,
            step_run_id=step_run,
            action=action,
            user=request.user,
            data=request.POST,
            ip=client_ip(request),
        )
    except WorkflowError as error:
        return _refused_action(request, pk, action, error)
    messages.success(request, outcome.message)
    return redirect("newsroom:item", pk=pk)


def _hand_on(request: HttpRequest, pk: int) -> HttpResponse:
    """Finish the open editing step with its one action ("Save and go on to editing", "Submit
    to …") and go where the writer works next: the editor again when the next step is theirs to
    edit, else the item page. The text is already saved; only the hand-over may be refused."""
    try:
        case = NewsItem.objects.select_related("case__sop").get(pk=pk).case
    except NewsItem.DoesNotExist:
        raise Http404 from None
    opened = selectors.open_step_of(case, request.user)
    offered = opened.actions[0] if opened.editable else None
    try:
        if offered is None:
            raise NotPermitted(opened.why_not or _("This item cannot be edited now."))
        outcome = actions.perform_action(
            case_id=case.pk,
            step_run_id=opened.ctx.run.pk,
            action=offered.name,
            user=request.user,
            data={},
            ip=client_ip(request),
        )
    except WorkflowError as error:
        messages.error(request, _("Saved, but not handed on: %(why)s") % {"why": error.message})
        return redirect("newsroom:item_edit", pk=pk)
    messages.success(request, outcome.message)
    if selectors.open_step_of(outcome.case, request.user).editable:
        return redirect("newsroom:item_edit", pk=pk)
    return redirect("newsroom:item", pk=pk)


def _revision_number(value: str | None) -> int | None:
    """A version number from the query string; anything else (or absurdly large) is None."""
    if value and value.isdigit() and len(value) <= 9:
        return int(value)
    return None


@require_safe
@member_required
def item_revisions(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        item = NewsItem.objects.get(pk=pk)
    except NewsItem.DoesNotExist:
        raise Http404 from None
    page = Paginator(selectors.revisions_of(item).defer("body"), REVISIONS_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    diff = None
    chosen = [_revision_number(request.GET.get(key)) for key in ("a", "b")]
    if None not in chosen:
        found = {rev.number: rev for rev in item.revisions.filter(number__in=chosen)}
        if all(number in found for number in chosen):
            old, new = found[chosen[0]], found[chosen[1]]
            diff = {
                "older": old,
                "newer": new,
                "html": html_diff(old.body, new.body, old_title=old.title, new_title=new.title),
            }
    return render(
        request,
        "newsroom/revisions.html",
        {"item": item, "page_obj": page, "revisions": page.object_list, "diff": diff},
    )
