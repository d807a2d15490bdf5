"""The import engine (truonghoc.imports) through a tiny fake importer over IssueBatch and its rows: the
steps, the failure paths, the one Celery rule and the one status partial. The two real users (account
issuing, question import) are tested in tests/accounts and tests/materials."""

import ast
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template.loader import render_to_string
from django.utils import translation

from accounts.models import ImportRow, IssueBatch, User
from materials.models import QuestionImport
from tests.accounts.factories import make_person
from truonghoc.imports.engine import (
    Confirm,
    Importer,
    ImportRefused,
    Outcome,
    Strong,
    batch_finish,
    check_size,
    progress_get,
    progress_set,
    runs_in_a_worker,
)
from truonghoc.imports.models import ImportStatus
from units.models import Role


class FakeImporter(Importer):
    """Each line of the file is a name; "?" is a row with a problem; apply creates one account per row."""

    model = IssueBatch
    crash_message = "It broke; nothing was created."

    def check(self, batch, content):
        rows = [
            ImportRow(batch=batch, line=n, data={"name": name}, errors=["?"] if name == "?" else [], action="create")
            for n, name in enumerate(content.decode().split(), start=1)
        ]
        ImportRow.objects.bulk_create(rows)
        batch.total_rows = len(rows)
        batch.error_rows = sum(1 for r in rows if r.errors)
        batch.new_rows = batch.total_rows - batch.error_rows
        progress_set(batch, len(rows), len(rows), "check")
        status = ImportStatus.INVALID if batch.error_rows else ImportStatus.READY
        return batch_finish(batch, status=status)

    def apply(self, batch, actor):
        for row in batch.rows.order_by("line"):
            User.objects.create_user(f"fake{row.line}", full_name=row.data["name"])
        if actor == "refuse":
            raise ImportRefused("The situation changed.")
        return batch_finish(batch, status=ImportStatus.DONE)


FAKE = FakeImporter()


@pytest.fixture
def admin(tree):
    return make_person(unit=tree.s1, role=Role.SCHOOL_ADMIN, username="quantri.fake", account_type="teacher")


def start(tree, admin, content=b"An Binh Chi", name="ds.csv"):
    return FAKE.start(
        upload=SimpleUploadedFile(name, content), stored_name="fake.bin",
        school=tree.s1, kind=IssueBatch.Kind.IMPORT, account_type="student", created_by=admin,
    )  # fmt: skip


def test_a_file_goes_through_upload_check_confirm_apply(tree, admin):
    batch = start(tree, admin, name="C:\\Users\\x\\danh sách.csv")
    assert (batch.status, batch.original_name, batch.file_size) == ("validating", "danh sách.csv", 11)
    assert batch.upload.name.startswith("imports/")
    batch = FAKE.validate(batch)  # from the kept file, as a task does
    assert (batch.status, batch.total_rows, batch.new_rows) == ("ready", 3, 3)
    assert batch.finished_at is None and progress_get(batch) is None  # the bar goes with the step
    assert FAKE.validate(batch).rows.count() == 3  # a READY batch is not checked twice by a task
    batch = FAKE.confirm(batch)
    assert batch.status == "importing"
    batch = FAKE.run_apply(batch, admin)
    assert batch.status == "done" and batch.finished_at is not None
    assert User.objects.filter(username__startswith="fake").count() == 3
    assert FAKE.run_apply(batch, admin).status == "done"  # a retried apply does nothing twice
    assert User.objects.filter(username__startswith="fake").count() == 3


def test_checking_again_starts_from_the_file(tree, admin):
    batch = start(tree, admin, b"An ? Chi")
    batch = FAKE.validate(batch, b"An ? Chi")
    assert (batch.status, batch.error_rows, batch.finished_at is not None) == ("invalid", 1, True)
    batch = FAKE.validate(batch, b"An Binh")
    assert batch.status == "ready" and list(batch.rows.values_list("data__name", flat=True)) == ["An", "Binh"]


def test_only_a_ready_file_is_confirmed_and_the_domain_may_refuse(tree, admin):
    batch = FAKE.validate(start(tree, admin, b"An ?"), b"An ?")
    with translation.override("en"), pytest.raises(ValidationError, match=r"in its present state \(The file has"):
        FAKE.confirm(batch)
    batch = FAKE.validate(batch, b"An Binh")

    def refuse(locked):
        raise ValidationError("Not today.")

    with pytest.raises(ValidationError, match="Not today"):
        FAKE.confirm(batch, refuse=refuse)
    batch.refresh_from_db()
    assert batch.status == "ready"


def test_a_ready_file_may_be_cancelled_and_then_never_confirmed(tree, admin):
    batch = FAKE.validate(start(tree, admin))
    batch = FAKE.cancel(batch, message="Dropped.")
    assert (batch.status, batch.message, batch.finished_at is not None) == ("failed", "Dropped.", True)
    with pytest.raises(ValidationError):
        FAKE.confirm(batch)
    with translation.override("en"), pytest.raises(ValidationError, match="cannot be cancelled"):
        FAKE.cancel(batch, message="Again.")
    assert not User.objects.filter(username__startswith="fake").exists()


def test_a_refused_apply_rolls_everything_back_and_says_why(tree, admin):
    batch = FAKE.confirm(FAKE.validate(start(tree, admin)))
    batch = FAKE.run_apply(batch, "refuse")
    assert (batch.status, batch.message) == ("failed", "The situation changed.")
    assert batch.finished_at is not None
    assert not User.objects.filter(username__startswith="fake").exists()


