"""The letters archive at 100,000 letters: search speed as a school teacher and as Department staff.

Target (issue #7): the archive page p95 under 150 ms, a fixed number of queries. The demo province is
seeded (Ministry, Department, Offices, 141 schools), then 100,000 issued letters from the Ministry, the
Department and the Offices with realistic subjects, bodies and recipients (≈2 million recipient rows).
Usage: python bench/bench_letters.py [--letters 100000] [--requests 40]
"""

import random
from datetime import date, timedelta

from _setup import after_bulk_load, demo_province_database, search_bench_args, search_timings, timed_bulk_load

ACTIONS = [
    "hướng dẫn thực hiện",
    "triển khai",
    "tổ chức",
    "báo cáo kết quả",
    "tăng cường công tác",
    "kiểm tra",
    "tổng kết",
    "góp ý dự thảo",
    "đôn đốc thực hiện",
    "tập huấn",
    "rà soát",
    "chấn chỉnh",
]
TOPICS = [
    "kế hoạch năm học",
    "nhiệm vụ giáo dục trung học",
    "thi chọn học sinh giỏi cấp tỉnh",
    "tuyển sinh vào lớp 10",
    "chuyển đổi số trong giáo dục",
    "phòng chống dịch bệnh trong trường học",
    "an toàn giao thông cho học sinh",
    "bồi dưỡng thường xuyên giáo viên",
    "đánh giá ngoài và kiểm định chất lượng",
    "sách giáo khoa lớp 6 theo chương trình mới",
    "công tác y tế trường học",
    "phổ cập giáo dục, xóa mù chữ",
    "thu chi đầu năm học",
    "hội khỏe Phù Đổng",
    "giáo dục STEM",
    "xây dựng trường đạt chuẩn quốc gia",
    "thi tốt nghiệp trung học phổ thông",
    "phòng cháy chữa cháy",
    "công tác thi đua khen thưởng",
    "bảo hiểm y tế học sinh",
]
# Appear in one letter in about a thousand: the "rare word" searches.
RARE = ["tảo biển", "khinh khí cầu", "đàn bầu"]
SENTENCES = [
    "Căn cứ Luật Giáo dục năm 2019 và các văn bản hướng dẫn thi hành.",
    "Thực hiện chỉ đạo của Ủy ban nhân dân tỉnh về nhiệm vụ trọng tâm của ngành.",
    "Đề nghị thủ trưởng các đơn vị nghiêm túc triển khai, báo cáo kết quả đúng thời hạn.",
    "Trong quá trình thực hiện, nếu có vướng mắc, các đơn vị phản ánh về phòng chuyên môn để được hướng dẫn.",
    "Các trường xây dựng kế hoạch cụ thể, phân công cán bộ phụ trách và bố trí kinh phí hợp lý.",
    "Báo cáo gửi qua hệ thống trước ngày 30 hằng tháng, bản giấy có chữ ký và đóng dấu.",
    "Nhà trường phối hợp với cha mẹ học sinh và chính quyền địa phương để tổ chức hiệu quả.",
    "Giáo viên chủ nhiệm tuyên truyền tới học sinh và cha mẹ học sinh.",
    "Kết quả thực hiện là căn cứ đánh giá thi đua cuối năm học của đơn vị.",
    "Sở Giáo dục và Đào tạo sẽ tổ chức kiểm tra việc thực hiện tại một số đơn vị.",
]
SIGNERS = [("Nguyễn Văn Thành", "Giám đốc"), ("Trần Thị Hoa", "Phó Giám đốc"), ("Lê Minh Đức", "Trưởng phòng")]


def school_year(year: int) -> str:
    return f"{year}-{year + 1}"


