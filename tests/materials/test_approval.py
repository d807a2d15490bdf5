"""Learning materials: making items and versions, the approval flow at the group and the school,
sharing up the tree, who may do what, and bad input (files, packages, HTML)."""

import io
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from materials.models import Kind, Material, MaterialReview, MaterialVersion, VersionStatus
from materials.permissions import can_view_material, materials_visible_q
from materials.services.library import (
    material_create,
    material_delete,
    material_propose,
    material_restore,
    proposal_decide,
    version_approve_group,
    version_approve_school,
    version_new,
    version_refuse,
    version_submit,
    version_update,
)
from notifications.models import Notification
from tests.accounts.factories import complete_profile, make_person
from units.models import AuditEntry, Role

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n" + b"0" * 200
EXE = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 400


pytestmark = pytest.mark.usefixtures("english_pages")


def pdf(name="phan-so.pdf"):
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def package(files: dict[str, bytes], name="mo-phong.zip"):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for path, content in files.items():
            archive.writestr(path, content)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="application/zip")


def stored_files(settings):
    root = settings.PRIVATE_ROOT
    return sorted(p.name for p in root.rglob("*") if p.is_file()) if root.exists() else []


def make_material(people, tree, **fields):
    values = {
        "actor": people.teacher,
        "unit": tree.g1,
        "kind": Kind.DOCUMENT,
        "title": "Phân số – Toán lớp 6",
        "subject": "Toán",
        "grade": 6,
        "topic": "Phân số",
        "description": "Bài giảng về phân số bằng nhau.",
        "file": pdf(),
    }
    values.update(fields)
    return material_create(**values)


def approved(people, tree, **fields) -> Material:
    material = make_material(people, tree, **fields)
    version = material.versions.get()
    version_submit(actor=people.teacher, version=version)
    version_approve_group(actor=people.leader, version=version)
    version_approve_school(actor=people.principal, version=version)
    material.refresh_from_db()
    return material


# --- the flow ----------------------------------------------------------------------------------


def test_the_full_flow_puts_an_item_in_the_school_library(tree, people):
    material = make_material(people, tree)
    version = material.versions.get()
    assert version.status == VersionStatus.DRAFT and material.live_version is None
    assert not can_view_material(people.student, material) and not can_view_material(people.leader, material)

    version_submit(actor=people.teacher, version=version)
    assert Notification.objects.filter(recipient=people.leader).count() == 1
    assert can_view_material(people.leader, material)  # something waits for the leader
    version_approve_group(actor=people.leader, version=version)
    version.refresh_from_db()
    assert version.status == VersionStatus.GROUP_APPROVED
    assert Notification.objects.filter(recipient=people.principal).exists()
    version_approve_school(actor=people.principal, version=version)

    material.refresh_from_db()
    version.refresh_from_db()
    assert version.status == VersionStatus.APPROVED
    assert material.live_version == version and material.shared_with == tree.s1 and material.approved_at
    for word in ("phan so", "toan", "lop 6", "bang nhau"):
        assert word in material.search_text
    trail = list(material.reviews.values_list("level", "decision"))
    assert trail == [("group", "submitted"), ("group", "approved"), ("school", "approved")]
    assert AuditEntry.objects.filter(action="material.approve", target_id=str(material.pk)).exists()
    assert Notification.objects.filter(recipient=people.teacher, title__contains="approved and is now").exists()
    # The school sees it; another school does not.
    for person in (people.student, people.teacher3, people.admin):
        assert can_view_material(person, material)
        assert Material.objects.filter(materials_visible_q(person), pk=material.pk).exists()
    assert not can_view_material(people.other_school, material)
    assert not Material.objects.filter(materials_visible_q(people.other_school), pk=material.pk).exists()


def test_an_item_made_at_the_school_is_approved_by_its_managers(tree, people):
    school_teacher = complete_profile(make_person(unit=tree.s1, role=Role.TEACHER))
    material = make_material(people, tree, unit=tree.s1, actor=school_teacher)
    version = material.versions.get()
    version_submit(actor=school_teacher, version=version)
    with pytest.raises(ValidationError):
        version_approve_group(actor=people.leader, version=version)
    version_approve_group(actor=people.admin, version=version)
    version_approve_school(actor=people.principal, version=version)
    material.refresh_from_db()
    assert material.shared_with == tree.s1


