"""Reads for the account lifecycle: one account's roles, transfers and history; a school's transfers;
the schools a person may be transferred to. Each costs a fixed number of queries."""

from django.contrib.contenttypes.models import ContentType
from django.db.models import Case, Count, F, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery, Value, When

from truonghoc.text import fold
from units.models import AuditEntry, Role, RoleAssignment, Unit
from units.selectors import ancestor_paths, at_or_above_q, in_subtree_q, parent_path, people_holding

from .models import CredentialRequest, Guardianship, IssueBatch, ProfileRule, QuotaRequest, TransferRequest, User

K = Unit.Kind
_TRANSFER_RELATED = ("user", "from_school", "to_school", "requested_by", "decided_by")


def pending_transfers_to(*, school: Unit) -> QuerySet[TransferRequest]:
    """Transfers waiting for the receiving school's answer, oldest first."""
    return (
        TransferRequest.objects.filter(to_school=school, status=TransferRequest.Status.PENDING)
        .select_related(*_TRANSFER_RELATED)
        .order_by("created_at", "id")
    )


def pending_transfers_from(*, school: Unit) -> QuerySet[TransferRequest]:
    """Transfers the school has sent that are still waiting, oldest first."""
    return (
        TransferRequest.objects.filter(from_school=school, status=TransferRequest.Status.PENDING)
        .select_related(*_TRANSFER_RELATED)
        .order_by("created_at", "id")
    )


def decided_transfers_of_school(*, school: Unit, limit: int = 20) -> list[TransferRequest]:
    """The latest decided transfers into or out of the school."""
    return list(
        TransferRequest.objects.filter(Q(to_school=school) | Q(from_school=school))
        .exclude(status=TransferRequest.Status.PENDING)
        .select_related(*_TRANSFER_RELATED)
        .order_by("-decided_at", "-id")[:limit]
    )


def transfers_of(*, account: User) -> QuerySet[TransferRequest]:
    """Every transfer of one person, newest first."""
    return (
        TransferRequest.objects.filter(user=account).select_related(*_TRANSFER_RELATED).order_by("-created_at", "-id")
    )


def account_roles(*, account: User) -> QuerySet[RoleAssignment]:
    return RoleAssignment.objects.filter(user=account).select_related("unit").order_by("unit__path", "role")


def account_history(*, account: User) -> QuerySet[AuditEntry]:
    """Audit entries about one person (issued, deactivated, transferred, roles…), newest first."""
    return (
        AuditEntry.objects.filter(target_type=ContentType.objects.get_for_model(User), target_id=str(account.pk))
        .select_related("actor", "unit")
        .order_by("-created_at", "-id")
    )


def school_classes(*, school: Unit) -> QuerySet[Unit]:
    """The active classes of a school, by grade then name."""
    return Unit.objects.children(school, kinds=[K.CLASS]).filter(is_active=True).order_by("grade", "name_folded")


def school_groups(*, school: Unit) -> QuerySet[Unit]:
    return Unit.objects.children(school, kinds=[K.GROUP]).filter(is_active=True).order_by("name_folded")


def placements_for(*, school: Unit, account_type: str) -> QuerySet[Unit]:
    """Where a person arriving at the school may be placed: a group for a teacher, a class for a student."""
    if account_type == User.AccountType.TEACHER:
        return school_groups(school=school)
    return school_classes(school=school)


def current_classes(*, student: User) -> list[Unit]:
    if student.unit is None:
        return []
    return list(
        Unit.objects.below(student.unit)
        .filter(role_assignments__user=student, role_assignments__role=Role.STUDENT, kind=K.CLASS)
        .order_by("grade", "name_folded")
    )


