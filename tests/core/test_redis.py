"""The Redis paths of a multi-node deployment: the cache (REDIS_URL) and the job broker
(Q_BROKER=redis://...). Each run uses its own Redis db number and key prefix and deletes its
keys; skipped when no Redis answers at REDIS_TEST_URL (default redis://127.0.0.1:6379/12)."""

import multiprocessing
import os
import uuid

import pytest
import redis
from django.core.cache import cache
from django.test import override_settings
from django_q.brokers.redis_broker import Redis as RedisBroker
from django_q.conf import Conf
from django_q.signing import SignedPackage
from django_q.worker import worker

from panel1 import jobs
from tests.conftest import in_schema
from tests.core import test_jobs

REDIS_URL = os.environ.get("REDIS_TEST_URL", "redis://127.0.0.1:6379/12")


@pytest.fixture(scope="module")
def redis_client():
    client = redis.Redis.from_url(REDIS_URL)
    try:
        client.ping()
    except redis.ConnectionError:
        pytest.skip(f"no Redis at {REDIS_URL}")
    return client


@pytest.fixture
def prefix(redis_client):
    prefix = f"panel1-test-{uuid.uuid4().hex[:12]}"
    yield prefix
    keys = list(redis_client.scan_iter(f"*{prefix}*"))
    if keys:
        redis_client.delete(*keys)


@pytest.fixture
def redis_cache(prefix):
    backend = {
        "BACKEND": "panel1.cache.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": prefix,
        "KEY_FUNCTION": "django_tenants.cache.make_key",
        "REVERSE_KEY_FUNCTION": "django_tenants.cache.reverse_key",
    }
    with override_settings(CACHES={"default": backend}):
        yield cache


@pytest.fixture
def redis_broker(prefix, monkeypatch):
    """django-q2 configured as with Q_BROKER=redis://...: the ORM broker off, sync off."""
    monkeypatch.setattr(Conf, "ORM", None)
    monkeypatch.setattr(Conf, "REDIS", REDIS_URL)
    monkeypatch.setattr(Conf, "SYNC", False)
    monkeypatch.setattr(Conf, "CLUSTER_NAME", prefix)
    return RedisBroker(list_key=prefix)


def test_cache_keys_are_per_tenant_in_redis(redis_cache, tenant, other_tenant, redis_client):
    redis_cache.set("login-failures", 3)
    with in_schema(other_tenant):
        assert redis_cache.get("login-failures") is None
        redis_cache.set("login-failures", 1)
    assert redis_cache.get("login-failures") == 3
    assert redis_cache.incr("login-failures") == 4
    keys = sorted(key.decode() for key in redis_client.scan_iter(f"*{redis_cache.key_prefix}*"))
    assert len(keys) == 2
    assert [key.split(":")[0] for key in keys] == ["t_alpha", "t_beta"]


def test_cache_backs_api_throttling(redis_cache, api_client, redis_client, settings):
    from tests.factories import AgentFactory

    agent = AgentFactory()
    client = api_client(agent)
    assert client.get("/api/v1/me/").status_code == 200
    keys = [
        key for key in redis_client.scan_iter(f"*{redis_cache.key_prefix}*") if b"throttle" in key
    ]
    assert len(keys) == 1
    assert redis_client.get(keys[0]) == b"1"
    assert 0 < redis_client.ttl(keys[0]) <= 61  # the window's length, set on its first hit


def test_redis_throttle_counts_the_window_and_answers_429(
    redis_cache, api_client, redis_client, monkeypatch
):
    from rest_framework.throttling import UserRateThrottle

    from tests.factories import AgentFactory

    monkeypatch.setattr(UserRateThrottle, "THROTTLE_RATES", {"user": "3/min", "anon": "3/min"})
    client = api_client(AgentFactory())
    assert [client.get("/api/v1/me/").status_code for _ in range(2)] == [200, 200]
    redis_client.script_flush()  # a restarted server forgets the script: it is loaded again
    assert [client.get("/api/v1/me/").status_code for _ in range(2)] == [200, 429]
    assert int(client.get("/api/v1/me/")["Retry-After"]) >= 1


def _run_like_a_worker(package: bytes) -> dict:
    """Feed a dequeued task to django-q2's own worker loop, in this process."""
    task = SignedPackage.loads(package)
    task["sync"] = True  # keep the test's connection (a real worker reconnects here)
    tasks, results = multiprocessing.Queue(), multiprocessing.Queue()
    tasks.put(task)
    tasks.put("STOP")
    worker(tasks, results, multiprocessing.Value("f", -1), timeout=30)
    return results.get(timeout=5)


def test_enqueued_task_goes_through_redis_after_commit_and_runs_in_its_schema(
    redis_broker, tenant, run_on_commit
):
    test_jobs.seen.clear()
    with run_on_commit():
        jobs.enqueue("tests.core.test_jobs.record_schema")
        assert redis_broker.queue_size() == 0  # nothing leaves before commit
    assert redis_broker.queue_size() == 1
    (_, package), *rest = redis_broker.dequeue()
    assert rest == [] and redis_broker.queue_size() == 0
    done = _run_like_a_worker(package)
    assert done["success"] and done["result"] == "t_alpha"
    assert test_jobs.seen == ["t_alpha"]


def test_each_task_is_delivered_to_one_consumer_only(redis_broker, tenant, run_on_commit):
    with run_on_commit():
        for _ in range(5):
            jobs.enqueue("tests.core.test_jobs.record_schema")
    # Two clusters pop the same list: Redis hands each task to exactly one of them.
    first, second = RedisBroker(list_key=Conf.CLUSTER_NAME), RedisBroker(Conf.CLUSTER_NAME)
    taken = []
    while redis_broker.queue_size():
        for consumer in (first, second):
            taken += [package for _, package in consumer.dequeue() or []]
    ids = [SignedPackage.loads(package)["id"] for package in taken]
    assert len(ids) == 5 and len(set(ids)) == 5


def test_fan_out_through_redis_enqueues_only_tenants_with_work(
    redis_broker, tenant, other_tenant, run_on_commit
):
    from panel1.events.models import EventRecord

    assert jobs.fan_out("panel1.events.bus.sweep_pending_task") == 0
    record = EventRecord.objects.create(name="ticket.created", payload={}, actor="system")
    EventRecord.objects.filter(pk=record.pk).update(created_at=record.created_at.replace(year=2020))
    assert jobs.fan_out("panel1.events.bus.sweep_pending_task") == 1
    (_, package), *_ = redis_broker.dequeue()
    assert SignedPackage.loads(package)["args"][0] == "t_alpha"
