"""Importing and exporting questions: the xlsx template, Moodle XML and GIFT, each format's happy path
and round trip, every bad file with its message, duplicates, all-or-nothing versus an explicit skip,
and the pages (who may use them, query counts)."""

import base64
import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from materials.models import Question, QuestionImport, QuestionImportRow, VersionStatus
from materials.permissions.questions import may_use_bank
from materials.services.question_io import exporting
from materials.services.question_io.common import Defaults, ImportFileError
from materials.services.question_io.gift import export_gift, parse_gift
from materials.services.question_io.importing import (
    question_import_apply,
    question_import_confirm,
    question_import_run,
    question_import_start,
)
from materials.services.question_io.moodle import export_moodle, parse_moodle
from materials.services.question_io.xlsx import HEADER, export_xlsx, parse_xlsx, template_xlsx
from materials.services.question_rules import clean_question
from units.models import AuditEntry

from .factories import make_question

Action = QuestionImportRow.Action
DEFAULTS = Defaults(subject="Toán", grade=6, topic="Chung", level=2)


pytestmark = pytest.mark.usefixtures("in_english")


def login(client, user):
    client.force_login(user)
    client.cookies["django_language"] = "en"
    return client


def xlsx(rows, header=HEADER) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def row(type="Một lựa chọn", stem="Câu hỏi 1 + 1 = ?", options=("2", "3", "4", "5"), answer="A", **more):
    values = {"Loại": type, "Môn": "Toán", "Lớp": 6, "Chủ đề": "Số tự nhiên", "Mức độ": "Nhận biết", "Câu hỏi": stem,
              "Đáp án": answer, **more}  # fmt: skip
    for letter, option in zip("ABCDEF", options, strict=False):
        values[letter] = option
    return [values.get(h, "") for h in HEADER]


def cleaned(entries):
    return [clean_question(**e.fields, check_math=False) for e in entries]


def start(user, unit, content: bytes, *, format="xlsx", name=None, **defaults):
    name = name or {"xlsx": "cau-hoi.xlsx", "moodle": "cau-hoi.xml", "gift": "cau-hoi.txt"}[format]
    if format != "xlsx":
        defaults = {"subject": "Toán", "grade": 6, "level": 2, "topic": "Chung", **defaults}
    batch = question_import_start(
        actor=user, unit=unit, format=format, upload=SimpleUploadedFile(name, content), **defaults
    )
    return question_import_run(batch=batch)


def confirm_and_apply(user, batch, skip=False):
    batch = question_import_confirm(actor=user, batch=batch, skip_problems=skip)
    return question_import_apply(batch=batch)


def problems(batch):
    return {r.label: r.errors for r in batch.rows.filter(action=Action.ERROR)}


def sample_questions(author, unit):
    """One of each type, with text that looks like a spreadsheet formula, line breaks and LaTeX."""
    return [
        make_question(author=author, unit=unit, type="single", stem="=1+1 bằng bao nhiêu?\nChọn một đáp án.",
                      options=[{"text": "-2"}, {"text": "+2", "correct": True}, {"text": "@3"}],
                      explanation="Vì \\(1 + 1 = 2\\).", level=1),
        make_question(author=author, unit=unit, type="multiple", topic="Số nguyên tố", level=2),
        make_question(author=author, unit=unit, type="true_false", topic="Số nguyên tố", level=3),
        make_question(author=author, unit=unit, type="numeric", numeric_answer="-3,25", tolerance="0,05",
                      topic="Số thập phân", level=3),
        make_question(author=author, unit=unit, type="essay", answer_guide="Nêu đủ hai ý: 1 điểm.", level=4,
                      stem="Chứng minh \\(\\frac{n}{n+1}\\) tối giản."),
    ]  # fmt: skip


def same_content(question, data, *, keep_level=True, keep_subject=True):
    assert data["type"] == question.type
    assert data["stem"] == question.stem
    assert data["options"] == [{"text": o["text"], "correct": bool(o.get("correct"))} for o in question.options]
    assert data["explanation"] == question.explanation
    assert data["topic"] == question.topic
    if question.type == "numeric":
        assert data["numeric_answer"] == question.numeric_answer
        assert data["tolerance"] == question.tolerance
    if keep_level:
        assert data["level"] == question.level
    if keep_subject:
        assert (data["subject"], data["grade"]) == (question.subject, question.grade)


