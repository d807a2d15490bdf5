"""The library pages: the catalogue (search, filters and sorts kept in the URL so a link can be shared),
an item's page with its preview, the file behind a preview, downloads, and the files of an HTML5
simulation package.

A package is someone's HTML and scripts: its files are served with `Content-Security-Policy: sandbox
allow-scripts`, so the browser gives them an opaque origin (no cookies, no access to the portal's pages
even when opened directly), and shown in `<iframe sandbox="allow-scripts">`. Because a sandboxed page
sends no cookies with its own requests (its scripts, images), the package's address carries a signed,
expiring token given to those who may see the item, instead of relying on the session.
"""

import os
import posixpath
import zipfile

from django import forms
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.db.models import F
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.clickjacking import xframe_options_sameorigin

from truonghoc import fragments
from truonghoc.forms import BootstrapFormMixin
from truonghoc.replica import reads_from_replica
from truonghoc.softdelete import alive_q
from truonghoc.storage import file_response
from truonghoc.text import search_text
from truonghoc.uploads import family_of, human_size

from ..forms import search_field
from ..models import Kind, Material, MaterialVersion
from ..permissions import maker_unit_paths, material_for_user_or_404
from ..selectors import library as selectors

VIEWED_SESSION_KEY = "materials_viewed"
# Enough for the items one person opens in a session; older ones may count again.
VIEWED_REMEMBERED = 500
PACKAGE_SALT = "materials.package"
PACKAGE_TOKEN_AGE = 12 * 3600
PACKAGE_ENTRY = "index.html"
# The largest single file served out of a package (the upload checks bound the package as a whole).
PACKAGE_MEMBER_MAX = 50 * 1024 * 1024
# What a package file may be served as; anything else is refused, so nothing is served under a type
# the browser would guess.
PACKAGE_TYPES = {
    "html": "text/html; charset=utf-8",
    "htm": "text/html; charset=utf-8",
    "js": "text/javascript; charset=utf-8",
    "mjs": "text/javascript; charset=utf-8",
    "css": "text/css; charset=utf-8",
    "json": "application/json",
    "txt": "text/plain; charset=utf-8",
    "svg": "image/svg+xml",
    "png": "image/png",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "gif": "image/gif",
    "webp": "image/webp",
    "ico": "image/x-icon",
    "mp3": "audio/mpeg",
    "wav": "audio/wav",
    "ogg": "audio/ogg",
    "mp4": "video/mp4",
    "webm": "video/webm",
    "woff": "font/woff",
    "woff2": "font/woff2",
    "ttf": "font/ttf",
    "wasm": "application/wasm",
}
INLINE_FAMILIES = ("video", "pdf", "image", "audio")


class LibraryFilterForm(BootstrapFormMixin, forms.Form):
    q = search_field(_("e.g. toan lop 6 phan so"))
    subject = forms.ChoiceField(label=_("Subject"), required=False)
    grade = forms.TypedChoiceField(label=_("Grade"), required=False, coerce=int, empty_value=None)
    kind = forms.ChoiceField(label=_("Kind"), required=False, choices=[("", _("All kinds")), *Kind.choices])
    unit = forms.TypedChoiceField(label=_("Made in"), required=False, coerce=int, empty_value=None)
    sharing = forms.ChoiceField(
        label=_("Shared"), required=False, choices=[("", _("Any level")), *selectors.Sharing.CHOICES]
    )
    sort = forms.ChoiceField(label=_("Sort by"), required=False, choices=selectors.Sort.CHOICES)

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.units = {unit.pk: unit for unit in units}
        self.fields["unit"].choices = [("", _("Any unit"))] + [(u.pk, u.name) for u in units]
        self.fields["grade"].choices = [("", _("All grades"))] + [(g, str(g)) for g in selectors.GRADES]
        subjects = list(selectors.SUBJECTS)
        chosen = (self.data.get("subject") or "").strip() if self.is_bound else ""
        if chosen and chosen not in subjects and len(chosen) <= 100:
            subjects.append(chosen)  # a subject named in a shared link is kept, even if not listed
        self.fields["subject"].choices = [("", _("All subjects"))] + [(s, s) for s in subjects]


