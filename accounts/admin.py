from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from .models import User
from .services.lifecycle import account_deactivate


def _admin_login(request, extra_context=None):
    """The admin has no login form of its own: it sends people to the portal's login (keeping ?next=),
    so the one backend and the same failure limits guard every door."""
    target = request.GET.get("next") or reverse("admin:index")
    if request.user.is_authenticated:
        if admin.site.has_permission(request):
            safe = url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()})
            return redirect(target if safe else reverse("admin:index"))
        # Logged in without admin rights: the portal's login would send them straight back here.
        raise PermissionDenied
    return redirect_to_login(target, login_url=reverse("account_login"))


admin.site.login = _admin_login


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ("name_sort",)
    list_display = ("username", "full_name", "account_type", "unit", "photo_status", "is_active")
    list_filter = ("account_type", "photo_status", "is_active", "is_staff")
    search_fields = ("username", "name_folded", "national_id", "email")
    raw_id_fields = ("unit",)
    fieldsets = (
        (None, {"fields": ("username", "password", "must_change_password")}),
        (
            _("Personal information"),
            {"fields": ("full_name", "email", "phone", "date_of_birth", "gender", "national_id")},
        ),
        (_("Unit"), {"fields": ("unit", "account_type")}),
        (_("Photo"), {"fields": ("photo", "photo_status", "photo_status_reason")}),
        (_("Permissions"), {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")}),
        (_("Dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("username", "full_name", "password1", "password2")}),)

    # --- Lifecycle: accounts are never deleted, only deactivated (with a reason, audited) ---
    actions = ["deactivate_selected"]

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description=_("Deactivate the selected accounts"))
    def deactivate_selected(self, request, queryset):
        reason = request.POST.get("reason", "").strip()
        if request.POST.get("confirm") != "yes" or not reason:
            context = {
                **self.admin_site.each_context(request),
                "title": gettext("Deactivate accounts"),
                "opts": self.model._meta,
                "queryset": queryset,
                "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
                "reason": reason,
                "missing_reason": request.POST.get("confirm") == "yes",
            }
            return TemplateResponse(request, "accounts/account_admin_deactivate.html", context)
        done, refused = 0, []
        for account in queryset.select_related("unit"):
            try:
                account_deactivate(actor=request.user, account=account, reason=reason)
            except ValidationError as exc:
                refused.append(f"{account}: {' '.join(exc.messages)}")
            else:
                done += 1
        if done:
            message = ngettext("%(n)d account deactivated.", "%(n)d accounts deactivated.", done) % {"n": done}
            self.message_user(request, message, messages.SUCCESS)
        for line in refused:
            self.message_user(request, line, messages.WARNING)
        return None
