from django.core.files.storage import storages


def private_storage():
    """Files only views that check permission may serve (uploaded spreadsheets, credential sheets).

    They live outside MEDIA_ROOT, so no web server serves them by URL.
    """
    return storages["private"]