@login_required
@reads_from_replica
def library(request):
    user = request.user
    units = selectors.library_units(user=user, chosen=request.GET.get("unit"))
    form = LibraryFilterForm(request.GET or None, units=units)
    page = None
    if not request.GET or form.is_valid():
        data = form.cleaned_data if request.GET else {}
        items = selectors.library_search(
            user=user,
            q=data.get("q") or "",
            subject=data.get("subject") or "",
            grade=data.get("grade"),
            kind=data.get("kind") or "",
            unit=form.units.get(data.get("unit")),
            sharing=data.get("sharing") or "",
            sort=data.get("sort") or selectors.Sort.NEWEST,
        )
        page = selectors.library_page(items, number=selectors.page_number(request.GET.get("page")))
    searching = any(request.GET.get(name) for name in ("q", "subject", "grade", "kind", "unit", "sharing"))
    # Those who may add materials get the way to their own (the library itself lists only approved ones).
    context = {"form": form, "page": page, "searching": searching, "may_create": bool(maker_unit_paths(user))}
    # The form and the cards are the page's costly parts (six selects' options and twenty cards through the
    # template engine); each is kept in the cache under everything it shows, so it is never stale (a view or
    # a download changes a count, hence the key) and people who may see different items get different keys.
    context["form_html"] = fragments.shared(
        "materials-library-form",
        lambda: render_to_string("materials/library.html#search-form", context),
        _form_inputs(request, form),
        searching,
    )
    if page is not None:
        context["results_html"] = fragments.shared(
            "materials-library-cards",
            lambda: render_to_string("materials/library.html#results", context),
            tuple(_card_inputs(item) for item in page.items),
            searching,
            context["may_create"],
        )
    return render(request, "materials/library.html", context)


def _form_inputs(request, form: LibraryFilterForm) -> tuple:
    """What the rendered form shows: the values typed (or none: an unbound form) and the units offered (the
    subjects offered and the errors follow from these)."""
    typed = tuple((name, tuple(request.GET.getlist(name))) for name in form.fields) if form.is_bound else None
    return typed, tuple((pk, unit.name) for pk, unit in form.units.items())


def _card_inputs(item: Material) -> tuple:
    """Everything a library card shows of its item."""
    return (
        item.pk,
        item.kind,
        item.title,
        item.subject,
        item.grade,
        item.unit.name,
        item.author.full_name,
        item.sharing,
        bool(item.live_version_id),
        item.view_count,
        item.download_count,
        item.approved_at,
        item.created_at,
        item.updated_at,
    )


# --- an item's page --------------------------------------------------------------------------


def _count_view_once(request, material: Material) -> None:
    """One view per person per item per session; an F() update so simultaneous views all count and
    the item's "last changed" date stays as it was."""
    viewed = request.session.get(VIEWED_SESSION_KEY, [])
    if material.pk in viewed:
        return
    Material.objects.filter(pk=material.pk).update(view_count=F("view_count") + 1)
    material.view_count += 1
    request.session[VIEWED_SESSION_KEY] = [*viewed, material.pk][-VIEWED_REMEMBERED:]


def _file_family(version: MaterialVersion | None) -> str:
    if version is None or not version.file:
        return ""
    name = version.file_name or version.file.name
    return family_of(os.path.splitext(name)[1])


def preview_mode(material: Material, version: MaterialVersion | None) -> str:
    """How the page shows the item: a player, a viewer, a sandboxed package, a link, or nothing."""
    if version is None:
        return ""
    if material.kind == Kind.SIMULATION:
        if version.file and os.path.splitext(version.file_name or version.file.name)[1].lower() == ".zip":
            return "package"
        return "link" if version.link_url else ""
    family = _file_family(version)
    if family in INLINE_FAMILIES:
        return family
    return "link" if version.link_url else ""


def package_token(version: MaterialVersion) -> str:
    return signing.TimestampSigner(salt=PACKAGE_SALT).sign(str(version.pk))


@login_required
def detail(request, pk: int):
    material = material_for_user_or_404(request.user, pk)
    version = selectors.shown_version(material)
    _count_view_once(request, material)
    mode = preview_mode(material, version)
    _level, sharing_label = selectors.sharing_of(material)
    context = {
        "material": material,
        "version": version,
        "is_live": version is not None and version.pk == material.live_version_id,
        "mode": mode,
        "icon": selectors.KIND_ICONS.get(material.kind, "bi-file-earmark"),
        "sharing_label": sharing_label,
        "file_size": human_size(version.file_size) if version and version.file else "",
        "uses": selectors.used_items(user=request.user, version=version) if version else [],
        "package_url": (
            reverse("materials:package_file", args=[material.pk, package_token(version), PACKAGE_ENTRY])
            if mode == "package"
            else ""
        ),
        "is_author": material.author_id == request.user.pk,
    }
    return render(request, "materials/detail.html", context)


