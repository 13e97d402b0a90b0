"""Factories for portal tests: verified customers and uploaded files."""

import factory
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.factories import CustomerFactory


class VerifiedCustomerFactory(CustomerFactory):
    """A customer who confirmed their address (the portal lets them write)."""

    email = factory.Sequence(lambda n: f"colleague{n}@acme-corp.test")
    email_verified = True


def upload(name: str = "error.txt", content: bytes = b"E-42 at 09:10\n", content_type=None):
    return SimpleUploadedFile(name, content, content_type=content_type or "text/plain")