def test_refusal_needs_a_reason_and_the_author_reads_it(tree, people):
    material = make_material(people, tree)
    version = material.versions.get()
    version_submit(actor=people.teacher, version=version)
    with pytest.raises(ValidationError) as error:
        version_refuse(actor=people.leader, version=version, reason="   ")
    assert "Say why" in " ".join(error.value.messages)
    version.refresh_from_db()
    assert version.status == VersionStatus.SUBMITTED

    version_refuse(actor=people.leader, version=version, reason="Thiếu phần luyện tập.")
    version.refresh_from_db()
    assert version.status == VersionStatus.REFUSED
    refusal = material.reviews.get(decision="refused")
    assert refusal.reason == "Thiếu phần luyện tập." and refusal.level == "group"
    note = Notification.objects.get(recipient=people.teacher, title__contains="refused")
    assert "luyện tập" in note.body

    # The author fixes it: a new version copying the refused one, then through approval again.
    v2 = version_new(actor=people.teacher, material=material)
    assert v2.number == 2 and v2.file_name == "phan-so.pdf" and v2.file.name == version.file.name
    version_submit(actor=people.teacher, version=v2)
    version_approve_group(actor=people.leader, version=v2)
    version_refuse(actor=people.principal, version=v2, reason="Sai đáp án câu 3.")
    assert material.reviews.filter(decision="refused", level="school").exists()


def test_a_new_version_leaves_the_approved_one_live(tree, people):
    material = approved(people, tree)
    v1 = material.live_version
    v2 = version_new(actor=people.teacher, material=material, title="Phân số – bản mới", description="Mới")
    material.refresh_from_db()
    assert v2.status == VersionStatus.DRAFT and v2.number == 2
    assert material.live_version == v1 and material.title == "Phân số – Toán lớp 6"
    with pytest.raises(ValidationError):
        version_new(actor=people.teacher, material=material)  # one open version at a time
    version_submit(actor=people.teacher, version=v2)
    with pytest.raises(ValidationError):
        version_update(actor=people.teacher, version=v2, title="Đổi lúc đang duyệt")
    material.refresh_from_db()
    assert material.live_version == v1  # still live while v2 is reviewed
    version_approve_group(actor=people.leader, version=v2)
    version_approve_school(actor=people.principal, version=v2)
    material.refresh_from_db()
    v1.refresh_from_db()
    assert material.live_version == v2 and material.title == "Phân số – bản mới"
    assert v1.status == VersionStatus.SUPERSEDED and "ban moi" in material.search_text


def test_sharing_up_to_the_office_and_the_ministry(tree, people):
    material = approved(people, tree)
    assert not can_view_material(people.other_school, material)
    with pytest.raises(ValidationError):
        material_propose(actor=people.teacher, material=material, target=tree.office_a1)
    with pytest.raises(ValidationError):
        material_propose(actor=people.principal, material=material, target=tree.office_b1)
    review = material_propose(actor=people.principal, material=material, target=tree.office_a1)
    assert review.is_open and review.level == "office"
    assert Notification.objects.filter(recipient=people.office).exists()
    assert can_view_material(people.office, material)
    with pytest.raises(ValidationError):
        material_propose(actor=people.principal, material=material, target=tree.dept_a)  # one at a time
    with pytest.raises(ValidationError):
        proposal_decide(actor=people.other_office, review=review, approve=True)
    with pytest.raises(ValidationError):
        proposal_decide(actor=people.office, review=review, approve=False, reason="")

    proposal_decide(actor=people.office, review=review, approve=True)
    material.refresh_from_db()
    review.refresh_from_db()
    assert material.shared_with == tree.office_a1 and not review.is_open
    assert can_view_material(people.other_school, material)  # S2 is under Office A1
    assert not can_view_material(people.far_teacher, material)

    # The Office proposes on to the Ministry; a refusal keeps it where it was, with the reason.
    to_bo = material_propose(actor=people.office, material=material, target=tree.ministry)
    proposal_decide(actor=people.bo, review=to_bo, approve=False, reason="Trùng học liệu đã có.")
    material.refresh_from_db()
    assert material.shared_with == tree.office_a1
    assert material.reviews.filter(decision="refused", level="ministry", reason__contains="Trùng").exists()
    to_bo = material_propose(actor=people.office, material=material, target=tree.ministry)
    proposal_decide(actor=people.bo, review=to_bo, approve=True)
    material.refresh_from_db()
    assert material.shared_with == tree.ministry and can_view_material(people.far_teacher, material)
    assert AuditEntry.objects.filter(action="material.share", target_id=str(material.pk)).count() == 2


