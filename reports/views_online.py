"""The school's twice-yearly online-teaching report (issue #17, point 8): one page per report request the
school received, showing the semester's figures (generated from the data, `reports.online_report`) and
sending them as the school's submission (xlsx + PDF). Thin: permission, then the service."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from publications.permissions.requests import can_submit_report, report_recipient_for_user_or_404
from truonghoc.params import parse_int
from units.selectors import school_year_for

from .online_report import online_report, online_report_submit


def _last_ended(school) -> tuple[int, int]:
    """(first year, semester) of the latest semester that has ended for the school."""
    today = timezone.localdate()
    year = school_year_for(school, today)
    for semester in (2, 1):
        if year.semesters[semester - 1][1] < today:
            return year.first_year, semester
    return year.first_year - 1, 2


@login_required
def online_report_page(request, pk):
    recipient = report_recipient_for_user_or_404(request.user, pk)
    school = recipient.unit
    if not school.is_school or not can_submit_report(request.user, recipient):
        raise Http404
    default_year, default_semester = _last_ended(school)
    source = request.POST if request.method == "POST" else request.GET
    first = parse_int(source.get("year"), default=default_year, minimum=2000, maximum=2100)
    semester = parse_int(source.get("semester"), default=default_semester, minimum=1, maximum=2)
    year = f"{first}-{first + 1}"
    if request.method == "POST":
        try:
            made = online_report_submit(actor=request.user, recipient=recipient, school_year=year, semester=semester)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect(f"{request.path}?year={first}&semester={semester}")
        messages.success(
            request,
            _("The online teaching report was sent to %(issuer)s as versions %(versions)s.")
            % {"issuer": recipient.request.issuer.name, "versions": ", ".join(str(s.version) for s in made)},
        )
        return redirect("publications:recipient", recipient.pk)
    report = problem = None
    try:
        report = online_report(school=school, school_year=year, semester=semester)
    except ValidationError as exc:
        problem = " ".join(exc.messages)
    return render(
        request,
        "reports/online_report.html",
        {
            "recipient": recipient,
            "report": report,
            "problem": problem,
            "first": first,
            "semester": semester,
            "years": range(default_year - 2, default_year + 2),
        },
    )
