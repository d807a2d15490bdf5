"""Forum pages: a forum's threads with the "new thread" form, a thread's posts with the reply form,
post actions (edit, report, remove; moderators hide, restore, lock), moderators and the moderation
queue. Everything works without JavaScript; with htmx a reply is appended without a reload."""

import re
from functools import partial

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from accounts.profile import profile_refusal
from truonghoc import fragments
from truonghoc.forms import add_service_errors, cleaned_values, form_saved, service_outcome
from truonghoc.links import url_maker
from truonghoc.params import parse_id
from truonghoc.storage import file_response
from units.permissions import can_see_usernames, unit_for_user_or_404

from . import selectors, services
from .forms import ModeratorForm, PostEditForm, ReasonForm, ReplyForm, ThreadForm
from .homeroom import homeroom_child_id
from .models import Forum, Post, PostReport, Thread
from .permissions import (
    attachment_for_user_or_404,
    can_accept_answer,
    can_delete_post,
    can_delete_thread,
    can_edit_post,
    can_manage_forum,
    can_moderate_forum,
    can_moderate_post,
    can_moderate_thread,
    can_see_every_thread,
    forum_for_user_or_404,
    is_questions,
    owner_rules,
    post_for_user_or_404,
    thread_for_user_or_404,
    thread_viewer,
)
from .words import question_words

# What a new thread's form gives its service (a unit's first thread, or another forum's).
THREAD_FIELDS = ("title", "body", "files")


def _profile_note(user) -> str:
    return profile_refusal(user, _("Please complete your profile before posting (%(missing)s)."))


def _thread_posted(request, form, create):
    """A new thread from the ThreadForm, by `create` (the service, told where already), as form_saved."""
    return form_saved(
        request,
        form,
        lambda data: create(actor=request.user, **cleaned_values(form, THREAD_FIELDS)),
        upload_field="files",
    )


def _owner_link(forum) -> dict | None:
    """The page of the object that owns the forum (a course, a learning group's course, an article), for
    the breadcrumb, as its app registered it."""
    if forum.pk is None:
        return None
    rules = owner_rules(forum)
    if rules is None or rules.link is None:
        return None
    title, url = rules.link(forum.owner)
    return {"title": title, "url": url}


# What a questions forum (Hỏi – Đáp) calls those who answer. Its owner may say it its own way (see
# OwnerRules.words): a class lesson's students ask their teachers, a topic's participants those in charge.
def _thread_url(thread, page=None, anchor="") -> str:
    url = reverse("forums:thread", args=[thread.pk])
    if page and page > 1:
        url += f"?page={page}"
    return url + (f"#{anchor}" if anchor else "")


