"""Agent availability services: audited, event after commit, who may change what."""

import pytest

from panel1.audit.models import AuditEntry
from panel1.events import names
from panel1.exceptions import DomainError, NotFound, PermissionDenied
from tests.factories import AgentFactory, CustomerFactory, SupervisorFactory
from tickets.models import AgentProfile
from tickets.services.agents import agent_status_set, agent_update


def test_status_switch_creates_the_profile_audits_and_emits_after_commit(
    tenant, events, run_on_commit
):
    agent = AgentFactory()
    with run_on_commit():
        profile = agent_status_set(actor=agent, status="online")
        assert not [e for e in events if e.name == names.AGENT_AVAILABILITY_CHANGED]
    assert profile.status == "online" and profile.status_changed_at is not None
    emitted = [e for e in events if e.name == names.AGENT_AVAILABILITY_CHANGED]
    assert emitted[0].payload["user_id"] == str(agent.pk)
    assert emitted[0].payload["changes"] == {"status": ["offline", "online"]}
    entry = AuditEntry.objects.filter(action="agent_profile.updated").get()
    assert entry.actor_id == agent.pk and entry.details["status"] == ["offline", "online"]


def test_same_status_again_changes_nothing(tenant, events, run_on_commit):
    agent = AgentFactory()
    agent_status_set(actor=agent, status="away")
    with run_on_commit():
        agent_status_set(actor=agent, status="away")
    assert not [e for e in events if e.name == names.AGENT_AVAILABILITY_CHANGED]


def test_capacity_change_is_no_availability_event(tenant, events, run_on_commit):
    agent = AgentFactory()
    with run_on_commit():
        agent_update(actor=SupervisorFactory(), agent=agent, capacity=4, skills=["vip"])
    assert AgentProfile.objects.get(user=agent).capacity == 4
    assert not [e for e in events if e.name == names.AGENT_AVAILABILITY_CHANGED]


def test_permissions_and_not_found(tenant):
    agent, other = AgentFactory(), AgentFactory()
    with pytest.raises(PermissionDenied):
        agent_update(actor=agent, agent=agent, capacity=3)
    with pytest.raises(PermissionDenied):
        agent_update(actor=agent, agent=other, status="online")
    with pytest.raises(NotFound):
        agent_update(actor=SupervisorFactory(), agent=CustomerFactory(), status="online")
    with pytest.raises(DomainError) as error:
        agent_update(actor=SupervisorFactory(), agent=agent, capacity=-2)
    assert "capacity" in error.value.errors
