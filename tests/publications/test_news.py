"""News articles: the approval flow, promotion up to the national front page, who may do what (right
role, wrong role, wrong unit), pictures (re-encoded, EXIF gone, bombs and renamed files refused, too
large files), sanitised text, comments through the forum engine, and a list page whose cost does not
grow with the number of articles."""

import io
import struct
import zlib

import pytest
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from PIL import ExifTags, Image

from forums.models import Forum
from forums.permissions import can_moderate_forum, can_view_forum
from forums.selectors import owner_forums
from notifications.models import Notification
from publications.models import Article, ArticleImage
from publications.permissions import news as perms
from publications.selectors import news as selectors
from publications.services import news as services
from tests.accounts.factories import make_person
from truonghoc.storage import private_storage
from truonghoc.uploads import image_reencode
from units.models import AuditEntry, Role

S = Article.Status


# --- pictures ---------------------------------------------------------------------------------------


def jpeg(name="anh.jpg", size=(400, 300), gps=False) -> SimpleUploadedFile:
    image = Image.new("RGB", size, (200, 30, 30))
    exif = Image.Exif()
    if gps:
        exif[ExifTags.Base.Make] = "PhoneMaker"
        gps_ifd = exif.get_ifd(ExifTags.IFD.GPSInfo)
        gps_ifd[ExifTags.GPS.GPSLatitudeRef] = "N"
        gps_ifd[ExifTags.GPS.GPSLatitude] = (21.0, 1.0, 30.0)
        gps_ifd[ExifTags.GPS.GPSLongitudeRef] = "E"
        gps_ifd[ExifTags.GPS.GPSLongitude] = (105.0, 51.0, 10.0)
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


