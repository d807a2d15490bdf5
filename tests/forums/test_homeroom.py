"""A child's conversation between the parents and the homeroom teacher (issue #17): one thread per child
on the forums engine, all the child's parents and the class's homeroom teacher write, the principal
reads, nobody else sees it; unread first in the teacher's list; notifications to the other side."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from accounts.models import Guardianship
from accounts.services.parents import parent_unlink
from forums.homeroom import (
    can_read_homeroom,
    can_write_homeroom,
    homeroom_message_send,
    homeroom_rows,
    homeroom_thread,
    homeroom_unread_count,
)
from forums.models import Forum, Post, Thread
from notifications.models import Notification
from tests.accounts.family import make_family

pytestmark = pytest.mark.django_db


@pytest.fixture
def f(tree):
    return make_family(tree)


def _url(child):
    return reverse("forums:homeroom", args=[child.pk])


def test_first_message_makes_one_thread_for_the_child_and_tells_the_other_side(f):
    post = homeroom_message_send(actor=f.mother, child=f.an, body="Cháu An hôm nay bị sốt, xin phép nghỉ.")
    thread = homeroom_thread(child=f.an)
    assert post.thread_id == thread.pk and thread.forum.owner == f.an and thread.forum.unit_id == f.tree.s1.pk
    told = set(Notification.objects.filter(url=_url(f.an)).values_list("recipient_id", flat=True))
    assert told == {f.father.pk, f.homeroom.pk}  # all of An's parents and his homeroom teacher, never the writer
    reply = homeroom_message_send(actor=f.homeroom, child=f.an, body="Cô đã nhận, chúc cháu mau khỏe.")
    assert reply.thread_id == thread.pk
    assert Thread.objects.filter(forum__owner_id=f.an.pk).count() == 1
    assert Forum.objects.filter(owner_id=f.an.pk).count() == 1
    replied = set(Notification.objects.exclude(url=_url(f.an)).values_list("recipient_id", flat=True))
    assert replied == {f.mother.pk, f.father.pk}  # the teacher's answer reaches both parents


def test_who_reads_and_writes(f):
    homeroom_message_send(actor=f.mother, child=f.an, body="Xin chào cô.")
    assert can_write_homeroom(f.mother, f.an) and can_write_homeroom(f.father, f.an)
    assert can_write_homeroom(f.homeroom, f.an)
    assert can_read_homeroom(f.principal, f.an) and not can_write_homeroom(f.principal, f.an)
    for outsider in (f.cuong_parent, f.maths, f.homeroom2, f.admin, f.other_parent, f.other_admin, f.an):
        assert not can_read_homeroom(outsider, f.an), outsider
    # the mother of two writes about Hoa, with Hoa's homeroom teacher, not An's
    assert can_write_homeroom(f.mother, f.hoa) and not can_write_homeroom(f.father, f.hoa)
    assert can_write_homeroom(f.homeroom2, f.hoa) and not can_read_homeroom(f.homeroom, f.hoa)


def test_refused_messages_write_nothing(f):
    for actor, body in ((f.cuong_parent, "Tôi muốn hỏi về cháu An."), (f.maths, "Thưa phụ huynh"), (f.mother, "  ")):
        with pytest.raises(ValidationError):
            homeroom_message_send(actor=actor, child=f.an, body=body)
    assert not Post.objects.exists() and not Forum.objects.filter(owner_id=f.an.pk).exists()
    assert not Notification.objects.exists()


def test_an_unlinked_parent_loses_the_conversation(f):
    homeroom_message_send(actor=f.father, child=f.an, body="Bố cháu An đây.")
    link = Guardianship.objects.get(parent=f.father, child=f.an)
    parent_unlink(actor=f.principal, link=link)
    assert not can_read_homeroom(f.father, f.an)


def test_the_pages_for_each_side(client, f):
    client.force_login(f.mother)
    page = client.get(_url(f.an))
    assert page.status_code == 200 and "homeroom-empty" in page.text
    response = client.post(_url(f.an), {"body": "Cháu xin nghỉ học ngày mai."})
    assert response.status_code == 302
    client.force_login(f.homeroom)
    listing = client.get(reverse("forums:homeroom_list"))
    assert listing.status_code == 200
    rows = list(listing.context["page"].object_list)
    assert [r.child for r in rows][:1] == [f.an] and rows[0].unread
    assert {r.child for r in rows} == {f.an, f.cuong}  # the students of 6A1 only
    assert "Cháu xin nghỉ học ngày mai." in client.get(_url(f.an)).text
    assert not homeroom_rows(user=f.homeroom)[0].unread  # opened: read
    response = client.post(_url(f.an), {"body": "Cô đã nhận."})
    assert response.status_code == 302
    client.force_login(f.father)
    home = client.get(reverse("home") + f"?hs={f.an.pk}")
    assert "homeroom-unread" in home.text
    # the principal reads without a form; others get a 404
    client.force_login(f.principal)
    page = client.get(_url(f.an))
    assert page.status_code == 200 and "read-only" in page.text and "homeroom-form" not in page.text
    assert client.post(_url(f.an), {"body": "Hiệu trưởng viết"}).status_code == 200
    assert Post.objects.filter(author=f.principal).count() == 0
    for outsider in (f.cuong_parent, f.maths, f.homeroom2, f.admin, f.other_parent):
        client.force_login(outsider)
        assert client.get(_url(f.an)).status_code == 404, outsider
        assert client.post(_url(f.an), {"body": "x"}).status_code == 404, outsider
        thread = homeroom_thread(child=f.an)
        assert client.get(reverse("forums:thread", args=[thread.pk])).status_code == 404
    # the generic pages of the engine lead to the conversation's own page
    client.force_login(f.mother)
    thread = homeroom_thread(child=f.an)
    assert client.get(reverse("forums:thread", args=[thread.pk])).url == _url(f.an)
    post = Post.objects.filter(thread=thread).last()
    assert client.get(reverse("forums:post", args=[post.pk])).url.startswith(_url(f.an))
    assert (
        client.post(reverse("forums:thread_new", args=[thread.forum_id]), {"title": "x", "body": "y"}).status_code
        == 404
    )


def test_an_empty_message_is_refused_with_a_message(client, f):
    client.force_login(f.mother)
    page = client.post(_url(f.an), {"body": ""})
    assert page.status_code == 200 and page.context["form"].errors
    assert not Post.objects.exists()


def test_unread_first_and_the_count(f):
    homeroom_message_send(actor=f.homeroom, child=f.cuong, body="Thưa phụ huynh em Cường.")
    homeroom_message_send(actor=f.mother, child=f.an, body="Thưa cô.")
    rows = homeroom_rows(user=f.homeroom)
    assert [(r.child, r.unread) for r in rows] == [(f.an, True), (f.cuong, False)]
    assert homeroom_unread_count(user=f.homeroom) == 1
    assert homeroom_unread_count(user=f.maths) is None
    assert [r.child for r in homeroom_rows(user=f.homeroom, query="cuong")] == [f.cuong]
    # the principal sees the conversations started in the school, not the silent children
    assert {r.child for r in homeroom_rows(user=f.principal)} == {f.an, f.cuong}


def test_list_queries_do_not_grow_with_threads(client, f, django_assert_max_num_queries):
    client.force_login(f.homeroom)
    homeroom_message_send(actor=f.mother, child=f.an, body="Một.")
    with django_assert_max_num_queries(30) as one:
        client.get(reverse("forums:homeroom_list"))
    homeroom_message_send(actor=f.cuong_parent, child=f.cuong, body="Hai.")
    with django_assert_max_num_queries(len(one.captured_queries)):
        client.get(reverse("forums:homeroom_list"))
