from django.urls import path

app_name = "gradebook"

urlpatterns: list = []

# --- print: the class book, report cards, the semester summary (issue #16, point 7) ---
from . import views_print  # noqa: E402

urlpatterns += [
    path("lop/<int:pk>/in/", views_print.class_print, name="class_print"),
    path("lop/<int:pk>/so-goi-ten-ghi-diem.pdf", views_print.class_book_pdf, name="class_book_pdf"),
    path("lop/<int:pk>/so-goi-ten-ghi-diem.xlsx", views_print.class_book_xlsx, name="class_book_xlsx"),
    path("lop/<int:pk>/phieu-bao-diem.pdf", views_print.report_cards_pdf, name="report_cards_pdf"),
    path(
        "truong/<int:pk>/tong-hop/hk<int:semester>.<str:fmt>",
        views_print.semester_summary,
        name="semester_summary",
    ),
]