def png_claiming(width: int, height: int, name="bom.png") -> SimpleUploadedFile:
    """A tiny PNG whose header claims huge dimensions: decoding it would take gigabytes."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    content = (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 1000))
        + chunk(b"IEND", b"")
    )
    return SimpleUploadedFile(name, content, content_type="image/png")


def text_as_jpg(name="anh.jpg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"Day la mot tep van ban, khong phai anh.\n" * 20, content_type="image/jpeg")


def test_reencoding_removes_exif_and_gps(db):
    upload = jpeg(gps=True)
    with Image.open(io.BytesIO(upload.read())) as original:
        assert original.getexif().get_ifd(ExifTags.IFD.GPSInfo)  # the test picture really carries a position
    upload.seek(0)
    stored = image_reencode(upload)
    data = stored.read()
    assert stored.name.endswith(".jpg")
    with Image.open(io.BytesIO(data)) as image:
        assert image.format == "JPEG"
        assert image.size == (400, 300)
        assert not image.getexif()
        assert not image.getexif().get_ifd(ExifTags.IFD.GPSInfo)
    assert b"PhoneMaker" not in data and b"Exif" not in data


def test_reencoding_shrinks_a_large_picture_to_1920_px(db):
    stored = image_reencode(jpeg(size=(4000, 1000)))
    with Image.open(stored) as image:
        assert image.size == (1920, 480)


def test_a_text_file_renamed_jpg_is_refused(db):
    with pytest.raises(ValidationError) as error:
        image_reencode(text_as_jpg())
    assert error.value.code == "not_image"
    assert "anh.jpg is not a picture" in error.value.messages[0]


@pytest.mark.parametrize("side", [8000, 60000])
def test_a_decompression_bomb_is_refused_before_decoding(db, side):
    # 8000² is above our limit; 60000² is also far above Pillow's own bomb limit.
    with pytest.raises(ValidationError) as error:
        image_reencode(png_claiming(side, side))
    assert error.value.code == "too_many_pixels"
    assert "megapixels" in error.value.messages[0]


def test_a_damaged_picture_is_refused(db):
    good = jpeg().read()
    with pytest.raises(ValidationError) as error:
        image_reencode(SimpleUploadedFile("hong.jpg", good[:200]))
    assert error.value.code == "unreadable"


# --- data ---------------------------------------------------------------------------------------


@pytest.fixture
def staff(tree, people):
    people.s2_teacher = make_person(unit=tree.g3, role=Role.TEACHER)
    people.student = make_person(unit=tree.c1, role=Role.STUDENT)
    return people


def write(actor, unit, title="Lễ khai giảng năm học mới", **extra):
    extra.setdefault("body", "<p>Sáng nay trường tổ chức lễ khai giảng.</p>")
    return services.article_create(actor=actor, unit=unit, title=title, summary=extra.pop("summary", ""), **extra)


def published(actor, reviewer, unit, **extra):
    article = write(actor, unit, **extra)
    services.article_submit(actor=actor, article=article)
    return services.article_review(actor=reviewer, article=article, approve=True)


# --- approval flow ----------------------------------------------------------------------------


def test_teacher_writes_office_approves_and_it_appears_on_the_school_and_office_spaces(tree, staff):
    article = write(staff.teacher, tree.s1, cover=jpeg(gps=True), images=[jpeg("a.jpg"), jpeg("b.png")])
    assert article.status == S.DRAFT and article.published_at is None
    # A private file (issue #14): nothing under the public media folder.
    assert article.cover.name.startswith("news/") and private_storage().exists(article.cover.name)
    assert not default_storage.exists(article.cover.name)
    assert ArticleImage.objects.filter(article=article).count() == 2
    assert not selectors.news_published(unit=tree.s1).exists()

    services.article_submit(actor=staff.teacher, article=article)
    assert article.status == S.SUBMITTED
    # The managers of the unit directly above (the Office) are told; not the Department.
    told = set(Notification.objects.values_list("recipient_id", flat=True))
    assert staff.phong.pk in told and staff.so.pk not in told
    assert list(selectors.review_queue(user=staff.phong)) == [article]
    assert not selectors.review_queue(user=staff.so).exists()
    assert not selectors.review_queue(user=staff.s1_admin).exists()

    services.article_review(actor=staff.phong, article=article, approve=True)
    article.refresh_from_db()
    assert article.status == S.APPROVED and article.published_at is not None
    assert article.reviewed_by == staff.phong
    assert Notification.objects.filter(recipient=staff.teacher, url=reverse("news:detail", args=[article.pk])).exists()
    assert AuditEntry.objects.filter(action="article.approve", target_id=str(article.pk)).exists()
    assert article in selectors.news_published(unit=tree.s1)
    assert article in selectors.news_published(unit=tree.office_a1)
    assert article not in selectors.news_published(unit=tree.dept_a)
    assert article not in selectors.news_published(unit=tree.ministry)
    # Its comments forum opens at approval.
    assert Forum.Kind.DISCUSSION in owner_forums(owner=article)


def test_returned_with_a_note_then_sent_again(tree, staff):
    article = write(staff.s1_admin, tree.s1)
    services.article_submit(actor=staff.s1_admin, article=article)
    with pytest.raises(ValidationError) as error:
        services.article_review(actor=staff.phong, article=article, approve=False, note="  ")
    assert "Say what the author should change." in error.value.messages
    article.refresh_from_db()
    assert article.status == S.SUBMITTED

    services.article_review(actor=staff.phong, article=article, approve=False, note="Thêm ảnh buổi lễ")
    article.refresh_from_db()
    assert article.status == S.REJECTED and article.review_note == "Thêm ảnh buổi lễ"
    assert AuditEntry.objects.filter(action="article.return", target_id=str(article.pk)).exists()
    assert not selectors.news_published().exists()
    services.article_submit(actor=staff.s1_admin, article=article)
    assert article.status == S.SUBMITTED
    with pytest.raises(ValidationError):
        services.article_submit(actor=staff.s1_admin, article=article)


@pytest.mark.parametrize("who", ["so", "bo", "s1_admin", "phong_a2", "teacher"])
def test_only_the_unit_directly_above_reviews(tree, staff, who):
    article = write(staff.teacher, tree.s1)
    services.article_submit(actor=staff.teacher, article=article)
    with pytest.raises(ValidationError):
        services.article_review(actor=getattr(staff, who), article=article, approve=True)
    article.refresh_from_db()
    assert article.status == S.SUBMITTED and article.published_at is None


def test_the_ministry_approves_its_own_articles_and_they_are_national(tree, staff):
    article = published(staff.bo, staff.bo, tree.ministry)
    assert article in selectors.news_published(unit=tree.ministry)
    dept_article = published(staff.so, staff.bo, tree.dept_a)
    assert dept_article in selectors.news_published(unit=tree.ministry)
    with pytest.raises(ValidationError) as error:
        services.article_promote(actor=staff.bo, article=dept_article)
    assert "already on the national front page" in error.value.messages[0]


@pytest.mark.parametrize(
    ("who", "unit"),
    [("s2_admin", "s1"), ("student", "s1"), ("so", "s1"), ("teacher", "s2"), ("phong", "dept_a"), ("teacher", "g1")],
)
def test_writers_are_the_units_own_managers_and_a_schools_teachers(tree, staff, who, unit):
    with pytest.raises(ValidationError):
        write(getattr(staff, who), getattr(tree, unit))
    assert not Article.objects.exists()


# --- promotion ------------------------------------------------------------------------------------


def test_promotion_one_level_at_a_time_up_to_the_national_front_page(tree, staff):
    article = published(staff.teacher, staff.phong, tree.s1)
    assert perms.article_level(article) == tree.office_a1
    # The Office already shows it and cannot lift it above itself.
    with pytest.raises(ValidationError):
        services.article_promote(actor=staff.phong, article=article)
    # Another Department cannot either.
    with pytest.raises(ValidationError):
        services.article_promote(actor=staff.so_b, article=article)
    services.article_promote(actor=staff.so, article=article)
    assert article.promoted_to == tree.dept_a
    assert article in selectors.news_published(unit=tree.dept_a)
    assert article not in selectors.news_published(unit=tree.ministry)
    # At most to the actor's own unit: the Department cannot put it on the national page.
    with pytest.raises(ValidationError):
        services.article_promote(actor=staff.so, article=article)
    services.article_promote(actor=staff.bo, article=article)
    assert article.promoted_to == tree.ministry
    assert article in selectors.news_published(unit=tree.ministry)
    assert AuditEntry.objects.filter(action="article.promote", target_id=str(article.pk)).count() == 2
    with pytest.raises(ValidationError):
        services.article_promote(actor=staff.bo, article=article)

    # Back down, one level at a time, by the managers of the level it is at.
    with pytest.raises(ValidationError):
        services.article_unpromote(actor=staff.so, article=article)
    services.article_unpromote(actor=staff.bo, article=article)
    assert article.promoted_to == tree.dept_a
    services.article_unpromote(actor=staff.so, article=article)
    assert article.promoted_to is None
    assert article not in selectors.news_published(unit=tree.dept_a)


def test_the_ministry_can_lift_a_school_article_step_by_step(tree, staff):
    article = published(staff.teacher, staff.phong, tree.s1)
    services.article_promote(actor=staff.bo, article=article)
    assert article.promoted_to == tree.dept_a
    services.article_promote(actor=staff.bo, article=article)
    assert article.promoted_to == tree.ministry


def test_a_draft_cannot_be_promoted(tree, staff):
    article = write(staff.teacher, tree.s1)
    with pytest.raises(ValidationError):
        services.article_promote(actor=staff.bo, article=article)


# --- editing, removing, bad input ----------------------------------------------------------------


def test_scripts_and_handlers_never_reach_the_stored_text(tree, staff):
    article = write(
        staff.teacher,
        tree.s1,
        body='<p onclick="steal()">Xin chào<script>alert(1)</script> <a href="javascript:alert(2)">x</a></p>',
    )
    assert "<script" not in article.body and "onclick" not in article.body and "javascript:" not in article.body
    assert "Xin chào" in article.body
    with pytest.raises(ValidationError) as error:
        write(staff.teacher, tree.s1, body="<script>alert(1)</script>")
    assert "Write the article's text." in error.value.message_dict["body"]


def test_bad_pictures_are_all_reported_and_nothing_is_saved(tree, staff):
    big = jpeg("to.jpg")
    big.size = 200 * 1024 * 1024
    files_before = set(private_storage().listdir("news")[0]) if private_storage().exists("news") else set()
    with pytest.raises(ValidationError) as error:
        write(
            staff.teacher,
            tree.s1,
            title="",
            cover=text_as_jpg("bia.jpg"),
            images=[jpeg("ok.jpg"), big, png_claiming(9000, 9000)],
        )
    errors = error.value.message_dict
    assert "Give the article a title." in errors["title"]
    assert "bia.jpg is not a picture" in errors["cover"][0]
    assert any("to.jpg is 200.0 MB" in m and "at most 10.0 MB" in m for m in errors["images"])
    assert any("megapixels" in m for m in errors["images"])
    assert not Article.objects.exists() and not ArticleImage.objects.exists()
    files_after = set(private_storage().listdir("news")[0]) if private_storage().exists("news") else set()
    assert files_after == files_before


def test_at_most_twenty_pictures(tree, staff):
    article = write(staff.teacher, tree.s1, images=[jpeg(f"{i}.jpg", size=(20, 20)) for i in range(18)])
    with pytest.raises(ValidationError) as error:
        services.article_update(
            actor=staff.teacher,
            article=article,
            title=article.title,
            body=article.body,
            images=[jpeg(f"n{i}.jpg", size=(20, 20)) for i in range(3)],
        )
    assert "at most 20 pictures" in error.value.message_dict["images"][0]
    assert article.images.count() == 18
    first = article.images.first()
    services.article_update(
        actor=staff.teacher,
        article=article,
        title=article.title,
        body=article.body,
        images=[jpeg(f"n{i}.jpg", size=(20, 20)) for i in range(3)],
        captions=["Học sinh", "Thầy cô"],
        remove_images=[first.pk],
        image_captions={article.images.last().pk: "Toàn trường"},
    )
    assert article.images.count() == 20
    assert list(article.images.order_by("-position").values_list("caption", flat=True)[:3]) == [
        "",
        "Thầy cô",
        "Học sinh",
    ]
    assert article.images.filter(caption="Toàn trường").exists()


def test_editing_a_published_article_sends_it_back_for_approval_and_only_the_author_edits(tree, staff):
    """An approved article cannot be swapped for other text afterwards: the change is approved again."""
    article = published(staff.teacher, staff.phong, tree.s1)
    published_at, updated_at = article.published_at, article.updated_at
    services.article_update(actor=staff.teacher, article=article, title="Tiêu đề mới", body="Nội dung mới")
    article.refresh_from_db()
    assert article.status == S.SUBMITTED and article not in selectors.news_published()
    assert article.updated_at > updated_at and article.title == "Tiêu đề mới"
    assert Notification.objects.filter(recipient=staff.phong, url=reverse("news:review", args=[article.pk])).exists()
    services.article_review(actor=staff.phong, article=article, approve=True)
    article.refresh_from_db()
    assert article.status == S.APPROVED and article.published_at == published_at
    assert article in selectors.news_published()
    with pytest.raises(ValidationError):
        services.article_update(actor=staff.s1_admin, article=article, title="X", body="Y")


def test_remove_and_restore(tree, staff):
    article = published(staff.teacher, staff.phong, tree.s1)
    with pytest.raises(ValidationError):
        services.article_delete(actor=staff.s2_admin, article=article)
    services.article_delete(actor=staff.s1_admin, article=article)
    assert article.is_deleted and article not in selectors.news_published()
    assert AuditEntry.objects.filter(action="article.delete", target_id=str(article.pk)).exists()
    services.article_restore(actor=staff.s1_admin, article=article)
    assert not article.is_deleted and article in selectors.news_published()


def test_backdating_moves_an_approved_articles_dates_and_refuses_the_rest(tree, staff):
    from django.utils import timezone

    older = published(staff.teacher, staff.phong, tree.s1, title="Hội khỏe Phù Đổng")
    newer = published(staff.teacher, staff.phong, tree.s1, title="Ngày hội đọc sách")
    assert list(selectors.news_published()[:2]) == [newer, older]
    back = timezone.now() - timezone.timedelta(days=10)
    services.article_backdate(actor=None, article=newer, published_at=back)
    newer.refresh_from_db()
    assert newer.published_at == newer.reviewed_at == newer.updated_at == newer.created_at == back
    assert list(selectors.news_published()[:2]) == [older, newer]
    assert AuditEntry.objects.filter(action="article.backdate", target_id=str(newer.pk)).exists()
    # Refused, with nothing changed: a draft, a removed article, a date in the future.
    draft = write(staff.teacher, tree.s1, title="Bản nháp")
    with pytest.raises(ValidationError, match="published article"):
        services.article_backdate(actor=None, article=draft, published_at=back)
    with pytest.raises(ValidationError, match="future"):
        services.article_backdate(actor=None, article=older, published_at=timezone.now() + timezone.timedelta(days=1))
    services.article_delete(actor=staff.s1_admin, article=older)
    with pytest.raises(ValidationError):
        services.article_backdate(actor=None, article=older, published_at=back)
    draft.refresh_from_db()
    assert draft.published_at is None and Article.objects.get(pk=older.pk).published_at > back
    assert AuditEntry.objects.filter(action="article.backdate").count() == 1


def test_comments_forum_follows_the_article(tree, staff):
    article = published(staff.teacher, staff.phong, tree.s1)
    forum = owner_forums(owner=article)[Forum.Kind.DISCUSSION]
    assert forum.unit == tree.s1
    assert can_view_forum(staff.s2_admin, forum) and can_view_forum(staff.student, forum)
    assert can_moderate_forum(staff.s1_admin, forum) and can_moderate_forum(staff.phong, forum)
    assert not can_moderate_forum(staff.s2_admin, forum) and not can_moderate_forum(staff.phong_a2, forum)
    services.article_delete(actor=staff.s1_admin, article=article)
    forum = Forum.objects.get(pk=forum.pk)  # a page reads the forum (and its owner) afresh
    assert not can_view_forum(staff.s2_admin, forum)


# --- pages ---------------------------------------------------------------------------------------


def get(client, user, url, **kwargs):
    if user is not None:
        client.force_login(user)
    return client.get(url, **kwargs)


def post(client, user, url, data=None):
    client.force_login(user)
    return client.post(url, data or {})


def test_anonymous_reads_an_approved_article_but_not_a_draft(client, tree, staff):
    article = published(staff.teacher, staff.phong, tree.s1, cover=jpeg(), summary="Tóm tắt buổi lễ")
    draft = write(staff.teacher, tree.s1, title="Bản nháp")
    response = client.get(reverse("news:detail", args=[article.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert '<meta property="og:title" content="Lễ khai giảng năm học mới">' in html
    assert '<meta property="og:description" content="Tóm tắt buổi lễ">' in html
    assert f'<meta property="og:image" content="http://testserver{article.cover_url}">' in html
    assert staff.teacher.full_name in html and tree.s1.name in html
    assert article.published_at.astimezone().strftime("%d/%m") in html
    assert 'name="viewport"' in html
    assert client.get(reverse("news:detail", args=[draft.pk])).status_code == 404
    response = client.get(reverse("news:list"))
    assert response.status_code == 200 and "Bản nháp" not in response.content.decode()
    assert article.title in response.content.decode()


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("teacher", 200),
        ("s1_admin", 200),
        ("phong", 200),
        ("so", 200),
        ("s2_admin", 404),
        ("s2_teacher", 404),
        ("phong_a2", 404),
        ("so_b", 404),
        ("student", 404),
    ],
)
def test_a_draft_is_seen_by_its_author_managers_and_reviewers_only(client, tree, staff, who, status):
    draft = write(staff.teacher, tree.s1)
    assert get(client, getattr(staff, who), reverse("news:detail", args=[draft.pk])).status_code == status


def test_write_page_scope(client, tree, staff):
    url = reverse("news:new")
    assert get(client, staff.teacher, url).status_code == 200
    assert get(client, staff.teacher, url + f"?unit={tree.s1.pk}").status_code == 200
    assert get(client, staff.teacher, url + f"?unit={tree.s2.pk}").status_code == 404
    assert get(client, staff.student, url).status_code == 403
    client.logout()
    assert client.get(url).status_code == 302


def test_write_submit_review_through_the_pages(client, tree, staff):
    response = post(
        client,
        staff.teacher,
        reverse("news:new"),
        {"unit": tree.s1.pk, "title": "Hội khỏe Phù Đổng", "summary": "", "body": "Các em thi đấu.", "captions": ""},
    )
    article = Article.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("news:detail", args=[article.pk])
    assert post(client, staff.s2_admin, reverse("news:submit", args=[article.pk])).status_code == 404
    post(client, staff.teacher, reverse("news:submit", args=[article.pk]))
    article.refresh_from_db()
    assert article.status == S.SUBMITTED

    review = reverse("news:review", args=[article.pk])
    assert get(client, staff.so, review).status_code == 403  # sees it (above), but is not the unit directly above
    assert get(client, staff.phong_a2, review).status_code == 404
    assert get(client, staff.phong, reverse("news:review_queue")).content.decode().count('data-testid="queue-row"') == 1
    response = post(client, staff.phong, review, {"decision": "return", "note": ""})
    assert response.status_code == 200 and "Say what the author should change." in response.content.decode()
    article.refresh_from_db()
    assert article.status == S.SUBMITTED
    response = post(client, staff.phong, review, {"decision": "approve", "note": "Tốt"})
    assert response.status_code == 302
    article.refresh_from_db()
    assert article.status == S.APPROVED

    mine = get(client, staff.teacher, reverse("news:mine")).content.decode()
    assert "Hội khỏe Phù Đổng" in mine and "Tốt" in mine
    detail = get(client, staff.so, reverse("news:detail", args=[article.pk])).content.decode()
    assert 'data-testid="promote"' in detail and 'data-testid="comments-link"' in detail
    assert (
        'data-testid="promote"'
        not in get(client, staff.phong, reverse("news:detail", args=[article.pk])).content.decode()
    )
    assert post(client, staff.phong, reverse("news:promote", args=[article.pk])).status_code == 403
    post(client, staff.so, reverse("news:promote", args=[article.pk]))
    article.refresh_from_db()
    assert article.promoted_to == tree.dept_a


def test_the_form_keeps_what_was_typed_when_a_picture_is_refused(client, tree, staff):
    response = post(
        client,
        staff.teacher,
        reverse("news:new"),
        {"unit": tree.s1.pk, "title": "Tiêu đề giữ lại", "body": "Nội dung giữ lại", "cover": text_as_jpg("bia.jpg")},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "bia.jpg is not a picture" in html
    assert 'value="Tiêu đề giữ lại"' in html and "Nội dung giữ lại" in html
    assert not Article.objects.exists()


@override_settings(UPLOAD_MAX_BYTES=50_000)
def test_a_file_too_large_to_receive_is_named_and_nothing_saved(client, tree, staff):
    huge = SimpleUploadedFile("khong-lo.jpg", b"\xff\xd8\xff" + b"0" * 60_000, content_type="image/jpeg")
    response = post(
        client,
        staff.teacher,
        reverse("news:new"),
        {"unit": tree.s1.pk, "title": "Ảnh lớn", "body": "Nội dung", "images": [huge]},
    )
    assert response.status_code == 200
    assert "khong-lo.jpg is too large" in response.content.decode()
    assert not Article.objects.exists()


def test_edit_and_delete_pages(client, tree, staff):
    article = published(
        staff.teacher, staff.phong, tree.s1, cover=jpeg(), images=[jpeg("a.jpg")], captions=["Sân trường"]
    )
    assert get(client, staff.s1_admin, reverse("news:edit", args=[article.pk])).status_code == 403
    response = get(client, staff.teacher, reverse("news:edit", args=[article.pk]))
    html = response.content.decode()
    assert response.status_code == 200 and 'data-testid="gallery-edit"' in html and 'value="Sân trường"' in html
    image = article.images.get()
    post(
        client,
        staff.teacher,
        reverse("news:edit", args=[article.pk]),
        {"title": "Tiêu đề sửa", "body": "Nội dung sửa", f"caption_{image.pk}": "Chú thích mới", "remove_cover": "on"},
    )
    article.refresh_from_db()
    image.refresh_from_db()
    assert article.title == "Tiêu đề sửa" and not article.cover and image.caption == "Chú thích mới"
    assert article.status == S.SUBMITTED  # a published article changed is approved again
    # Waiting for approval, it is no longer public: another school's admin cannot even see it.
    assert post(client, staff.s2_admin, reverse("news:delete", args=[article.pk])).status_code == 404
    assert get(client, staff.s1_admin, reverse("news:delete", args=[article.pk])).status_code == 200
    post(client, staff.s1_admin, reverse("news:delete", args=[article.pk]))
    article.refresh_from_db()
    assert article.is_deleted
    client.logout()
    assert client.get(reverse("news:detail", args=[article.pk])).status_code == 404
    # The author cannot undo the manager's removal; the manager restores it.
    assert post(client, staff.teacher, reverse("news:restore", args=[article.pk])).status_code == 403
    post(client, staff.s1_admin, reverse("news:restore", args=[article.pk]))
    article.refresh_from_db()
    assert not article.is_deleted


def _list_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def test_the_list_page_costs_the_same_for_3_or_30_articles(client, tree, staff, django_assert_max_num_queries):
    for i in range(3):
        published(staff.teacher, staff.phong, tree.s1, title=f"Tin {i}", cover=jpeg(size=(16, 9)))
    few = _list_queries(client, reverse("news:list"))
    few_unit = _list_queries(client, reverse("news:list") + f"?unit={tree.office_a1.pk}")
    for i in range(27):
        published(staff.teacher, staff.phong, tree.s1, title=f"Tin thêm {i}", cover=jpeg(size=(16, 9)))
    many = _list_queries(client, reverse("news:list"))
    assert few == many
    assert few_unit == _list_queries(client, reverse("news:list") + f"?unit={tree.office_a1.pk}")
    with django_assert_max_num_queries(4):
        response = client.get(reverse("news:list") + "?page=2")
    assert response.content.decode().count('data-testid="news-card"') == 12