# --- xlsx -----------------------------------------------------------------------------------------


def test_template_has_one_valid_example_per_type_and_notes():
    content = template_xlsx()
    book = load_workbook(io.BytesIO(content))
    assert book.sheetnames == ["Cau hoi", "Huong dan"]
    entries = parse_xlsx(content)
    assert [e.problems for e in entries] == [[]] * 5
    assert [d["type"] for d in cleaned(entries)] == ["single", "multiple", "true_false", "numeric", "essay"]
    numeric = cleaned(entries)[3]
    assert (numeric["numeric_answer"], numeric["tolerance"]) == (Decimal("3.5"), Decimal("0.01"))


def test_xlsx_import_creates_drafts_in_bulk(tree, people, django_assert_max_num_queries):
    content = template_xlsx()
    batch = start(people.teacher, tree.g1, content)
    assert batch.status == QuestionImport.Status.READY
    assert (batch.total_rows, batch.new_rows, batch.error_rows, batch.duplicate_rows) == (5, 5, 0, 0)
    assert not Question.objects.exists()  # the check writes nothing into the bank
    batch = question_import_confirm(actor=people.teacher, batch=batch)
    with django_assert_max_num_queries(12):
        batch = question_import_apply(batch=batch)
    assert batch.status == QuestionImport.Status.DONE and batch.created_rows == 5
    questions = Question.objects.order_by("pk")
    assert {(q.author, q.unit, q.status, q.source) for q in questions} == {
        (people.teacher, tree.g1, VersionStatus.DRAFT, "xlsx")
    }
    assert all((q.fingerprint and "phan so" in q.search_text) or q.topic != "Phân số" for q in questions)
    assert batch.rows.filter(question__isnull=False).count() == 5
    assert AuditEntry.objects.filter(action="question.import", target_id=str(batch.pk)).exists()
    # Applying again (a retried task) creates nothing twice.
    assert question_import_apply(batch=batch).created_rows == 5
    assert Question.objects.count() == 5


def test_xlsx_headers_in_any_order_with_aliases_and_a_title_line():
    header = ["Câu hỏi", "Đáp án", "A", "B", "Loai cau hoi", "Mon hoc", "Khối", "Chu de", "Muc do"]
    book = Workbook()
    sheet = book.active
    sheet.append(["Ngân hàng câu hỏi Toán 6"])
    sheet.append(header)
    sheet.append(["Hai cộng hai?", "b", "3", "4", "single", "Toán", "6", "Số", "2"])
    buffer = io.BytesIO()
    book.save(buffer)
    (entry,) = parse_xlsx(buffer.getvalue())
    data = clean_question(**entry.fields, check_math=False)
    assert data["options"] == [{"text": "3", "correct": False}, {"text": "4", "correct": True}]
    assert (data["level"], data["grade"], data["subject"]) == (2, 6, "Toán")


def test_xlsx_round_trip_keeps_every_field(tree, people):
    questions = sample_questions(people.teacher, tree.g1)
    content = export_xlsx(questions)
    raw = load_workbook(io.BytesIO(content)).active
    assert raw["F2"].value.startswith("'=")  # no formula can run in an export
    entries = parse_xlsx(content)
    assert [e.problems for e in entries] == [[]] * 5
    for question, data in zip(questions, cleaned(entries), strict=True):
        same_content(question, data)
        assert data["answer_guide"] == question.answer_guide
    # Importing the export again finds every question already in the bank.
    batch = start(people.teacher, tree.g1, content)
    assert batch.status == QuestionImport.Status.INVALID
    assert batch.duplicate_rows == 5 and "already in the bank" in batch.message
    assert {r.duplicate_of_id for r in batch.rows.all()} == {q.pk for q in questions}


