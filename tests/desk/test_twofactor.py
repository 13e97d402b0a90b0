"""Staff two-factor sign-in: setup, verification in the desk and Django admin, recovery codes,
forged codes, the per-tenant policy."""

from __future__ import annotations

import re

from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from panel1.audit.models import AuditEntry
from panel1.tenants.models import Tenant
from tests.factories import AdminFactory, AgentFactory

PASSWORD = "pass-1234-word"


def current_code(device: TOTPDevice) -> str:
    code = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits)
    return f"{code:06d}"


def set_up(client) -> tuple[TOTPDevice, list[str]]:
    client.get("/desk/2fa/")
    device = TOTPDevice.objects.filter(confirmed=False).latest("id")
    response = client.post(f"/desk/2fa/setup/{device.pk}/", {"token": current_code(device)})
    codes = re.findall(r"<li><code>(\w+)</code></li>", response.content.decode())
    device.refresh_from_db()
    return device, codes


def login(client, user):
    return client.post("/desk/login/", {"username": user.email, "password": PASSWORD})


def test_setup_shows_recovery_codes_once_and_then_the_desk_asks_for_a_code(tenant_client, settings):
    # django-otp slows down guessing (1 s, 2 s, 4 s ... after failures); not here.
    settings.OTP_TOTP_THROTTLE_FACTOR = settings.OTP_STATIC_THROTTLE_FACTOR = 0
    agent = AgentFactory()
    client = tenant_client(agent)
    device, codes = set_up(client)
    assert device.confirmed and len(codes) == 10
    assert client.get("/desk/").status_code == 200  # verified in this session

    fresh = tenant_client()
    login(fresh, agent)
    blocked = fresh.get("/desk/queue/open/")
    assert blocked.status_code == 302 and blocked["Location"].startswith("/desk/2fa/?next=")
    assert fresh.get("/admin/").status_code == 302
    assert fresh.get("/api/v1/me/").status_code == 403

    forged = fresh.post("/desk/2fa/verify/", {"token": "000000"})
    assert forged.status_code == 400
    # The TOTP step used at setup cannot be used again; a recovery code works.
    ok = fresh.post("/desk/2fa/verify/", {"token": codes[0], "next": "/desk/queue/open/"})
    assert ok.status_code == 302 and ok["Location"] == "/desk/queue/open/"
    assert fresh.get("/desk/queue/open/").status_code == 200
    actions = list(AuditEntry.objects.values_list("action", flat=True))
    assert {"2fa_enabled", "2fa_failed", "2fa_verified"} <= set(actions)

    again = tenant_client()
    login(again, agent)
    assert again.post("/desk/2fa/verify/", {"token": codes[0]}).status_code == 400  # used


def test_a_wrong_setup_code_does_not_turn_it_on(tenant_client):
    client = tenant_client(AgentFactory())
    client.get("/desk/2fa/")
    device = TOTPDevice.objects.get(confirmed=False)
    response = client.post(f"/desk/2fa/setup/{device.pk}/", {"token": "123456"})
    assert response.status_code == 400
    device.refresh_from_db()
    assert not device.confirmed


def test_the_policy_forces_setup_for_staff_or_admins(tenant_client):
    admin = AdminFactory()
    agent = AgentFactory()
    tenant_client(admin).post("/desk/privacy/security/", {"require_2fa_staff": "on"})
    assert Tenant.objects.get(schema_name="t_alpha").require_2fa_staff
    assert AuditEntry.objects.filter(action="settings_changed").latest("id").details == {
        "section": "security",
        "require_2fa_staff": [False, True],
    }

    agent_client = tenant_client()
    login(agent_client, agent)
    assert agent_client.get("/desk/").status_code == 302
    setup = agent_client.get("/desk/2fa/")
    assert setup.status_code == 200 and "totp-secret" in setup.content.decode()
    admin_client = tenant_client()
    login(admin_client, admin)
    assert admin_client.get("/desk/").status_code == 200  # admins not required (yet)


def test_turning_it_off(tenant_client):
    agent = AgentFactory()
    client = tenant_client(agent)
    set_up(client)
    client.post("/desk/2fa/disable/")
    assert not TOTPDevice.objects.filter(user=agent).exists()
    fresh = tenant_client()
    login(fresh, agent)
    assert fresh.get("/desk/").status_code == 200