def build_letters(*, count: int, seed: int = 7) -> tuple[int, int]:
    """Bulk-create `count` issued letters and their recipients; returns (letters, recipient rows)."""
    from django.db import connection
    from django.utils import timezone

    from publications.models import Letter, LetterRecipient
    from publications.services.letters import _search_text
    from units.models import Unit
    from units.selectors import is_below
    from units.services import bulk_copy_rows

    rng = random.Random(seed)
    ministry = Unit.objects.get(code="BGDDT")
    dept = Unit.objects.get(code="SGD-HANAM")
    offices = list(Unit.objects.below(dept).filter(kind="office").order_by("path"))
    schools = list(Unit.objects.below(dept).filter(kind="school").order_by("path"))
    schools_of = {o.pk: [s for s in schools if is_below(s.path, o.path)] for o in offices}
    dept_schools = [s for s in schools if s.depth == dept.depth + 1]  # THPT schools under the Department
    symbols = {ministry.pk: "BGDĐT-GDTrH", dept.pk: "SGDĐT-GDTrH"} | {o.pk: f"PGDĐT-{o.code}" for o in offices}
    numbers: dict[tuple[int, int], int] = {}
    now = timezone.now()
    letters, recipients_of = [], []
    for i in range(count):
        roll = rng.random()
        issuer = ministry if roll < 0.1 else dept if roll < 0.4 else rng.choice(offices)
        year = rng.randint(2015, 2025)
        issued_on = date(year, 1, 1) + timedelta(days=rng.randint(0, 364))
        numbers[issuer.pk, year] = number = numbers.get((issuer.pk, year), 0) + 1
        topic = rng.choice(TOPICS)
        subject = f"V/v {rng.choice(ACTIONS)} {topic} {school_year(year if issued_on.month >= 8 else year - 1)}"
        body = " ".join(rng.sample(SENTENCES, 4))
        if i % 1000 == 0:
            body += f" Hoạt động trải nghiệm {rng.choice(RARE)} dành cho học sinh."
        signer, title = rng.choice(SIGNERS)
        letter = Letter(
            issuer=issuer,
            number=number,
            symbol=symbols[issuer.pk],
            year=year,
            issued_on=issued_on,
            subject=subject,
            signer_name=signer,
            signer_title=title,
            body=f"<p>{body}</p>",
            status=Letter.Status.ISSUED,
            is_public=(roll < 0.05) if issuer.pk == ministry.pk else rng.random() < 0.05,
            issued_at=now,
            created_at=now,
        )
        letter.search_text = _search_text(letter)
        letters.append(letter)
        if issuer.pk == ministry.pk:
            units = [dept]
        elif issuer.pk == dept.pk:
            # Most Department letters go to the Offices and THPT schools; one in five to every school.
            units = offices + dept_schools if rng.random() < 0.8 else offices + schools
        else:
            units = schools_of[issuer.pk]
        recipients_of.append(units)
    batch = 5000
    rows = 0
    for start in range(0, len(letters), batch):
        chunk = Letter.objects.bulk_create(letters[start : start + batch], batch_size=batch)
        pending = [
            (letter.pk, unit.pk, now)
            for letter, units in zip(chunk, recipients_of[start : start + batch], strict=True)
            for unit in units
        ]
        if connection.vendor == "postgresql":
            bulk_copy_rows(model=LetterRecipient, columns=["letter_id", "unit_id", "added_at"], rows=pending)
        else:
            LetterRecipient.objects.bulk_create(
                [LetterRecipient(letter_id=a, unit_id=b, added_at=c) for a, b, c in pending], batch_size=10000
            )
        rows += len(pending)
    return len(letters), rows


def main() -> None:
    args = search_bench_args("letters")

    from django.urls import reverse

    from units.models import Unit

    with demo_province_database():
        from publications.models import Letter, LetterRecipient

        # The recipients' (unit, letter) index answers "letters sent to my units" without the table.
        (letters, rows), seconds = timed_bulk_load(lambda: build_letters(count=args.letters), Letter, LetterRecipient)
        print(f"{letters:,} letters and {rows:,} recipient rows created in {seconds:.0f} s")
        after_bulk_load(trigram_index="letter_search_trgm")

        sample = Letter.objects.filter(issuer__code="SGD-HANAM").order_by("-issued_on").first()
        office = Unit.objects.below(sample.issuer).filter(kind="office").order_by("path").first()
        url = reverse("letters:archive")
        searches = [
            ("browse, no query", {}),
            ("accent-free common phrase", {"q": "ke hoach nam hoc"}),
            ("words swapped", {"q": "nam hoc kế hoạch"}),
            ("a number", {"q": str(sample.number)}),
            ("number and symbol", {"q": f"{sample.number}/SGDĐT"}),
            ("a rare word", {"q": "tao bien"}),
            ("a common word", {"q": "truong"}),
            ("subject words", {"q": "phong chong dich truong hoc"}),
            ("issuer by name", {"q": f"{office.name} tuyen sinh"}),
            ("issuer filter and year", {"issuer": str(sample.issuer_id), "year": "2022"}),
            ("date range", {"date_from": "2020-09-01", "date_to": "2020-12-31", "q": "kiem tra"}),
            ("no match", {"q": "khong co cong van nao nhu the nay"}),
            ("page 5 of a common word", {"q": "hoc sinh", "page": "5"}),
        ]
        worst = 0.0
        for username, who in (("giaovien", "school teacher"), ("so", "Department staff")):
            print(f"archive as {who} ({username}):")
            worst = max(worst, search_timings(url, searches, username, args.requests))
        print(f"worst p95: {worst:.1f} ms (target < 150 ms)")


if __name__ == "__main__":
    main()