def test_xlsx_bad_cells_are_named_per_row(tree, people):
    book = Workbook()
    sheet = book.active
    sheet.append(HEADER)
    sheet.append(row(answer="E"))  # no option E
    sheet.append(row(type="Đúng sai", stem="Mệnh đề?", answer="Đ,S,Đ"))
    sheet.append(row(type="Câu đố"))
    sheet.append(row(stem="Tính \\(\\frac{1}{2\\)"))  # LaTeX that does not parse
    sheet.append(row(stem="=SUM(1,2)"))
    sheet["F6"] = "=SUM(1,2)"  # a real formula cell
    sheet.append(row(stem="Chọn phân số", options=("", "", "", "")))
    sheet["G7"].value = __import__("datetime").datetime(2024, 2, 1)  # Excel turned "1/2" into a date
    sheet.append(row(type="Trả lời ngắn", answer="ba phẩy năm"))
    sheet.append(row(stem="Câu tốt"))
    buffer = io.BytesIO()
    book.save(buffer)
    batch = start(people.teacher, tree.g1, buffer.getvalue())
    found = problems(batch)
    assert "names E, which is not among the options given (A, B, C, D)" in " ".join(found["row 2"])
    assert "four marks Đ or S" in " ".join(found["row 3"])
    assert "“Câu đố” is not one of" in " ".join(found["row 4"])
    assert "cannot be read" in " ".join(found["row 5"]) and "frac{1}{2" in " ".join(found["row 5"])
    assert "spreadsheet formula" in " ".join(found["row 6"])
    assert "into a date" in " ".join(found["row 7"])
    assert "Answer:" in " ".join(found["row 8"])
    assert batch.status == QuestionImport.Status.READY and batch.new_rows == 1 and batch.error_rows == 7


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (xlsx([row()], header=["Loại", "Câu hỏi", "A", "B"]), "lacks these columns: Môn, Lớp, Chủ đề, Mức độ, Đáp án"),
        (xlsx([]), "no question rows"),
        (xlsx([row()], header=["Tên", "Lớp"]), "no header naming the columns"),
    ],
)
def test_xlsx_file_level_problems(tree, people, content, message):
    batch = start(people.teacher, tree.g1, content)
    assert batch.status == QuestionImport.Status.INVALID
    assert message in batch.message
    assert not batch.rows.exists()


def test_upload_refuses_empty_and_wrong_files(tree, people):
    with pytest.raises(Exception, match="is empty"):
        start(people.teacher, tree.g1, b"")
    with pytest.raises(Exception, match="content is not"):
        start(people.teacher, tree.g1, b"Loai;Cau hoi\n")
    with pytest.raises(Exception, match="not a Moodle XML text file"):
        start(people.teacher, tree.g1, template_xlsx(), format="moodle", name="x.xml")
    with pytest.raises(Exception, match="subject"):
        start(people.teacher, tree.g1, b"<quiz/>", format="moodle", subject="")
    with pytest.raises(Exception, match="cannot add questions"):
        start(people.teacher3, tree.g1, template_xlsx())
    assert not QuestionImport.objects.exists()


def test_duplicates_within_the_file_and_against_the_bank(tree, people):
    mine = make_question(author=people.teacher, unit=tree.g1, approved=False, stem="Câu của tôi",
                         options=[{"text": "x", "correct": True}, {"text": "y"}])  # fmt: skip
    shared = make_question(author=people.teacher2, unit=tree.g1, stem="Câu chung",
                           options=[{"text": "x", "correct": True}, {"text": "y"}])  # fmt: skip
    elsewhere = make_question(author=people.other_school, unit=tree.g3, stem="Câu trường khác",
                              options=[{"text": "x", "correct": True}, {"text": "y"}])  # fmt: skip
    content = xlsx([
        row(stem="CÂU CỦA TÔI", options=("y", "x"), answer="B"),  # other case and option order: same question
        row(stem="Câu chung", options=("x", "y")),
        row(stem="Câu trường khác", options=("x", "y")),  # not usable by the importer: not a duplicate
        row(stem="Câu mới", options=("x", "y")),
        row(stem="Câu  mới ", options=("x", "y")),
    ])  # fmt: skip
    batch = start(people.teacher, tree.g1, content)
    dup = {r.label: r for r in batch.rows.filter(action=Action.DUPLICATE)}
    assert dup["row 2"].duplicate_of == mine and dup["row 3"].duplicate_of == shared
    assert dup["row 6"].duplicate_of is None and dup["row 6"].duplicate_label == "row 5"
    assert (batch.new_rows, batch.duplicate_rows) == (2, 3)
    batch = confirm_and_apply(people.teacher, batch)
    assert set(Question.objects.filter(source="xlsx").values_list("stem", flat=True)) == {
        "Câu trường khác",
        "Câu mới",
    }
    assert elsewhere.pk


