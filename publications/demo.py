"""News for the demo province, written, sent and approved through the services as people would: the
Ministry's, the Department's, the demo Office's and the demo school's, each dated some days back, so
every demo home page shows the news of its own units and of the units above them (and a neighbouring
school's teacher does not see the demo school's)."""

from dataclasses import dataclass
from datetime import timedelta

from django.utils import timezone

from accounts.models import User
from units.models import Unit
from units.selectors import parent_path

from .models import Article
from .services.news import article_backdate, article_create, article_review, article_submit


@dataclass(frozen=True)
class DemoArticle:
    level: str  # which unit writes it: "ministry", "department", "office" or "school"
    author: str  # which demo login writes it
    days_ago: float
    title: str  # "{unit}" is the writing unit's name
    summary: str
    body: str


# Newest first. The demo school's newest article and the Department's newest come before the rest, so the
# three articles of a home page's news card show both to the demo school's people.
ARTICLES = (
    DemoArticle(
        "school",
        "giaovien",
        1.2,
        "Giáo viên Toán {unit} chia sẻ chuyên đề “Dạy học phân số qua trò chơi”",
        "Tiết dạy minh họa ở lớp 6 cho thấy học sinh hứng thú hơn khi luyện quy đồng, so sánh phân số bằng "
        "trò chơi tiếp sức; bài học và phiếu bài tập đã được đăng lên hệ thống.",
        "<p>Trong buổi sinh hoạt chuyên môn tuần này, các thầy cô dạy Toán đã dự tiết dạy minh họa “So sánh "
        "phân số” ở lớp 6. Học sinh chia thành bốn đội, lần lượt quy đồng mẫu số và xếp các phân số theo thứ "
        "tự.</p><p>Sau tiết dạy, các thầy cô đã góp ý về cách chia nhóm, thời gian từng hoạt động và cách "
        "đánh giá thường xuyên bằng bảng kiểm. Bài học, phiếu bài tập và video tiết dạy được chia sẻ trên hệ "
        "thống để các thầy cô tham khảo.</p>",
    ),
    DemoArticle(
        "department",
        "so",
        3.1,
        "{unit} tập huấn dạy học trực tuyến cho cán bộ quản lý và giáo viên",
        "Hơn 300 cán bộ quản lý, giáo viên cốt cán các trường THCS, THPT trong tỉnh tham gia tập huấn sử "
        "dụng hệ thống Trường học kết nối trong dạy học và sinh hoạt chuyên môn.",
        "<p>Thực hiện kế hoạch chuyển đổi số trong giáo dục, Sở tổ chức tập huấn trực tuyến về tổ chức dạy "
        "học, kiểm tra đánh giá và sinh hoạt chuyên môn trên hệ thống Trường học kết nối.</p>"
        "<p>Các đơn vị cử giáo viên cốt cán tham gia và tổ chức tập huấn lại tại trường trước ngày 30 của "
        "tháng; kết quả báo cáo về Sở qua hệ thống.</p>",
    ),
    DemoArticle(
        "ministry",
        "bo",
        5.3,
        "Bộ GDĐT hướng dẫn đẩy mạnh chuyển đổi số trong dạy và học năm học mới",
        "Các Sở GDĐT chỉ đạo nhà trường khai thác hệ thống Trường học kết nối để đổi mới sinh hoạt chuyên "
        "môn, xây dựng kho học liệu số và ngân hàng câu hỏi dùng chung.",
        "<p>Bộ Giáo dục và Đào tạo đề nghị các Sở GDĐT tiếp tục đẩy mạnh ứng dụng công nghệ thông tin, "
        "chuyển đổi số trong dạy học và quản lý.</p><p>Trọng tâm năm học: đổi mới sinh hoạt chuyên môn "
        "theo nghiên cứu bài học, xây dựng học liệu số, bài giảng điện tử và ngân hàng câu hỏi; bảo đảm an "
        "toàn thông tin và dữ liệu cá nhân của học sinh.</p>",
    ),
    DemoArticle(
        "office",
        "phong",
        8.4,
        "{unit} tổ chức sinh hoạt chuyên môn cụm trường môn Toán THCS",
        "Giáo viên Toán các trường THCS trong thành phố dự chuyên đề “Dạy học giải quyết vấn đề qua bài toán "
        "thực tế” và trao đổi kinh nghiệm ra đề theo ma trận.",
        "<p>Buổi sinh hoạt chuyên môn cụm trường gồm hai tiết dạy minh họa và phần thảo luận về xây dựng đề "
        "kiểm tra theo ma trận bốn mức độ nhận thức.</p><p>Tài liệu và biên bản được đăng trên không gian "
        "của Phòng để giáo viên các trường tham khảo.</p>",
    ),
    DemoArticle(
        "school",
        "hieutruong",
        11.6,
        "{unit} ra mắt câu lạc bộ STEM cho học sinh khối 6, 7",
        "Câu lạc bộ sinh hoạt chiều thứ Năm hằng tuần; buổi đầu tiên học sinh tự làm xe chạy bằng sức gió "
        "từ vật liệu tái chế.",
        "<p>Nhằm phát triển năng lực vận dụng kiến thức vào thực tiễn, nhà trường thành lập câu lạc bộ STEM "
        "do các thầy cô tổ Khoa học tự nhiên phụ trách.</p><p>Học sinh khối 6, 7 đăng kí với giáo viên chủ "
        "nhiệm; các sản phẩm tiêu biểu sẽ được trưng bày trong ngày hội STEM cuối học kì.</p>",
    ),
    DemoArticle(
        "department",
        "so",
        16.2,
        "{unit} hoàn thành cấp tài khoản Trường học kết nối cho giáo viên, học sinh",
        "Các trường đã cấp tài khoản theo định mức được giao; Sở đề nghị các đơn vị rà soát ảnh đại diện "
        "đúng quy định và hồ sơ cá nhân của giáo viên.",
        "<p>Đến nay các trường trong tỉnh đã cấp tài khoản cho giáo viên và học sinh trên hệ thống.</p>"
        "<p>Sở đề nghị các đơn vị hoàn thiện hồ sơ, ảnh đại diện đúng quy định và theo dõi số liệu tham gia "
        "trên trang thống kê của đơn vị.</p>",
    ),
)


