from types import SimpleNamespace

import pytest
from django.conf import settings as django_settings
from django.utils import translation

from units.models import Unit
from units.services import unit_create

from .celery_broker import reset_broker_pools
from .units.factories import make_unit

K = Unit.Kind


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    """Each test writes its uploads (public media and private files such as ID photos) to its own folder."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PRIVATE_ROOT = tmp_path / "private"


@pytest.fixture(autouse=True)
def _open_broker_pools():
    """Each test that publishes a task (with REDIS_URL set, tasks go to the real Redis) finds open connection
    pools: one closed by an earlier test in the same process (tests.celery_broker says how) is replaced."""
    from truonghoc.celery import app

    producers = app.amqp._producer_pool
    closed = (app._pool is not None and app._pool._closed) or (
        producers is not None and (producers._closed or producers.connections._closed)
    )
    if closed:
        reset_broker_pools(app)


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache (the test settings' memory cache, one per process): a fragment
    kept by an earlier test (truonghoc/fragments.py) must not answer for rows that test rolled back."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def partials_rendered(monkeypatch):
    """`partials_rendered(module)`: the list of the template partials (`file.html#name` → `name`) and whole
    templates (by path) that `module` renders through its `render_to_string`, filled as they are rendered: to
    see which cached fragments a page built (truonghoc/fragments.py) and which it took from the cache."""

    def watch(module) -> list[str]:
        rendered = []
        real = module.render_to_string

        def counting(name, context):
            rendered.append(name.split("#", 1)[-1])  # a partial by its name, a whole template by its path
            return real(name, context)

        monkeypatch.setattr(module, "render_to_string", counting)
        return rendered

    return watch


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts in the site's default language (Vietnamese): a page requested in English by an earlier
    test (the language cookie, activated by truonghoc.middleware) must not leak into the next test's
    messages, which services store in the language active when they are written."""
    translation.activate(django_settings.LANGUAGE_CODE)
    yield
    translation.deactivate()


@pytest.fixture
def in_english():
    """Messages compared in their English source form, whatever the catalogues say later (the Vietnamese
    text is checked for completeness by tests/truonghoc/test_i18n.py). Pages stay Vietnamese."""
    with translation.override("en"):
        yield


@pytest.fixture
def english_pages(client, in_english):
    """As in_english, and the test client's pages in English too (the language switch's cookie)."""
    client.cookies["django_language"] = "en"


@pytest.fixture
def tree(db):
    """A small country: the Ministry, two Departments, two Offices, schools, groups and classes.

    Ministry
    ├── Dept A ── Office A1 ── School S1 ── Group G1, Group G2, Class C1 (6), Class C2 (7)
    │          │            └─ School S2 ── Group G3
    │          ├─ Office A2
    │          └─ THPT school T1
    └── Dept B ── Office B1 ── School S3
    """
    ministry = unit_create(actor=None, parent=None, code="BGDDT", name="Bộ Giáo dục và Đào tạo", kind=K.MINISTRY)
    dept_a = make_unit(ministry, K.DEPARTMENT, "Sở GDĐT Hà Nam")
    dept_b = make_unit(ministry, K.DEPARTMENT, "Sở GDĐT Nam Định")
    office_a1 = make_unit(dept_a, K.OFFICE, "Phòng GDĐT Phủ Lý")
    office_a2 = make_unit(dept_a, K.OFFICE, "Phòng GDĐT Duy Tiên")
    office_b1 = make_unit(dept_b, K.OFFICE, "Phòng GDĐT Ý Yên")
    t1 = make_unit(dept_a, K.SCHOOL, "Trường THPT A Phủ Lý", school_level="thpt")
    s1 = make_unit(office_a1, K.SCHOOL, "Trường THCS Trần Phú", school_level="thcs")
    s2 = make_unit(office_a1, K.SCHOOL, "Trường THCS Tiên Tân", school_level="thcs")
    s3 = make_unit(office_b1, K.SCHOOL, "Trường THCS Yên Thắng", school_level="thcs")
    g1 = make_unit(s1, K.GROUP, "Tổ Khoa học tự nhiên")
    g2 = make_unit(s1, K.GROUP, "Tổ Khoa học xã hội")
    g3 = make_unit(s2, K.GROUP, "Tổ Ngoại ngữ")
    c1 = make_unit(s1, K.CLASS, "6A1", grade=6)
    c2 = make_unit(s1, K.CLASS, "7A1", grade=7)
    return SimpleNamespace(**{k: Unit.objects.get(pk=v.pk) for k, v in locals().items() if isinstance(v, Unit)})
