"""Results and recognition (issue #18, point 4): ranking, quotas and awards, publication at a time set in
advance, certificates (PDF, verification code, a wrong code 404) and the figures per unit."""

import io
from datetime import date, timedelta
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from contests import certificates, results
from contests.figures import unit_figures
from contests.models import Award, Certificate, RoundEntry
from notifications.models import Notification
from tests.accounts.factories import make_person
from units.models import Role

from .judging_world import enter_product, world

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def w(tree):
    w = world(tree)
    scores = {"s1": D("20"), "s2": D("25"), "s3": D("20")}
    for key, product in w.products.items():
        RoundEntry.objects.filter(pk=product.entry_id).update(score=scores[key])
    leader = make_person(unit=tree.c2, role=Role.STUDENT, full_name="Đội Trưởng Nhóm")
    partner = make_person(unit=tree.c1, role=Role.STUDENT, full_name="Bạn Cùng Nhóm")
    w.team_product = enter_product(w.round, person=leader, school=tree.s1, team_members=[(partner, tree.s1)])
    RoundEntry.objects.filter(pk=w.team_product.entry_id).update(score=D("12"))
    w.leader, w.partner = leader, partner
    return w


def _lock_and_award(w, quotas):
    w.round.scores_locked = True
    w.round.save(update_fields=["scores_locked"])
    results.quotas_set(actor=w.organiser, round_=w.round, quotas=quotas)
    return results.awards_assign(actor=w.organiser, round_=w.round)


def _publish_now(w):
    """The round is closed and the publication time comes (set in advance, then the clock passes it)."""
    type(w.round).objects.filter(pk=w.round.pk).update(
        results_publish_at=timezone.now() - timedelta(minutes=1), closed_at=timezone.now() - timedelta(hours=1)
    )
    w.round.refresh_from_db()


def test_ranking_shares_ranks_on_equal_scores(w):
    (group,) = results.ranking(w.round)  # one unit at the Department's level
    assert [(row.rank, row.entry.score) for row in group.rows] == [(1, D(25)), (2, D(20)), (2, D(20)), (4, D(12))]


def test_awards_follow_quotas_and_ties_share_a_prize(w):
    made = _lock_and_award(w, {Award.Prize.FIRST: ("count", 1), Award.Prize.SECOND: ("count", 1),
                               Award.Prize.CONSOLATION: ("percent", D("25"))})  # fmt: skip
    prizes = {a.entry_id: a.prize for a in Award.objects.all()}
    assert made == 4
    assert prizes[w.products["s2"].entry_id] == Award.Prize.FIRST
    # The two at 20 are tied for second: both get it, neither is pushed down.
    assert prizes[w.products["s1"].entry_id] == prizes[w.products["s3"].entry_id] == Award.Prize.SECOND
    assert prizes[w.team_product.entry_id] == Award.Prize.CONSOLATION  # 25 % of 4 entries: 1
    # A certificate per person: each team member gets their own.
    assert Certificate.objects.count() == 5
    assert set(Certificate.objects.filter(award__entry=w.team_product.entry).values_list("user_id", flat=True)) == {
        w.leader.pk,
        w.partner.pk,
    }
    # Giving them again replaces them.
    assert results.awards_assign(actor=w.organiser, round_=w.round) == 4
    assert Certificate.objects.count() == 5


def test_awards_refused_before_the_lock_and_quotas_checked(w, in_english):
    results.quotas_set(actor=w.organiser, round_=w.round, quotas={Award.Prize.FIRST: ("count", 1)})
    with pytest.raises(ValidationError, match="scores locked"):
        results.awards_assign(actor=w.organiser, round_=w.round)
    with pytest.raises(ValidationError, match="add up to 120"):
        results.quotas_set(
            actor=w.organiser,
            round_=w.round,
            quotas={Award.Prize.FIRST: ("percent", D(60)), Award.Prize.SECOND: ("percent", D(60))},
        )
    assert list(results.quotas_of(w.round)) == [Award.Prize.FIRST]  # the refused quotas changed nothing
    assert not Award.objects.exists()


def test_results_cannot_be_published_before_their_time(w, in_english):
    _lock_and_award(w, {Award.Prize.FIRST: ("count", 1)})
    with pytest.raises(ValidationError, match="in the future"):
        results.results_schedule(actor=w.organiser, round_=w.round, publish_at=timezone.now() - timedelta(hours=1))
    later = timezone.now() + timedelta(days=2)
    results.results_schedule(actor=w.organiser, round_=w.round, publish_at=later)
    with pytest.raises(ValidationError, match="cannot be published before that"):
        results.results_publish(actor=w.organiser, round_=w.round)
    w.round.refresh_from_db()
    assert w.round.results_published_at is None
    _publish_now(w)
    results.results_publish(actor=w.organiser, round_=w.round)
    w.round.refresh_from_db()
    assert w.round.results_published_at is not None
    # Every participant is told, each member of a team too; the organiser and judges are not.
    told = set(Notification.objects.values_list("recipient_id", flat=True))
    assert told == {*(s.pk for s in w.students.values()), w.leader.pk, w.partner.pk}
    with pytest.raises(ValidationError, match="are out"):
        results.awards_assign(actor=w.organiser, round_=w.round)