def test_all_or_nothing_unless_the_importer_skips_problems(tree, people):
    content = xlsx([row(stem="Câu tốt một"), row(answer="Z"), row(stem="Câu tốt hai")])
    batch = start(people.teacher, tree.g1, content)
    assert batch.status == QuestionImport.Status.READY and batch.error_rows == 1
    with pytest.raises(Exception, match="1 questions have problems, so nothing was imported"):
        question_import_confirm(actor=people.teacher, batch=batch)
    assert not Question.objects.exists()
    with pytest.raises(Exception, match="Only the person who uploaded"):
        question_import_confirm(actor=people.teacher2, batch=batch, skip_problems=True)
    batch = confirm_and_apply(people.teacher, batch, skip=True)
    assert batch.status == QuestionImport.Status.DONE and batch.skip_problems
    assert sorted(Question.objects.values_list("stem", flat=True)) == ["Câu tốt hai", "Câu tốt một"]
    assert list(batch.rows.filter(action=Action.ERROR).values_list("label", flat=True)) == ["row 3"]


def test_the_same_file_confirmed_twice_creates_each_question_once(tree, people):
    content = xlsx([row(stem="Câu A"), row(stem="Câu B")])
    first, second = start(people.teacher, tree.g1, content), start(people.teacher, tree.g1, content)
    confirm_and_apply(people.teacher, first)
    second = confirm_and_apply(people.teacher, second)
    assert second.created_rows == 0 and second.duplicate_rows == 2 and "nothing was imported" in second.message
    assert Question.objects.count() == 2


# --- Moodle XML ------------------------------------------------------------------------------------

PNG_1PX = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)
MOODLE = f"""<?xml version="1.0" encoding="UTF-8"?>
<quiz>
  <question type="category"><category><text>$course$/top/Đại số/Phân số</text></category></question>
  <question type="multichoice">
    <name><text>Một lựa chọn</text></name>
    <questiontext format="html"><text><![CDATA[<p>Phân số nào bằng \\(\\frac{{1}}{{2}}\\)?</p><p>Chọn &amp; trả lời</p>
      <img src="@@PLUGINFILE@@/hinh.png">]]></text>
      <file name="hinh.png" path="/" encoding="base64">{base64.b64encode(PNG_1PX).decode()}</file></questiontext>
    <generalfeedback format="html"><text>Nhân cả tử và mẫu với 2.</text></generalfeedback>
    <single>true</single>
    <answer fraction="100" format="html"><text>\\(\\frac{{2}}{{4}}\\)</text></answer>
    <answer fraction="0" format="html"><text>\\(\\frac{{1}}{{3}}\\)</text></answer>
  </question>
  <question type="multichoice">
    <name><text>Nhiều lựa chọn</text></name>
    <questiontext format="html"><text>Số nguyên tố?</text></questiontext>
    <single>false</single>
    <answer fraction="50"><text>2</text></answer><answer fraction="50"><text>3</text></answer>
    <answer fraction="-100"><text>4</text></answer>
  </question>
  <question type="truefalse"><name><text>TF</text></name>
    <questiontext format="html"><text>Trái đất tròn.</text></questiontext>
    <answer fraction="0"><text>true</text></answer><answer fraction="100"><text>false</text></answer></question>
  <question type="numerical"><name><text>Số</text></name>
    <questiontext format="html"><text>1,2 + 2,3 = ?</text></questiontext>
    <answer fraction="100"><text>3.5</text><tolerance>0.01</tolerance></answer></question>
  <question type="shortanswer"><name><text>Ngắn</text></name>
    <questiontext format="html"><text>2 + 2 = ?</text></questiontext>
    <answer fraction="100"><text>4</text></answer></question>
  <question type="essay"><name><text>Tự luận</text></name>
    <questiontext format="html"><text>Chứng minh.</text></questiontext>
    <graderinfo format="html"><text>&lt;p&gt;Đủ ý: 1 điểm&lt;/p&gt;</text></graderinfo></question>
  <question type="description"><name><text>Đọc đoạn văn</text></name>
    <questiontext format="html"><text>Đoạn văn...</text></questiontext></question>
  <question type="matching"><name><text>Đúng sai 4 ý</text></name>
    <questiontext format="html"><text>Xét các mệnh đề:</text></questiontext>
    <subquestion format="html"><text>a) 2 là số chẵn</text><answer><text>Đúng</text></answer></subquestion>
    <subquestion format="html"><text>b) 3 là số chẵn</text><answer><text>Sai</text></answer></subquestion>
    <subquestion format="html"><text>c) 4 là số chẵn</text><answer><text>True</text></answer></subquestion>
    <subquestion format="html"><text>d) 5 là số chẵn</text><answer><text>False</text></answer></subquestion>
  </question>
</quiz>
"""


