"""Topics holding only a title and their purpose were stored as proper (the purpose used to count as
content): flag them "empty (title only)" once, as courses.services.topics.topic_quality_assess now does.
The statistics follow at their next recompute."""

from django.db import migrations

BATCH = 2000


def flag_title_only_topics(apps, schema_editor):
    from courses.services.topics import MEDIA_TAG, text_of

    Course = apps.get_model("courses", "Course")
    Section = apps.get_model("courses", "Section")

    def has_content(value):
        return bool(text_of(value)) or bool(value and MEDIA_TAG.search(value))

    topics = Course.objects.filter(kind="topic", status__in=["published", "closed"], deleted_at__isnull=True).exclude(
        quality="empty"
    )
    candidates = [
        pk for pk, body in topics.values_list("pk", "body").iterator(chunk_size=BATCH) if not has_content(body)
    ]
    for start in range(0, len(candidates), BATCH):
        chunk = candidates[start : start + BATCH]
        filled = {
            course_id
            for course_id, body, file, link in Section.objects.filter(
                course_id__in=chunk, deleted_at__isnull=True
            ).values_list("course_id", "body", "file", "link_url")
            if has_content(body) or file or link
        }
        Course.objects.filter(pk__in=[pk for pk in chunk if pk not in filled]).update(
            quality="empty", duplicate_of=None
        )


class Migration(migrations.Migration):
    dependencies = [("courses", "0003_assignment_enrolment_learninggroup_livesession_and_more")]

    operations = [migrations.RunPython(flag_title_only_topics, migrations.RunPython.noop)]
