"""Pages of the online-teaching records (issue #17, point 5): the record of a school, a group or a teacher
for a school year, the archive asked from it (progress polled by htmx) and its download. Thin: permission
(teaching.permissions.can_view_record), then teaching.records / teaching.archive."""

from functools import partial

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from gradebook.services import current_school_year
from truonghoc.params import parse_int
from truonghoc.storage import file_response
from units.models import Unit
from units.services import audit_export

from . import archive as archives
from .models import RecordArchive
from .permissions import can_view_record
from .records import record_of


def _year(request, school: Unit) -> str:
    default = current_school_year(school)
    first = parse_int(request.GET.get("year"), default=int(default[:4]), minimum=2000, maximum=2100)
    return f"{first}-{first + 1}"


def _record_page(request, *, school: Unit, group: Unit | None = None, teacher=None):
    if not can_view_record(request.user, school=school, group=group, teacher=teacher):
        raise Http404
    year = _year(request, school)
    if request.method == "POST":
        try:
            archives.archive_request(actor=request.user, school=school, school_year=year, group=group, teacher=teacher)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        except PermissionDenied as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("The archive is being built; this page shows when it is ready."))
        return redirect(f"{request.path}?year={year[:4]}")
    record = record_of(school=school, school_year=year, group=group, teacher=teacher)
    found = RecordArchive.objects.filter(school=school, school_year=year, group=group, teacher=teacher)
    first = int(year[:4])
    return render(
        request,
        "teaching/record.html",
        {
            "record": record,
            "year": year,
            "previous": first - 1,
            "next": first + 1,
            "archives": list(found.select_related("created_by")[:10]),
        },
    )


@login_required
def school_record(request, school_id):
    school = get_object_or_404(Unit, pk=school_id, kind__in=Unit.SCHOOL_KINDS)
    return _record_page(request, school=school)


@login_required
def group_record(request, group_id):
    group = get_object_or_404(Unit.objects.select_related(None), pk=group_id, kind=Unit.Kind.GROUP)
    school = get_object_or_404(Unit, path=group.school_path)
    return _record_page(request, school=school, group=group)


@login_required
def teacher_record(request, school_id, user_id):
    school = get_object_or_404(Unit, pk=school_id, kind__in=Unit.SCHOOL_KINDS)
    teacher = get_object_or_404(get_user_model(), pk=user_id)
    return _record_page(request, school=school, teacher=teacher)


def _archive_or_404(user, pk) -> RecordArchive:
    archive = get_object_or_404(RecordArchive.objects.select_related("school", "group", "teacher"), pk=pk)
    if not can_view_record(user, school=archive.school, group=archive.group, teacher=archive.teacher):
        raise Http404
    return archive


@login_required
def archive_status(request, pk):
    """The archive's line (htmx polls it while it is being built)."""
    archive = _archive_or_404(request.user, pk)
    return render(request, "teaching/record.html#archive-row", {"archive": archive})


@login_required
def archive_download(request, pk):
    archive = _archive_or_404(request.user, pk)
    if archive.status != RecordArchive.Status.READY or not archive.file:
        raise Http404
    name = archive.file.name.rsplit("/", 1)[-1]
    audit = partial(
        audit_export, actor=request.user, kind="teaching_records", unit=archive.group or archive.school, target=archive
    )
    # The zip is streamed from storage (never read whole); the download is audited like every export.
    audit(filename=name, rows=archive.file_count)
    return file_response(archive.file, name=name)
