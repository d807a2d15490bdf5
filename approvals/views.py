"""The two page flows every kind of item shares: deciding (a step, or a proposal to share) and proposing
an item for wider sharing. Each kind's view checks who may see and act, then hands over to these with
the words of its page; templates/approvals/ renders them."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from truonghoc.forms import add_service_errors

from . import services
from .forms import ProposeForm, ReviewForm
from .models import Status
from .permissions import can_decide_proposal, can_decide_step, proposal_targets


def decision_page(request, kind, *, subject=None, review=None, context: dict):
    """Decide the step `subject` waits at, or the proposal `review`; back to the reviewers' queue once
    recorded.

    `context` carries the page's words: `item_title`, `content_template` (the item as reviewers read
    it), and optionally `history_url`, `status_of` (shows its status badge), `intro_template`, `note`
    (what approving does), `shared_with` and `math` (formulas on the page)."""
    if review is not None:
        may_decide = can_decide_proposal(request.user, review)
    else:
        may_decide = can_decide_step(request.user, kind.item_of(subject), subject.status)
    form = ReviewForm(request.POST or None)
    if request.method == "POST":
        if not may_decide:
            raise PermissionDenied
        if form.is_valid():
            approve = form.cleaned_data["decision"] == "approve"
            reason = form.cleaned_data["reason"]
            try:
                if review is not None:
                    services.decide_proposal(kind, actor=request.user, review=review, approve=approve, reason=reason)
                    done = _("Shared.") if approve else _("Refused; the school has been told why.")
                elif approve:
                    step = services.approve_group if subject.status == Status.SUBMITTED else services.approve_school
                    step(kind, actor=request.user, subject=subject)
                    done = _("Approved.")
                else:
                    services.refuse(kind, actor=request.user, subject=subject, reason=reason)
                    done = _("Refused; the author has been told why.")
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, done)
                return redirect(kind.queue_url())
    context = {**context, "form": form, "may_decide": may_decide, "review": review, "queue_url": kind.queue_url()}
    return render(request, "approvals/decide.html", context)


def proposal_page(request, kind, *, item, context: dict):
    """Propose `item` to one of the units above where it is shared; back to the item's page.

    `context` carries `item_title`, `back_label` and `intro` (what proposing does, in the kind's words)."""
    targets = proposal_targets(item)
    back_url = kind.item_url(item)
    form = ProposeForm(request.POST or None, targets=targets)
    if request.method == "POST" and form.is_valid():
        target = form.cleaned_data["target"]
        try:
            services.propose(kind, actor=request.user, item=item, target=target)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Proposed to %(unit)s for sharing.") % {"unit": target.name})
            return redirect(back_url)
    context = {**context, "form": form, "targets": targets, "back_url": back_url}
    return render(request, "approvals/propose.html", context)