def test_a_draft_cannot_be_proposed(tree, people):
    material = make_material(people, tree)
    with pytest.raises(ValidationError):
        material_propose(actor=people.principal, material=material, target=tree.office_a1)
    assert not MaterialReview.objects.exists()


# --- who may do what ---------------------------------------------------------------------------


def test_only_the_right_people_act_at_each_step(tree, people):
    material = make_material(people, tree)
    version = material.versions.get()
    with pytest.raises(ValidationError):
        version_update(actor=people.teacher2, version=version, title="Không phải của tôi")
    with pytest.raises(ValidationError):
        version_submit(actor=people.teacher2, version=version)
    version_submit(actor=people.teacher, version=version)
    for wrong in (people.teacher2, people.leader2, people.other_principal, people.office, people.teacher):
        with pytest.raises(ValidationError):
            version_approve_group(actor=wrong, version=version)
    with pytest.raises(ValidationError):
        version_approve_school(actor=people.principal, version=version)  # the group step comes first
    version_approve_group(actor=people.leader, version=version)
    for wrong in (people.leader, people.other_principal, people.office):
        with pytest.raises(ValidationError):
            version_approve_school(actor=wrong, version=version)
        with pytest.raises(ValidationError):
            version_refuse(actor=wrong, version=version, reason="Không")
    version_approve_school(actor=people.admin, version=version)


def test_nobody_adds_items_outside_their_own_units(tree, people):
    for actor, unit in ((people.student, tree.c1), (people.teacher, tree.g2), (people.other_school, tree.g1)):
        with pytest.raises(ValidationError):
            make_material(people, tree, actor=actor, unit=unit)
    assert not Material.objects.exists()


def test_views_for_the_right_role_the_wrong_role_and_the_wrong_unit(client, tree, people):
    material = make_material(people, tree)
    history = reverse("materials:history", args=[material.pk])
    client.force_login(people.other_school)
    assert client.get(history).status_code == 404
    assert client.get(reverse("materials:edit", args=[material.pk])).status_code == 404
    client.force_login(people.student)
    assert client.get(history).status_code == 404
    assert client.get(reverse("materials:new")).status_code == 403
    client.force_login(people.teacher2)
    assert client.get(history).status_code == 404  # a colleague's draft stays private
    client.force_login(people.principal)
    # A draft stays with its author: the school's managers see the school's items once live (issue #14).
    assert client.get(history).status_code == 404
    assert client.get(reverse("materials:edit", args=[material.pk])).status_code == 404
    assert client.post(reverse("materials:submit", args=[material.pk])).status_code == 404

    client.force_login(people.teacher)
    response = client.post(reverse("materials:submit", args=[material.pk]))
    assert response.status_code == 302
    version = material.versions.get()
    client.force_login(people.leader2)
    assert client.get(reverse("materials:review", args=[version.pk])).status_code == 404
    client.force_login(people.leader)
    queue = client.get(reverse("materials:review_queue"))
    assert material.title in queue.content.decode()
    page = client.get(reverse("materials:review", args=[version.pk]))
    assert page.status_code == 200 and 'data-testid="review-form"' in page.content.decode()
    response = client.post(reverse("materials:review", args=[version.pk]), {"decision": "refuse", "reason": ""})
    assert response.status_code == 200 and "Say why" in response.content.decode()
    response = client.post(reverse("materials:review", args=[version.pk]), {"decision": "approve"})
    assert response.status_code == 302
    version.refresh_from_db()
    assert version.status == VersionStatus.GROUP_APPROVED
    # Once decided it leaves the leader's queue and lands in the principal's.
    assert material.title not in client.get(reverse("materials:review_queue")).content.decode()
    client.force_login(people.principal)
    assert material.title in client.get(reverse("materials:review_queue")).content.decode()
    client.post(reverse("materials:review", args=[version.pk]), {"decision": "approve"})
    material.refresh_from_db()
    assert material.live_version == version

    # Proposing through the page, and the Office's decision.
    client.force_login(people.teacher)
    assert client.get(reverse("materials:propose", args=[material.pk])).status_code == 403
    client.force_login(people.principal)
    response = client.post(reverse("materials:propose", args=[material.pk]), {"target": tree.office_a1.pk})
    assert response.status_code == 302
    review = material.reviews.get(is_open=True)
    client.force_login(people.other_office)
    assert client.get(reverse("materials:proposal", args=[review.pk])).status_code == 404
    client.force_login(people.office)
    assert material.title in client.get(reverse("materials:review_queue")).content.decode()
    response = client.post(reverse("materials:proposal", args=[review.pk]), {"decision": "approve"})
    assert response.status_code == 302
    material.refresh_from_db()
    assert material.shared_with == tree.office_a1

    client.force_login(people.teacher)
    html = client.get(history).content.decode()
    assert "Proposed for sharing" in html and "Phòng GDĐT Phủ Lý" in html


