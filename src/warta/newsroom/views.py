"""Newsroom pages. Thin: forms validate, services change, selectors read."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from warta.accounts.client import client_ip
from warta.accounts.selectors import role_codes_of, users_in_role
from warta.newsroom import selectors, services, steps
from warta.newsroom.access import sees_unit, staff_required
from warta.newsroom.diff import html_diff
from warta.newsroom.forms import (
    MAX_ID,
    ActionForm,
    AutosaveForm,
    DraftForm,
    NewItemForm,
    PublishForm,
)
from warta.newsroom.hooks import artifact_present
from warta.newsroom.models import NewsItem
from warta.workflow import clock
from warta.workflow import services as workflow
from warta.workflow.deviations import known_missing
from warta.workflow.errors import (
    NotPermitted,
    WorkflowError,
)
from warta.workflow.models import StepRun

# Saved versions listed per page (autosaves make many; the compare form reaches any two).
REVISIONS_PAGE_SIZE = 50


@require_safe
@staff_required
def inbox(request: HttpRequest) -> HttpResponse:
    tasks, counts = selectors.inbox(request.user)
    return render(
        request,
        "newsroom/inbox.html",
        {
            "tasks": tasks,
            "counts": counts,
            "deviations_to_explain": selectors.deviations_to_explain(request.user),
            "can_create": steps.CREATOR_ROLE in role_codes_of(request.user),
        },
    )


@require_safe
@staff_required
def unit_overview(request: HttpRequest) -> HttpResponse:
    if not sees_unit(request.user):
        raise PermissionDenied
    tasks, counts = selectors.unit_overview()
    return render(request, "newsroom/unit.html", {"tasks": tasks, "counts": counts})


def _photo_srcs(item: NewsItem) -> tuple[list, list]:
    photos = list(item.photos.all())
    for photo in photos:
        photo.src = reverse("newsroom:photo", args=[photo.pk])
    videos = list(item.videos.all())
    for video in videos:
        video.src = reverse("newsroom:video", args=[video.pk])
    return photos, videos


def _may_act(page: selectors.ItemPage, user) -> tuple[bool, str]:
    if page.open_run is None:
        return False, ""
    try:
        workflow.check_actor(case=page.case, run=page.open_run, user=user)
    except WorkflowError as error:
        return False, error.message
    return True, ""


def _review_diff(page: selectors.ItemPage) -> dict | None:
    """After a return, what changed between the returned and the resubmitted version."""
    if not page.case.revision_round or len(page.submitted) < 2:
        return None
    older, newer = selectors.review_diff_pair(page.item)
    return {
        "older": older,
        "newer": newer,
        "html": html_diff(older.body, newer.body, old_title=older.title, new_title=newer.title),
    }


def _checklist(definition, step, item: NewsItem, photos: list, videos: list) -> list[dict]:
    if step is None:
        return []
    entries = [
        {
            "name": definition.artifact(requirement.artifact).name,
            "present": artifact_present(
                requirement.artifact, item=item, photos=len(photos), videos=len(videos)
            ),
            "blocking": requirement.on_missing == "block",
            "artifact": requirement.artifact,
        }
        for requirement in step.kelengkapan.items
    ]
    if any(not entry["present"] and not entry["blocking"] for entry in entries):
        # A missing item already on record is one fact: say where, instead of warning again.
        known = known_missing(item.case)
        for entry in entries:
            record = known.get(entry["artifact"])
            if not entry["present"] and record is not None:
                entry["known_at"] = record.step_run
    return entries


def _reassign_candidates(definition, page: selectors.ItemPage, user) -> list:
    """Other holders of the open step's role, when ``user`` may move the step to them."""
    run = page.open_run
    if run is None or not page.case.is_open:
        return []
    if not (user.is_superuser or workflow.supervises(definition, user, run.role_id, clock.now())):
        return []
    return [person for person in users_in_role(run.role_id) if person.pk != run.assignee_id]


