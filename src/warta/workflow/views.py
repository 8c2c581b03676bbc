"""The engine's pages: deviations — the list with filters, a person's page, and one
deviation with the executor's explanation and the supervisor's review."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from warta.accounts.access import member_required
from warta.accounts.client import client_ip
from warta.policy import may
from warta.sop.selectors import active_versions
from warta.workflow import deviations, selectors
from warta.workflow.errors import WorkflowError
from warta.workflow.forms import DeviationFilterForm, ExplainForm, ReviewForm
from warta.workflow.models import Deviation

PAGE_SIZE = 50


def _page(request: HttpRequest, qs) -> dict:
    """One page of a long list; a missing, odd or too large ``?page=`` gives the nearest page.
    With the counts by kind, whose sum is the paginator's count (one COUNT less)."""
    counts = selectors.counts_by_kind(qs)
    paginator = Paginator(qs, PAGE_SIZE)
    paginator.count = sum(counts.values())
    page = paginator.get_page(request.GET.get("page"))
    return {"page_obj": page, "deviations": page.object_list, "counts": counts}


def _step_choices() -> list[tuple[str, str]]:
    seen: dict[str, str] = {}
    for version in active_versions():
        for step in version.definition().steps:
            if not step.is_end and step.kind != "automatic":
                seen.setdefault(step.id, f"{step.number}. {step.name}".lstrip(". "))
    return list(seen.items())


@require_safe
@member_required
def deviation_list(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm("workflow.view_deviations"):
        return redirect("workflow:person", user_id=request.user.pk)
    form = DeviationFilterForm(
        request.GET or None, steps=_step_choices(), people=selectors.people_with_deviations()
    )
    filters = selectors.DeviationFilter()
    if form.is_valid():
        data = form.cleaned_data
        filters = selectors.DeviationFilter(
            start=data["start"],
            end=data["end"],
            step_id=data["step"],
            person_id=data["person"].pk if data["person"] else None,
            kind=data["kind"],
            explained=data["explained"],
            review=data["review"],
        )
    qs = selectors.deviation_list(filters)
    return render(
        request,
        "workflow/deviations.html",
        {
            "form": form,
            **_page(request, qs),
        },
    )


@require_safe
@member_required
def person(request: HttpRequest, user_id: int) -> HttpResponse:
    subject = get_user_model().objects.filter(pk=user_id).first()
    if not request.user.has_perm("workflow.view_deviations_of", subject):
        raise PermissionDenied
    if subject is None:
        raise Http404
    qs = selectors.deviation_list(selectors.DeviationFilter(person_id=user_id))
    return render(
        request,
        "workflow/person.html",
        {
            "subject": subject,
            **_page(request, qs),
            "open_count": selectors.unexplained_for(subject).count(),
        },
    )


@require_http_methods(["GET", "HEAD", "POST"])
@member_required
def deviation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    deviation = (
        Deviation.objects.select_related(
            "case", "case__sop", "step_run", "attributed_to", "reviewed_by"
        )
        .filter(pk=pk)
        .first()
    )
    if deviation is None:
        raise Http404
    user = request.user
    # Explaining and reviewing go by who the person is, not by admin powers: ``may``.
    may_explain = may(user, "workflow.explain_deviation", deviation)
    may_review = may(user, "workflow.review_deviation", deviation)
    if not user.has_perm("workflow.view_deviation", deviation):
        raise PermissionDenied
    explain_form = ExplainForm(initial={"explanation": deviation.explanation})
    review_form = ReviewForm()
    status = 200
    if request.method == "POST":
        # Refused before any form is read when the policy says no; the services check again.
        if not (may_explain if "explanation" in request.POST else may_review):
            raise PermissionDenied
        try:
            if "explanation" in request.POST:
                explain_form = ExplainForm(request.POST)
                if explain_form.is_valid():
                    deviations.explain_deviation(
                        deviation_id=pk,
                        user=user,
                        explanation=explain_form.cleaned_data["explanation"],
                        ip=client_ip(request),
                    )
                    messages.success(request, _("Thank you. Your explanation was recorded."))
                    return redirect("workflow:person", user_id=user.pk)
            else:
                review_form = ReviewForm(request.POST)
                if review_form.is_valid():
                    deviations.review_deviation(
                        deviation_id=pk,
                        user=user,
                        decision=review_form.cleaned_data["decision"],
                        note=review_form.cleaned_data["note"],
                        ip=client_ip(request),
                    )
                    messages.success(request, _("Your review was recorded."))
                    return redirect("workflow:deviation", pk=pk)
        except WorkflowError as error:
            messages.error(request, error.message)
            status = 403 if error.code == "not-permitted" else 400
        else:
            status = 400
    return render(
        request,
        "workflow/deviation.html",
        {
            "deviation": deviation,
            "may_explain": may_explain,
            "may_review": may_review,
            "explain_form": explain_form,
            "review_form": review_form,
            "item_url": _item_url(deviation),
        },
        status=status,
    )


def _item_url(deviation: Deviation) -> str:
    return selectors.case_url(deviation.case)
