"""Official letters: "Công văn đến" (inbox) and "Công văn đi" (sent), the draft form, issuing, the
letter's page (which records the read receipt), receipts and reminders, forwarding, and the
permission-checked attachment download."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from truonghoc.forms import add_service_errors, form_saved, service_outcome
from truonghoc.storage import file_response
from truonghoc.text import search_text
from units.models import Unit

from ..forms.letters import LetterForm, LetterForwardForm, letter_initial
from ..models import Letter, LetterAttachment, ReportRequest
from ..permissions.letters import (
    can_edit_letter,
    can_view_letter,
    can_view_receipts,
    forwarding_units,
    is_letter_issuer_side,
    is_letter_recipient,
    letter_for_editor_or_404,
    letter_for_user_or_404,
    letter_refusal,
    reads_for_a_recipient,
    receipt_rows_for_user_or_404,
)
from ..selectors import letters as selectors
from ..services import letters as services

PAGE_SIZE = 30
RECEIPTS_PAGE_SIZE = 50


def _tabs(user) -> dict:
    return {"may_issue": bool(selectors.letter_issuing_units(user=user))}


@login_required
def inbox(request):
    """ "Công văn đến": letters to the units I belong to, those not yet opened there first."""
    show = "unread" if request.GET.get("show") == "unread" else "all"
    page = Paginator(selectors.letter_inbox(user=request.user, show=show), PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"page": page, "show": show, "tab": "inbox", **_tabs(request.user)}
    return render(request, "publications/letter_inbox.html", context)


@login_required
def sent(request):
    """ "Công văn đi": drafts and letters of the units I speak for, with how many recipients opened each."""
    if not selectors.letter_issuing_units(user=request.user):
        raise PermissionDenied
    # PostgreSQL refuses a NUL character in a query parameter.
    query = search_text(request.GET.get("q"))
    page = Paginator(selectors.letters_sent(user=request.user, query=query), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    context = {"page": page, "query": query, "tab": "sent", "may_issue": True}
    return render(request, "publications/letter_sent.html", context)


def _form_page(request, form, letter: Letter | None = None):
    context = {
        "form": form,
        "letter": letter,
        "had_files": bool(request.FILES) or bool(getattr(request, "upload_refused", None)),
    }
    return render(request, "publications/letter_form.html", context)


def _letter_form(request, *, user, issuers: list, **kwargs) -> LetterForm:
    """The letter form of a new letter and of a draft: bound on POST, recipients offered below the issuers."""
    post = request.method == "POST"
    return LetterForm(
        request.POST if post else None,
        request.FILES if post else None,
        user=user,
        issuers=issuers,
        unit_choices=selectors.letter_recipient_unit_choices(issuers=issuers),
        **kwargs,
    )


@login_required
@require_http_methods(["GET", "POST"])
def letter_new(request):
    user = request.user
    issuers = selectors.letter_issuing_units(user=user)
    if not issuers:
        raise PermissionDenied
    form = _letter_form(request, user=user, issuers=issuers)
    saved = form_saved(
        request,
        form,
        lambda data: services.letter_create(actor=user, issuer=data["issuer"], **form.service_data()),
        upload_field="attachments",
    )
    if saved is not None:
        messages.success(request, _("The draft is saved. Check it, then issue it to send it to the recipients."))
        return redirect("letters:detail", saved.result.pk)
    return _form_page(request, form)


@login_required
@require_http_methods(["GET", "POST"])
def letter_edit(request, pk: int):
    user = request.user
    letter = letter_for_editor_or_404(user, pk)
    if not can_edit_letter(user, letter):
        messages.info(
            request, _("This letter has been issued and can no longer be changed; issue a new letter that cites it.")
        )
        return redirect("letters:detail", letter.pk)
    issuers = [letter.issuer]
    form = _letter_form(
        request,
        user=user,
        issuers=issuers,
        letter=letter,
        initial=letter_initial(letter, services.letter_audience_units(letter)),
    )
    saved = form_saved(
        request,
        form,
        lambda data: services.letter_update(
            actor=user,
            letter=letter,
            remove_attachments=[int(pk) for pk in data.get("remove_attachments", [])],
            **form.service_data(),
        ),
        upload_field="attachments",
    )
    if saved is not None:
        messages.success(request, _("The draft is saved."))
        return redirect("letters:detail", letter.pk)
    return _form_page(request, form, letter)


@login_required
@require_http_methods(["GET", "POST"])
def letter_issue(request, pk: int):
    """Confirm, then issue: recipients get the letter and the people who manage them are notified."""
    user = request.user
    letter = letter_for_editor_or_404(user, pk)
    if letter.status == Letter.Status.ISSUED:
        messages.info(request, _("This letter has already been issued."))
        return redirect("letters:detail", letter.pk)
    errors: list[str] = []
    recipients: list = []
    try:
        recipients = services.letter_recipients_resolve(
            issuer=letter.issuer,
            kinds=(letter.audience or {}).get("kinds", []),
            units=services.letter_audience_units(letter),
        )
    except ValidationError as exc:
        errors = exc.messages
    if request.method == "POST":
        try:
            services.letter_issue(actor=user, letter=letter)
        except ValidationError as exc:
            errors = exc.messages
        else:
            messages.success(
                request,
                _("%(reference)s has been issued to %(count)d units; the people who manage them have been notified.")
                % {"reference": letter.reference, "count": len(recipients)},
            )
            return redirect("letters:detail", letter.pk)
    context = {
        "letter": letter,
        "errors": errors,
        "recipient_count": len(recipients),
        "recipients_shown": list(Unit.objects.filter(pk__in=[u.pk for u in recipients[:20]]).order_by("path")),
        "today": timezone.localdate(),
    }
    return render(request, "publications/letter_issue.html", context)


def _letter_or_login(request, pk: int) -> Letter:
    """The letter if the visitor may see it; a visitor who is not logged in is asked to log in first
    (the letter may be addressed to them), whether or not it exists."""
    try:
        return letter_for_user_or_404(request.user, pk)
    except Http404:
        if not request.user.is_authenticated:
            raise PermissionDenied from None
        raise


def letter_detail(request, pk: int):
    try:
        letter = _letter_or_login(request, pk)
    except PermissionDenied:
        return redirect_to_login(request.get_full_path())
    except Http404:
        refusal = letter_refusal(request.user, pk)
        if refusal is None:
            raise
        return render(request, "refused.html", {"message": refusal}, status=403)
    user = request.user
    services.letter_mark_read(letter=letter, user=user)
    issuer_side = is_letter_issuer_side(user, letter)
    # Say why this opening is not the unit's reading, rather than let the reader believe it was.
    not_counted = (
        letter.status == Letter.Status.ISSUED
        and not issuer_side
        and is_letter_recipient(user, letter)
        and not reads_for_a_recipient(user, letter)
    )
    cites, cited_by = selectors.letter_citations(letter=letter, user=user)
    kinds = (letter.audience or {}).get("kinds", [])
    context = {
        "letter": letter,
        "attachments": list(letter.attachments.all()),
        "cites": cites,
        "cited_by": cited_by,
        "summary": selectors.letter_recipient_summary(letter=letter),
        "audience_kinds": [a.label for a in ReportRequest.Audience if a.value in kinds],
        "audience_units": services.letter_audience_units(letter),
        "issuer_side": issuer_side,
        "not_counted": not_counted,
        "may_edit": can_edit_letter(user, letter),
        "may_forward": bool(forwarding_units(user, letter)),
        "may_see_receipts": can_view_receipts(user, letter),
    }
    return render(request, "publications/letter_detail.html", context)


def _letter_and_receipt_rows(user, pk: int):
    """The letter and the receipt rows this user may see (404 / 403 otherwise): the receipts page and
    the reminder ask the same."""
    letter = letter_for_user_or_404(user, pk)
    return letter, receipt_rows_for_user_or_404(user, letter)


def _receipts_context(letter, rows_q) -> dict:
    """What the receipts page and the reminder's confirmation both show: the counts, and when the next
    reminder may go."""
    counts = selectors.letter_receipt_counts(letter=letter, rows_q=rows_q)
    return {
        "letter": letter,
        "counts": counts,
        "next_reminder_at": selectors.letter_next_reminder_at(counts["last_reminded_at"]),
    }


@login_required
def receipts(request, pk: int):
    """Per recipient unit: opened or not, when and by whom, and who forwarded it there."""
    user = request.user
    letter, rows_q = _letter_and_receipt_rows(user, pk)
    show = "unread" if request.GET.get("show") == "unread" else "all"
    rows = selectors.letter_receipt_rows(letter=letter, rows_q=rows_q, unread_only=show == "unread")
    context = {
        **_receipts_context(letter, rows_q),
        "page": Paginator(rows, RECEIPTS_PAGE_SIZE).get_page(request.GET.get("page")),
        "show": show,
        "issuer_side": is_letter_issuer_side(user, letter),
    }
    return render(request, "publications/letter_receipts.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def remind(request, pk: int):
    """Confirm, then remind the recipient units that have not opened the letter (once every 10 minutes)."""
    user = request.user
    letter, rows_q = _letter_and_receipt_rows(user, pk)
    if request.method == "POST":
        with service_outcome(request) as outcome:
            sent_to = services.letter_remind(actor=user, letter=letter)
            outcome.success = (
                _("Reminder sent to %(units)d units that have not opened the letter (%(people)d people notified).")
                % sent_to
            )
        return redirect("letters:receipts", letter.pk)
    context = {
        **_receipts_context(letter, rows_q),
        "unread": list(selectors.letter_receipt_rows(letter=letter, rows_q=rows_q, unread_only=True)[:20]),
        "interval_minutes": services.REMINDER_INTERVAL.seconds // 60,
    }
    return render(request, "publications/letter_remind.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def forward(request, pk: int):
    """A Department or Office that received the letter passes it on to units below itself."""
    user = request.user
    letter = letter_for_user_or_404(user, pk)
    from_units = forwarding_units(user, letter)
    if not from_units:
        raise PermissionDenied
    form = LetterForwardForm(
        request.POST if request.method == "POST" else None,
        from_units=from_units,
        unit_choices=selectors.letter_recipient_unit_choices(issuers=from_units),
    )
    if request.method == "POST" and form.is_valid():
        try:
            added, skipped = services.letter_forward(
                actor=user,
                letter=letter,
                from_unit=form.cleaned_data["from_unit"],
                kinds=form.cleaned_data["kinds"],
                units=form.recipient_units(),
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            message = _(
                "The letter has been forwarded to %(count)d units; the people who manage them have been notified."
            ) % {"count": added}
            if skipped:
                message += " " + _("%(count)d units chosen already had it and were skipped.") % {"count": skipped}
            messages.success(request, message)
            return redirect("letters:receipts", letter.pk)
    return render(request, "publications/letter_forward.html", {"letter": letter, "form": form})


def attachment(request, pk: int):
    """An attached file, for those who may see its letter (public letters: everyone)."""
    item = get_object_or_404(LetterAttachment.objects.select_related("letter__issuer"), pk=pk)
    if not can_view_letter(request.user, item.letter):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        raise Http404
    return file_response(item.file, name=item.name)