# --- files -----------------------------------------------------------------------------------


def _file_of(user, pk) -> tuple[Material, MaterialVersion]:
    material = material_for_user_or_404(user, pk)
    version = selectors.shown_version(material)
    if version is None or not version.file:
        raise Http404
    return material, version


def _file_response(request, version: MaterialVersion, *, attachment: bool):
    name = version.file_name or version.file.name.rsplit("/", 1)[-1]
    return file_response(version.file, name=name, inline=not attachment, request=request, cache="private, max-age=3600")


@login_required
@xframe_options_sameorigin  # PDFs are shown in an <iframe> of the item's page
def file(request, pk: int):
    """The file behind a preview (video, PDF, image, audio), shown in the page; players seek by ranges."""
    material, version = _file_of(request.user, pk)
    if preview_mode(material, version) not in INLINE_FAMILIES:
        raise Http404
    return _file_response(request, version, attachment=False)


@login_required
def download(request, pk: int):
    material, version = _file_of(request.user, pk)
    response = _file_response(request, version, attachment=True)
    # Counted when the file is handed out; an F() update so simultaneous downloads all count.
    Material.objects.filter(pk=material.pk).update(download_count=F("download_count") + 1)
    return response


def safe_member_name(name: str) -> str | None:
    """The package member a URL path names, or None for anything that could leave the package:
    absolute paths, drive letters, backslashes, `..` or `.` segments, control characters."""
    if not name or len(name) > 500 or name.startswith("/") or "\\" in name or ":" in name:
        return None
    if any(ord(ch) < 32 for ch in name):
        return None
    parts = name.split("/")
    if any(part in ("", ".", "..") for part in parts):
        return None
    if posixpath.normpath(name) != name:
        return None
    return name


@never_cache
@xframe_options_sameorigin  # framed by the item's page; the sandbox below keeps it from reaching it
def package_file(request, pk: int, token: str, name: str):
    """One file of a simulation package, for whoever holds a fresh token from the item's page."""
    try:
        version_pk = int(signing.TimestampSigner(salt=PACKAGE_SALT).unsign(token, max_age=PACKAGE_TOKEN_AGE))
    except (signing.BadSignature, ValueError) as exc:
        raise Http404 from exc
    member = safe_member_name(name)
    extension = os.path.splitext(member or "")[1].lower().lstrip(".")
    if member is None or extension not in PACKAGE_TYPES:
        raise Http404
    version = MaterialVersion.objects.filter(
        alive_q("material__"), pk=version_pk, material_id=pk, material__kind=Kind.SIMULATION
    ).first()
    if version is None or not version.file:
        raise Http404
    try:
        with version.file.open("rb") as handle, zipfile.ZipFile(handle) as archive:
            info = archive.getinfo(member)
            if info.is_dir() or info.file_size > PACKAGE_MEMBER_MAX:
                raise Http404
            data = archive.read(info)
    except (KeyError, FileNotFoundError, zipfile.BadZipFile, zipfile.LargeZipFile, OSError) as exc:
        raise Http404 from exc
    response = HttpResponse(data, content_type=PACKAGE_TYPES[extension])
    # An opaque origin: the package's scripts run, but cannot read the portal's cookies or pages.
    response["Content-Security-Policy"] = "sandbox allow-scripts"
    response["X-Content-Type-Options"] = "nosniff"
    response["Referrer-Policy"] = "no-referrer"
    return response


USES_RESULTS = 8


@login_required
def uses_search(request):
    """The lesson form's finder (htmx): approved items matching what was typed, each with a button that
    adds its number to the "items this lesson uses" field."""
    query = search_text(request.GET.get("q"))
    items = []
    if selectors.search_words(query):
        found = selectors.library_search(user=request.user, q=query).filter(live_version__isnull=False)
        items = selectors.library_page(found, size=USES_RESULTS).items
    return render(request, "materials/_uses_results.html", {"items": items, "query": query})


urlpatterns = [
    path("", library, name="library"),
    path("tim-de-dung/", uses_search, name="uses_search"),
    path("<id:pk>/", detail, name="detail"),
    path("<id:pk>/tep/", file, name="file"),
    path("<id:pk>/tai-ve/", download, name="download"),
    path("<id:pk>/goi/<str:token>/<path:name>", package_file, name="package_file"),
]
