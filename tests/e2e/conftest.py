"""Browser journeys: Debian's chromium driven by Playwright's Python API against the live server.

Playwright cannot download its own browser here, so it drives /usr/bin/chromium. Screenshots of
failing tests are kept under test-output/e2e/.
"""

import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.accounts.factories import complete_profile, make_person

PASSWORD = "secret-pass-123"  # make_person's password
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
OUTPUT = Path(__file__).resolve().parents[2] / "test-output" / "e2e"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/e2e/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.e2e)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: `make e2e` installs Debian's chromium (apt-get install chromium).")
    # Playwright's sync API runs an event loop in this thread; the ORM calls the tests make to set up
    # data are still plain synchronous calls, so Django's guard against async use is lifted here only.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
            yield browser
            browser.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


def _new_page(browser, request, **context_options):
    context = browser.new_context(locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh", **context_options)
    context.set_default_timeout(15_000)
    page = context.new_page()
    return context, page


@pytest.fixture
def page(browser, request):
    context, page = _new_page(browser, request, viewport={"width": 1280, "height": 900})
    yield page
    _keep_screenshot_on_failure(request, page)
    context.close()


@pytest.fixture
def phone(browser, request):
    """A 360 px wide phone, as many teachers and students use."""
    context, page = _new_page(
        browser, request, viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True, device_scale_factor=2
    )
    yield page
    _keep_screenshot_on_failure(request, page)
    context.close()


def _keep_screenshot_on_failure(request, page):
    report = getattr(request.node, "report_call", None)
    if report is not None and report.failed:
        OUTPUT.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(OUTPUT / f"{request.node.name}.png"), full_page=True)


# --- helpers the journeys share ----------------------------------------------------------------------


def person(unit, role, username, full_name):
    """Someone with a complete profile (who may post, register and hand in), logging in with PASSWORD."""
    return complete_profile(make_person(unit=unit, role=role, username=username, full_name=full_name))


def log_in(page, base_url, username, password=PASSWORD, *, home=True, fresh=False, front=False):
    """Logs in through the login form, as a person would.

    home: wait for the home page (False where the login lands elsewhere: a first login's "choose your
    password", a refusal). fresh: hand the tab to another person first; the blank page ends the last page's
    requests (a late answer would set another CSRF cookie under the login form), then the cookies go.
    front: come in through the front page's login link rather than the login URL."""
    if fresh:
        page.goto("about:blank")
        page.context.clear_cookies()
    if front:
        page.goto(f"{base_url}/")
        page.get_by_test_id("front-login").click()
    else:
        page.goto(f"{base_url}/tai-khoan/login/")
    page.fill("#id_login", username)
    page.fill("#id_password", password)
    page.locator("main form button[type=submit]").click()
    if home:
        expect(page.get_by_test_id("home-units")).to_be_visible()


def issue_student(page) -> tuple[str, str]:
    """The school admin, from their home page, issues one student (Phạm Minh Khôi, 6A1) through the form;
    the username and one-time code the credential sheet then shows."""
    page.get_by_test_id("home-accounts").click()
    page.get_by_test_id("issue-one").click()
    page.check("input[name=account_type][value=student]")
    page.fill("#id_full_name", "Phạm Minh Khôi")
    page.fill("#id_date_of_birth", "12/03/2013")
    page.fill("#id_national_id", "0123456789")
    page.select_option("#id_school_class", label="6A1")
    page.get_by_test_id("create-account").click()
    # The button did something: the page shows the username and the one-time credential.
    expect(page.get_by_test_id("credential-sheet")).to_be_visible()
    username = page.get_by_test_id("sheet-username").first.inner_text()
    return username, page.get_by_test_id("sheet-code").first.inner_text()


def screenshots(prefix):
    """A `shot(page, name)` keeping full-page screenshots as test-output/e2e/<prefix>-<name>.png."""

    def shot(page, name):
        OUTPUT.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(OUTPUT / f"{prefix}-{name}.png"), full_page=True)

    return shot


def horizontal_overflow(page, width=360) -> int:
    """How many pixels the page is wider than the phone's screen (a page that fits gives 0 or less)."""
    return page.evaluate("document.documentElement.scrollWidth") - width
