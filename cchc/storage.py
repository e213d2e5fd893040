"""The backends of the "private" storage (settings.STORAGES): evidence, ledger documents, staged
imports and task files. Neither has a public URL: a view checks who asks, then streams the file.
The S3 one is in ``cchc.s3``, so that a server on its disk never imports boto3.

Both keep one contract for the code above them: a write that fails raises ``OSError`` (what
FileSystemStorage raises on a full or read-only disk), so a service catches one exception
whatever the backend.
"""

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.utils.functional import cached_property


class PrivateFileSystemStorage(FileSystemStorage):
    """Files under ``PRIVATE_MEDIA_ROOT``, read when first used and again whenever the setting
    changes (tests point it at a folder of their own), never under MEDIA_ROOT."""

    @cached_property
    def base_location(self):
        return self._value_or_setting(self._location, settings.PRIVATE_MEDIA_ROOT)

    def _clear_cached_properties(self, setting, **kwargs):
        super()._clear_cached_properties(setting, **kwargs)
        if setting == "PRIVATE_MEDIA_ROOT":
            self.__dict__.pop("base_location", None)
            self.__dict__.pop("location", None)

    def url(self, name):
        raise ValueError("Private files have no URL: a view checks access and streams them.")
