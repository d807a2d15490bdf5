"""What a complete profile is — the one check every gate reads (posting, enrolling, submitting, handing
in a product) and every button reads before the click.

The Hà Nam rule ("chỉ những tài khoản có đầy đủ thông tin mới tham gia được các tính năng") is about
teachers: until their email, phone, date of birth and a proper ID photo are in, they cannot post, enrol
or submit. Which details each account type must give is a rule per unit (ProfileRule), set by the level
above for its subtree; the nearest rule up the tree applies, and without one the defaults below do.
Students need nothing beyond what the school imported, so a newly issued student studies from day one.
"""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .models import ProfileRule, User
from .selectors import profile_rule_nearest, profile_rules_for_units

FIELDS = ProfileRule.FIELDS
LABELS = {
    "email": gettext_lazy("email"),
    "phone": gettext_lazy("phone number"),
    "date_of_birth": gettext_lazy("date of birth"),
    "photo": gettext_lazy("a proper ID photo"),
}
# Without a rule anywhere up the tree: teachers keep the photo-and-profile rule, students need nothing more.
DEFAULT_REQUIRED = {
    User.AccountType.TEACHER: FIELDS,
    User.AccountType.STUDENT: (),
}
_CACHE = "_profile_required_cache"


def absent_fields(user: User) -> tuple[str, ...]:
    """The details the person has not filled in (whether or not anyone requires them); no query."""
    absent = [f for f in FIELDS if f != "photo" and not getattr(user, f)]
    if user.photo_status != User.PhotoStatus.PROPER:
        absent.append("photo")
    return tuple(absent)


def required_fields(user: User) -> tuple[str, ...]:
    """What this person must fill in, by the rule that applies to them (one query, then kept on the object)."""
    if user.account_type not in DEFAULT_REQUIRED:
        return ()  # staff of the Ministry, Departments and Offices are not held to the school rule
    cached = getattr(user, _CACHE, None)
    if cached is None:
        rule = profile_rule_nearest(unit_id=user.unit_id, account_type=user.account_type)
        cached = rule.required if rule else DEFAULT_REQUIRED[user.account_type]
        setattr(user, _CACHE, cached)
    return cached


def prime_required_fields(users) -> None:
    """Resolve the rule for many people at once (two queries), so the checks that follow cost nothing."""
    pending = [u for u in users if u.account_type in DEFAULT_REQUIRED and getattr(u, _CACHE, None) is None]
    rules = profile_rules_for_units(unit_ids={u.unit_id for u in pending if u.unit_id})
    for user in pending:
        rule: ProfileRule | None = rules.get((user.unit_id, user.account_type))
        setattr(user, _CACHE, rule.required if rule else DEFAULT_REQUIRED[user.account_type])


def missing_profile_items(user: User) -> list[str]:
    """The labels of what the user still has to fill in (empty when nothing required is missing)."""
    absent = absent_fields(user)
    if not absent:
        return []  # a full profile satisfies every rule: no need to look the rule up
    required = required_fields(user)
    return [str(LABELS[f]) for f in absent if f in required]


def profile_is_complete(user: User) -> bool:
    return not missing_profile_items(user)


def profile_refusal(user: User, text: str | None = None) -> str:
    """Why `user` may not post, register or hand in yet, or "" when the profile is complete: `text` (a
    translated sentence with %(missing)s; by default "Please complete your profile first (…)") naming
    what is missing. The one wording of that refusal for every service and page that needs a complete
    profile."""
    missing = missing_profile_items(user)
    if not missing:
        return ""
    return (text or _("Please complete your profile first (%(missing)s).")) % {"missing": ", ".join(missing)}