def test_moodle_import_maps_every_supported_type(tree, people):
    entries = parse_moodle(MOODLE.encode(), DEFAULTS)
    assert [e.problems for e in entries] == [[]] * 8
    assert entries[6].info and entries[6].fields is None  # the description
    data = cleaned([e for e in entries if e.fields])
    assert [d["type"] for d in data] == ["single", "multiple", "single", "numeric", "numeric", "essay", "true_false"]
    first = data[0]
    assert first["stem"] == "Phân số nào bằng \\(\\frac{1}{2}\\)?\nChọn & trả lời"
    assert first["topic"] == "Phân số" and first["explanation"] == "Nhân cả tử và mẫu với 2."
    assert (first["subject"], first["grade"], first["level"]) == ("Toán", 6, 2)
    assert entries[0].image == PNG_1PX
    assert data[2]["options"] == [{"text": "Đúng", "correct": False}, {"text": "Sai", "correct": True}]
    assert (data[3]["numeric_answer"], data[3]["tolerance"]) == (Decimal("3.5"), Decimal("0.01"))
    assert data[5]["answer_guide"] == "Đủ ý: 1 điểm"
    assert [o["correct"] for o in data[6]["options"]] == [True, False, True, False]

    batch = start(people.teacher, tree.g1, MOODLE.encode(), format="moodle")
    assert (batch.new_rows, batch.error_rows, batch.total_rows) == (7, 0, 7)
    assert batch.rows.get(action=Action.INFO).errors == ["A description, not a question: skipped."]
    confirm_and_apply(people.teacher, batch)
    with_image = Question.objects.get(stem__startswith="Phân số nào")
    assert with_image.source == "moodle" and with_image.image.name.endswith(".jpg")
    with with_image.image.open("rb") as handle:
        assert handle.read(3) == b"\xff\xd8\xff"  # re-encoded: nothing but pixels


def test_moodle_round_trip(tree, people):
    questions = sample_questions(people.teacher, tree.g1)
    entries = parse_moodle(export_moodle(questions), Defaults(subject="Toán", grade=6, level=1))
    assert [e.problems for e in entries] == [[]] * 5
    for question, data in zip(questions, cleaned(entries), strict=True):
        same_content(question, data, keep_level=False)
    assert cleaned(entries)[4]["answer_guide"] == questions[4].answer_guide


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b'<?xml version="1.0"?>\n<quiz>\n  <question type="essay">\n</quiz>', "broken at line 4, column 3"),
        (b"Question 1: 1 + 1 = ?", "This file is not XML"),
        (b'<?xml version="1.0"?><html><body/></html>', "top element is <html>, not <quiz>"),
        (
            b'<?xml version="1.0"?>\n<!DOCTYPE quiz [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n'
            b"<quiz><question type='essay'><questiontext><text>&xxe;</text></questiontext></question></quiz>",
            "refused for safety",
        ),
        (
            b'<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;">]>'
            b"<quiz>&lol2;</quiz>",
            "refused for safety",
        ),
        (b"<quiz></quiz>", "holds no question"),
    ],
)
def test_moodle_bad_files_say_why(tree, people, content, message):
    with pytest.raises(ImportFileError, match=message):
        parse_moodle(content, DEFAULTS)
    batch = start(people.teacher, tree.g1, content, format="moodle")
    assert batch.status == QuestionImport.Status.INVALID and message in batch.message


