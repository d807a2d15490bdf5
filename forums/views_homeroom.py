"""The pages of a child's conversation between their parents and the homeroom teacher (issue #17):
the conversation itself (parents, the homeroom teacher, the principal reading) and the homeroom
teacher's list of their classes' children, unread first. Rules and writes: forums/homeroom.py."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from truonghoc.forms import form_saved
from truonghoc.paging import page_number

from . import homeroom as rules
from .forms import HomeroomMessageForm

LIST_PAGE_SIZE = 30


@login_required
@require_http_methods(["GET", "POST"])
def homeroom(request, child_pk: int):
    user = request.user
    child = rules.homeroom_child_for_user_or_404(user, child_pk)
    may_write = rules.can_write_homeroom(user, child)
    form = HomeroomMessageForm(request.POST or None)
    if request.method == "POST" and may_write:
        saved = form_saved(
            request, form, lambda data: rules.homeroom_message_send(actor=user, child=child, body=data["body"])
        )
        if saved:
            messages.success(request, _("Your message has been sent."))
            return redirect(reverse("forums:homeroom", args=[child.pk]) + f"#post-{saved.result.pk}")
    thread = rules.homeroom_thread(child=child)
    posts = list(rules.homeroom_posts(thread=thread)) if thread is not None else []
    read_at = rules.last_read_at(thread=thread, user=user) if thread is not None else None
    for post in posts:  # new to this reader since they last opened the conversation
        post.is_new = may_write and post.author_id != user.pk and (read_at is None or post.created_at > read_at)
    if thread is not None and may_write:  # the principal's reading is not the participants' "read"
        rules.homeroom_mark_read(thread=thread, user=user)
    school_class = rules.child_class(child)
    return render(
        request,
        "forums/homeroom.html",
        {
            "child": child,
            "school_class": school_class,
            "teacher": school_class.homeroom_teacher if school_class is not None else None,
            "thread": thread,
            "posts": posts,
            "read_at": read_at,
            "form": form,
            "may_write": may_write,
            "is_parent": user.account_type == user.AccountType.PARENT,
        },
    )


@login_required
def homeroom_list(request):
    """The homeroom teacher's children, unread conversations first (and, for a principal, every
    conversation started in their school)."""
    query = request.GET.get("q", "").strip()[:100]
    rows = rules.homeroom_rows(user=request.user, query=query)
    page = Paginator(rows, LIST_PAGE_SIZE).get_page(page_number(request.GET.get("page")))
    return render(
        request,
        "forums/homeroom_list.html",
        {"page": page, "query": query, "unread": sum(1 for r in rows if r.unread), "total": len(rows)},
    )
