"""Secrets at rest: the key list, legacy values, rotation, and the fields that use it."""

from __future__ import annotations

import base64

import pytest
from cryptography.fernet import Fernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.core.management import call_command

from automation.models import Rule, WebhookDelivery
from panel1.crypto import SecretUnreadable, decrypt_value, encrypt_value, rotate_value
from tests.factories import TicketFactory
from tests.factories.automation import RuleFactory, act
from tickets.email.imap import mailbox_set_password
from tickets.models import ImapMailbox

NEW_KEY = "new-field-key-" + "x" * 40
OTHER_SECRET = "a-completely-different-secret-key-0123456789-abcdefghijklmnop"


def legacy_imap_token(secret_key: str, value: str) -> str:
    """How IMAP passwords were stored before panel1.crypto (bare Fernet, own salt)."""
    key = HKDF(
        algorithm=hashes.SHA256(),
        length=32,
        salt=b"panel1.tickets.email",
        info=b"imap-credentials-v1",
    ).derive(secret_key.encode())
    return Fernet(base64.urlsafe_b64encode(key)).encrypt(value.encode()).decode()


def test_values_are_encrypted_with_a_prefix_and_read_back(settings):
    stored = encrypt_value("hunter2")
    assert stored.startswith("enc1:") and "hunter2" not in stored
    assert decrypt_value(stored) == "hunter2"
    assert encrypt_value(stored) == stored  # never twice
    assert encrypt_value("") == "" and decrypt_value("") == ""


def test_the_newest_key_encrypts_and_older_keys_still_decrypt(settings):
    old = encrypt_value("s3cret")  # key derived from SECRET_KEY
    settings.FIELD_ENCRYPTION_KEYS = [NEW_KEY]
    new = encrypt_value("s3cret")
    settings.SECRET_KEY = OTHER_SECRET
    assert decrypt_value(new) == "s3cret"  # the new key alone reads it
    with pytest.raises(SecretUnreadable):
        decrypt_value(old)  # the SECRET_KEY it was derived from is gone


def test_legacy_values_are_read_and_rotation_encrypts_them(settings):
    legacy = legacy_imap_token(settings.SECRET_KEY, "imap-pass")
    assert decrypt_value(legacy) == "imap-pass"
    assert decrypt_value("plain-old-secret") == "plain-old-secret"
    assert rotate_value("plain-old-secret").startswith("enc1:")
    assert decrypt_value(rotate_value(legacy)) == "imap-pass"


def test_webhook_secrets_are_stored_encrypted(tenant):
    rule = RuleFactory(actions=[act("send_webhook", url="https://hooks.example/x", secret="k3y")])
    stored = Rule.objects.get(pk=rule.pk).actions[0]["parameters"]["secret"]
    assert stored.startswith("enc1:") and decrypt_value(stored) == "k3y"


def test_rotate_field_keys_reencrypts_every_tenant_value(tenant, settings, run_on_commit):
    RuleFactory(actions=[act("send_webhook", url="http://127.0.0.1:9/none", secret="hook-secret")])
    with run_on_commit():
        TicketFactory()
    box = ImapMailbox.objects.create(name="In", host="127.0.0.1", username="u")
    mailbox_set_password(mailbox=box, password="imap-pass")
    settings.FIELD_ENCRYPTION_KEYS = [NEW_KEY]

    call_command("rotate_field_keys", "--schema", tenant.schema_name)

    settings.SECRET_KEY = OTHER_SECRET  # only the new key is left
    box.refresh_from_db()
    assert decrypt_value(box.password_encrypted) == "imap-pass"
    rule = Rule.objects.get()
    assert decrypt_value(rule.actions[0]["parameters"]["secret"]) == "hook-secret"
    delivery = WebhookDelivery.objects.get()
    assert delivery.secret.startswith("enc1:") and decrypt_value(delivery.secret) == "hook-secret"