def test_moodle_unknown_types_and_bad_questions_are_named(tree, people):
    content = b"""<quiz>
<question type="ddwtos"><name><text>Keo tha</text></name></question>
<question type="calculated"><name><text>Tinh</text></name></question>
<question type="shortanswer"><name><text>Chu</text></name><questiontext><text>Thu do?</text></questiontext>
  <answer fraction="100"><text>Ha Noi</text></answer></question>
<question type="matching"><name><text>Ghep</text></name><questiontext><text>Ghep</text></questiontext>
  <subquestion><text>a</text><answer><text>1</text></answer></subquestion></question>
<question type="essay"><name><text>Anh hong</text></name>
  <questiontext><text>Xem hinh</text><file name="x.png" encoding="base64">aGVsbG8=</file></questiontext></question>
<question type="essay"><name><text>Tot</text></name><questiontext><text>Viet</text></questiontext></question>
</quiz>"""
    batch = start(people.teacher, tree.g1, content, format="moodle")
    found = problems(batch)
    assert found["question 1 “Keo tha” (line 2)"][0].startswith("The Moodle question type “ddwtos” cannot be imported")
    assert "“calculated”" in found["question 2 “Tinh” (line 3)"][0]
    assert "“Ha Noi”" in found["question 3 “Chu” (line 4)"][0]
    assert "has 1 pairs" in found["question 4 “Ghep” (line 6)"][0]
    assert "is not a picture" in found["question 5 “Anh hong” (line 8)"][0]
    assert batch.new_rows == 1


# --- GIFT ---------------------------------------------------------------------------------------------

GIFT = r"""// Ngân hàng câu hỏi
$CATEGORY: $course$/top/Phân số

::Một lựa chọn:: [html]<p>Phân số nào bằng \(\frac\{1\}\{2\}\)?</p> {
=\(\frac\{2\}\{4\}\) # đúng
~\(\frac\{1\}\{3\}\)
####Nhân cả tử và mẫu với 2.
}

::Nhiều:: Số nguyên tố? {~%50%2 ~%50%3 ~%-100%4}

Trái đất tròn. {T}

::Số:: 1,2 + 2,3 \= ? {#3.5:0.01}

Khoảng {#1..2}

Viết về \(x \neq 1\)\ndòng hai {}

Mặt trời mọc ở hướng {=Đông ~Tây} mỗi sáng.

::Bốn ý:: Xét: {
=a) 2 chẵn -> Đúng
=b) 3 chẵn -> Sai
=c) 4 chẵn -> Đúng
=d) 5 chẵn -> Sai
}
"""


def test_gift_import_maps_every_form(tree, people):
    entries = parse_gift(GIFT.encode(), DEFAULTS)
    assert [e.problems for e in entries] == [[]] * 8
    data = cleaned(entries)
    assert [d["type"] for d in data] == [
        "single", "multiple", "single", "numeric", "numeric", "essay", "single", "true_false"
    ]  # fmt: skip
    assert data[0]["stem"] == "Phân số nào bằng \\(\\frac{1}{2}\\)?" and data[0]["topic"] == "Phân số"
    assert data[0]["options"][0] == {"text": "\\(\\frac{2}{4}\\)", "correct": True}
    assert data[0]["explanation"] == "Nhân cả tử và mẫu với 2."
    assert [o["correct"] for o in data[1]["options"]] == [True, True, False]
    assert data[3]["stem"] == "1,2 + 2,3 = ?" and data[3]["numeric_answer"] == Decimal("3.5")
    assert (data[4]["numeric_answer"], data[4]["tolerance"]) == (Decimal("1.5"), Decimal("0.5"))
    assert data[5]["stem"] == "Viết về \\(x \\neq 1\\)\ndòng hai"
    assert data[6]["stem"] == "Mặt trời mọc ở hướng _____ mỗi sáng."
    assert entries[0].label == "question 1 (line 4) “Một lựa chọn”"
    batch = start(people.teacher, tree.g1, GIFT.encode(), format="gift")
    assert batch.new_rows == 8
    confirm_and_apply(people.teacher, batch)
    assert Question.objects.filter(source="gift", unit=tree.g1).count() == 8


def test_gift_round_trip(tree, people):
    questions = sample_questions(people.teacher, tree.g1)
    questions[1].options[0]["text"] = "a ~ b = {c} #1 \\neq: x\nno"
    questions[1].save(update_fields=["options"])
    entries = parse_gift(export_gift(questions), Defaults(subject="Toán", grade=6, level=1))
    assert [e.problems for e in entries] == [[]] * 5
    for question, data in zip(questions, cleaned(entries), strict=True):
        same_content(question, data, keep_level=False)