def test_creating_and_editing_through_the_pages(client, tree, people):
    client.force_login(people.teacher)
    assert client.get(reverse("materials:new")).status_code == 200
    assert client.get(reverse("materials:new") + f"?unit={tree.g2.pk}").status_code == 404
    response = client.post(
        reverse("materials:new"),
        {
            "unit": tree.g1.pk,
            "kind": "document",
            "title": "Phân số",
            "licence": "cc-by",
            "grade": 6,
            "subject": "Toán",
            "file": pdf(),
        },
    )
    assert response.status_code == 302
    material = Material.objects.get()
    assert material.unit == tree.g1 and material.versions.get().file_name == "phan-so.pdf"
    # Editing the draft keeps its file when none is chosen.
    response = client.post(
        reverse("materials:edit", args=[material.pk]), {"title": "Phân số (sửa)", "licence": "cc-by"}
    )
    assert response.status_code == 302
    version = material.versions.get()
    assert version.title == "Phân số (sửa)" and version.file_name == "phan-so.pdf"
    material.refresh_from_db()
    assert material.title == "Phân số (sửa)"


def test_my_list_and_the_queue_cost_a_fixed_number_of_queries(client, tree, people, django_assert_max_num_queries):
    for n in range(6):
        m = make_material(people, tree, title=f"Học liệu {n}")
        version_submit(actor=people.teacher, version=m.versions.get())
    client.force_login(people.teacher)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("materials:mine"))
    assert response.content.decode().count('href="/hoc-lieu/') >= 6
    client.force_login(people.leader)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("materials:review_queue"))
    assert response.content.decode().count("Học liệu ") == 6
    client.force_login(people.far_teacher)
    html = client.get(reverse("materials:review_queue")).content.decode()
    assert "No version waits for you." in html and "Học liệu" not in html.split("<h1")[1]


# --- bad input ---------------------------------------------------------------------------------


def test_wrong_file_types_are_refused_and_nothing_is_kept(tree, people, settings):
    cases = [
        (Kind.DOCUMENT, SimpleUploadedFile("virus.exe", EXE), "not an allowed type"),
        (Kind.DOCUMENT, SimpleUploadedFile("bai.pdf", EXE), "its content is not"),
        (Kind.VIDEO, pdf("video.pdf"), "not an allowed type"),
        (Kind.IMAGE, SimpleUploadedFile("anh.png", EXE), "its content is not"),
    ]
    for kind, upload, message in cases:
        with pytest.raises(ValidationError) as error:
            make_material(people, tree, kind=kind, file=upload)
        assert message in " ".join(error.value.messages)
    with pytest.raises(ValidationError) as error:
        make_material(people, tree, kind=Kind.DOCUMENT, file=None, link_url="https://example.com/x.pdf")
    assert "Only a simulation can be a link" in " ".join(error.value.messages)
    assert not Material.objects.exists() and not MaterialVersion.objects.exists()
    assert stored_files(settings) == []


