"""Opening a flake with several hosts shows the Hosts dock without crowding out the option
page: the dock starts compact (its table), the page keeps most of the height."""

from __future__ import annotations

import pytest
from tests.gui.test_fleetdock import win  # noqa: F401  (the fixture)

pytestmark = pytest.mark.gui


def test_the_hosts_dock_starts_compact(qtbot, win) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    qtbot.wait(50)
    assert win.fleet_dock.isVisible()
    panel = win.fleet_dock.widget()
    assert win.fleet_dock.height() <= int(win.height() * 0.4)
    assert win.page.height() + win.source.height() >= 360
    table = panel.table
    last = table.rowViewportPosition(table.rowCount() - 1) + table.rowHeight(0)
    assert last <= table.viewport().height()  # every host row still shows
