"""Issue #18, walked on a phone: a judge opens their queue, sees products by code only (no names, no schools),
scores one with a value outside the rubric (refused, nothing saved), then correctly, goes on to the next
with "Save and next", and finds both under "Scored"."""

from collections import Counter

from playwright.sync_api import expect

from contests import judging
from contests.models import JudgeAssignment, Score
from tests.contests.judging_world import world
from tests.e2e.conftest import horizontal_overflow, log_in, screenshots

shot = screenshots("contest-judging")


def test_a_judge_scores_anonymised_products_on_a_phone(live_server, phone, tree):
    base = live_server.url
    w = world(tree)
    judging.judges_add(actor=w.organiser, round_=w.round, judges=list(w.judges.values()))
    judging.judges_assign_auto(actor=w.organiser, round_=w.round)
    judge_id, count = Counter(JudgeAssignment.objects.values_list("judge_id", flat=True)).most_common(1)[0]
    judge = next(j for j in w.judges.values() if j.pk == judge_id)
    assert count == 2

    log_in(phone, base, judge.username, home=False, fresh=True)
    phone.goto(f"{base}/cuoc-thi/cham/")
    rows = phone.get_by_test_id("queue-row")
    expect(rows).to_have_count(2)
    codes = phone.get_by_test_id("product-code").all_inner_texts()
    assert all(code.startswith("SP-") for code in codes)
    text = phone.locator("main").inner_text()
    for school in (tree.s1, tree.s2, tree.s3):
        assert school.name not in text
    assert horizontal_overflow(phone) <= 0
    shot(phone, "queue")

    # A score outside the rubric: a clear message in Vietnamese, nothing saved.
    rows.first.get_by_test_id("open-product").click()
    expect(phone.get_by_test_id("score-code")).to_have_text(codes[0])
    phone.fill(f"#id_c{w.content.pk}", "12")
    phone.fill(f"#id_c{w.form.pk}", "4")
    phone.get_by_test_id("save-next").click()
    expect(phone.locator(".invalid-feedback").first).to_contain_text("phải từ 0 đến 10")
    assert not Score.objects.exists()
    assert horizontal_overflow(phone) <= 0
    shot(phone, "refused")

    # Correctly, then on to the next product.
    phone.fill(f"#id_c{w.content.pk}", "8,5")
    phone.get_by_test_id("save-next").click()
    expect(phone.get_by_test_id("score-code")).to_have_text(codes[1])
    assert Score.objects.get(assignment__judge=judge).total == 21  # 8.5 × 2 + 4
    phone.fill(f"#id_c{w.content.pk}", "9")
    phone.fill(f"#id_c{w.form.pk}", "5")
    phone.get_by_test_id("save-score").click()

    expect(phone.get_by_test_id("queue-empty")).to_be_visible()
    phone.get_by_test_id("tab-scored").click()
    expect(phone.get_by_test_id("queue-row")).to_have_count(2)
    assert Score.objects.filter(assignment__judge=judge).count() == 2
    shot(phone, "scored")