def test_html5_packages_are_checked(tree, people, settings):
    bad = [
        (package({"../../etc/evil.html": b"x", "index.html": b"<p>"}), "unsafe path"),
        (package({"/abs/index.html": b"x", "index.html": b"<p>"}), "unsafe path"),
        (package({"game/main.js": b"alert(1)"}), "no index.html"),
        (SimpleUploadedFile("sim.zip", b"PK\x03\x04 not really a zip"), "zip"),
    ]
    for upload, message in bad:
        with pytest.raises(ValidationError) as error:
            make_material(people, tree, kind=Kind.SIMULATION, file=upload)
        assert message in " ".join(error.value.messages)
    assert not Material.objects.exists() and stored_files(settings) == []

    good = make_material(
        people, tree, kind=Kind.SIMULATION, file=package({"index.html": b"<script>1</script>", "js/a.js": b"1"})
    )
    version = good.versions.get()
    assert version.file.name.endswith(".zip") and version.file_size > 0
    linked = make_material(people, tree, kind=Kind.SIMULATION, file=None, link_url="https://phet.colorado.edu/x")
    assert linked.versions.get().link_url == "https://phet.colorado.edu/x"


def test_too_many_files_or_too_large_when_unpacked(tree, people, monkeypatch):
    from materials.services import library

    monkeypatch.setattr(library, "PACKAGE_MAX_FILES", 3)
    with pytest.raises(ValidationError) as error:
        make_material(
            people,
            tree,
            kind=Kind.SIMULATION,
            file=package({"index.html": b"1", "a.js": b"1", "b.js": b"1", "c.js": b"1"}),
        )
    assert "at most 3" in " ".join(error.value.messages)
    monkeypatch.setattr(library, "PACKAGE_MAX_UNPACKED", 1000)
    with pytest.raises(ValidationError) as error:
        make_material(people, tree, kind=Kind.SIMULATION, file=package({"index.html": b"0" * 5000}))
    assert "once unpacked" in " ".join(error.value.messages)


def test_a_file_over_the_streaming_limit_saves_nothing(client, tree, people, settings):
    settings.UPLOAD_MAX_BYTES = 1000  # stands for the 500 MB cut-off: a 200 MB+ upload is dropped unread
    client.force_login(people.teacher)
    response = client.post(
        reverse("materials:new"),
        {
            "unit": tree.g1.pk,
            "kind": "video",
            "title": "Video thí nghiệm",
            "licence": "cc-by",
            "file": SimpleUploadedFile("lon.mp4", b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 5000),
        },
    )
    html = response.content.decode()
    assert response.status_code == 200 and "lon.mp4 is too large" in html and "Video thí nghiệm" in html
    assert not Material.objects.exists() and stored_files(settings) == []


def test_script_in_description_is_removed_and_images_are_reencoded(tree, people):
    out = io.BytesIO()
    Image.new("RGB", (40, 30), "red").save(out, "PNG")
    material = make_material(
        people,
        tree,
        kind=Kind.IMAGE,
        file=SimpleUploadedFile("hinh.png", out.getvalue()),
        description='<p onclick="steal()">Hình</p><script>document.cookie</script><a href="javascript:x()">x</a>',
        usage_guide="<img src=x onerror=alert(1)>Dùng khi dạy",
    )
    version = material.versions.get()
    assert "script" not in version.description and "onclick" not in version.description
    assert "javascript:" not in version.description and "Hình" in version.description
    assert "onerror" not in version.usage_guide
    assert version.file_name == "hinh.jpg" and version.file.name.endswith(".jpg")
    with version.file.open("rb") as handle:
        assert handle.read(3) == b"\xff\xd8\xff"


def test_a_lesson_uses_only_items_the_author_can_see(tree, people):
    mine = approved(people, tree)
    elsewhere = make_material(people, tree, actor=people.other_school, unit=tree.g3, title="Trường khác")
    with pytest.raises(ValidationError) as error:
        make_material(
            people, tree, kind=Kind.ILLUSTRATIVE_LESSON, file=None, body="<p>Hoạt động 1</p>", uses=[elsewhere]
        )
    assert "Trường khác" in " ".join(error.value.messages)
    with pytest.raises(ValidationError):
        make_material(people, tree, kind=Kind.INTERACTIVE_LESSON, file=None, body="")
    lesson = make_material(
        people, tree, kind=Kind.ILLUSTRATIVE_LESSON, file=None, body="<p>Hoạt động 1</p>", uses=[mine]
    )
    assert list(lesson.versions.get().uses.all()) == [mine]