def test_gift_syntax_errors_name_the_question(tree, people):
    content = (
        "Câu tốt {=a ~b}\n\n::Hai:: Thiếu ngoặc {=a ~b\n\nKhông có đáp án\n\nGhép {=a -> b =c -> d}\n\nChữ {=Hà Nội}\n"
    )
    batch = start(people.teacher, tree.g1, content.encode(), format="gift")
    found = problems(batch)
    assert found["question 2 (line 3) “Hai”"] == ["The answer block opened with { is never closed with }."]
    assert found["question 3 (line 5)"] == ["This question has no answer block { … }."]
    assert "has 2 pairs" in found["question 4 (line 7)"][0]
    assert "“Hà Nội”" in found["question 5 (line 9)"][0]
    assert batch.new_rows == 1


def test_gift_binary_or_empty_files(tree, people):
    with pytest.raises(ImportFileError, match="empty"):
        parse_gift(b"  \n", DEFAULTS)
    with pytest.raises(ImportFileError, match="binary data"):
        parse_gift(b"abc\x00def", DEFAULTS)
    with pytest.raises(ImportFileError, match="holds no question"):
        parse_gift(b"// only a comment\n", DEFAULTS)


# --- export selection ---------------------------------------------------------------------------------


def test_export_selection_follows_what_the_user_may_use(tree, people):
    mine = make_question(author=people.teacher, unit=tree.g1, approved=False, grade=7)
    shared = make_question(author=people.teacher2, unit=tree.g1, grade=6)
    make_question(author=people.teacher2, unit=tree.g1, approved=False)  # a colleague's draft
    make_question(author=people.other_school, unit=tree.g3)  # another school's
    usable = exporting.questions_for_export(user=people.teacher)
    assert set(usable) == {mine, shared}
    assert list(exporting.questions_for_export(user=people.teacher, scope="mine")) == [mine]
    assert list(exporting.questions_for_export(user=people.teacher, grade=6)) == [shared]
    assert not may_use_bank(people.student)


# --- views --------------------------------------------------------------------------------------------


def test_import_page_and_upload_through_the_view(client, tree, people, django_assert_max_num_queries):
    login(client, people.teacher)
    url = reverse("materials:question_import")
    response = client.get(url)
    assert response.status_code == 200 and b'data-testid="no-imports"' in response.content
    response = client.post(url, {"format": "xlsx", "unit": tree.g1.pk,
                                 "file": SimpleUploadedFile("cau-hoi.xlsx", template_xlsx())})  # fmt: skip
    batch = QuestionImport.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "materials:question_import_detail", args=[batch.pk]
    )
    for _i in range(3):
        start(people.teacher, tree.g1, template_xlsx())
    with django_assert_max_num_queries(8) as few:
        client.get(url)
    for _i in range(8):
        start(people.teacher, tree.g1, template_xlsx())
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(url).status_code == 200


def test_upload_form_says_what_is_missing(client, tree, people):
    login(client, people.teacher)
    response = client.post(reverse("materials:question_import"), {
        "format": "moodle", "unit": tree.g1.pk, "file": SimpleUploadedFile("q.xml", b"<quiz/>")
    })  # fmt: skip
    assert response.status_code == 200
    assert b"do not say the subject" in response.content
    response = client.post(reverse("materials:question_import"), {
        "format": "xlsx", "unit": tree.g1.pk, "file": SimpleUploadedFile("q.xlsx", b"%PDF-1.4 not a workbook")
    })  # fmt: skip
    assert b"really a PDF file" in response.content
    assert not QuestionImport.objects.exists()


def test_import_pages_refuse_wrong_roles_and_other_people(client, tree, people):
    batch = start(people.teacher, tree.g1, template_xlsx())
    detail = reverse("materials:question_import_detail", args=[batch.pk])
    confirm = reverse("materials:question_import_confirm", args=[batch.pk])
    login(client, people.student)
    assert client.get(reverse("materials:question_import")).status_code == 403
    assert client.get(reverse("materials:question_import_template")).status_code == 403
    assert client.get(reverse("materials:question_export")).status_code == 403
    assert client.get(detail).status_code == 404
    login(client, people.teacher2)
    assert client.get(detail).status_code == 404
    assert client.post(confirm, {"skip_problems": "1"}).status_code == 404
    login(client, people.teacher3)  # another group: may not add to G1
    response = client.post(reverse("materials:question_import"), {
        "format": "xlsx", "unit": tree.g1.pk, "file": SimpleUploadedFile("q.xlsx", template_xlsx())
    })  # fmt: skip
    assert response.status_code == 200 and b"is-invalid" in response.content
    client.logout()
    assert client.get(detail).status_code == 302  # to the login page
    assert QuestionImport.objects.count() == 1 and not Question.objects.exists()


