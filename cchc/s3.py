"""The "private" storage on S3-compatible object storage (``PRIVATE_STORAGE=s3``), see
``cchc.storage`` for the contract it shares with the disk backend."""

from boto3.exceptions import Boto3Error
from botocore.exceptions import BotoCoreError, ClientError
from storages.backends.s3 import S3Storage


class PrivateS3Storage(S3Storage):
    """django-storages' S3Storage (AWS, MinIO, Ceph, a provider's object storage). Settings pass
    a private ACL, signed URLs and no overwrite; a failed upload is reported as ``OSError``,
    like a failed write to a disk, so the services catch one exception whatever the backend."""

    def _save(self, name, content):
        try:
            return super()._save(name, content)
        except (BotoCoreError, ClientError, Boto3Error) as exc:
            raise OSError(f"The object storage refused {name!r}: {exc}") from exc

    def url(self, name, *args, **kwargs):
        # Downloads go through a view that checks access, never to a link that bypasses it.
        raise ValueError("Private files have no URL: a view checks access and streams them.")