def test_every_page_renders_with_dates_and_actions(client, tree, people):
    material = approved(people, tree)
    client.force_login(people.teacher)
    edit = client.get(reverse("materials:edit", args=[material.pk])).content.decode()
    assert "approved version stays in the library" in edit and 'name="subject"' not in edit
    history = client.get(reverse("materials:history", args=[material.pk])).content.decode()
    assert (
        'data-testid="new-version"' in history
        and timezone.localtime(material.created_at).strftime("%d/%m/%Y") in history
    )
    mine = client.get(reverse("materials:mine")).content.decode()
    assert "version 1 in the library" in mine and 'data-testid="nav-materials"' in mine
    client.force_login(people.principal)
    page = client.get(reverse("materials:propose", args=[material.pk])).content.decode()
    assert "Phòng GDĐT Phủ Lý" in page and "Sở GDĐT Hà Nam" in page and "Ý Yên" not in page
    review = material_propose(actor=people.principal, material=material, target=tree.dept_a)
    client.force_login(people.dept)
    page = client.get(reverse("materials:proposal", args=[review.pk])).content.decode()
    assert 'data-testid="review-form"' in page and material.title in page
    client.force_login(people.far_teacher)
    assert "You have not added" in client.get(reverse("materials:mine")).content.decode()


def test_nobody_approves_their_own_item_and_a_leaders_item_goes_to_the_school(tree, people):
    """A group leader's own item: the school's managers take the group step, and the leader cannot."""
    material = make_material(people, tree, actor=people.leader)
    version = material.versions.get()
    version_submit(actor=people.leader, version=version)
    assert Notification.objects.filter(recipient=people.principal).exists()
    with pytest.raises(ValidationError) as own:
        version_approve_group(actor=people.leader, version=version)
    assert "their own material" in own.value.messages[0]
    version.refresh_from_db()
    assert version.status == VersionStatus.SUBMITTED
    version_approve_group(actor=people.principal, version=version)
    version.refresh_from_db()
    assert version.status == VersionStatus.GROUP_APPROVED


# --- removing and restoring --------------------------------------------------------------------


def test_removing_takes_an_item_out_of_the_library_and_restoring_brings_it_back(tree, people):
    material = approved(people, tree)
    assert Material.objects.filter(materials_visible_q(people.teacher2), pk=material.pk).exists()
    for outsider in (people.teacher2, people.leader, people.other_principal):
        with pytest.raises(ValidationError, match="Only the author or the school's managers"):
            material_delete(actor=outsider, material=material)
    material_delete(actor=people.principal, material=material)
    material.refresh_from_db()
    assert material.is_deleted and material.deleted_by == people.principal
    assert not Material.objects.filter(materials_visible_q(people.teacher2), pk=material.pk).exists()
    assert Notification.objects.filter(recipient=people.teacher, title__contains="removed").exists()
    with pytest.raises(ValidationError, match="already been removed"):
        material_delete(actor=people.teacher, material=material)
    material_restore(actor=people.teacher, material=material)
    material.refresh_from_db()
    assert not material.is_deleted and material.live_version is not None
    assert Material.objects.filter(materials_visible_q(people.teacher2), pk=material.pk).exists()
    assert list(
        AuditEntry.objects.filter(action__in=["material.delete", "material.restore"])
        .values_list("action", flat=True)
        .order_by("pk")
    ) == ["material.delete", "material.restore"]


def test_remove_asks_first_and_the_removed_tab_restores(client, tree, people):
    material = approved(people, tree)
    client.force_login(people.teacher)
    client.cookies["django_language"] = "en"
    ask = client.get(reverse("materials:delete", args=[material.pk]))
    assert ask.status_code == 200 and 'data-testid="confirm-delete"' in ask.text
    material.refresh_from_db()
    assert not material.is_deleted  # a GET changes nothing
    client.post(reverse("materials:delete", args=[material.pk]))
    assert 'data-testid="mine-empty"' in client.get(reverse("materials:mine")).text
    removed = client.get(reverse("materials:mine"), {"removed": "1"}).text
    assert material.title in removed
    history = client.get(reverse("materials:history", args=[material.pk])).text
    assert 'data-testid="removed"' in history and 'data-testid="restore"' in history
    client.post(reverse("materials:restore", args=[material.pk]))
    material.refresh_from_db()
    assert not material.is_deleted
    client.force_login(people.teacher2)
    assert client.post(reverse("materials:delete", args=[material.pk])).status_code == 403