def test_preview_confirm_and_result_pages(client, tree, people, django_assert_max_num_queries):
    shared = make_question(author=people.teacher2, unit=tree.g1, stem="Câu chung",
                           options=[{"text": "x", "correct": True}, {"text": "y"}])  # fmt: skip
    rows = [row(stem=f"Câu số {i}") for i in range(60)]
    rows += [row(stem="Câu chung", options=("x", "y")), row(answer="Q")]
    batch = start(people.teacher, tree.g1, xlsx(rows))
    login(client, people.teacher)
    detail = reverse("materials:question_import_detail", args=[batch.pk])
    with django_assert_max_num_queries(10):
        response = client.get(detail)
    page = response.content.decode()
    assert 'data-testid="import-ready"' in page and 'data-testid="skip-problems"' in page
    assert "names Q, which is not among the options" in page
    page = client.get(detail, {"show": "duplicates"}).content.decode()
    assert f"question #{shared.pk} of the bank" in page
    page = client.get(detail, {"show": "new", "page": 2}).content.decode()
    assert page.count('data-testid="row-create"') == 10
    # Without the tick nothing is imported, and the page says why.
    response = client.post(reverse("materials:question_import_confirm", args=[batch.pk]), follow=True)
    assert b"nothing was imported" in response.content and not Question.objects.filter(source="xlsx").exists()
    response = client.post(reverse("materials:question_import_confirm", args=[batch.pk]), {"skip_problems": "1"},
                           follow=True)  # fmt: skip
    assert b'data-testid="import-done"' in response.content
    assert Question.objects.filter(source="xlsx", author=people.teacher).count() == 60
    # A second confirmation changes nothing.
    response = client.post(reverse("materials:question_import_confirm", args=[batch.pk]), {"skip_problems": "1"},
                           follow=True)  # fmt: skip
    assert b"present state" in response.content
    assert Question.objects.filter(source="xlsx").count() == 60
    # htmx polling of a finished import asks for a full reload.
    assert client.get(detail, HTTP_HX_REQUEST="true")["HX-Refresh"] == "true"


def test_template_download_and_exports(client, tree, people, django_assert_max_num_queries):
    questions = sample_questions(people.teacher, tree.g1)
    login(client, people.teacher)
    response = client.get(reverse("materials:question_import_template"))
    assert response.status_code == 200 and response["Content-Disposition"].endswith('.xlsx"')
    url = reverse("materials:question_export")
    with django_assert_max_num_queries(6):
        response = client.get(url, {"scope": "mine"})
    assert b'data-testid="export-count"' in response.content and b"5 questions match" in response.content
    response = client.get(url, {"scope": "mine", "format": "xlsx"})
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert len(parse_xlsx(response.content)) == 5
    response = client.get(url, {"scope": "mine", "format": "moodle", "type": "essay"})
    assert response["Content-Type"].startswith("application/xml")
    (entry,) = parse_moodle(response.content, DEFAULTS)
    assert entry.fields["stem"] == questions[4].stem
    response = client.get(url, {"scope": "mine", "format": "gift"})
    assert len(parse_gift(response.content, DEFAULTS)) == 5
    assert b'data-testid="export-empty"' in client.get(url, {"subject": "Hóa học"}).content


def test_export_is_refused_when_too_large(client, tree, people, monkeypatch):
    monkeypatch.setattr(exporting, "EXPORT_MAX", 2)
    sample_questions(people.teacher, tree.g1)
    login(client, people.teacher)
    response = client.get(reverse("materials:question_export"), {"format": "xlsx"})
    assert response.status_code == 200 and b"more than 2 questions" in response.content


def test_progress_partial_polls_while_the_check_runs(client, tree, people):
    batch = QuestionImport.objects.create(
        unit=tree.g1, created_by=people.teacher, format="xlsx", original_name="a.xlsx"
    )
    login(client, people.teacher)
    response = client.get(reverse("materials:question_import_detail", args=[batch.pk]), HTTP_HX_REQUEST="true")
    page = response.content.decode()
    assert response.status_code == 200 and "HX-Refresh" not in response
    assert 'hx-trigger="every 1s"' in page and 'data-status="validating"' in page and "<html" not in page
