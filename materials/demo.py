"""Questions and tests for the demo province, made through the services as people would: a teacher
writes questions of "Phân số – Toán 6" at every cognitive level and of every type, the group leader and
the principal approve them, and the teacher publishes a practice test and a blueprint exam for the demo
student's class, so `hocsinh` finds tests on the home page and `giaovien` finds a bank to build from."""

from datetime import timedelta

from django.utils import timezone

from accounts.models import User
from approvals.services import group_reviewers, school_reviewers
from units.models import Role, RoleAssignment, Unit

from .models import Question, Quiz
from .services import questions as bank
from .services import quizzes

SUBJECT = "Toán"
GRADE = 6
PRACTICE_TITLE = "Luyện tập: Phân số (Toán 6)"
EXAM_TITLE = "Kiểm tra 15 phút: Phân số (Toán 6)"

# (topic, level, type, stem, options / numeric answer, explanation)
QUESTIONS = [
    (
        "Phân số",
        1,
        "single",
        r"Phân số nào bằng \(\dfrac{1}{2}\)?",
        [
            ("\\(\\dfrac{2}{4}\\)", True),
            ("\\(\\dfrac{2}{3}\\)", False),
            ("\\(\\dfrac{1}{3}\\)", False),
            ("\\(\\dfrac{3}{4}\\)", False),
        ],
        r"Nhân cả tử và mẫu của \(\dfrac{1}{2}\) với 2 được \(\dfrac{2}{4}\).",
    ),
    (
        "Phân số",
        1,
        "single",
        r"Trong phân số \(\dfrac{3}{7}\), số 7 được gọi là gì?",
        [("Mẫu số", True), ("Tử số", False), ("Thương", False), ("Số bị chia", False)],
        "Số viết dưới gạch ngang là mẫu số.",
    ),
    (
        "Phân số",
        1,
        "true_false",
        r"Cho phân số \(\dfrac{6}{8}\). Xét tính đúng sai của các ý sau.",
        [
            (r"\(\dfrac{6}{8} = \dfrac{3}{4}\)", True),
            (r"\(\dfrac{6}{8} > 1\)", False),
            (r"Phân số tối giản của \(\dfrac{6}{8}\) là \(\dfrac{3}{4}\)", True),
            (r"\(\dfrac{6}{8} = 0{,}8\)", False),
        ],
        r"\(\dfrac{6}{8} = \dfrac{3}{4} = 0{,}75 < 1\).",
    ),
    (
        "Phân số",
        2,
        "multiple",
        r"Những phân số nào lớn hơn \(\dfrac{1}{2}\)?",
        [
            (r"\(\dfrac{3}{5}\)", True),
            (r"\(\dfrac{2}{5}\)", False),
            (r"\(\dfrac{5}{8}\)", True),
            (r"\(\dfrac{1}{4}\)", False),
        ],
        r"So sánh với \(\dfrac{1}{2}\): \(\dfrac{3}{5} = 0{,}6\), \(\dfrac{5}{8} = 0{,}625\).",
    ),
    (
        "Phân số",
        2,
        "single",
        r"Rút gọn phân số \(\dfrac{12}{18}\) được:",
        [
            (r"\(\dfrac{2}{3}\)", True),
            (r"\(\dfrac{3}{4}\)", False),
            (r"\(\dfrac{4}{6}\)", False),
            (r"\(\dfrac{6}{9}\)", False),
        ],
        r"ƯCLN(12, 18) = 6, nên \(\dfrac{12}{18} = \dfrac{2}{3}\).",
    ),
    ("Phân số", 2, "numeric", r"Viết phân số \(\dfrac{3}{4}\) dưới dạng số thập phân.", "0,75", r"\(3 : 4 = 0{,}75\)."),
    (
        "Phép tính với phân số",
        1,
        "single",
        r"Kết quả của \(\dfrac{1}{5} + \dfrac{2}{5}\) là:",
        [
            (r"\(\dfrac{3}{5}\)", True),
            (r"\(\dfrac{3}{10}\)", False),
            (r"\(\dfrac{2}{25}\)", False),
            (r"\(\dfrac{1}{5}\)", False),
        ],
        "Cộng hai phân số cùng mẫu: cộng các tử, giữ nguyên mẫu.",
    ),
    (
        "Phép tính với phân số",
        2,
        "numeric",
        r"Tính \(\dfrac{1}{2} + \dfrac{1}{3}\) (làm tròn đến hàng phần trăm).",
        "0,83",
        r"\(\dfrac{1}{2} + \dfrac{1}{3} = \dfrac{5}{6} \approx 0{,}83\).",
    ),
    (
        "Phép tính với phân số",
        2,
        "single",
        r"Kết quả của \(\dfrac{2}{3} \cdot \dfrac{9}{4}\) là:",
        [
            (r"\(\dfrac{3}{2}\)", True),
            (r"\(\dfrac{11}{7}\)", False),
            (r"\(\dfrac{18}{7}\)", False),
            (r"\(\dfrac{8}{27}\)", False),
        ],
        r"\(\dfrac{2 \cdot 9}{3 \cdot 4} = \dfrac{18}{12} = \dfrac{3}{2}\).",
    ),
    (
        "Phép tính với phân số",
        3,
        "single",
        "Một lớp có 36 học sinh, trong đó \\(\\dfrac{2}{3}\\) số học sinh thích bóng đá. "
        "Có bao nhiêu học sinh thích bóng đá?",
        [("24", True), ("12", False), ("18", False), ("27", False)],
        r"\(36 \cdot \dfrac{2}{3} = 24\).",
    ),
    (
        "Phép tính với phân số",
        3,
        "numeric",
        "Một bể nước đầy chứa 600 lít. Người ta dùng hết \\(\\dfrac{3}{8}\\) bể. Còn lại bao nhiêu lít nước?",
        "375",
        r"\(600 \cdot \left(1 - \dfrac{3}{8}\right) = 600 \cdot \dfrac{5}{8} = 375\) (lít).",
    ),
    (
        "Phép tính với phân số",
        4,
        "essay",
        "Bạn An đọc một cuốn sách trong ba ngày. Ngày thứ nhất đọc \\(\\dfrac{1}{3}\\) cuốn sách, ngày thứ hai đọc "
        "\\(\\dfrac{2}{5}\\) số trang còn lại, ngày thứ ba đọc nốt 72 trang. Hỏi cuốn sách có bao nhiêu trang? "
        "Trình bày lời giải.",
        None,
        r"Sau ngày 1 còn \(\dfrac{2}{3}\); ngày 2 đọc \(\dfrac{2}{5} \cdot \dfrac{2}{3} = \dfrac{4}{15}\); ngày 3 đọc "
        r"\(1 - \dfrac{1}{3} - \dfrac{4}{15} = \dfrac{6}{15} = \dfrac{2}{5}\) cuốn, tức 72 trang; cuốn sách có "
        r"\(72 : \dfrac{2}{5} = 180\) trang.",
    ),
]


