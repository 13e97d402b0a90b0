from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from panel1.events.models import EventRecord
from tests.conftest import in_schema


def test_cache_keys_are_tenant_scoped(tenant, other_tenant):
    cache.set("greeting", "hello from alpha")
    with in_schema(other_tenant):
        assert cache.get("greeting") is None
        cache.set("greeting", "hello from beta")
    assert cache.get("greeting") == "hello from alpha"


def test_file_storage_prefixes_the_current_tenant(tenant, other_tenant):
    name = default_storage.save("isolation/probe.txt", ContentFile(b"alpha"))
    try:
        assert f"tenants/{tenant.schema_name}/" in default_storage.path(name)
        with in_schema(other_tenant):
            assert f"tenants/{other_tenant.schema_name}/" in default_storage.path(name)
            assert not default_storage.exists(name)
        assert default_storage.exists(name)
    finally:
        default_storage.delete(name)


def test_tenant_data_is_invisible_from_another_schema(tenant, other_tenant):
    EventRecord.objects.create(name="ticket.created", payload={"marker": "alpha-only"})
    with in_schema(other_tenant):
        assert not EventRecord.objects.filter(payload__marker="alpha-only").exists()
