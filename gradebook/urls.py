from django.urls import path

app_name = "gradebook"

urlpatterns: list = []

# --- the grid part: entering marks like a spreadsheet, and the class book overview ---
from . import views_grid  # noqa: E402

urlpatterns += [
    path("lop/<id:class_id>/hk<int:semester>/", views_grid.class_book, name="class_book"),
    path("lop/<id:class_id>/hk<int:semester>/<str:subject>/", views_grid.grid, name="grid"),
    path("lop/<id:class_id>/hk<int:semester>/<str:subject>/luu/", views_grid.cell_save, name="cell_save"),
]