def _item_context(request: HttpRequest, pk: int) -> dict:
    try:
        page = selectors.item_page(pk)
    except NewsItem.DoesNotExist:
        raise Http404 from None
    definition = page.case.sop.definition()
    may_act, why_not = _may_act(page, request.user)
    step = definition.step(page.open_run.step_id) if page.open_run else None
    photos, videos = _photo_srcs(page.item)
    diff = _review_diff(page)
    checklist = _checklist(definition, step, page.item, photos, videos)
    reassign_to = _reassign_candidates(definition, page, request.user)
    publish_form = None
    if step is not None and step.id == steps.PUBLISH_STEP:
        publish_form = PublishForm(channels=page.item.channels)
    return {
        "page": page,
        "item": page.item,
        "case": page.case,
        "definition": definition,
        "step": step,
        "may_act": may_act,
        "why_not": why_not,
        "editable": may_act and step is not None and step.id in steps.EDITABLE_STEPS,
        "is_publish_step": step is not None and step.id == steps.PUBLISH_STEP,
        "publish_form": publish_form,
        "photos": photos,
        "videos": videos,
        "article": page.item,
        "diff": diff,
        "checklist": checklist,
        "reassign_to": reassign_to,
        "end_name": definition.step(page.case.end_state).name if page.case.end_state else "",
        "role_names": {role.id: role.name for role in definition.roles},
        "action_form": ActionForm(),
    }


@require_safe
@staff_required
def item_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return render(request, "newsroom/item.html", _item_context(request, pk))


@require_http_methods(["GET", "HEAD", "POST"])
@staff_required
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
        except WorkflowError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("The coverage note was saved."))
            return redirect("newsroom:item", pk=item.pk)
    status = 200
    if request.method == "POST":
        status = 400
        _ask_for_files_again(request, form)
    return render(request, "newsroom/item_new.html", {"form": form}, status=status)


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


def _captions(request: HttpRequest) -> dict[int, str]:
    captions = {}
    for key, value in request.POST.items():
        if key.startswith("caption-") and (pk := _id(key[8:])) is not None:
            captions[pk] = value
    return captions


def _ids(request: HttpRequest, name: str) -> list[int]:
    return [pk for value in request.POST.getlist(name) if (pk := _id(value)) is not None]


@require_http_methods(["GET", "HEAD", "POST"])
@staff_required
def item_edit(request: HttpRequest, pk: int) -> HttpResponse:
    context = _item_context(request, pk)
    item = context["item"]
    if not context["editable"]:
        messages.error(request, context["why_not"] or _("This item cannot be edited now."))
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
                captions=_captions(request),
                cover_id=_id(cover),
                remove_photo_ids=_ids(request, "remove_photo"),
                remove_video_ids=_ids(request, "remove_video"),
                photos=data["photos"],
                videos=data["videos"],
                ip=client_ip(request),
            )
        except WorkflowError as error:
            form.add_error(None, error.message)
        else:
            if "submit" not in request.POST:
                messages.success(request, _("Saved."))
                return redirect("newsroom:item_edit", pk=item.pk)
            try:
                services.submit(
                    item_id=item.pk,
                    step_run_id=context["page"].open_run.pk,
                    user=request.user,
                    ip=client_ip(request),
                )
            except WorkflowError as error:
                # The text is saved; only the hand-over was refused.
                messages.error(request, _("Saved, but not submitted: %(why)s") % {"why": error})
                return redirect("newsroom:item_edit", pk=item.pk)
            messages.success(request, _("Submitted. The next step has started."))
            return redirect("newsroom:item", pk=item.pk)
    context["form"] = form
    status = 200
    if request.method == "POST":
        status = 400
        _ask_for_files_again(request, form)
    return render(request, "newsroom/item_edit.html", context, status=status)


@require_POST
@staff_required
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
            captions=_captions(request),
            autosave=True,
            ip=client_ip(request),
        )
    except NewsItem.DoesNotExist:
        raise Http404 from None
    except WorkflowError as error:
        return JsonResponse(
            {"ok": False, "error": error.message, "code": error.code}, status=error.status
        )
    return JsonResponse({"ok": True, "version": item.edit_version})


def _active_user(user_id: int | None):
    from django.contrib.auth import get_user_model

    found = get_user_model().objects.filter(pk=user_id, is_active=True).first()
    if found is None:
        raise NotPermitted(_("Choose the person to take over this step."))
    return found


