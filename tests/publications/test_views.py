"""The pages: right role, wrong role (a teacher), wrong scope (another Department's staff), the file
downloads, the form's refusals, and a status page that costs the same for 3 or 40 units."""

import uuid
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from notifications.models import Notification
from publications.models import ReportRecipient, ReportReminder, ReportRequest, ReportSubmission
from publications.services import report_submission_create
from tests.accounts.factories import make_person
from units.models import Role, Unit
from units.services import UnitSpec, units_bulk_create

from .factories import exe_named_pdf, in_days, make_request, pdf_file, xlsx_file

A = ReportRequest.Audience
HCM = ZoneInfo("Asia/Ho_Chi_Minh")


@pytest.fixture
def asked(tree, people):
    request = make_request(
        actor=people.so, issuer=tree.dept_a, kinds=[A.THCS], units=[tree.t1], template_file=xlsx_file("mau.xlsx")
    )
    Notification.objects.all().delete()
    return request


def row(request, unit) -> ReportRecipient:
    return ReportRecipient.objects.get(request=request, unit=unit)


def get(client, user, url, **kwargs):
    client.force_login(user)
    return client.get(url, **kwargs)


def post(client, user, url, data, **kwargs):
    client.force_login(user)
    return client.post(url, data, **kwargs)


# --- "Báo cáo cần nộp" ------------------------------------------------------------------------


def test_inbox_lists_what_my_units_were_asked(client, tree, people, asked):
    response = get(client, people.s1_admin, reverse("publications:inbox"))
    assert response.status_code == 200
    html = response.content.decode()
    assert asked.title in html and reverse("publications:recipient", args=[row(asked, tree.s1).pk]) in html
    assert 'data-testid="countdown"' in html
    local = asked.deadline.astimezone(HCM)
    assert local.strftime("%d/%m/%Y %H:%M") in html  # dd/mm/yyyy HH:MM, Vietnam time


@pytest.mark.parametrize("who", ["teacher", "so_b", "s2_admin_other"])
def test_inbox_shows_nothing_outside_scope(client, tree, people, who):
    request = make_request(actor=people.phong, issuer=tree.office_a1, units=[tree.s1])
    user = people.s2_admin if who == "s2_admin_other" else getattr(people, who)
    response = get(client, user, reverse("publications:inbox") + "?show=all")
    assert response.status_code == 200
    assert request.title not in response.content.decode()
    assert 'data-testid="inbox-empty"' in response.content.decode()


def test_inbox_to_do_hides_what_is_done_and_closed(client, tree, people, asked):
    report_submission_create(actor=people.s1_admin, recipient=row(asked, tree.s1), upload=pdf_file())
    ReportRequest.objects.filter(pk=asked.pk).update(deadline=in_days(-1))
    html = get(client, people.s1_admin, reverse("publications:inbox")).content.decode()
    assert asked.title not in html
    html = get(client, people.s1_admin, reverse("publications:inbox") + "?show=all").content.decode()
    assert asked.title in html


# --- requests sent and the form ---------------------------------------------------------------


def test_sent_list_with_counts(client, tree, people, asked):
    report_submission_create(actor=people.s1_admin, recipient=row(asked, tree.s1), upload=pdf_file())
    for user in (people.so, people.bo):
        response = get(client, user, reverse("publications:sent"))
        assert response.status_code == 200
        assert asked.title in response.content.decode()
    assert asked.title not in get(client, people.so_b, reverse("publications:sent")).content.decode()
    assert asked.title not in get(client, people.phong, reverse("publications:sent")).content.decode()


@pytest.mark.parametrize("who", ["teacher", "s1_admin", "leader"])
def test_schools_and_teachers_cannot_issue(client, people, who):
    user = getattr(people, who)
    assert get(client, user, reverse("publications:sent")).status_code == 403
    assert get(client, user, reverse("publications:new")).status_code == 403


def _form_data(tree, **overrides):
    data = {
        "issuer": tree.dept_a.pk,
        "title": "Báo cáo kết quả thực hiện nhiệm vụ năm học",
        "instructions": "Gửi về Sở trước ngày 29/12.",
        "deadline": in_days(10).astimezone(HCM).strftime("%d/%m/%Y %H:%M"),
        "kinds": [A.THPT],
        "units": [],
        "codes": "",
        "token": str(uuid.uuid4()),
    }
    data.update(overrides)
    return data


