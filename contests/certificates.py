"""Certificates of contests (issue #18, point 4): issued with the awards, printed as PDF, checked by anyone.

- Each award brings one certificate per person (every member of a team gets their own), with a
  verification code of 10 characters from Crockford's base-32 alphabet (no I, L, O or U: nothing to
  misread), printed as XXXXX-XXXXX beside its short address `/cuoc-thi/xac-minh/<code>/` — no QR code.
  50 bits of randomness: guessing a valid code is hopeless, and the page answers 404 for every wrong one.
- Codes are read forgivingly (lower case, spaces, dashes, O for 0, I and L for 1).
- The public page shows the name, the contest, the prize and the date: nothing more personal.
- PDFs are printed by WeasyPrint with the DejaVu fonts, as the grade book's (gradebook.printing).
"""

import re
import secrets
from functools import cache
from pathlib import Path

from django.template.loader import render_to_string
from django.utils import timezone

from truonghoc.formatting import date_text

from .models import Award, Certificate, Registration, TeamMember
from .permissions_judging import results_out

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_LENGTH = 10
_CODE = re.compile(rf"^[{ALPHABET}]{{{CODE_LENGTH}}}$")
_READ_AS = str.maketrans({"O": "0", "I": "1", "L": "1"})
CSS_FILE = Path(__file__).resolve().parent / "print_css" / "certificate.css"
TEMPLATE = "contests/judging/certificate_print.html"


def new_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))


def normal_code(text) -> str | None:
    """The stored form of a code as someone typed it, or None when it cannot be one (then no query)."""
    if not isinstance(text, str) or len(text) > 40:
        return None
    cleaned = re.sub(r"[\s\-]", "", text).upper().translate(_READ_AS)
    return cleaned if _CODE.match(cleaned) else None


def shown_code(code: str) -> str:
    return f"{code[:5]}-{code[5:]}"


def certificates_issue(*, awards: list[Award]) -> list[Certificate]:
    """A certificate per person of each award (the caller's transaction). Two queries and one insert."""
    registrations = {
        r.pk: r
        for r in Registration.objects.filter(pk__in={a.entry.registration_id for a in awards}).select_related("team")
    }
    members: dict[int, list[int]] = {}
    for team_id, user_id in TeamMember.objects.filter(
        team_id__in=[r.team_id for r in registrations.values() if r.team_id]
    ).values_list("team_id", "user_id"):
        members.setdefault(team_id, []).append(user_id)
    used, rows = set(), []
    for award in awards:
        registration = registrations[award.entry.registration_id]
        people = members.get(registration.team_id, []) if registration.team_id else [registration.user_id]
        for user_id in people:
            code = new_code()
            while code in used:
                code = new_code()
            used.add(code)
            rows.append(
                Certificate(
                    kind=Certificate.Kind.AWARD, award=award, registration=registration, user_id=user_id, code=code
                )
            )
    # A clash with a stored code (one chance in 10^15 per pair) makes the unique index refuse the insert.
    return Certificate.objects.bulk_create(rows, batch_size=1000)


def _public_rows():
    return Certificate.objects.select_related(
        "user", "award", "award__round", "registration__contest", "registration__contest__organiser"
    )


def certificate_by_code(text) -> Certificate | None:
    """The certificate a code names, if its results are out (before that it does not exist for the public)."""
    code = normal_code(text)
    if code is None:
        return None
    certificate = _public_rows().filter(code=code).first()
    if certificate is None:
        return None
    if certificate.award_id and certificate.award.round_id and not results_out(certificate.award.round):
        return None
    return certificate


def certificate_facts(certificate: Certificate) -> dict:
    """What the public page and the PDF show of a certificate."""
    contest = certificate.registration.contest
    award = certificate.award
    return {
        "name": certificate.user.full_name,
        "contest": contest.title,
        "organiser": contest.organiser.name,
        "round": award.round.title if award and award.round_id else "",
        "prize": award.get_prize_display() if award else "",
        "date": date_text(timezone.localtime(certificate.issued_at).date()),
        "code": shown_code(certificate.code),
    }


def certificate_text(certificate: Certificate, facts: dict, school: str) -> str:
    """The contest's certificate text with {name}, {school}, {prize}, {contest} filled in (plain replacement:
    the organiser's text is not a format string)."""
    text = certificate.registration.contest.certificate_template or ""
    for key, value in (("name", facts["name"]), ("school", school), ("prize", facts["prize"]),
                       ("contest", facts["contest"])):  # fmt: skip
        text = text.replace("{" + key + "}", value)
    return text


@cache
def _stylesheet():
    from weasyprint import CSS  # imported on use: loading pango takes a while

    return CSS(filename=str(CSS_FILE))


def certificate_pdf(certificate: Certificate, *, verify_url: str) -> bytes:
    from weasyprint import HTML

    facts = certificate_facts(certificate)
    school = certificate.registration.school.name
    context = {
        **facts,
        "school": school,
        "text": certificate_text(certificate, facts, school),
        "verify_url": verify_url,
    }
    html = render_to_string(TEMPLATE, context)
    return HTML(string=html, base_url=str(CSS_FILE.parent)).write_pdf(stylesheets=[_stylesheet()])


def certificates_of(user) -> list[Certificate]:
    """A person's certificates whose results are out, newest first (the achievements page)."""
    rows = _public_rows().filter(user=user).order_by("-issued_at", "-pk")[:200]
    return [c for c in rows if not (c.award_id and c.award.round_id and not results_out(c.award.round))]