@login_required
def index(request):
    user = request.user
    context = {
        "national": selectors.national_forums(),
        "own_unit": user.unit if getattr(user, "unit_id", None) else None,
        "moderates": selectors.forums_moderated_by(user=user).exists(),
    }
    return render(request, "forums/forum_index.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def unit_forum(request, unit_pk: int):
    """A unit's forum. Until its first thread is posted there is no Forum row: the page is shown empty and
    the row is created with that first thread, never by just looking."""
    unit = unit_for_user_or_404(request.user, unit_pk)
    forum = Forum.objects.filter(unit=unit, owner_type__isnull=True).first()
    if forum is not None:
        return redirect("forums:forum", forum.pk)
    form = ThreadForm(request.POST or None, request.FILES or None)
    saved = _thread_posted(request, form, partial(services.unit_thread_create, unit=unit))
    if saved:
        messages.success(request, _("Your thread has been posted."))
        return redirect("forums:thread", saved.result.pk)
    unsaved = Forum(unit=unit, title=unit.name)
    return _forum_page(request, unsaved, form, action=reverse("forums:unit_forum", args=[unit.pk]))


def _forum_page(request, forum, form, action=None):
    user = request.user
    if forum.pk is None:
        threads, is_moderator = Thread.objects.none(), can_manage_forum(user, forum)
    else:
        threads, is_moderator = selectors.forum_threads(forum=forum, user=user), can_moderate_forum(user, forum)
    page = Paginator(threads, selectors.THREADS_PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "forum": forum,
        "page": page,
        "form": form,
        "action": action or reverse("forums:thread_new", args=[forum.pk]),
        "is_moderator": is_moderator,
        "is_questions": is_questions(forum),
        "sees_every_thread": forum.pk is not None and can_see_every_thread(user, forum),
        "may_manage": forum.pk is not None and can_manage_forum(user, forum),
        "owner_link": _owner_link(forum),
        "words": question_words(forum),
        "profile_note": _profile_note(user),
    }
    return render(request, "forums/forum_detail.html", context)


@login_required
def forum_detail(request, pk: int):
    forum = forum_for_user_or_404(request.user, pk)
    if (child_id := homeroom_child_id(forum)) is not None:
        return redirect("forums:homeroom", child_id)
    return _forum_page(request, forum, ThreadForm())


@login_required
@require_POST
def thread_new(request, pk: int):
    forum = forum_for_user_or_404(request.user, pk)
    if homeroom_child_id(forum) is not None:
        raise Http404  # one conversation per child, written on its own page
    form = ThreadForm(request.POST, request.FILES)
    saved = _thread_posted(request, form, partial(services.thread_create, forum=forum))
    if saved:
        if is_questions(forum):
            messages.success(request, str(question_words(forum)["sent"]))
        else:
            messages.success(request, _("Your thread has been posted."))
        return redirect("forums:thread", saved.result.pk)
    return _forum_page(request, forum, form)


_POST_URL = url_maker("forums:post")
_POST_EDIT_URL = url_maker("forums:post_edit")
_POST_REPORT_URL = url_maker("forums:post_report")
_POST_DELETE_URL = url_maker("forums:post_delete")
_POST_HIDE_URL = url_maker("forums:post_hide")
_POST_RESTORE_URL = url_maker("forums:post_restore")
_ANSWER_ACCEPT_URL = url_maker("forums:answer_accept")


class PostLinks:
    """A post card's links, each made when the template asks for it and without a URL reversal: a page
    of 50 posts reversed some 120 URLs, a tenth of its time."""

    __slots__ = ("pk",)

    def __init__(self, pk: int):
        self.pk = pk

    permalink = property(lambda self: _POST_URL(self.pk))
    edit = property(lambda self: _POST_EDIT_URL(self.pk))
    report = property(lambda self: _POST_REPORT_URL(self.pk))
    remove = property(lambda self: _POST_DELETE_URL(self.pk))
    hide = property(lambda self: _POST_HIDE_URL(self.pk))
    restore = property(lambda self: _POST_RESTORE_URL(self.pk))
    accept = property(lambda self: _ANSWER_ACCEPT_URL(self.pk))


def _with_links(posts):
    for post in posts:
        post.links = PostLinks(post.pk)
    return posts


THREAD_TEMPLATE = "forums/thread_detail.html"
_VIEWER_PART = re.compile(r"<!--viewer:(own|other):(\d+)-->(.*?)<!--/viewer-->", re.DOTALL)


def for_viewer(request, html: str) -> str:
    """Posts rendered for everyone (thread_detail.html#posts) made this viewer's: their own posts' edit and
    remove links, the report link on others' posts, their CSRF field in the posts' forms. Names and texts
    are escaped or sanitised, so no post can contain a marker."""
    user_pk = request.user.pk

    def part(match) -> str:
        own = int(match[2]) == user_pk
        return match[3] if own == (match[1] == "own") else ""

    html = _VIEWER_PART.sub(part, html)
    return fragments.with_csrf(request, mark_safe(html))  # noqa: S308 - rendered by the template, markers cut


def _posts_html(request, thread, page, *, is_moderator: bool, may_accept: bool, accepted_on_page: bool, stamp):
    """One page of a thread's posts, as HTML for this viewer. The page is the same for everyone of one
    permission class (moderator or not, may accept an answer or not), so it is kept in the cache under
    the thread's state and the posts' stamp (selectors.thread_posts_stamp): any change makes a new key."""

    def build() -> str:
        posts = _with_links(list(page.object_list))
        context = {
            "page": page,
            "thread": thread,
            "is_moderator": is_moderator,
            "may_accept": may_accept,
            "accepted": selectors.accepted_answer(thread=thread) if accepted_on_page else None,
            "csrf_token": fragments.CSRF_SLOT,
        }
        page.object_list = posts
        return render_to_string(THREAD_TEMPLATE + "#posts", context)

    html = fragments.shared(
        "forums.thread_posts",
        build,
        thread.pk,
        page.number,
        stamp,
        thread.is_locked,
        thread.is_deleted,
        thread.accepted_post_id,
        is_moderator,
        may_accept,
        accepted_on_page,
    )
    return for_viewer(request, html)


def _blank_reply_fields() -> str:
    """The fields of a blank reply form, the same on every thread in one language: drawn once (the rich-text
    widget alone cost a thread page a tenth of its time). Keyed by the editor's static address too, so a
    new deployment's files are never named by an older copy."""
    return fragments.shared(
        "forums.reply-fields",
        lambda: render_to_string(THREAD_TEMPLATE + "#reply-fields", {"form": ReplyForm()}),
        static("vendor/quill/quill.js"),
    )


def _thread_context(request, thread, form, page_number=None):
    user = request.user
    forum = thread.forum
    viewer = thread_viewer(user, thread)  # every permission of the page from one moderation check
    is_moderator = viewer.is_moderator
    show_posts = not thread.is_deleted or is_moderator
    questions = is_questions(forum)
    paginator = Paginator(selectors.thread_posts(thread=thread), selectors.POSTS_PER_PAGE)
    posts_html = ""
    if show_posts:
        stamp = selectors.thread_posts_stamp(thread=thread)
        paginator.count = stamp[0]  # the stamp counted the posts: no second count query
        page = paginator.get_page(page_number or request.GET.get("page"))
        posts_html = _posts_html(
            request,
            thread,
            page,
            is_moderator=is_moderator,
            may_accept=viewer.may_accept,
            accepted_on_page=questions and page.number == 1,
            stamp=stamp,
        )
    else:
        page = paginator.get_page(page_number or request.GET.get("page"))
    return {
        "forum": forum,
        "thread": thread,
        "page": page,
        "posts_html": posts_html,
        "form": form,
        "is_moderator": is_moderator,
        "is_questions": questions,
        "may_accept": viewer.may_accept,
        "may_publish": viewer.may_publish,
        "following": selectors.is_following(thread=thread, user=user),
        "show_posts": show_posts,
        "may_delete_thread": viewer.may_delete,
        "may_reply": viewer.may_reply,
        "owner_link": _owner_link(forum),
        "words": question_words(forum),
        "profile_note": _profile_note(user),
    }


def _post_partial(request, thread, post) -> HttpResponse:
    """The one new post appended by htmx after a reply, marked for its viewer as the page's posts are."""
    forum = thread.forum
    context = {
        "post": _with_links([post])[0],
        "thread": thread,
        "is_moderator": can_moderate_forum(request.user, forum),
        "may_accept": is_questions(forum) and can_accept_answer(request.user, thread),
        "csrf_token": fragments.CSRF_SLOT,
    }
    return HttpResponse(for_viewer(request, render_to_string(THREAD_TEMPLATE + "#post", context)))


@login_required
@require_http_methods(["GET", "POST"])
def thread_detail(request, pk: int):
    user = request.user
    thread = thread_for_user_or_404(user, pk)
    if (child_id := homeroom_child_id(thread.forum)) is not None:
        return redirect("forums:homeroom", child_id)  # a child's homeroom conversation has its own page
    template = THREAD_TEMPLATE
    if request.method == "POST":
        form = ReplyForm(request.POST, request.FILES)

        def reply(data):
            quoted = Post.objects.filter(pk=data["quoted"], thread=thread).first() if data["quoted"] else None
            return services.post_reply(actor=user, thread=thread, body=data["body"], quoted=quoted, files=data["files"])

        saved = form_saved(request, form, reply, upload_field="files")
        if saved:
            post = saved.result
            if request.htmx:
                post = selectors.thread_posts(thread=thread).get(pk=post.pk)
                return _post_partial(request, thread, post)
            messages.success(request, _("Your reply has been posted."))
            return redirect(_thread_url(thread, selectors.post_page_number(post=post), f"post-{post.pk}"))
        context = _thread_context(request, thread, form, page_number=10**6)
        if request.htmx:
            response = render(request, template + "#reply-form", context)
            response["HX-Retarget"] = "#reply-form"
            response["HX-Reswap"] = "outerHTML"
            return response
        return render(request, template, context)
    initial = {}
    quoting = None
    if quote_pk := parse_id(request.GET.get("quote")):
        quoting = (
            Post.objects.alive().filter(pk=quote_pk, thread=thread, is_hidden=False).select_related("author").first()
        )
        if quoting:
            initial["quoted"] = quoting.pk
    context = _thread_context(request, thread, ReplyForm(initial=initial))
    context["quoting"] = quoting
    if not initial:
        context["reply_fields"] = _blank_reply_fields()
    return render(request, template, context)


@login_required
@require_POST
def thread_follow(request, pk: int):
    thread = thread_for_user_or_404(request.user, pk)
    follow = request.POST.get("follow") == "1"
    try:
        if follow:
            services.thread_follow(actor=request.user, thread=thread)
        else:
            services.thread_unfollow(actor=request.user, thread=thread)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        if follow:
            messages.success(request, _("You follow this thread: you will be told of new replies."))
        else:
            messages.success(request, _("You no longer follow this thread."))
    return redirect("forums:thread", thread.pk)


@login_required
@require_POST
def question_publish(request, pk: int):
    thread = thread_for_user_or_404(request.user, pk, may=can_moderate_thread)
    with service_outcome(request, str(question_words(thread.forum)["published"])):
        services.question_publish(actor=request.user, thread=thread)
    return redirect("forums:thread", thread.pk)


@login_required
@require_POST
def answer_accept(request, pk: int):
    post = post_for_user_or_404(request.user, pk)
    thread = post.thread
    if not can_accept_answer(request.user, thread):
        raise Http404
    with service_outcome(request, _("The accepted answer has been updated.")):
        if request.POST.get("accept", "1") == "1":
            services.answer_accept(actor=request.user, post=post)
        else:
            services.answer_unaccept(actor=request.user, thread=thread)
    return redirect(_back_to(post))


@login_required
def attachment_download(request, pk: int):
    """A post's file, for whoever may see the post; images and PDFs open in the browser."""
    attachment = attachment_for_user_or_404(request.user, pk)
    inline = attachment.is_image or attachment.extension == "pdf"
    return file_response(attachment.file, name=attachment.name, inline=inline, cache="private, max-age=3600")


@login_required
def post_link(request, pk: int):
    post = post_for_user_or_404(request.user, pk)
    if (child_id := homeroom_child_id(post.thread.forum)) is not None:
        return redirect(reverse("forums:homeroom", args=[child_id]) + f"#post-{post.pk}")
    return redirect(_thread_url(post.thread, selectors.post_page_number(post=post), f"post-{post.pk}"))


def _back_to(post) -> str:
    return _thread_url(post.thread, selectors.post_page_number(post=post), f"post-{post.pk}")


@login_required
@require_http_methods(["GET", "POST"])
def post_change(request, pk: int):
    post = post_for_user_or_404(request.user, pk, may=can_edit_post)
    form = PostEditForm(request.POST or None, initial={"body": post.body})
    if form_saved(request, form, lambda data: services.post_edit(actor=request.user, post=post, body=data["body"])):
        messages.success(request, _("Your post has been updated."))
        return redirect(_back_to(post))
    revisions = post.revisions.select_related("edited_by")
    context = {"post": post, "thread": post.thread, "form": form, "revisions": revisions}
    return render(request, "forums/post_edit.html", context)


# The words of the pages that ask why before acting on a post.
REPORT_WORDS = {
    "title": gettext_lazy("Report this post"),
    "button": gettext_lazy("Send the report"),
    "done": gettext_lazy("Thank you: the moderators will look at this post."),
}
HIDE_WORDS = {
    "title": gettext_lazy("Hide this post"),
    "button": gettext_lazy("Hide"),
    "done": gettext_lazy("The post is hidden."),
}


def _reason_page(request, post, service, words: dict):
    """Ask why, then call service(actor=, post=, reason=) (reporting or hiding the post)."""
    form = ReasonForm(request.POST or None)
    if form_saved(request, form, lambda data: service(actor=request.user, post=post, reason=data["reason"])):
        messages.success(request, str(words["done"]))
        return redirect(_back_to(post))
    context = {"post": post, "thread": post.thread, "form": form, "title": words["title"], "button": words["button"]}
    return render(request, "forums/post_reason.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def post_flag(request, pk: int):
    return _reason_page(request, post_for_user_or_404(request.user, pk), services.post_report, REPORT_WORDS)


@login_required
@require_http_methods(["GET", "POST"])
def post_hide_view(request, pk: int):
    post = post_for_user_or_404(request.user, pk, may=can_moderate_post)
    return _reason_page(request, post, services.post_hide, HIDE_WORDS)


@login_required
@require_POST
def post_restore_view(request, pk: int):
    post = post_for_user_or_404(request.user, pk, may=can_moderate_post)
    with service_outcome(request, _("The post is shown again.")):
        services.post_restore(actor=request.user, post=post)
    return redirect(_back_to(post))


@login_required
@require_http_methods(["GET", "POST"])
def post_remove(request, pk: int):
    post = post_for_user_or_404(request.user, pk, may=can_delete_post)
    if request.method == "POST":
        with service_outcome(request, _("The post has been removed.")):
            services.post_delete(actor=request.user, post=post)
        return redirect(_back_to(post))
    return render(request, "forums/post_delete.html", {"post": post, "thread": post.thread})


@login_required
@require_POST
def thread_lock_toggle(request, pk: int):
    thread = thread_for_user_or_404(request.user, pk, may=can_moderate_thread)
    lock = request.POST.get("lock") == "1"
    with service_outcome(request, _("The thread is locked.") if lock else _("The thread is open again.")):
        if lock:
            services.thread_lock(actor=request.user, thread=thread)
        else:
            services.thread_unlock(actor=request.user, thread=thread)
    return redirect("forums:thread", thread.pk)


@login_required
@require_http_methods(["GET", "POST"])
def thread_remove(request, pk: int):
    thread = thread_for_user_or_404(request.user, pk, may=can_delete_thread)
    if request.method == "POST":
        with service_outcome(request, _("The thread has been removed.")):
            services.thread_delete(actor=request.user, thread=thread)
        return redirect("forums:forum", thread.forum_id)
    return render(request, "forums/thread_delete.html", {"thread": thread, "forum": thread.forum})


@login_required
@require_http_methods(["GET", "POST"])
def moderators(request, pk: int):
    forum = forum_for_user_or_404(request.user, pk, may=can_manage_forum)
    form = ModeratorForm(request.POST or None) if request.POST.get("action") != "revoke" else ModeratorForm()
    if request.method == "POST":
        User = get_user_model()
        if request.POST.get("action") == "revoke":
            user = get_object_or_404(User, pk=parse_id(request.POST.get("user")) or 0)
            services.moderator_revoke(actor=request.user, forum=forum, user=user)
            messages.success(request, _("%(name)s is no longer a moderator.") % {"name": user})
            return redirect("forums:moderators", forum.pk)
        if form.is_valid():
            user = User.objects.filter(username=form.cleaned_data["username"].strip()).first()
            if user is None:
                form.add_error("username", _("There is no account with this username."))
            else:
                try:
                    services.moderator_grant(actor=request.user, forum=forum, user=user)
                except ValidationError as exc:
                    add_service_errors(form, exc)
                else:
                    messages.success(request, _("%(name)s is now a moderator.") % {"name": user})
                    return redirect("forums:moderators", forum.pk)
    context = {
        "forum": forum,
        "form": form,
        "moderators": selectors.forum_moderators(forum=forum),
        # Usernames are login names: listed to those who look after the accounts only (issue #14).
        "show_usernames": forum.unit_id is not None and can_see_usernames(request.user, forum.unit),
    }
    return render(request, "forums/forum_moderators.html", context)


@login_required
def moderation(request):
    queue = selectors.moderation_queue(user=request.user)
    context = {"reports": queue["reports"][:200], "hidden": queue["hidden"][:200]}
    return render(request, "forums/moderation_queue.html", context)


@login_required
@require_POST
def report_resolve(request, pk: int):
    report = get_object_or_404(PostReport.objects.select_related("post__thread__forum__unit"), pk=pk)
    if not can_moderate_forum(request.user, report.post.thread.forum):
        raise Http404
    services.post_report_resolve(actor=request.user, report=report)
    messages.success(request, _("The report is closed; the post stays as it is."))
    return redirect("forums:moderation")