def _outcome_message(action: str, case) -> str:
    if action == "reassign":
        return _("The step was moved to another person.")
    if action == "publish":
        return _("Published on the website.")
    if case.status == case.Status.REFUSED:
        return _("Upload refused. This item is closed.")
    last = case.step_runs.filter(finished_at__isnull=False).order_by("-finished_at", "-seq")
    decided = last.filter(kind="decision").first()
    if action == "decide" and decided is not None and decided.outcome == "kembalikan":
        return _("Returned to the Staf Humas for revision.")
    return _("Done. The item moved on to the next step.")


def _refused_action(
    request: HttpRequest, pk: int, form: ActionForm, message: str, status: int
) -> HttpResponse:
    """The item page again, with the reason for the refusal and the note as it was typed."""
    messages.error(request, message)
    context = _item_context(request, pk)
    context["action_form"] = form
    note = form.data.get("reason", "")
    if note.strip() and not _note_box_shown(context, form.data.get("action", "")):
        # The step moved on meanwhile, so its form is gone: the note is shown to copy.
        context["kept_note"] = note
    return render(request, "newsroom/item.html", context, status=status)


def _note_box_shown(context: dict, action: str) -> bool:
    """Whether the page will show the box this note was typed in (see item.html)."""
    if action == "reassign":
        return bool(context["reassign_to"])
    step = context["step"]
    if not context["may_act"] or step is None or context["editable"]:
        return False
    if action == "decide":
        return step.kind == "decision"
    return action == "submit" and step.kind != "decision" and not context["is_publish_step"]


def _action_form_problem(form: ActionForm) -> str:
    if form.has_error("reason"):
        return _("The note was not accepted: %(why)s") % {"why": " ".join(form.errors["reason"])}
    return _("The request was incomplete; nothing was changed. Reload the page and try again.")


@require_POST
@staff_required
def item_action(request: HttpRequest, pk: int) -> HttpResponse:
    form = ActionForm(request.POST)
    if not form.is_valid():
        if not NewsItem.objects.filter(pk=pk).exists():
            raise Http404
        return _refused_action(request, pk, form, _action_form_problem(form), 400)
    data = form.cleaned_data
    try:
        if data["action"] == "decide":
            case = services.decide(
                item_id=pk,
                step_run_id=data["step_run"],
                user=request.user,
                branch=data["branch"],
                reason=data["reason"],
                ip=client_ip(request),
            )
        elif data["action"] == "reassign":
            item = NewsItem.objects.select_related("case").get(pk=pk)
            assignee = _active_user(data["assignee"])
            workflow.reassign(
                case_id=item.case_id,
                step_run_id=data["step_run"],
                user=request.user,
                assignee=assignee,
                reason=data["reason"],
                ip=client_ip(request),
            )
            case = item.case
        elif data["action"] == "publish":
            item = NewsItem.objects.get(pk=pk)
            publish_form = PublishForm(request.POST, channels=item.channels)
            if not publish_form.is_valid():
                messages.error(request, _("Check the addresses of the posts."))
                context = _item_context(request, pk)
                context["publish_form"] = publish_form
                context["action_form"] = form
                return render(request, "newsroom/item.html", context, status=400)
            case = services.publish(
                item_id=pk,
                step_run_id=data["step_run"],
                user=request.user,
                channel_urls=publish_form.channel_urls(),
                note=data["reason"],
                ip=client_ip(request),
            )
        else:
            case = services.submit(
                item_id=pk,
                step_run_id=data["step_run"],
                user=request.user,
                note=data["reason"],
                ip=client_ip(request),
            )
    except NewsItem.DoesNotExist:
        raise Http404 from None
    except StepRun.DoesNotExist:
        # A step of another item, or an old page: nothing was changed.
        message = _("This step is not a step of this item (the page may be out of date).")
        return _refused_action(request, pk, form, message, 409)
    except WorkflowError as error:
        return _refused_action(request, pk, form, error.message, error.status)
    messages.success(request, _outcome_message(data["action"], case))
    return redirect("newsroom:item", pk=pk)


def _revision_number(value: str | None) -> int | None:
    """A version number from the query string; anything else (or absurdly large) is None."""
    if value and value.isdigit() and len(value) <= 9:
        return int(value)
    return None


@require_safe
@staff_required
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
