"""The grade book's printed forms: the class book on A3 landscape, the report cards (phiếu báo điểm) on A4
and the class book as xlsx, all from `gradebook.book.class_book_data`.

PDFs are made by WeasyPrint (pango underneath) with the DejaVu fonts `make fonts` installs: they carry every
Vietnamese glyph, so names and headings print as typed.
"""

import io
import logging
import multiprocessing
import os
import time
from concurrent.futures import ProcessPoolExecutor
from functools import cache
from pathlib import Path

from django.conf import settings
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from openpyxl import Workbook

from truonghoc.formatting import date_text

from .book import ClassBook

log = logging.getLogger(__name__)

PDF_CONTENT_TYPE = "application/pdf"
CLASS_BOOK = "gradebook/print/class_book.html"


CSS_DIR = Path(__file__).resolve().parent / "print_css"
A3_LANDSCAPE, A4_PORTRAIT = "a3-landscape.css", "a4-portrait.css"


@cache
def _stylesheet(name: str):
    """A stylesheet of `print_css/`, parsed once per process (WeasyPrint only reads it)."""
    from weasyprint import CSS

    return CSS(filename=str(CSS_DIR / name))


@cache
def _print_html_class():
    from weasyprint import HTML  # imported on use: loading pango takes a while

    class PrintHTML(HTML):
        """HTML with our small user-agent stylesheet (`print_css/ua.css`): matching WeasyPrint's full one
        against every cell of the A3 book took about a third of the time spent on styles. (A WeasyPrint
        without this hook keeps its own sheet: the PDF is the same, only slower.)"""

        def _ua_stylesheets(self, forms=False):
            return [_stylesheet("ua.css")]

    return PrintHTML


def html_pdf(html: str, page: str = A3_LANDSCAPE) -> bytes:
    """Print `html` on `page` in this process (the stylesheets live beside this module, not in the HTML:
    the templates hold no <style>, as everywhere else)."""
    sheets = [_stylesheet("book.css"), _stylesheet(page)]
    return _print_html_class()(string=html, base_url=str(CSS_DIR)).write_pdf(stylesheets=sheets)


def pdf_bytes(template: str, context: dict, *, page: str = A3_LANDSCAPE) -> bytes:
    """Render `template` and print it on `page`."""
    return html_pdf(render_to_string(template, context), page)


# --- the class book in parallel ------------------------------------------------------------------------
# WeasyPrint spends its time laying out each cell's text (pango), ~4 s of CPU for 45 students × every
# grade-6 subject, in one thread. The book's pages are independent (each subject starts a page, no "page X
# of Y", no bookmarks), so it is cut at the template's CHUNK_MARKs into parts of about the same number of
# cells, each part printed by a forked process, and the PDFs joined in order with pypdf: the same pages,
# sizes and text as printing it whole (tests/gradebook/test_print_parallel.py).
CHUNK_MARK = "<!--chunk-->"
PARALLEL_MIN_PAGES = 4  # a smaller book is not worth a process
PARALLEL_MIN_CELLS = 1500  # nor one whose parts would take less than the fork and the join (~0.1 s)
PARALLEL_TIMEOUT = 120  # seconds: a worker stuck longer is killed and the book printed in this process


def class_book_pdf(book: ClassBook, *, processes: int | None = None) -> bytes:
    """The A3 class book; in up to `processes` (default: setting GRADEBOOK_PDF_PROCESSES) processes when
    it is large, never more than the CPUs, and in this process when it cannot have children (a Celery
    prefork worker is daemonic) or when the pool fails (logged)."""
    html = render_to_string(CLASS_BOOK, {"book": book})
    chunks = html_chunks(html, pdf_processes(processes))
    if len(chunks) > 1:
        try:
            return pdf_join(_print_in_pool(chunks, A3_LANDSCAPE))
        except Exception:
            log.exception("The class book of %s could not be printed in parallel; printing it in one process",
                          book.school_class)  # fmt: skip
    return html_pdf(html, A3_LANDSCAPE)


def _cpu_count() -> int:
    try:
        return len(os.sched_getaffinity(0))  # the CPUs this process may use (a container's share)
    except AttributeError:  # not on every system
        return os.cpu_count() or 1


def pdf_processes(requested: int | None = None) -> int:
    """How many processes may print one book: 1 in a daemonic process (it may not have children)."""
    if multiprocessing.current_process().daemon:
        return 1
    wanted = settings.GRADEBOOK_PDF_PROCESSES if requested is None else requested
    return max(1, min(wanted, _cpu_count()))


def html_chunks(html: str, parts: int) -> list[str]:
    """`html` cut at its CHUNK_MARKs into at most `parts` documents of about the same number of cells, each
    with the whole document's head and end; `[html]` when one part is all it is worth."""
    if parts < 2 or CHUNK_MARK not in html:
        return [html]
    start, *groups = html.split(CHUNK_MARK)
    end_at = groups[-1].rfind("</body>")
    if end_at < 0:
        return [html]
    groups[-1], end = groups[-1][:end_at], groups[-1][end_at:]
    cells = [group.count("<td") for group in groups]
    if len(groups) < PARALLEL_MIN_PAGES or sum(cells) < PARALLEL_MIN_CELLS:
        return [html]
    weights = [n + 20 for n in cells]  # a page costs a little more than its cells (its head, its box)
    return [start + "".join(groups[run]) + end for run in _balanced_runs(weights, parts)]