def transfer_destinations(*, query: str, exclude: Unit | None = None, limit: int = 20) -> list[tuple[Unit, str]]:
    """Active schools matching a code or a name typed with or without accents, each with the name of
    the unit above it (there are many "Trường THCS Trần Phú"). Exact codes come first. Two queries."""
    query = query.strip()
    if not query:
        return []
    folded = fold(query)
    schools = (
        Unit.objects.filter(kind__in=[K.SCHOOL, K.UNIVERSITY], is_active=True)
        .filter(Q(code__iexact=query) | Q(name_folded__contains=folded))
        .annotate(exact=Case(When(code__iexact=query, then=Value(0)), default=Value(1), output_field=IntegerField()))
        .order_by("exact", "name_folded", "path")
    )
    if exclude is not None:
        schools = schools.exclude(pk=exclude.pk)
    schools = list(schools[:limit])
    parents = dict(Unit.objects.filter(path__in={parent_path(s.path) for s in schools}).values_list("path", "name"))
    return [(s, parents.get(parent_path(s.path), "")) for s in schools]


# --- the school's account list, batches and quota requests ---------------------------------
def school_accounts(
    *,
    school: Unit,
    account_type: str = "",
    unit_id: int | None = None,
    status: str = "active",
    photo_status: str = "",
    query: str = "",
) -> QuerySet[User]:
    """A school's accounts, filtered, sorted by given name; each carries `memberships` (its class or
    group) prefetched, so a page of 50 costs the same queries as a page of 5."""
    qs = User.objects.filter(unit=school)
    if account_type:
        qs = qs.filter(account_type=account_type)
    if status == "active":
        qs = qs.filter(is_active=True)
    elif status == "inactive":
        qs = qs.filter(is_active=False)
    if photo_status:
        qs = qs.filter(photo_status=photo_status)
    if unit_id:
        qs = qs.filter(role_assignments__unit_id=unit_id)
    if query:
        folded = fold(query)
        qs = qs.filter(
            Q(name_folded__contains=folded) | Q(username__icontains=query.strip()) | Q(national_id=query.strip())
        )
    memberships = RoleAssignment.objects.filter(unit__kind__in=[Unit.Kind.CLASS, Unit.Kind.GROUP]).select_related(
        "unit"
    )
    return (
        qs.distinct()
        .order_by("name_sort", "pk")
        .prefetch_related(Prefetch("role_assignments", queryset=memberships, to_attr="memberships"))
    )


def school_account_counts(*, school: Unit) -> dict[str, dict[str, int]]:
    """{account type: {"active": n, "inactive": n}}: active counts are the figures the reports use."""
    counts: dict[str, dict[str, int]] = {t: {"active": 0, "inactive": 0} for t in User.AccountType.values}
    for row in User.objects.filter(unit=school).values("account_type", "is_active").annotate(n=Count("id")):
        counts.setdefault(row["account_type"], {"active": 0, "inactive": 0})[
            "active" if row["is_active"] else "inactive"
        ] = row["n"]
    return counts


def school_units(*, school: Unit) -> QuerySet[Unit]:
    return Unit.objects.children(school, kinds=[Unit.Kind.CLASS, Unit.Kind.GROUP]).order_by("kind", "grade", "name")


def batches_of(*, school: Unit) -> QuerySet[IssueBatch]:
    return IssueBatch.objects.filter(school=school).select_related("created_by").defer("sheet_ciphertext")


def quota_requests_of(*, school: Unit) -> QuerySet[QuotaRequest]:
    return QuotaRequest.objects.filter(school=school).select_related("requested_by", "decided_by")


def quota_request_waiting_for(*, batch: IssueBatch) -> QuotaRequest | None:
    """The request for more places made from this import and not yet decided, if any."""
    return (
        QuotaRequest.objects.filter(batch=batch, status=QuotaRequest.Status.PENDING)
        .select_related("requested_by")
        .first()
    )


def quota_requests_for_decider(*, user, status: str = "") -> QuerySet[QuotaRequest]:
    """Requests from schools whose quota this user sets (their parent is inside the user's scope)."""
    from units.permissions import Action, scope

    reach = scope(user, Action.MANAGE_ACCOUNTS)
    qs = QuotaRequest.objects.select_related("school", "requested_by", "decided_by", "batch")
    if not reach.everything:
        # The decider's scope must contain the school's parent, i.e. be strictly above the school.
        query = Q(pk__in=[])
        for prefix in reach.prefixes:
            query |= in_subtree_q(prefix, "school", include_self=False)
        qs = qs.filter(query)
    if status:
        qs = qs.filter(status=status)
    return qs


