"""One-time initial credentials and the sheet that hands them out.

The scheme: each new account gets a random 10-character code from an alphabet without look-alike
characters (≈49 bits). The database keeps only HMAC-SHA256(key derived from SECRET_KEY, user id + code):
computing it costs microseconds, so issuing 45,000 accounts never runs 45,000 password hashes, and a
leaked database without the server's secret reveals nothing usable. The account's password stays
unusable; the code logs in through accounts.backends.LoginBackend, which then makes the
person choose their own password. Codes expire (settings.INITIAL_CREDENTIAL_DAYS) and stop working once
the person has set a password.

The sheet (username, name, class, code) exists only encrypted (Fernet, key derived from SECRET_KEY)
on the batch that issued it, for settings.CREDENTIAL_SHEET_HOURS or until the admin discards it;
after that the only way to hand out credentials again is to re-issue them, which is audited.
"""

import base64
import hashlib
import hmac
import json
import secrets
from datetime import timedelta

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings
from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from truonghoc.bulk import bulk_insert
from truonghoc.formatting import datetime_text
from truonghoc.xlsx import xlsx_bytes
from units.services import audit_log

from ..models import InitialCredential, IssueBatch, User

ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"  # no 0/O, 1/I/L: codes are read off paper slips
CODE_LENGTH = 10


def code_generate() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))


def code_hash(*, user_id: int, code: str) -> str:
    # Bound to the user, so the same code on two slips never gives the same hash.
    normalised = code.strip().upper().replace("-", "").replace(" ", "")
    return salted_hmac("accounts.initial-credential", f"{user_id}:{normalised}", algorithm="sha256").hexdigest()


def credential_matches(*, user: User, code: str) -> bool:
    # A code only ever opens an account that has no password of its own yet; once a password is set,
    # by the person or by an administrator, the slip is worthless.
    if user.has_usable_password():
        return False
    credential = getattr(user, "initial_credential", None)
    if credential is None or credential.used_at is not None or credential.expires_at <= timezone.now():
        return False
    return hmac.compare_digest(credential.code_hash, code_hash(user_id=user.pk, code=code))


def credentials_issue(*, users: list[User], batch: IssueBatch, fresh: bool = False) -> dict[int, str]:
    """New codes for these users (replacing any earlier ones); returns {user id: code}.

    The caller holds the transaction and audits; passwords are made unusable so an earlier password
    (perhaps known to someone else) stops working when credentials are re-issued.
    """
    now = timezone.now()
    expires = now + timedelta(days=settings.INITIAL_CREDENTIAL_DAYS)
    codes = {user.pk: code_generate() for user in users}
    if not fresh:  # accounts just made (`fresh`) have no earlier code to replace
        InitialCredential.objects.filter(user__in=[u.pk for u in users]).delete()
    bulk_insert(
        InitialCredential,
        [
            InitialCredential(
                user_id=user_id,
                code_hash=code_hash(user_id=user_id, code=code),
                batch=batch,
                issued_at=now,
                expires_at=expires,
            )
            for user_id, code in codes.items()
        ],
        batch_size=2000,
    )
    return codes


def credential_consume(*, user: User) -> None:
    """The person has set their own password: the code stops working."""
    InitialCredential.objects.filter(user=user, used_at__isnull=True).update(used_at=timezone.now())


# --- the sheet --------------------------------------------------------------------------------
def _fernet() -> Fernet:
    key = hashlib.sha256(f"accounts.credential-sheet:{settings.SECRET_KEY}".encode()).digest()
    return Fernet(base64.urlsafe_b64encode(key))


def sheet_store(*, batch: IssueBatch, rows: list[dict]) -> None:
    batch.sheet_ciphertext = _fernet().encrypt(json.dumps(rows, ensure_ascii=False).encode())
    batch.sheet_expires_at = timezone.now() + timedelta(hours=settings.CREDENTIAL_SHEET_HOURS)
    batch.save(update_fields=["sheet_ciphertext", "sheet_expires_at"])


def sheet_load(*, batch: IssueBatch) -> list[dict] | None:
    """The credential rows, or None once the sheet has expired or been discarded."""
    if not batch.sheet_available:
        return None
    try:
        return json.loads(_fernet().decrypt(bytes(batch.sheet_ciphertext)))
    except InvalidToken:
        return None  # SECRET_KEY changed since: the sheet is gone, credentials must be re-issued


@transaction.atomic
def sheet_discard(*, actor, batch: IssueBatch) -> None:
    batch.sheet_ciphertext = None
    batch.sheet_expires_at = None
    batch.save(update_fields=["sheet_ciphertext", "sheet_expires_at"])
    audit_log(actor=actor, action="credentials.sheet_discard", unit=batch.school, target=batch)


def sheet_xlsx(*, batch: IssueBatch, rows: list[dict]) -> bytes:
    """The credential list as a workbook: the one the page offers and the one the command writes."""
    return xlsx_bytes(
        title=_("Accounts and one-time credentials — %(school)s — issued %(date)s; credentials expire after first use")
        % {"school": batch.school.name, "date": datetime_text(batch.created_at)},
        header=[_("No."), _("Full name"), _("Class / group"), _("Username"), _("One-time credential")],
        rows=([n, r["full_name"], r["unit"], r["username"], r["code"]] for n, r in enumerate(rows, start=1)),
        sheet_name="Tai khoan",
    )


def sheet_downloaded(*, actor, batch: IssueBatch, form: str) -> None:
    audit_log(actor=actor, action="credentials.sheet_download", unit=batch.school, target=batch, after={"form": form})


def unusable_password() -> str:
    # The same form as make_password(None), without its slow character-by-character random string.
    return UNUSABLE_PASSWORD_PREFIX + secrets.token_urlsafe(30)


def purge_expired_sheets() -> int:
    """Erase the ciphertext of expired sheets (run daily by Celery beat)."""
    return IssueBatch.objects.filter(sheet_expires_at__lte=timezone.now()).update(
        sheet_ciphertext=None, sheet_expires_at=None
    )
