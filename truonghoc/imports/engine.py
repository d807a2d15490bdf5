"""The steps every import shares; a domain subclasses `Importer` (see truonghoc/imports/__init__.py)."""

import logging
from dataclasses import dataclass, field
from functools import wraps

from celery import current_task
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from truonghoc.enqueue import enqueue
from truonghoc.queues import BULK, INTERACTIVE, KINDS, is_transient
from truonghoc.uploads import clean_name, human_size

from .models import ImportBatch, ImportStatus

logger = logging.getLogger(__name__)
PROGRESS_SECONDS = 3600  # a step longer than this has crashed: its bar is not worth keeping


class ImportRefused(Exception):
    """Raised by an apply step when the situation changed since the check (another import, a quota, a
    role taken away): everything the step wrote is rolled back and the batch is marked failed with
    this message, for the person who confirmed."""


# --- progress, in the cache: a worker writes it, the polling page reads it -----------------------
def progress_key(model: type[ImportBatch], pk: int) -> str:
    return f"imports:{model._meta.label_lower}:{pk}"


def progress_set(batch: ImportBatch, done: int, total: int, phase: str) -> None:
    cache.set(progress_key(type(batch), batch.pk), {"done": done, "total": total, "phase": phase}, PROGRESS_SECONDS)


def progress_get(batch: ImportBatch) -> dict | None:
    return cache.get(progress_key(type(batch), batch.pk))


def batch_finish(batch: ImportBatch, *, status: str, message: str = "") -> ImportBatch:
    """Record the end of a step: its status, message and counters (`COUNT_FIELDS`); the bar goes."""
    batch.status = status
    batch.message = message
    fields = ["status", "message", *batch.COUNT_FIELDS]
    if status in ImportStatus.FINISHED:
        batch.finished_at = timezone.now()
        fields.append("finished_at")
    batch.save(update_fields=fields)
    cache.delete(progress_key(type(batch), batch.pk))
    return batch


def refused_summary(batch: ImportBatch, *, errors: str) -> str:
    """What a checked file with refused lines says, the same for every import that counts `error_rows`: the
    batch's own message, then how many lines were refused (`errors`: that count as the page shows it)."""
    refused = ngettext(
        "%(errors)s line is refused; nothing was written. Correct the file and upload it again.",
        "%(errors)s lines are refused; nothing was written. Correct the file and upload it again.",
        batch.error_rows,
    ) % {"errors": errors}
    return " ".join(filter(None, [batch.message, refused]))


def check_size(upload) -> None:
    """The one limit on an imported file's size (IMPORT_MAX_BYTES), said the way every upload says it."""
    size = getattr(upload, "size", 0) or 0
    if size > settings.IMPORT_MAX_BYTES:
        raise ValidationError(
            _("The file %(name)s is %(size)s; a file can be at most %(max)s.")
            % {
                "name": clean_name(getattr(upload, "name", "")),
                "size": human_size(size),
                "max": human_size(settings.IMPORT_MAX_BYTES),
            },
            code="too_big",
        )


def runs_in_a_worker(batch: ImportBatch) -> bool:
    """THE dispatch rule: a step on a file larger than IMPORT_SYNC_MAX_BYTES runs in a Celery worker
    while the page polls; a smaller one within the request. Bytes, because the size is known at every
    step (upload, check again, confirm), before the file is read; the rows are not."""
    return batch.file_size > settings.IMPORT_SYNC_MAX_BYTES and not settings.CELERY_TASK_ALWAYS_EAGER


# Rows per byte of the densest format, an .xlsx list (100 KB is about 3,000 people): before the check has
# counted the rows, a file is taken to have as many as it could hold, so a large file never goes interactive.
BYTES_PER_ROW = 33