def test_the_form_sends_a_request(client, tree, people):
    response = get(client, people.so, reverse("publications:new"))
    assert response.status_code == 200
    html = response.content.decode()
    assert tree.s1.name in html and tree.s3.name not in html  # only units below the Department
    data = _form_data(tree, units=[tree.s1.pk], codes=tree.s2.code.lower(), template_file=pdf_file("mau.pdf"))
    response = post(client, people.so, reverse("publications:new"), data)
    request = ReportRequest.objects.get()
    assert response.status_code == 302 and response.url == reverse("publications:status", args=[request.pk])
    assert set(request.recipients.values_list("unit", flat=True)) == {tree.t1.pk, tree.s1.pk, tree.s2.pk}
    assert request.template_name == "mau.pdf" and request.created_by == people.so


def test_a_second_click_on_send_shows_the_first_request(client, tree, people):
    data = _form_data(tree)
    post(client, people.so, reverse("publications:new"), data)
    response = post(client, people.so, reverse("publications:new"), data)
    request = ReportRequest.objects.get()
    assert response.status_code == 302 and response.url == reverse("publications:status", args=[request.pk])
    assert ReportRecipient.objects.count() == 1


@pytest.mark.parametrize(
    ("overrides", "fragment"),
    [
        ({"deadline": "01/01/2020 08:00"}, "already passed"),
        ({"deadline": "31/02/2030"}, "Write the deadline as dd/mm/yyyy hh:mm"),
        ({"kinds": [], "units": "S3"}, "not under"),
        ({"kinds": [], "codes": "S3"}, "not under"),
        ({"kinds": [], "codes": "KHONG-CO"}, "No unit has these codes: KHONG-CO"),
        ({"kinds": []}, "Choose who must report"),
        ({"kinds": [A.DEPARTMENTS]}, "cannot be asked by the units"),
        ({"template_file": "EXE"}, "not a PDF, Word or Excel"),
        ({"issuer": "B"}, "cannot ask for reports on behalf"),
    ],
)
def test_the_form_refuses_with_a_message(client, tree, people, overrides, fragment):
    if overrides.get("units") == "S3":
        overrides["units"] = [tree.s3.pk]
    if overrides.get("codes") == "S3":
        overrides["codes"] = tree.s3.code
    if overrides.get("template_file") == "EXE":
        overrides["template_file"] = exe_named_pdf("mau.pdf")
    if overrides.get("issuer") == "B":
        overrides["issuer"] = tree.dept_b.pk
    response = post(client, people.so, reverse("publications:new"), _form_data(tree, **overrides))
    assert response.status_code == 200
    assert fragment in response.content.decode()
    assert not ReportRequest.objects.exists() and not Notification.objects.exists()


# --- the issuer's status page -----------------------------------------------------------------


def test_status_page_for_the_issuer_side(client, tree, people, asked):
    report_submission_create(actor=people.s1_admin, recipient=row(asked, tree.s1), upload=pdf_file("s1.pdf"))
    for user in (people.so, people.bo):
        response = get(client, user, reverse("publications:status", args=[asked.pk]))
        assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="count-total">3<' in html
    assert 'data-testid="count-on_time">1<' in html and 'data-testid="count-missing">2<' in html
    assert "s1.pdf" in html and tree.s2.name in html and tree.t1.name in html
    filtered = get(client, people.so, reverse("publications:status", args=[asked.pk]) + "?status=missing")
    assert tree.s1.name not in filtered.content.decode().split('id="status-table"')[1]
    partial = get(
        client, people.so, reverse("publications:status", args=[asked.pk]) + "?status=on_time", HTTP_HX_REQUEST="true"
    )
    assert partial.content.decode().lstrip().startswith('<div id="status-table">')


@pytest.mark.parametrize(("who", "code"), [("teacher", 404), ("so_b", 404), ("s2_admin", 302), ("phong_a2", 404)])
def test_status_page_wrong_role_and_scope(client, tree, people, asked, who, code):
    response = get(client, getattr(people, who), reverse("publications:status", args=[asked.pk]))
    assert response.status_code == code
    if code == 302:  # a recipient is taken to their own page
        assert response.url == reverse("publications:recipient", args=[row(asked, tree.s2).pk])


