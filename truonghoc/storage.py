import os

from django.conf import settings
from django.core.files.storage import FileSystemStorage, storages


class PrivateFileSystemStorage(FileSystemStorage):
    """Files kept outside MEDIA_ROOT (uploaded spreadsheets, ID photos): no web server serves them by
    URL; views that check permission stream them. The folder is read from settings.PRIVATE_ROOT each
    time, so a changed setting (tests) takes effect at once."""

    @property
    def base_location(self):
        return str(settings.PRIVATE_ROOT)

    @property
    def location(self):
        return os.path.abspath(self.base_location)

    @property
    def base_url(self):
        return None


def private_storage():
    return storages["private"]
