"""Fingerprints of template contexts: equal values, equal prints; any change, another."""

from __future__ import annotations

from generator.locale.message import Code, Message
from generator.render.fingerprint import Fingerprints


def test_a_str_subclass_with_state_is_fingerprinted_by_its_values() -> None:
    first = Fingerprints().of({"m": Message("%(x)s is down", x=Code("payments"))})
    same = Fingerprints().of({"m": Message("%(x)s is down", x=Code("payments"))})
    other = Fingerprints().of({"m": Message("%(x)s is down", x=Code("orders"))})
    assert first is not None
    assert first == same
    assert first != other
