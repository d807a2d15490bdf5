"""The A3 class book printed in parallel (gradebook.printing.class_book_pdf): cut into parts at the
template's chunk marks, each part printed by a forked process, the PDFs joined in order. It must be the
same book as printed in one process."""

import io
import logging
from decimal import Decimal
from types import SimpleNamespace

import pytest
from pypdf import PdfReader

from gradebook import printing, services
from gradebook.book import class_book_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def filled(book):
    """The `book` with maths marks for every student, so the subject pages have text."""
    for number, student in enumerate(book.students):
        for kind, index, value in (("tx", 1, 7), ("tx", 2, 8 + number), ("gk", 1, 6), ("ck", 1, 9)):
            services.mark_set(
                actor=book.maths, student_id=student.pk, school_class=book.school_class, subject="Toán",
                semester=1, kind=kind, index=index, value=Decimal(value), level="",
            )  # fmt: skip
    return class_book_data(book.school_class, book.year)


@pytest.fixture
def pool_calls(monkeypatch):
    """The parts each parallel print was given (the pool still runs: only the call is recorded)."""
    calls, real = [], printing._print_in_pool

    def recorded(chunks, page):
        calls.append(chunks)
        return real(chunks, page)

    monkeypatch.setattr(printing, "_print_in_pool", recorded)
    monkeypatch.setattr(printing, "PARALLEL_MIN_CELLS", 0)  # the test's book is small: print it in parallel
    return calls


def _pages(content: bytes) -> list[tuple[tuple[float, float], str]]:
    return [
        ((round(float(page.mediabox.width), 2), round(float(page.mediabox.height), 2)), page.extract_text())
        for page in PdfReader(io.BytesIO(content)).pages
    ]


def test_the_book_printed_in_parallel_is_the_book_printed_in_one_process(filled, pool_calls):
    whole = printing.class_book_pdf(filled, processes=1)
    assert pool_calls == []
    joined = printing.class_book_pdf(filled, processes=2)
    assert len(pool_calls) == 1 and len(pool_calls[0]) == 2  # it did go through two processes
    single_pages, joined_pages = _pages(whole), _pages(joined)
    assert len(single_pages) == len(joined_pages) == 2 + len(filled.rules) + 1  # cover, list, subjects, results
    assert joined_pages == single_pages  # same order, sizes and text, page by page
    assert {size for size, _text in joined_pages} == {(1190.55, 841.89)}  # A3 landscape
    text = "\n".join(text for _size, text in joined_pages)
    assert "Sổ gọi tên và ghi điểm" in text and "Học sinh 1" in text and "Toán" in text
    assert PdfReader(io.BytesIO(joined)).metadata.title == PdfReader(io.BytesIO(whole)).metadata.title


def test_the_parts_are_whole_documents_that_together_hold_every_page(filled):
    html = printing.render_to_string(printing.CLASS_BOOK, {"book": filled})
    chunks = printing.html_chunks(html, 3)
    assert len(chunks) == 1  # a small book: not worth a process
    printing.PARALLEL_MIN_CELLS, saved = 0, printing.PARALLEL_MIN_CELLS
    try:
        chunks = printing.html_chunks(html, 3)
    finally:
        printing.PARALLEL_MIN_CELLS = saved
    assert len(chunks) == 3
    head, body_end = html[: html.index("<body>") + 6], html[html.rindex("</body>") :]
    assert all(chunk.startswith(head) and chunk.endswith(body_end) for chunk in chunks)
    bodies = [chunk[len(head) : -len(body_end)] for chunk in chunks]
    assert "".join(bodies) == html[len(head) : -len(body_end)].replace(printing.CHUNK_MARK, "")
    assert all(body.startswith('<section class="page') for body in bodies)  # each part starts a page


@pytest.mark.parametrize(
    ("weights", "parts", "heaviest"),
    [
        ([20, 20, 100, 100, 100, 40], 2, 240),
        ([20, 20, 100, 100, 100, 40], 3, 140),
        ([5, 5, 5, 5], 2, 10),
        ([1, 50, 1], 3, 50),
        ([9], 2, 9),
    ],
)
def test_the_parts_are_balanced_by_cells(weights, parts, heaviest):
    runs = printing._balanced_runs(weights, parts)
    assert len(runs) <= parts and [i for run in runs for i in range(len(weights))[run]] == list(range(len(weights)))
    assert max(sum(weights[run]) for run in runs) == heaviest


def test_one_process_when_the_setting_the_cpus_or_a_daemonic_process_say_so(settings, monkeypatch):
    monkeypatch.setattr(printing, "_cpu_count", lambda: 2)
    settings.GRADEBOOK_PDF_PROCESSES = 4
    assert printing.pdf_processes() == 2  # never more than the CPUs
    settings.GRADEBOOK_PDF_PROCESSES = 1
    assert printing.pdf_processes() == 1
    assert printing.pdf_processes(2) == 2
    # a Celery prefork worker is daemonic: it may not have children
    monkeypatch.setattr("multiprocessing.current_process", lambda: SimpleNamespace(daemon=True))
    assert printing.pdf_processes(2) == 1


def test_a_daemonic_process_prints_the_book_itself(filled, pool_calls, monkeypatch):
    monkeypatch.setattr("multiprocessing.current_process", lambda: SimpleNamespace(daemon=True))
    content = printing.class_book_pdf(filled, processes=2)
    assert pool_calls == [] and len(PdfReader(io.BytesIO(content)).pages) == 2 + len(filled.rules) + 1


def test_a_failing_pool_is_logged_and_the_book_printed_in_one_process(filled, pool_calls, monkeypatch, caplog):
    def broken(**_kwargs):
        raise OSError("no more processes")

    monkeypatch.setattr(printing, "ProcessPoolExecutor", broken)
    with caplog.at_level(logging.ERROR, logger="gradebook.printing"):
        content = printing.class_book_pdf(filled, processes=2)
    assert len(pool_calls) == 1
    assert "could not be printed in parallel" in caplog.text and "no more processes" in caplog.text
    assert _pages(content) == _pages(printing.class_book_pdf(filled, processes=1))