def _many_schools(tree, people, count):
    specs = [
        UnitSpec(code=f"PL-{count}-{i:03d}", name=f"Trường THCS số {i}", kind="school", school_level="thcs")
        for i in range(count)
    ]
    schools = units_bulk_create(actor=None, parent=Unit.objects.get(pk=tree.office_a2.pk), specs=specs)
    request = make_request(actor=people.so, issuer=tree.dept_a, units=schools, title=f"Báo cáo {count}")
    for school in schools[: count // 2]:
        admin = make_person(unit=school, role=Role.SCHOOL_ADMIN)
        report_submission_create(actor=admin, recipient=row(request, school), upload=pdf_file())
    return request


def test_status_page_costs_the_same_for_3_or_40_units(client, tree, people, django_assert_max_num_queries):
    small = _many_schools(tree, people, 3)
    large = _many_schools(tree, people, 40)
    client.force_login(people.so)
    url_small = reverse("publications:status", args=[small.pk])
    client.get(url_small)  # warm the session and content types
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url_small).status_code == 200
    with django_assert_max_num_queries(len(captured)):
        response = client.get(reverse("publications:status", args=[large.pk]))
    assert response.content.decode().count('data-testid="status-row"') == 40


# --- reminders --------------------------------------------------------------------------------


def test_remind_confirm_then_send_then_throttled(client, tree, people, asked):
    report_submission_create(actor=people.s1_admin, recipient=row(asked, tree.s1), upload=pdf_file())
    url = reverse("publications:remind", args=[asked.pk])
    response = get(client, people.so, url)
    assert response.status_code == 200 and 'data-testid="confirm-remind"' in response.content.decode()
    assert not ReportReminder.objects.exists()  # a GET sends nothing
    response = post(client, people.so, url, {}, follow=True)
    assert "Reminder sent to 2 units" in response.content.decode()
    notified = set(Notification.objects.values_list("recipient", flat=True))
    assert notified == {people.s2_admin.pk, people.t1_principal.pk}
    response = post(client, people.so, url, {}, follow=True)
    assert "once every 10 minutes" in response.content.decode()
    assert ReportReminder.objects.count() == 1
    assert 'data-testid="throttled"' in get(client, people.so, url).content.decode()


@pytest.mark.parametrize("who", ["teacher", "so_b", "s1_admin"])
def test_remind_wrong_role_or_scope(client, people, asked, who):
    user = getattr(people, who)
    assert get(client, user, reverse("publications:remind", args=[asked.pk])).status_code == 404
    assert post(client, user, reverse("publications:remind", args=[asked.pk]), {}).status_code == 404
    assert not ReportReminder.objects.exists()


# --- a unit's page: submitting --------------------------------------------------------------------


def test_a_school_submits_from_its_page(client, tree, people, asked):
    url = reverse("publications:recipient", args=[row(asked, tree.s1).pk])
    response = get(client, people.s1_admin, url)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="submit-form"' in html and 'data-testid="late-warning"' not in html
    token = str(uuid.uuid4())
    response = post(client, people.s1_admin, url, {"file": pdf_file(), "note": "Đã gửi", "token": token}, follow=True)
    assert "Version 1 of the report" in response.content.decode()
    again = post(client, people.s1_admin, url, {"file": pdf_file(), "note": "Đã gửi", "token": token}, follow=True)
    assert "pressed twice" in again.content.decode()
    assert ReportSubmission.objects.count() == 1
    assert row(asked, tree.s1).status == ReportRecipient.Status.ON_TIME


def test_the_page_warns_before_a_late_submission(client, tree, people, asked):
    ReportRequest.objects.filter(pk=asked.pk).update(deadline=in_days(-2))
    url = reverse("publications:recipient", args=[row(asked, tree.s2).pk])
    html = get(client, people.s2_admin, url).content.decode()
    assert 'data-testid="late-warning"' in html and "overdue by" in html
    response = post(client, people.s2_admin, url, {"file": pdf_file(), "token": str(uuid.uuid4())}, follow=True)
    assert "marked late" in response.content.decode()
    assert row(asked, tree.s2).status == ReportRecipient.Status.LATE


def test_a_wrong_file_is_refused_on_the_page(client, tree, people, asked):
    url = reverse("publications:recipient", args=[row(asked, tree.s1).pk])
    response = post(client, people.s1_admin, url, {"file": exe_named_pdf(), "token": str(uuid.uuid4())})
    assert response.status_code == 200 and "not a PDF, Word or Excel" in response.content.decode()
    assert not ReportSubmission.objects.exists()