def test_a_crashed_task_marks_the_batch_failed_and_clears_its_bar(tree, admin):
    batch = FAKE.confirm(FAKE.validate(start(tree, admin)))
    progress_set(batch, 1, 3, "create")

    @FAKE.task
    def boom(batch_id):
        raise RuntimeError("disk full")

    assert boom(batch.pk) == "failed"
    batch.refresh_from_db()
    assert (batch.status, batch.message) == ("failed", "It broke; nothing was created.")
    assert batch.finished_at is not None and progress_get(batch) is None


def test_progress_of_two_kinds_of_import_never_mix(tree, admin):
    batch = start(tree, admin)
    other = QuestionImport(pk=batch.pk)
    progress_set(batch, 1, 2, "check")
    assert progress_get(batch) == {"done": 1, "total": 2, "phase": "check"} and progress_get(other) is None


def test_one_size_limit_for_every_import(settings):
    settings.IMPORT_MAX_BYTES = 10
    check_size(SimpleUploadedFile("a.csv", b"x" * 10))
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        check_size(SimpleUploadedFile("a.csv", b"x" * 11))
    assert refused.value.code == "too_big" and refused.value.messages == [
        "The file a.csv is 11 B; a file can be at most 10 B."
    ]


class FakeTask:
    def __init__(self):
        self.applied, self.delayed = [], []

    def apply(self, args):
        self.applied.append(args)

    def apply_async(self, args, **options):
        self.delayed.append(list(args))
        self.options = options


def test_one_celery_rule_in_bytes(tree, admin, settings, django_capture_on_commit_callbacks):
    settings.IMPORT_SYNC_MAX_BYTES = 11
    batch = start(tree, admin)  # 11 bytes
    task = FakeTask()
    FAKE.dispatch(task, batch, 7)
    assert task.applied == [[batch.pk, 7]] and not task.delayed
    settings.IMPORT_SYNC_MAX_BYTES = 10
    assert not runs_in_a_worker(batch)  # tests run tasks eagerly
    settings.CELERY_TASK_ALWAYS_EAGER = False
    assert runs_in_a_worker(batch)
    with django_capture_on_commit_callbacks(execute=True):
        FAKE.dispatch(task, batch, 7)
    assert task.delayed == [[batch.pk, 7]] and len(task.applied) == 1
    # 11 bytes: a small file, on the interactive queue with that queue's limits (tests/truonghoc/test_queues.py).
    assert task.options == {"queue": "interactive", "time_limit": 300, "soft_time_limit": 270}


def test_one_status_partial_polls_then_shows_the_domains_words(tree, admin, rf):
    batch = start(tree, admin)
    request = rf.get("/")
    context = FAKE.status_context(batch, element_id="fake-status", url="/fake/1/", outcome=None)
    with translation.override("en"):
        page = render_to_string("components/import_status.html", {"batch": batch, **context}, request=request)
    assert 'id="fake-status"' in page and 'hx-get="/fake/1/"' in page and 'data-status="validating"' in page
    assert "Checking the file…" in page
    batch = FAKE.validate(batch)
    outcome = Outcome(
        "warning", "fake-ready", title="Title", lines=["First", Strong("Bold")],
        confirm=Confirm("/fake/1/ok/", "Go", skip_intro="Or:", skip_label="Skip them"), links=[("/again/", "Again")],
    )  # fmt: skip
    context = FAKE.status_context(batch, element_id="fake-status", url="/fake/1/", outcome=outcome)
    page = render_to_string("components/import_status.html", {"batch": batch, **context}, request=request)
    assert "hx-get" not in page and 'class="alert alert-warning" data-testid="fake-ready"' in page
    assert (
        '<div class="fw-semibold">Title</div>' in page
        and "<div>First</div>" in page
        and "<strong>Bold</strong>" in page
    )
    assert 'action="/fake/1/ok/"' in page and 'data-testid="skip-problems"' in page and 'href="/again/"' in page


def test_statuses_are_the_same_six_with_each_domains_words():
    assert IssueBatch.Status.values == QuestionImport.Status.values
    assert IssueBatch.Status.values == ["validating", "invalid", "ready", "importing", "done", "failed"]
    with translation.override("en"):
        assert IssueBatch.Status.IMPORTING.label == "Creating the accounts"
        assert QuestionImport.Status.IMPORTING.label == "Creating the questions"


def test_the_engine_imports_no_app():
    """truonghoc is the lowest layer: the engine takes the domain's models and words, it imports none."""
    root = Path(__file__).resolve().parents[2]
    apps = {p.name for p in root.iterdir() if (p / "apps.py").exists()}
    for path in (root / "truonghoc" / "imports").glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module:
                assert node.module.split(".")[0] not in apps, (path.name, node.module)
            elif isinstance(node, ast.Import):
                assert not {a.name.split(".")[0] for a in node.names} & apps, path.name


def test_every_import_refuses_old_xls_and_says_a_zip_bomb_is_one(monkeypatch):
    from tests.accounts.spreadsheets import students, xlsx
    from truonghoc import spreadsheets
    from truonghoc.spreadsheets import OLE_MAGIC, SpreadsheetError, open_xlsx, refuse_unreadable

    with translation.override("en"):
        with pytest.raises(SpreadsheetError, match=r"old \.xls format"):
            refuse_unreadable(OLE_MAGIC + b"rest of an Excel 97 file")
        with pytest.raises(SpreadsheetError, match="empty"):
            refuse_unreadable(b"")
        monkeypatch.setattr(spreadsheets, "MAX_UNZIPPED_BYTES", 10)
        # Before the engine, this refusal was itself caught as a "damaged" workbook (it is a ValueError).
        with pytest.raises(SpreadsheetError, match="unpacks to far more data than a question bank"):
            open_xlsx(xlsx(students(2)), too_much="This workbook unpacks to far more data than a question bank")
        with pytest.raises(SpreadsheetError, match="damaged"):
            open_xlsx(b"PK\x03\x04 no workbook")
