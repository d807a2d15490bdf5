"""The learning-material library at 100,000 items: search speed as a school teacher.

Target (issue #6): the library page p95 under 150 ms on PostgreSQL, a fixed number of queries. The demo
province is seeded (Ministry, Department, Offices, 141 schools), then 100,000 approved items with
realistic Vietnamese titles across subjects, grades and kinds, made by teachers of every school and
shared with their school, Office, Department or the whole country.
Usage: python bench/bench_materials.py [--items 100000] [--requests 40]
"""

import random
from datetime import timedelta

from _setup import after_bulk_load, demo_province_database, search_bench_args, search_timings, timed_bulk_load

SUBJECT_TOPICS = {
    "Toán": ["Phân số", "Số thập phân", "Hình tam giác", "Phương trình bậc hai", "Hàm số", "Tỉ lệ thức"],
    "Ngữ văn": ["Truyện Kiều", "Văn nghị luận", "Thơ lục bát", "Truyện ngắn hiện đại", "Tục ngữ, ca dao"],
    "Tiếng Anh": ["Family and friends", "My school", "Environment", "Festivals"],
    "Vật lí": ["Chuyển động thẳng đều", "Định luật Ôm", "Con lắc đơn", "Khúc xạ ánh sáng"],
    "Hóa học": ["Bảng tuần hoàn", "Phản ứng oxi hóa – khử", "Axit, bazơ, muối"],
    "Sinh học": ["Tế bào", "Quang hợp", "Di truyền học Menđen"],
    "Khoa học tự nhiên": ["Chất và sự biến đổi", "Năng lượng", "Vật sống"],
    "Lịch sử và Địa lí": ["Chiến thắng Điện Biên Phủ", "Bản đồ Việt Nam", "Khí hậu nhiệt đới gió mùa"],
    "Tin học": ["Thuật toán", "Bảng tính điện tử", "An toàn trên Internet"],
    "Công nghệ": ["Trồng trọt", "Điện dân dụng"],
    "Âm nhạc": ["Hát tập thể", "Nhạc cụ dân tộc"],
    "Giáo dục thể chất": ["Chạy cự li ngắn", "Bóng đá"],
}
KIND_WORDS = {
    "video": ["Video bài giảng", "Video thí nghiệm", "Clip"],
    "document": ["Giáo án", "Phiếu học tập", "Đề kiểm tra 15 phút", "Đề cương ôn tập", "Bài tập"],
    "image": ["Tranh minh họa", "Sơ đồ tư duy", "Ảnh tư liệu"],
    "audio": ["Bài nghe", "File ghi âm"],
    "simulation": ["Mô phỏng", "Thí nghiệm ảo"],
    "illustrative": ["Bài học minh họa"],
    "interactive": ["Bài học tương tác"],
}
KINDS = list(KIND_WORDS)
KIND_WEIGHTS = [20, 40, 12, 6, 8, 7, 7]
DESCRIPTIONS = [
    "Dùng trong tiết học trên lớp, học sinh làm việc theo nhóm.",
    "Giúp học sinh tự ôn tập ở nhà, có đáp án kèm theo.",
    "Phù hợp chương trình giáo dục phổ thông 2018.",
    "Tài liệu do tổ chuyên môn biên soạn và góp ý.",
    "Có hướng dẫn chi tiết cho giáo viên khi sử dụng.",
]
# About one item in a thousand: the "rare word" searches.
RARE = "khinh khí cầu"