@pytest.mark.parametrize("who", ["teacher", "s2_admin", "so_b", "phong_a2", "t1_principal"])
def test_a_units_page_wrong_role_or_scope(client, tree, people, asked, who):
    url = reverse("publications:recipient", args=[row(asked, tree.s1).pk])
    user = getattr(people, who)
    assert get(client, user, url).status_code == 404
    assert post(client, user, url, {"file": pdf_file(), "token": str(uuid.uuid4())}).status_code == 404
    assert not ReportSubmission.objects.exists()


# --- files ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "code"),
    [
        *[("s1_admin", 200), ("s1_principal", 200), ("so", 200), ("bo", 200), ("phong", 200)],
        *[("s2_admin", 404), ("teacher", 404), ("so_b", 404), ("phong_a2", 404)],
    ],
)
def test_submitted_file_download(client, tree, people, asked, who, code):
    submission = report_submission_create(
        actor=people.s1_admin, recipient=row(asked, tree.s1), upload=pdf_file("Báo cáo Trần Phú.pdf")
    )
    response = get(client, getattr(people, who), reverse("publications:submission_file", args=[submission.pk]))
    assert response.status_code == code
    if code == 200:
        assert b"".join(response.streaming_content).startswith(b"%PDF-")
        assert response["Content-Type"] == "application/pdf"
        assert response["Content-Disposition"].startswith("attachment")
        assert "private" in response["Cache-Control"]


@pytest.mark.parametrize(
    ("who", "code"), [("s1_admin", 200), ("t1_principal", 200), ("so", 200), ("teacher", 404), ("so_b", 404)]
)
def test_template_download(client, people, asked, who, code):
    response = get(client, getattr(people, who), reverse("publications:template", args=[asked.pk]))
    assert response.status_code == code
    if code == 200:
        assert b"".join(response.streaming_content)[:2] == b"PK"
        assert 'filename="mau.xlsx"' in response["Content-Disposition"]


def test_files_are_not_under_media(settings, tree, people, asked):
    submission = report_submission_create(actor=people.s1_admin, recipient=row(asked, tree.s1), upload=pdf_file())
    assert submission.file.storage.base_url is None
    assert str(settings.PRIVATE_ROOT) in submission.file.path


def test_anonymous_visitors_are_sent_to_log_in(client, asked):
    response = client.get(reverse("publications:status", args=[asked.pk]))
    assert response.status_code == 302 and "login" in response.url


def test_every_mistake_in_the_form_is_shown_at_once(client, tree, people):
    data = _form_data(tree, deadline="01/01/2020 08:00", kinds=[], template_file=exe_named_pdf("mau.pdf"))
    html = post(client, people.so, reverse("publications:new"), data).content.decode()
    assert "already passed" in html and "Choose who must report" in html and "not a PDF, Word or Excel" in html
    assert "choose the template file again" in html
    assert not ReportRequest.objects.exists()


def test_the_issuer_side_follows_a_school_but_cannot_answer_for_it(client, tree, people, asked):
    url = reverse("publications:recipient", args=[row(asked, tree.s1).pk])
    html = get(client, people.so, url).content.decode()
    assert 'data-testid="submit-form"' not in html
    assert 'data-testid="submit-form"' in get(client, people.s1_admin, url).content.decode()


def test_after_the_deadline_an_on_time_unit_sees_its_version_stands(client, tree, people, asked):
    report_submission_create(actor=people.s1_admin, recipient=row(asked, tree.s1), upload=pdf_file())
    ReportRequest.objects.filter(pk=asked.pk).update(deadline=in_days(-1))
    html = get(client, people.s1_admin, reverse("publications:recipient", args=[row(asked, tree.s1).pk])).content
    assert b'data-testid="closed"' in html and b'data-testid="submit-form"' not in html


def test_admin_pages_are_read_only(admin_client, tree, people, asked):
    report_submission_create(actor=people.s1_admin, recipient=row(asked, tree.s1), upload=pdf_file())
    for name in ("reportrequest", "reportrecipient", "reportsubmission", "reportreminder"):
        assert admin_client.get(reverse(f"admin:publications_{name}_changelist")).status_code == 200
    assert admin_client.get(reverse("admin:publications_reportrequest_change", args=[asked.pk])).status_code == 200
    assert admin_client.get(reverse("admin:publications_reportrequest_add")).status_code == 403
    submission = ReportSubmission.objects.get()
    assert (
        admin_client.get(reverse("admin:publications_reportsubmission_change", args=[submission.pk])).status_code == 200
    )
