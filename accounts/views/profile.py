from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from truonghoc.storage import file_response
from units.selectors import home_units

from ..forms.profile import PhotoStatusForm, ProfileForm, ProfileRuleForm
from ..models import ProfileRule
from ..permissions import account_for_user_or_404, can_manage_account, unit_for_profile_rules_or_404
from ..profile import DEFAULT_REQUIRED, LABELS, missing_profile_items, profile_is_complete
from ..selectors import profile_rules_at
from ..services.photos import photo_set_status, profile_save
from ..services.profile_rules import profile_rule_clear, profile_rule_set


@login_required
def profile(request):
    user = request.user
    return render(
        request,
        "accounts/profile.html",
        {
            "profile_user": user,
            "home_units": home_units(user=user),
            "missing_items": missing_profile_items(user),
            "profile_complete": profile_is_complete(user),
        },
    )


@login_required
def profile_edit(request):
    """The person's own details and ID photo, saved together or not at all."""
    user = request.user
    if request.method == "POST":
        form = ProfileForm(request.POST, request.FILES)
        if form.is_valid():
            data = form.cleaned_data
            try:
                profile_save(
                    actor=user,
                    user=user,
                    email=data["email"],
                    phone=data["phone"],
                    date_of_birth=data["date_of_birth"],
                    uploaded_file=data["photo"],
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("Your profile has been saved."))
                return redirect("accounts:profile")
    else:
        form = ProfileForm(initial={"email": user.email, "phone": user.phone, "date_of_birth": user.date_of_birth})
    return render(
        request,
        "accounts/profile_edit.html",
        {
            "form": form,
            "profile_user": user,
            "missing_items": missing_profile_items(user),
            "profile_complete": profile_is_complete(user),
        },
    )


def _back(request) -> str:
    for candidate in (request.POST.get("next"), request.headers.get("referer")):
        if candidate and url_has_allowed_host_and_scheme(
            candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            return candidate
    return reverse("home")


@login_required
@require_POST
def account_photo_status(request, pk: int):
    """A school admin's decision on someone's photo; htmx gets the photo panel back, others a redirect."""
    account = account_for_user_or_404(request.user, pk, check=can_manage_account)
    form = PhotoStatusForm(request.POST)
    done = False
    if form.is_valid():
        data = form.cleaned_data
        try:
            photo_set_status(
                actor=request.user,
                account=account,
                status=data["status"],
                note=data["note"],
                expected_photo=data["photo"] or None,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            done = True
    if request.htmx:
        return render(
            request,
            "accounts/components/account_photo_admin.html",
            {"account": account, "can_manage": True, "photo_form": form, "photo_saved": done},
        )
    if done:
        messages.success(
            request,
            _("The photo of %(name)s is now marked “%(status)s”.")
            % {"name": account.full_name, "status": account.get_photo_status_display()},
        )
    else:
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, message)
    return redirect(_back(request))


@login_required
def photo(request, pk: int):
    """An account's ID photo, for those who may see the account (the person, the school and above)."""
    account = account_for_user_or_404(request.user, pk)
    if not account.photo:
        raise Http404
    name = account.photo.name.rsplit("/", 1)[-1]
    return file_response(account.photo, name=name, inline=True, cache="private, max-age=3600")


@login_required
def profile_rules(request, unit_pk: int):
    """The rule page of a Ministry, Department or Office: per account type, follow the level above or
    say which details teachers / students of every school below must fill in."""
    unit = unit_for_profile_rules_or_404(request.user, unit_pk)
    posted = request.POST.get("account_type") if request.method == "POST" else None
    state = profile_rules_at(unit=unit)
    sections = []
    for account_type, label in ProfileRule.ACCOUNT_TYPES:
        here, above = state[account_type]["here"], state[account_type]["above"]
        applied = here or above
        required = applied.required if applied else DEFAULT_REQUIRED[account_type]
        form = ProfileRuleForm(
            request.POST if posted == account_type else None,
            prefix=account_type,
            initial={"mode": ProfileRuleForm.OWN if here else ProfileRuleForm.FOLLOW, "required": list(required)},
        )
        sections.append(
            {
                "account_type": account_type,
                "label": label,
                "form": form,
                "here": here,
                "above": above,
                "required_labels": [str(LABELS[f]) for f in required],
            }
        )
        if posted == account_type and form.is_valid():
            try:
                if form.cleaned_data["mode"] == ProfileRuleForm.FOLLOW:
                    profile_rule_clear(actor=request.user, unit=unit, account_type=account_type)
                else:
                    profile_rule_set(
                        actor=request.user, unit=unit, account_type=account_type, required=form.cleaned_data["required"]
                    )
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
            else:
                messages.success(
                    request,
                    _("The profile rule for %(who)s of %(unit)s and the units below has been saved.")
                    % {"who": str(label).lower(), "unit": unit.name},
                )
                return redirect("accounts:profile_rules", unit.pk)
    return render(request, "accounts/profile_rules.html", {"unit": unit, "sections": sections})
