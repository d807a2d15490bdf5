"""One engine for spreadsheet (and other file) imports: upload → check → preview → confirm → apply.

Users today: account issuing (accounts.services.issuing.AccountImport, IssueBatch/ImportRow), the
question bank (materials.services.question_io.importing.QuestionImporter, QuestionImport/…Row), units
(units.importing.UnitImporter) and the grade book (gradebook.assign_import.AssignmentImporter,
gradebook.grid_xlsx.MarkImporter).
This package imports no app: a domain brings its models and its words.

What the engine does, the same for every import
  - `models.ImportBatch` (abstract): status, the kept file (private storage), its name, message, row
    counters, when; `BatchRow` (abstract): a checked row's values and problems.
  - `Importer.start`: refuses a file over IMPORT_MAX_BYTES, keeps it, creates the batch (VALIDATING).
  - `Importer.validate`: deletes the rows of an earlier check and calls the domain's `check`; without
    content (a task, "check again") it reads the kept file, and only a VALIDATING batch is checked.
  - `Importer.confirm`: READY → IMPORTING under a row lock, with the one refusal for any other status.
  - `Importer.cancel`: READY → FAILED with the domain's message: a checked file dropped unconfirmed.
  - `Importer.run_apply`: the domain's `apply` in one transaction on the locked IMPORTING batch; an
    `ImportRefused` rolls everything back and marks the batch FAILED with its message.
  - `Importer.task`: wraps a Celery task body; a crash marks the batch FAILED with `crash_message`.
  - `Importer.dispatch`: THE Celery rule: a file over IMPORT_SYNC_MAX_BYTES goes to a worker after
    commit, a smaller one runs within the request (settings/base.py says why bytes); in a worker, up to
    IMPORT_INTERACTIVE_MAX_ROWS rows on the interactive queue, more on bulk (`import_kind`, truonghoc/queues.py).
  - A task body wrapped in `Importer.task` declares `@shared_task(**RETRY, …)`: a transient error (the database
    restarted) is retried while tries remain, the batch still waiting; anything else marks it failed.
  - `progress_set` / `progress_get`: the bar, in the cache; `batch_finish` ends a step and clears it.
  - templates/components/import_status.html: the polling status with its bar, then one alert that
    the page's view describes with `Outcome` (and `Confirm`, `Strong`) in the domain's words.
  - Reading: truonghoc.spreadsheets (`read_table` for lists with a header; `refuse_unreadable` for the
    empty / old .xls / password-protected refusal and `open_xlsx` for a format that reads cells itself).

How to add an import (the grade book's marks, teaching plans)
  1. Models: `class MarkImport(ImportBatch)` with `Status = status_choices(invalid=…, importing=…)`,
     `status = status_field(Status)`, `UPLOAD_TO`, who imports where (`created_by`, the class…), extra
     counters listed in `COUNT_FIELDS`; `class MarkImportRow(BatchRow)` with `batch` (related_name
     "rows"), the line and an `action`.
  2. Services: `class MarkImporter(Importer)` with `model`, `crash_message` and two methods:
     `check(batch, content)` reads (read_table), checks each row, bulk-creates the rows, sets the
     counters and returns `batch_finish(batch, status=READY or INVALID, message=…)`;
     `apply(batch, actor)` writes everything or raises ImportRefused, audits, and returns
     `batch_finish(batch, status=DONE)`. Public services call `IMPORTER.start/validate/confirm/run_apply`
     and audit the upload.
  3. Tasks: two `@shared_task(**RETRY, …)` bodies wrapped in `@IMPORTER.task` (and a line each in
     truonghoc/queues.py ROUTES, bulk) that load the batch and call
     `IMPORTER.validate(batch)` / the apply service.
  4. Views: after an upload, `IMPORTER.dispatch(validate_task, batch)`; after confirming,
     `IMPORTER.dispatch(apply_task, batch, …)`; the detail page adds `IMPORTER.status_context(…)` with an
     `Outcome` for the finished states, and its template puts `{% include "components/import_status.html" %}`
     in a `status` partial, which the page returns to htmx polls (with HX-Refresh once finished).
"""