def test_results_page_before_and_after_publication(w, client):
    _lock_and_award(w, {Award.Prize.FIRST: ("count", 1)})
    results.results_schedule(actor=w.organiser, round_=w.round, publish_at=timezone.now() + timedelta(days=1))
    url = reverse("contests:round_prizes", args=[w.round.pk])
    # Before the time: a clear message for everyone but the organiser, and no name or score.
    for user in (None, w.students["s1"], w.judges["s2"]):
        client.logout()
        if user:
            client.force_login(user)
        page = client.get(url).content.decode()
        assert 'data-testid="results-not-out"' in page
        assert "Lê Văn Học Trò" not in page
    client.force_login(w.organiser)
    page = client.get(url).content.decode()
    assert "Lê Văn Học Trò" in page and 'data-testid="results-preview"' in page
    # After it: anyone, without login.
    _publish_now(w)
    client.logout()
    page = client.get(url).content.decode()
    assert "Lê Văn Học Trò" in page and 'data-testid="ranking"' in page
    assert 'data-testid="results-not-out"' not in page


def test_certificate_pdf_and_public_verification(w, client):
    _lock_and_award(w, {Award.Prize.FIRST: ("count", 1)})
    results.results_schedule(actor=w.organiser, round_=w.round, publish_at=timezone.now() + timedelta(days=1))
    certificate = Certificate.objects.get()
    code = certificates.shown_code(certificate.code)
    verify = reverse("contests:certificate_verify", args=[code])
    # Before the results are out the code does not exist for the public, nor the PDF for its holder.
    assert client.get(verify).status_code == 404
    client.force_login(w.students["s2"])
    assert client.get(reverse("contests:certificate_download", args=[certificate.pk])).status_code == 404
    _publish_now(w)
    response = client.get(reverse("contests:certificate_download", args=[certificate.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    client.logout()
    page = client.get(verify).content.decode()
    assert "Lê Văn Học Trò" in page and w.contest.title in page
    assert w.tree.s2.name not in page  # nothing more personal: no school, no birth date
    # Typed loosely (lower case, no dash, O for 0) it still verifies.
    loose = certificate.code.lower().replace("0", "o")
    assert client.get(reverse("contests:certificate_verify", args=[loose])).status_code == 200
    for wrong in ("ABCDE-12345", "x" * 30, "%00", "²"):
        assert client.get(f"/cuoc-thi/xac-minh/{wrong}/").status_code == 404
    # Someone else cannot download it.
    client.force_login(w.students["s1"])
    assert client.get(reverse("contests:certificate_download", args=[certificate.pk])).status_code == 404


def test_a_wrong_code_says_no_certificate_has_it_and_the_check_is_linked_from_the_contests(w, client):
    """A visitor who mistypes a code reads that no certificate has it, with the form to type it again (still a
    404, revealing nothing); the check itself is one click from the public list of contests."""
    _lock_and_award(w, {Award.Prize.FIRST: ("count", 1)})
    _publish_now(w)
    lookup = reverse("contests:certificate_lookup")
    assert f'href="{lookup}"' in client.get(reverse("contests:list")).content.decode()
    response = client.get(lookup, {"code": "abcde-12345"}, follow=True)
    assert response.status_code == 404
    page = response.content.decode()
    assert "Không tìm thấy giấy chứng nhận nào có mã ABCDE-12345" in page
    assert f'action="{lookup}"' in page and 'name="code"' in page
    assert "Không tìm thấy trang" not in page and "Lê Văn Học Trò" not in page
    code = certificates.shown_code(Certificate.objects.get().code)
    found = client.get(lookup, {"code": code}, follow=True)
    assert found.status_code == 200 and "Lê Văn Học Trò" in found.content.decode()


def test_certificate_pdf_prints_vietnamese(w):
    _lock_and_award(w, {Award.Prize.FIRST: ("count", 1)})
    w.contest.certificate_template = "Đã đạt {prize} tại {contest}."
    w.contest.save(update_fields=["certificate_template"])
    certificate = Certificate.objects.select_related("registration__contest", "registration__school").get()
    pdf = certificates.certificate_pdf(certificate, verify_url="https://truonghoc.example/cuoc-thi/xac-minh/X/")
    assert pdf.startswith(b"%PDF")
    text = PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    assert "Lê Văn Học Trò" in text
    assert certificates.shown_code(certificate.code) in text


def test_achievements_page(w, client):
    _lock_and_award(w, {Award.Prize.FIRST: ("count", 1)})
    _publish_now(w)
    winner = w.students["s2"]
    client.force_login(winner)
    page = client.get(reverse("contests:achievements")).content.decode()
    assert w.contest.title in page and 'data-testid="certificate-pdf"' in page
    # Their school's teachers see it too; a student of another school does not.
    teacher = make_person(unit=w.tree.g3, role=Role.TEACHER)
    client.force_login(teacher)
    assert client.get(reverse("contests:achievements_of", args=[winner.pk])).status_code == 200
    client.force_login(w.students["s3"])
    assert client.get(reverse("contests:achievements_of", args=[winner.pk])).status_code == 404


def test_unit_figures(w):
    _lock_and_award(w, {Award.Prize.FIRST: ("count", 1), Award.Prize.SECOND: ("count", 1)})
    today = timezone.localdate()
    period = SimpleNamespace(start=today - timedelta(days=1), end=today)
    before_out = unit_figures(w.tree.office_a1, period)
    assert before_out["awards"] == 0  # no prize counts before its publication
    _publish_now(w)
    figures = unit_figures(w.tree.office_a1, period)  # S1 and S2: 3 registrations, one of them a team of 2
    assert (figures["registrations"], figures["participants"], figures["products"]) == (3, 4, 3)
    assert figures["awards"] == 2  # S2's first prize; S1's second (tied with S3, outside this Office)
    assert unit_figures(w.tree.dept_b, period)["registrations"] == 1
    assert (
        unit_figures(w.tree.dept_a, SimpleNamespace(start=date(2000, 1, 1), end=date(2000, 12, 31)))["registrations"]
        == 0
    )
