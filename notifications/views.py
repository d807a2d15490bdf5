from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from truonghoc.params import parse_ids

from .selectors import notifications_for
from .services import notifications_mark_read


@login_required
def notification_list(request):
    page = Paginator(notifications_for(user=request.user), 20).get_page(request.GET.get("page"))
    return render(request, "notifications/notification_list.html", {"page": page})


@login_required
@require_POST
def notification_read(request):
    ids = parse_ids(request.POST.getlist("id"))
    notifications_mark_read(user=request.user, ids=ids or None)
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = "notifications:list"
    return redirect(target)
