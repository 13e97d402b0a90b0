"""The monitor's fan-out due check never misses work the monitor would do."""

import datetime as dt

import pytest

from panel1 import jobs
from sla.fanout import sla_monitor_due
from sla.monitor import sla_monitor_run
from tests.factories import SupervisorFactory
from tests.factories.sla import SlaProfileFactory, ticket_started_at

T0 = dt.datetime(2026, 3, 6, 10, 0, tzinfo=dt.UTC)


@pytest.mark.parametrize("escalations", [False, True])
def test_due_check_matches_the_monitor_minute_by_minute(
    tenant, run_on_commit, settings, escalations
):
    settings.ENABLE_ESCALATIONS = escalations
    supervisor = SupervisorFactory()
    SlaProfileFactory(
        name="High",
        priorities=["HIGH"],
        first_response_time=60,
        resolution_time=240,
        escalation_rules=[{"after_minutes": 30, "notify_user_ids": [str(supervisor.pk)]}],
    )
    ticket_started_at(T0, priority="HIGH")
    worked_at = []
    for minute in (10, 31, 31, 47, 48, 48, 61, 61, 193, 193, 241, 241):
        now = T0 + dt.timedelta(minutes=minute)
        due = jobs.schemas_with_work(sla_monitor_due, ["t_alpha"], now=now) == ["t_alpha"]
        with run_on_commit():
            result = sla_monitor_run(now=now)
        worked = result.breached + result.at_risk + result.escalations > 0
        assert due == worked, (minute, result)
        if worked:
            worked_at.append(minute)
    expected = [31, 48, 61, 193, 241] if escalations else [48, 61, 193, 241]
    assert worked_at == expected