def school_admins(*, school: Unit) -> QuerySet[User]:
    """The active admins of a school: who is told about its transfers and quota decisions."""
    return people_holding(roles=[Role.SCHOOL_ADMIN], units=school)


def credential_requests_of(*, school: Unit, status: str = "") -> QuerySet[CredentialRequest]:
    """The requests to re-issue credentials a school has received (one status, or all), waiting ones
    first and oldest first among them, then the answered ones newest first; one query a page."""
    qs = CredentialRequest.objects.filter(school=school).select_related(
        "account", "requested_by__unit", "decided_by", "batch"
    )
    if status:
        qs = qs.filter(status=status)
    waiting_first = Case(When(status=CredentialRequest.Status.PENDING, then=Value(0)), default=Value(1))
    return qs.order_by(waiting_first, F("decided_at").desc(nulls_first=True), "created_at", "id")


def credential_request_waiting(*, account: User) -> CredentialRequest | None:
    """The request about this account still waiting for its school, if any."""
    return (
        CredentialRequest.objects.filter(account=account, status=CredentialRequest.Status.PENDING)
        .select_related("requested_by")
        .first()
    )


def class_students(*, school_class: Unit) -> list[User]:
    """The active students of a class, sorted by given name."""
    return list(
        User.objects.filter(
            role_assignments__unit=school_class, role_assignments__role=Role.STUDENT, is_active=True
        ).order_by("name_sort")
    )


def classes_students(*, class_ids) -> dict[int, list[User]]:
    """{class id: its active students sorted by given name, as `class_students`} for many classes in one
    query (a class without students is absent)."""
    found: dict[int, list[User]] = {}
    for assignment in (
        RoleAssignment.objects.filter(unit_id__in=list(class_ids), role=Role.STUDENT, user__is_active=True)
        .select_related("user")
        .order_by("user__name_sort", "user_id")
    ):
        found.setdefault(assignment.unit_id, []).append(assignment.user)
    return found


# --- Profile rules: which details each account type must fill in ---------------------------------------


def profile_rule_nearest(*, unit_id: int | None, account_type: str) -> ProfileRule | None:
    """The rule set nearest above (or at) the unit for that account type, or None (one query)."""
    if unit_id is None:
        return None
    return (
        ProfileRule.objects.filter(at_or_above_q(unit_id), account_type=account_type).order_by("-unit__depth").first()
    )


def profile_rules_for_units(*, unit_ids) -> dict[tuple[int, str], ProfileRule]:
    """For many units at once (two queries): {(unit id, account type): the nearest rule}."""
    if not unit_ids:
        return {}
    paths = dict(Unit.objects.filter(pk__in=list(unit_ids)).values_list("pk", "path"))
    wanted = {p for path in paths.values() for p in ancestor_paths(path)}
    by_path: dict[tuple[str, str], ProfileRule] = {}
    for rule in ProfileRule.objects.filter(unit__path__in=list(wanted)).annotate(unit_path=F("unit__path")):
        by_path[(rule.unit_path, rule.account_type)] = rule
    found = {}
    for unit_id, path in paths.items():
        for account_type in (User.AccountType.TEACHER, User.AccountType.STUDENT):
            for ancestor in reversed(ancestor_paths(path)):
                rule = by_path.get((ancestor, account_type))
                if rule is not None:
                    found[(unit_id, account_type)] = rule
                    break
    return found


def profile_rules_at(*, unit: Unit) -> dict[str, dict]:
    """For the rule page of a unit, per account type: the rule set here (or None), and the rule that applies
    from above when there is none here (or None: the default applies). Two queries."""
    rules = (
        ProfileRule.objects.filter(unit__path__in=ancestor_paths(unit.path))
        .select_related("unit", "updated_by")
        .order_by("-unit__depth")
    )
    result = {t: {"here": None, "above": None} for t, _label in ProfileRule.ACCOUNT_TYPES}
    for rule in rules:
        slot = result[rule.account_type]
        if rule.unit_id == unit.pk:
            slot["here"] = rule
        elif slot["above"] is None:
            slot["above"] = rule
    return result


