"""The cycle collector is paused while a configuration is mapped, and left as it was."""

from __future__ import annotations

import gc

from nixos_settings.core.common.gcpause import cycle_collector_paused
from nixos_settings.core.config.definitions import map_module
from nixos_settings.core.config.document import Document


def test_paused_inside_and_restored_after_even_nested_and_on_errors() -> None:
    assert gc.isenabled()
    with cycle_collector_paused():
        assert not gc.isenabled()
        with cycle_collector_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()  # the inner one found it off: leaves it off
    assert gc.isenabled()
    try:
        with cycle_collector_paused():
            raise ValueError
    except ValueError:
        pass
    assert gc.isenabled()
    gc.disable()
    try:
        with cycle_collector_paused():
            pass
        assert not gc.isenabled()  # found off, left off
    finally:
        gc.enable()


def test_mapping_leaves_the_collector_on() -> None:
    module = map_module(Document.from_bytes(b"{ a.b = 1; c = { d = 2; }; }\n"))
    assert [d.option for d in module.definitions] == ["a.b", "c.d"]
    assert gc.isenabled()
