"""Every write to courses."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from truonghoc.text import nfc

from ..models import Course


@dataclass
class TopicSpec:
    title: str
    unit_id: int
    author_id: int | None
    body: str
    created_at: datetime


def topics_bulk_create(*, specs: Iterable[TopicSpec], batch_size: int = 2000) -> int:
    """Published topics in bulk (the demo province); callers run it in their own transaction."""
    objs = [
        Course(
            kind=Course.Kind.TOPIC,
            status=Course.Status.PUBLISHED,
            title=nfc(spec.title),
            body=spec.body,
            unit_id=spec.unit_id,
            author_id=spec.author_id,
            created_at=spec.created_at,
        )
        for spec in specs
    ]
    Course.objects.bulk_create(objs, batch_size=batch_size)
    return len(objs)