def account_for_login(login: str) -> User | None:
    """The one account a typed login names (its username or its email, any case), or None.

    Both the login backend and the failure limit ask this, so "gv.tranphu" and "GV@example.edu.vn"
    are one account for both: one password check, one failure counter."""
    login = (login or "").strip()
    if not login:
        return None
    # Usernames never hold "@" and emails are unique (ACCOUNT_UNIQUE_EMAIL): at most one match each way;
    # an exact username match wins over an email one.
    matches = list(
        User.objects.filter(Q(username__iexact=login) | Q(email__iexact=login)).select_related("initial_credential")[:2]
    )
    matches.sort(key=lambda user: user.username.lower() != login.lower())
    return matches[0] if matches else None


def rollovers_of(*, school_ids, to_year: str) -> dict:
    """School id → its rollover to `to_year` (not undone), for the schools that have one; one query."""
    from .models import Rollover

    rows = Rollover.objects.filter(school_id__in=school_ids, to_year=to_year, undone_at__isnull=True)
    return {row.school_id: row for row in rows.select_related("applied_by")}


def rolled_over_count(*, schools, to_year: str) -> int:
    """How many of `schools` (a queryset of units) rolled over to `to_year`; one query."""
    from .models import Rollover

    return Rollover.objects.filter(school__in=schools, to_year=to_year, undone_at__isnull=True).count()


def schools_by_rollover(*, schools, to_year: str, done: bool):
    """`schools` (a queryset of units) narrowed to those that rolled over to `to_year` (done) or not yet; the
    test is a subquery, so the list stays one query whatever the number of schools."""
    from django.db.models import Exists, OuterRef

    from .models import Rollover

    rolled = Rollover.objects.filter(school=OuterRef("pk"), to_year=to_year, undone_at__isnull=True)
    return schools.filter(Exists(rolled)) if done else schools.exclude(Exists(rolled))


# --- parents (issue #17) ------------------------------------------------------------------------------


def guardians_of(*, child) -> QuerySet:
    """The current links of a student to their parents, with the parent accounts (one query)."""
    return Guardianship.objects.filter(child=child, ended_at__isnull=True).select_related("parent").order_by("id")


def children_of(*, parent) -> list:
    """A parent's current links to their active children, each child with its school, `class_name` (its
    class now) and `homeroom_name` (that class's homeroom teacher), in the order they were linked: one
    query however many children."""
    classes = RoleAssignment.objects.filter(
        user_id=OuterRef("child_id"), role=Role.STUDENT, unit__kind=Unit.Kind.CLASS, unit__is_active=True
    ).order_by("-created_at", "-id")
    return list(
        Guardianship.objects.filter(parent_id=parent.pk, ended_at__isnull=True, child__is_active=True)
        .select_related("child__unit")
        .annotate(
            class_name=Subquery(classes.values("unit__name")[:1]),
            homeroom_name=Subquery(classes.values("unit__homeroom_teacher__full_name")[:1]),
        )
        .order_by("created_at", "id")
    )


def children_unit_paths(*, parent) -> set[str]:
    """The paths of the schools and current classes of a parent's children (current links, active
    children): where letters and news addressed to parents reach them (issue #17). Two queries."""
    children = Guardianship.objects.filter(parent_id=parent.pk, ended_at__isnull=True, child__is_active=True)
    paths = set(children.exclude(child__unit__isnull=True).values_list("child__unit__path", flat=True))
    paths.update(
        RoleAssignment.objects.filter(
            user_id__in=children.values("child_id"), role=Role.STUDENT, unit__kind=Unit.Kind.CLASS, unit__is_active=True
        ).values_list("unit__path", flat=True)
    )
    return paths