def seed_demo_news(*, ministry: Unit, department: Unit, office: Unit | None, school: Unit | None) -> int:
    """Idempotent: an article already written by its unit (same title) is not written again. The demo logins
    write them (bo, so, phong, hieutruong, giaovien) and the managers of the unit above approve them; a
    level without its unit or its people is left out. A fixed number of queries (about fifty per article,
    savepoints included, whatever the size of the province); a second run costs two."""
    units = {"ministry": ministry, "department": department, "office": office, "school": school}
    people = {u.username: u for u in User.objects.filter(username__in={a.author for a in ARTICLES})}
    wanted = [
        (spec, units[spec.level], spec.title.format(unit=units[spec.level].name))
        for spec in ARTICLES
        if units[spec.level] is not None and spec.author in people
    ]
    existing = set(
        Article.objects.filter(unit__in=[unit for _s, unit, _t in wanted], title__in=[t for _s, _u, t in wanted])
        .values_list("unit_id", "title")
    )  # fmt: skip
    # The managers of the unit directly above approve; the Ministry approves its own.
    reviewer_of = {ministry.pk: people.get("bo"), department.pk: people.get("bo")}
    if office is not None:
        reviewer_of[office.pk] = people.get("so")
    if school is not None:
        under_office = office is not None and parent_path(school.path) == office.path
        reviewer_of[school.pk] = people.get("phong" if under_office else "so")
    now = timezone.now()
    made = 0
    for spec, unit, title in reversed(wanted):  # the oldest first, as they were written
        reviewer = reviewer_of.get(unit.pk)
        if (unit.pk, title) in existing or reviewer is None:
            continue
        article = article_create(
            actor=people[spec.author], unit=unit, title=title, summary=spec.summary, body=spec.body
        )
        article_submit(actor=people[spec.author], article=article)
        article_review(actor=reviewer, article=article, approve=True)
        article_backdate(actor=None, article=article, published_at=now - timedelta(days=spec.days_ago))
        made += 1
    return made