def _approve(question: Question) -> None:
    for reviewers, step in (
        (group_reviewers, bank.question_approve_group),
        (school_reviewers, bank.question_approve_school),
    ):
        reviewer = next((u for u in reviewers(question) if u.pk != question.author_id), None)
        if reviewer is None:
            return
        step(actor=reviewer, question=question)
        question.refresh_from_db()


def seed_demo_tests(*, teacher: User | None, student: User | None) -> int:
    """Idempotent: nothing is added when the demo tests exist already. Returns how many rows it made."""
    if teacher is None or Quiz.objects.filter(title__in=[PRACTICE_TITLE, EXAM_TITLE]).exists():
        return 0
    where = (
        RoleAssignment.objects.filter(user=teacher, role=Role.TEACHER)
        .select_related("unit")
        .order_by("-unit__depth")
        .first()
    )
    if where is None:
        return 0
    unit = where.unit
    made = []
    for topic, level, kind, stem, answer, explanation in QUESTIONS:
        fields = {"type": kind, "stem": stem, "subject": SUBJECT, "grade": GRADE, "topic": topic, "level": level}
        if kind == "numeric":
            fields["numeric_answer"] = answer
        elif kind == "essay":
            fields["answer_guide"] = "Lập luận đúng từng ngày (6 điểm), kết quả 180 trang (4 điểm)."
        else:
            fields["options"] = [{"text": text, "correct": correct} for text, correct in answer]
        question = bank.question_create(actor=teacher, unit=unit, explanation=explanation, **fields)
        bank.question_submit(actor=teacher, question=question)
        _approve(question)
        made.append(question)
    student_class = (
        RoleAssignment.objects.filter(user=student, role=Role.STUDENT, unit__kind=Unit.Kind.CLASS)
        .select_related("unit")
        .first()
        if student is not None
        else None
    )
    if student_class is None:
        return len(made)
    now = timezone.now()
    # Both tests are the same teacher's, in the same subject and grade, for the student's class.
    made_for = {"actor": teacher, "unit": unit, "subject": SUBJECT, "grade": GRADE, "classes": [student_class.unit]}
    practice = quizzes.quiz_create(
        **made_for,
        title=PRACTICE_TITLE,
        mode=Quiz.Mode.PRACTICE,
        selection=Quiz.Selection.MANUAL,
        instructions="Làm bao nhiêu lần cũng được; mỗi câu có nút Kiểm tra để xem đáp án và lời giải.",
        closes_at=now + timedelta(days=60),
        max_attempts=5,
    )
    for question in made[:8]:
        quizzes.quiz_question_add(actor=teacher, quiz=practice, question=question)
    quizzes.quiz_publish(actor=teacher, quiz=practice)
    exam = quizzes.quiz_create(
        **made_for,
        title=EXAM_TITLE,
        mode=Quiz.Mode.EXAM,
        selection=Quiz.Selection.BLUEPRINT,
        instructions="Mỗi học sinh nhận một đề rút ngẫu nhiên theo ma trận; bài tự nộp khi hết giờ.",
        time_limit=15,
        closes_at=now + timedelta(days=7),
    )
    quizzes.blueprint_set(
        actor=teacher,
        quiz=exam,
        rows=[("Phân số", 1, 2), ("Phân số", 2, 2), ("Phép tính với phân số", 2, 1), ("Phép tính với phân số", 3, 1)],
    )
    quizzes.quiz_publish(actor=teacher, quiz=exam)
    return len(made) + 2