def import_rows(batch: ImportBatch) -> int:
    """The rows of the batch's file: counted once checked, else the most its size could hold."""
    return batch.total_rows or -(-batch.file_size // BYTES_PER_ROW)


def import_kind(batch: ImportBatch) -> str:
    """THE queue rule of imports (truonghoc/queues.py): a file of up to IMPORT_INTERACTIVE_MAX_ROWS rows is
    interactive work (a person waits for the preview of a school's list), a larger one bulk."""
    return INTERACTIVE if import_rows(batch) <= settings.IMPORT_INTERACTIVE_MAX_ROWS else BULK


# --- what the status partial shows once a step has finished -----------------------------------------
@dataclass
class Confirm:
    """The confirmation form of a checked file; `skip_*` adds the required "skip the rows with problems"
    box, `other_*` a link beside the button."""

    url: str
    label: str
    skip_intro: str = ""
    skip_label: str = ""
    other_url: str = ""
    other_label: str = ""


@dataclass
class Inline:
    """A line of an Outcome that runs on with the next (a plain line is a block of its own)."""

    text: str
    strong: bool = False
    inline: bool = True

    def __str__(self) -> str:
        return self.text


def Strong(text: str) -> Inline:  # named like a class: it reads as a kind of line, like Inline
    """A line of an Outcome said in bold, running on."""
    return Inline(text, strong=True)


@dataclass
class Outcome:
    """One alert of components/import_status.html, in the domain's words. `tone` is a Bootstrap alert
    colour; `actions` a template included at the end (the domain's buttons, with the page's context)."""

    tone: str
    testid: str = ""
    title: str = ""
    lines: list = field(default_factory=list)  # str (a block), Inline or Strong
    confirm: Confirm | None = None
    note: str = ""
    actions: str = ""
    links: list[tuple[str, str]] = field(default_factory=list)


def _retries_left() -> bool:
    """Whether the Celery task running now (in a worker, not within a request) will be retried."""
    task = current_task
    if not task or task.request.is_eager or task.request.called_directly:
        return False
    return task.max_retries is None or task.request.retries < task.max_retries


class Importer:
    """One kind of import. Subclasses set `model` and `crash_message` and write `check` and `apply`;
    views and tasks call the steps below, which are the same for every import."""

    model: type[ImportBatch]
    # What a step that crashed says (the transaction was rolled back: "nothing was created").
    crash_message: str = ""
    # Loaded with the locked batch before `apply` runs (non-null foreign keys only: PostgreSQL
    # cannot lock the nullable side of an outer join).
    apply_related: tuple[str, ...] = ()

    # --- what a domain supplies ---------------------------------------------------------------------
    def check(self, batch: ImportBatch, content: bytes) -> ImportBatch:
        """Read the file, check every row, record the rows and finish the batch (READY or INVALID,
        with counts and a message) with batch_finish. Writes nothing else."""
        raise NotImplementedError

    def apply(self, batch: ImportBatch, actor) -> ImportBatch:
        """Inside one transaction, on the locked IMPORTING batch: write every new row or none (raise
        ImportRefused when what the check relied on changed), then batch_finish(DONE)."""
        raise NotImplementedError

    # --- the steps -------------------------------------------------------------------------------------
    def start(self, *, upload, stored_name: str, **fields) -> ImportBatch:
        """Register an uploaded file (the caller checked what its domain needs, and audits)."""
        check_size(upload)
        batch = self.model(original_name=clean_name(upload.name)[:255], status=ImportStatus.VALIDATING, **fields)
        upload.seek(0)
        batch.upload.save(stored_name, upload, save=False)
        batch.save()
        return batch

    def validate(self, batch: ImportBatch, content: bytes | None = None) -> ImportBatch:
        """The check step. Without `content` (a task, a re-check) the kept file is read, and only a
        batch waiting for its check is checked: a task run twice does nothing twice."""
        if content is None:
            if batch.status != ImportStatus.VALIDATING:
                return batch
            content = batch.content()
        batch.rows.all().delete()  # a re-check starts from the file again
        return self.check(batch, content)

    def confirm(self, batch: ImportBatch, *, refuse=None, fields: tuple[str, ...] = ()) -> ImportBatch:
        """READY → IMPORTING under a lock; `refuse(batch)` may raise a domain refusal and set `fields`."""
        with transaction.atomic():
            batch = self.model.objects.select_for_update().get(pk=batch.pk)
            if batch.status != ImportStatus.READY:
                raise ValidationError(
                    _("This file cannot be imported in its present state (%(status)s).")
                    % {"status": batch.get_status_display()}
                )
            if refuse is not None:
                refuse(batch)
            batch.status = ImportStatus.IMPORTING
            batch.save(update_fields=["status", *fields])
            return batch

    def cancel(self, batch: ImportBatch, *, message: str) -> ImportBatch:
        """READY → FAILED with `message` under the confirm's row lock: a checked file the user drops
        instead of confirming; nothing was written and it can no longer be confirmed."""
        with transaction.atomic():
            locked = self.model.objects.select_for_update().get(pk=batch.pk)
            if locked.status != ImportStatus.READY:
                raise ValidationError(
                    _("This file cannot be cancelled in its present state (%(status)s).")
                    % {"status": locked.get_status_display()}
                )
            return batch_finish(locked, status=ImportStatus.FAILED, message=message)

    def run_apply(self, batch: ImportBatch, actor=None) -> ImportBatch:
        """The apply step: all or nothing. Only an IMPORTING batch is applied (a retried task does
        nothing twice); a refusal rolls everything back and marks the batch failed."""
        try:
            with transaction.atomic():
                locked = self.model.objects.select_for_update().select_related(*self.apply_related).get(pk=batch.pk)
                if locked.status != ImportStatus.IMPORTING:
                    return locked
                return self.apply(locked, actor)
        except ImportRefused as refusal:
            # Recorded outside the rolled-back transaction.
            return batch_finish(self.model.objects.get(pk=batch.pk), status=ImportStatus.FAILED, message=str(refusal))

    def dispatch(self, task, batch: ImportBatch, *args) -> None:
        """Run a step's task now, or after commit in a worker (runs_in_a_worker), on the queue of its kind
        (import_kind) with that kind's time limits."""
        if runs_in_a_worker(batch):
            kind = KINDS[import_kind(batch)]
            options = {"queue": kind.queue}
            if kind.queue == INTERACTIVE:
                # The task declares a large import's limits; a small one must not hold the queue that long.
                options |= {"time_limit": kind.time_limit, "soft_time_limit": kind.soft_time_limit}
            transaction.on_commit(lambda: enqueue(task, args=[batch.pk, *args], **options))
        else:
            task.apply(args=[batch.pk, *args])

    def task(self, function):
        """Wrap a Celery task's body: an unexpected error must not leave a batch "in progress" forever
        with a page polling it. The batch is marked failed with `crash_message` (the step ran in a
        transaction, so nothing of it was written) and the error is logged for the developers."""
        model = self.model

        @wraps(function)
        def wrapped(batch_id, *args):
            try:
                return function(batch_id, *args)
            except Exception as error:
                if is_transient(error) and _retries_left():
                    # The step rolled back and its batch is still waiting: the task's retry (queues.RETRY)
                    # runs it again once the database or the network is back.
                    raise
                logger.exception("%s %s failed", model._meta.verbose_name, batch_id)
                model.objects.filter(pk=batch_id).update(
                    status=ImportStatus.FAILED, message=str(self.crash_message), finished_at=timezone.now()
                )
                cache.delete(progress_key(model, batch_id))
                return ImportStatus.FAILED

        return wrapped

    def status_context(self, batch: ImportBatch, *, element_id: str, url: str, outcome: Outcome | None) -> dict:
        """What components/import_status.html needs: the polling element and, once finished, the alert."""
        return {
            "import_status": {"id": element_id, "url": url, "outcome": outcome},
            "progress": progress_get(batch),
            "working": batch.working,
        }

    def render_page(self, request, template: str, context: dict, *, element_id: str, outcome) -> HttpResponse:
        """A batch's page (context["batch"]), polling its own URL while a step runs. An htmx poll gets the
        page's `status` partial back; once the step has finished, with HX-Refresh, so the whole page
        reloads and the rows appear. `outcome(batch)` says the finished state in the domain's words."""
        batch = context["batch"]
        finished = None if batch.working else outcome(batch)
        context |= self.status_context(batch, element_id=element_id, url=request.path, outcome=finished)
        if request.htmx:
            response = render(request, f"{template}#status", context)
            if not batch.working:
                response["HX-Refresh"] = "true"
            return response
        return render(request, template, context)
