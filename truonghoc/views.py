"""The pages that belong to no single app: the home page ("Không gian của tôi") and a health check."""

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render

from units.models import Role
from units.permissions import Action, scope
from units.selectors import home_units


@login_required
def home(request):
    user = request.user
    units = home_units(user=user)
    manage_scope = scope(user, Action.MANAGE)
    context = {
        "home_units": units,
        "roles": user.roles,
        "role_labels": [Role(role).label for role in user.roles],
        "can_manage_any": bool(manage_scope.prefixes) or manage_scope.everything,
        "can_manage_accounts_any": bool(scope(user, Action.MANAGE_ACCOUNTS).prefixes),
        "can_view_reports_any": bool(scope(user, Action.VIEW_REPORTS).prefixes),
    }
    return render(request, "home.html", context)


def healthz(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