def _balanced_runs(weights: list[int], parts: int) -> list[slice]:
    """`weights` cut into at most `parts` contiguous runs, the heaviest run as light as it can be (the
    least capacity that fits, by bisection; a run is filled greedily up to it)."""

    def runs(capacity: int) -> list[slice]:
        cut, begin, load = [], 0, 0
        for index, weight in enumerate(weights):
            if load and load + weight > capacity:
                cut.append(slice(begin, index))
                begin, load = index, 0
            load += weight
        return [*cut, slice(begin, len(weights))]

    low, high = max(weights), sum(weights)
    while low < high:
        middle = (low + high) // 2
        low, high = (low, middle) if len(runs(middle)) <= parts else (middle + 1, high)
    return runs(low)


@cache
def _warm_up(page: str) -> None:
    """A line printed once in this process before its first fork: the workers are born with WeasyPrint
    imported, the stylesheets parsed and the fonts found (~0.1 s each that they would pay every time)."""
    html_pdf('<!DOCTYPE html><html lang="vi"><body><p>Ánh <b>8,3</b> <i>Đạt</i></p></body></html>', page)


def _print_in_pool(chunks: list[str], page: str) -> list[bytes]:
    """Each chunk printed by its own worker process, in order. Forked where the system can: the workers
    start at once with WeasyPrint, the fonts and the parsed stylesheets already loaded here."""
    _warm_up(page)
    method = "fork" if "fork" in multiprocessing.get_all_start_methods() else None
    pool = ProcessPoolExecutor(max_workers=len(chunks), mp_context=multiprocessing.get_context(method))
    try:
        futures = [pool.submit(html_pdf, chunk, page) for chunk in chunks]
        deadline = time.monotonic() + PARALLEL_TIMEOUT
        parts = [future.result(timeout=max(0.0, deadline - time.monotonic())) for future in futures]
    except BaseException:
        # A worker stuck (a lock held by another thread at the fork) would outlive shutdown(): end it.
        for process in list((getattr(pool, "_processes", None) or {}).values()):
            process.terminate()
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    pool.shutdown()
    return parts


def pdf_join(parts: list[bytes]) -> bytes:
    """The PDFs one after the other, with the first one's document information (title, producer)."""
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    readers = [PdfReader(io.BytesIO(content)) for content in parts]
    for reader in readers:
        writer.append(reader)
    if readers[0].metadata:
        writer.add_metadata({key: str(value) for key, value in readers[0].metadata.items()})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def report_cards_pdf(book: ClassBook, lines) -> bytes:
    return pdf_bytes("gradebook/print/report_cards.html", {"book": book, "lines": lines}, page=A4_PORTRAIT)


def _mark(value) -> str:
    return "" if value is None else f"{value}".replace(".", ",")


def class_book_workbook(book: ClassBook) -> tuple[Workbook, int]:
    """The class book as a workbook: a sheet of students, then one sheet per subject (both semesters'
    columns, averages), then the results; returns the workbook and its row count (for the export audit)."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("Students")[:31]
    sheet.append([_("No."), _("Full name"), _("Date of birth"), _("Personal ID")])
    for line in book.students:
        born = line.student.date_of_birth
        sheet.append(
            [line.number, line.student.full_name, date_text(born) if born else "", line.student.national_id or ""]
        )
    for index, rule in enumerate(book.rules):
        sheet = workbook.create_sheet(f"{index + 1}. {rule.subject}"[:31])
        head = [_("No."), _("Full name")]
        for semester in (1, 2):
            if rule.by_comment:
                head.append(_("Semester 1") if semester == 1 else _("Semester 2"))
            else:
                head += [f"TX{i} HK{semester}" for i in range(1, rule.regular_count + 1)]
                head += [f"GK HK{semester}", f"CK HK{semester}", f"ĐTBmhk{semester}"]
        head.append(_("Year"))
        sheet.append(head)
        for line in book.students:
            subject = line.subjects[index]
            row = [line.number, line.student.full_name]
            for semester in (1, 2):
                term = subject.terms[semester]
                if rule.by_comment:
                    row.append(term.level)
                else:
                    row += [_mark(v) for v in term.regulars] + [
                        _mark(term.midterm),
                        _mark(term.end),
                        _mark(term.average),
                    ]
            row.append(subject.year_level if rule.by_comment else _mark(subject.year_average))
            sheet.append(row)
    sheet = workbook.create_sheet(_("Results")[:31])
    sheet.append(
        [
            _("No."),
            _("Full name"),
            _("Result semester 1"),
            _("Result semester 2"),
            _("Result of the year"),
            _("Conduct semester 1"),
            _("Conduct semester 2"),
            _("Conduct of the year"),
            _("Absences with permission"),
            _("Absences without permission"),
            _("Result after re-assessment"),
            _("Conduct after summer training"),
            _("Promoted / repeats the year"),
        ]
    )
    for line in book.students:
        sheet.append(
            [
                line.number,
                line.student.full_name,
                line.result_label(1),
                line.result_label(2),
                line.result_label(0),
                line.conduct_label(1),
                line.conduct_label(2),
                line.conduct_label(0),
                line.absent_with,
                line.absent_without,
                line.result_after_retest_label,
                line.conduct_after_summer_label,
                line.promotion_label,
            ]
        )
    return workbook, len(book.students)
