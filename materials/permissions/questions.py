"""Who sees and uses questions of the bank.

- An approved question is used by everyone whose units lie in the subtree of `shared_with` (its
  school, or the Office/Department/Ministry that vetted it), as for library items.
- Authors always see and use their own questions that are not refused or replaced: a teacher may test
  their class with a question still on its way through approval.
The approval steps reuse the library's rules (`can_review_group`, `can_review_school`, ...), which only
read `unit`, `author` and `shared_with`.
"""

from django.db.models import Q

from units.models import Unit

from ..models import Question, VersionStatus
from . import _active, ancestor_paths

USABLE_OWN_STATUSES = (
    VersionStatus.DRAFT,
    VersionStatus.SUBMITTED,
    VersionStatus.GROUP_APPROVED,
    VersionStatus.APPROVED,
)


def questions_usable_q(user) -> Q:
    """Questions a test built by this user may contain (filter on Question)."""
    if not _active(user):
        return Q(pk__in=[])
    live = Q(status=VersionStatus.APPROVED, shared_with__isnull=False, deleted_at__isnull=True)
    if not user.is_superuser:
        live &= Q(shared_with__in=Unit.objects.filter(path__in=sorted(ancestor_paths(user))).values("pk"))
    own = Q(author=user, deleted_at__isnull=True, status__in=USABLE_OWN_STATUSES)
    return live | own


def is_usable_by(user, question: Question) -> bool:
    return Question.objects.filter(questions_usable_q(user), pk=question.pk).exists()
