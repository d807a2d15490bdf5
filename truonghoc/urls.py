from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.static import serve

from portal import views

from . import health, metrics

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("metrics", metrics.metrics, name="metrics"),
    path("tro-giup/", include("portal.urls_help", namespace="help")),
    path("tai-khoan/", include("allauth.urls")),
    path("ho-so/", include("accounts.urls")),
    path("don-vi/", include("units.urls")),
    path("thong-bao/", include("notifications.urls")),
    path("so-lieu/", include("reports.urls")),
    path("bao-cao/", include("publications.urls")),
    path("cong-van/", include("publications.urls_letters", namespace="letters")),
    path("tin-tuc/", include("publications.urls_news", namespace="news")),
    path("dien-dan/", include("forums.urls")),
    path("khoa-hoc/", include("courses.urls")),
    path("hoc-lieu/", include("materials.urls")),
    path("so-diem/", include("gradebook.urls")),
    path("ke-hoach-day-hoc/", include("teaching.urls")),
    path("cuoc-thi/", include("contests.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("quan-tri/", admin.site.urls),
]

if settings.DEBUG:
    # Development only; in production the web server serves /media/ (private files go through views).
    urlpatterns += [path("media/<path:path>", serve, {"document_root": settings.MEDIA_ROOT})]
