"""The detectors: Luhn-valid cards, checksum-valid IBANs, custom patterns."""

from hypothesis import given
from hypothesis import strategies as st
from panel1_redaction.detect import iban_valid, luhn_valid, redact

VISA = "4111 1111 1111 1111"
IBAN_DE = "DE89 3704 0044 0532 0130 00"


def test_luhn():
    assert luhn_valid("4111111111111111")
    assert not luhn_valid("4111111111111112")


def test_cards_are_masked_keeping_the_last_four():
    text, count = redact(f"My card is {VISA}, expiry 12/29.")
    assert text == "My card is [redacted card …1111], expiry 12/29."
    assert count == 1
    assert redact("5500-0000-0000-0004")[0] == "[redacted card …0004]"


def test_numbers_failing_luhn_are_kept():
    for text in ("Order 4111 1111 1111 1112", "Call +49 30 1234567890", "Ticket 20260101123"):
        assert redact(text) == (text, 0)


def test_ibans_are_masked_when_the_checksum_holds():
    text, count = redact(f"Pay to {IBAN_DE} THANKS")
    assert text == "Pay to [redacted IBAN DE…3000] THANKS"
    assert count == 1
    assert redact("GB82WEST12345698765432")[0] == "[redacted IBAN GB…5432]"
    assert redact("DE89 3704 0044 0532 0130 01") == ("DE89 3704 0044 0532 0130 01", 0)
    assert iban_valid("NL91ABNA0417164300")


def test_custom_patterns_and_label():
    text, count = redact("Order ORD-123456 ok", patterns=[r"ORD-\d{6}"], label="masked")
    assert (text, count) == ("Order [masked] ok", 1)


def test_switches():
    assert redact(VISA, cards=False) == (VISA, 0)
    assert redact(IBAN_DE, ibans=False) == (IBAN_DE, 0)


@given(st.text(max_size=300))
def test_redact_never_crashes_and_count_matches(text):
    masked, count = redact(text)
    assert count >= 0
    if count == 0:
        assert masked == text