def build_items(*, count: int, seed: int = 11) -> int:
    from django.db import connection
    from django.utils import timezone

    from materials.models import Material, MaterialVersion
    from materials.services.library import search_text_for
    from units.models import Role, RoleAssignment, Unit
    from units.selectors import is_below

    rng = random.Random(seed)
    ministry = Unit.objects.get(code="BGDDT")
    dept = Unit.objects.get(code="SGD-HANAM")
    offices = {o.path: o for o in Unit.objects.below(dept).filter(kind="office")}
    teachers = list(
        RoleAssignment.objects.filter(role=Role.TEACHER, unit__kind__in=["school", "group"])
        .select_related("unit", "user")
        .order_by("unit__path", "user_id")
    )
    by_school: dict[str, list] = {}
    for assignment in teachers:
        unit = assignment.unit
        school_path = unit.school_path
        by_school.setdefault(school_path, []).append(assignment)
    schools = {s.path: s for s in Unit.objects.filter(path__in=list(by_school))}
    school_paths = sorted(by_school)
    now = timezone.now()
    subjects = list(SUBJECT_TOPICS)
    batch = 5000
    made = 0
    while made < count:
        size = min(batch, count - made)
        materials, versions, shares = [], [], []
        for i in range(size):
            school_path = rng.choice(school_paths)
            assignment = rng.choice(by_school[school_path])
            school = schools[school_path]
            office = next((o for p, o in offices.items() if is_below(school_path, p)), None)
            roll = rng.random()
            shared = ministry if roll < 0.05 else dept if roll < 0.15 else office if roll < 0.35 and office else school
            kind = rng.choices(KINDS, KIND_WEIGHTS)[0]
            subject = rng.choice(subjects)
            topic = rng.choice(SUBJECT_TOPICS[subject])
            grade = rng.randint(1, 12)
            title = f"{rng.choice(KIND_WORDS[kind])}: {topic} – {subject} lớp {grade}"
            description = " ".join(rng.sample(DESCRIPTIONS, 2))
            if (made + i) % 1000 == 0:
                description += f" Hoạt động trải nghiệm {RARE}."
            approved_at = now - random.Random(made + i).random() * timedelta(days=1500)
            material = Material(
                kind=kind,
                title=title,
                subject=subject,
                grade=grade,
                topic=topic,
                author_id=assignment.user_id,
                unit=assignment.unit,
                view_count=int(rng.paretovariate(1.5) * 5),
                download_count=int(rng.paretovariate(1.5) * 2),
                created_at=approved_at,
                approved_at=approved_at,
            )
            version = MaterialVersion(
                number=1,
                title=title,
                description=f"<p>{description}</p>",
                usage_guide="<p>Giáo viên trình chiếu, học sinh thảo luận.</p>",
                status="approved",
                created_by_id=assignment.user_id,
                created_at=approved_at,
                link_url="https://phet.colorado.edu/vi/" if kind == "simulation" else "",
            )
            material.search_text = search_text_for(material, version)
            materials.append(material)
            versions.append(version)
            shares.append(shared.pk)
        Material.objects.bulk_create(materials, batch_size=batch)
        for material, version in zip(materials, versions, strict=True):
            version.material = material
        MaterialVersion.objects.bulk_create(versions, batch_size=batch)
        # The live version and the sharing come once the versions exist (the database checks that a
        # shared item has a live version), in one UPDATE per batch.
        rows = [(m.pk, v.pk, s) for m, v, s in zip(materials, versions, shares, strict=True)]
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                values = ",".join(["(%s,%s,%s)"] * len(rows))
                sql = f"UPDATE materials_material m SET live_version_id = v.vid, shared_with_id = v.sid FROM (VALUES {values}) AS v(mid, vid, sid) WHERE m.id = v.mid"  # noqa: E501, S608 - placeholders only
                cursor.execute(sql, [x for row in rows for x in row])
            else:
                cursor.executemany(
                    "UPDATE materials_material SET live_version_id = %s, shared_with_id = %s WHERE id = %s",
                    [(vid, sid, mid) for mid, vid, sid in rows],
                )
        made += size
    return made


def main() -> None:
    args = search_bench_args("items")

    from django.urls import reverse

    from units.selectors import ancestor_paths

    with demo_province_database():
        from accounts.models import User
        from materials.models import Material, MaterialVersion

        items, seconds = timed_bulk_load(lambda: build_items(count=args.items), Material, MaterialVersion)
        print(f"{items:,} items created in {seconds:.0f} s")
        teacher = User.objects.get(username="giaovien")
        school = teacher.unit if teacher.unit.kind == "school" else teacher.unit.get_parent()
        visible = Material.objects.filter(shared_with__path__in=ancestor_paths(school.path))
        print(f"items the teacher may see: {visible.count():,}")
        after_bulk_load(trigram_index="material_search_trgm")

        url = reverse("materials:library")
        searches = [
            ("browse, newest", {}),
            ("browse, most used", {"sort": "popular"}),
            ("accent-free title words", {"q": "toan lop 6 phan so"}),
            ("words swapped, accents", {"q": "phân số toán lớp 6"}),
            ("a common word", {"q": "hoc sinh"}),
            ("a rare word", {"q": "khinh khi cau"}),
            ("query, most used", {"q": "de kiem tra", "sort": "popular"}),
            ("kind filter", {"kind": "video"}),
            ("subject and grade", {"subject": "Vật lí", "grade": "10"}),
            ("nationwide only", {"sharing": "ministry"}),
            ("made in my school", {"unit": str(school.pk)}),
            ("all filters and a query", {"q": "thi nghiem", "subject": "Hóa học", "grade": "9", "kind": "video"}),
            ("no match", {"q": "khong co hoc lieu nao nhu the nay"}),
            ("page 5 of a common word", {"q": "bai", "page": "5"}),
        ]
        print("library as a school teacher (giaovien):")
        worst = search_timings(url, searches, "giaovien", args.requests)
        print(f"worst p95: {worst:.1f} ms (target < 150 ms)")


if __name__ == "__main__":
    main()
