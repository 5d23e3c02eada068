"""The window's opening flow: a configuration file, a flake host, an options file."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QInputDialog, QLabel, QMainWindow, QMessageBox

from nixos_settings.core.common.errors import NixSettingsError
from nixos_settings.ui import APP_NAME
from nixos_settings.ui.controller import Controller, default_options_loader


def choose_flake_host(parent: QMainWindow, path: Path) -> str | None:
    """Which ``nixosConfigurations`` host to open; asks when the flake has several.
    Hosts that cannot be read without evaluating Nix are named but not offered."""
    from nixos_settings.core.config.configuration import flake_hosts
    from nixos_settings.core.config.document import Document

    hosts = flake_hosts(Document.read(path))
    readable = [h.name for h in hosts if h.problem is None]
    if not hosts:
        raise NixSettingsError(f"{path}: no nixosConfigurations found in this flake")
    if not readable:
        raise NixSettingsError(f"{path}: {hosts[0].name}: {hosts[0].problem}")
    if len(readable) == 1:
        return readable[0]
    skipped = [h.name for h in hosts if h.problem is not None]
    note = (f"\n(not readable without evaluating Nix: {', '.join(skipped)})"
            if skipped else "")
    name, ok = QInputDialog.getItem(parent, APP_NAME,
                                    f"This flake defines several systems.{note}\n"
                                    "Which one do you want to configure?",
                                    readable, 0, False)
    return name if ok else None


class OpeningFlow:
    """Open dialogs and their errors for ``window``; ``failed()`` runs after a failed open."""

    def __init__(self, window: QMainWindow, controller: Controller, status_meta: QLabel,
                 maybe_discard: Callable[[str], bool], failed: Callable[[], None]) -> None:
        self._window = window
        self._controller = controller
        self._status_meta = status_meta
        self._maybe_discard = maybe_discard
        self._failed = failed

    def open_configuration(self, path: Path | str, flake_host: str | None = None) -> bool:
        """Open a configuration; problems are shown, never raised."""
        try:
            if flake_host is not None or str(path).endswith("flake.nix"):
                if flake_host is None:
                    flake_host = choose_flake_host(self._window, Path(path))
                    if flake_host is None:
                        return False
                self._controller.open_flake(path, flake_host)
            else:
                self._controller.open(path)
        except (NixSettingsError, OSError) as err:
            QMessageBox.warning(self._window, APP_NAME, f"Cannot open the configuration:\n{err}")
            self._failed()
            return False
        return True

    def load_options(self, spec: str | None) -> None:
        """Start loading option metadata in the background."""
        self._status_meta.setText("Loading option metadata…")
        self._controller.load_options(default_options_loader(spec, self._controller.root))

    def choose_configuration(self) -> None:
        if not self._maybe_discard("open another configuration"):
            return
        root = self._controller.root
        start = str(root.parent) if root else "/etc/nixos"
        path, _ = QFileDialog.getOpenFileName(self._window, "Open configuration", start,
                                              "Nix files (*.nix)")
        if path:
            self.open_configuration(path)

    def choose_options_file(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self._window, "Load option metadata", str(Path.home()),
            "Options JSON (*.json *.json.gz *.json.br);;All files (*)")
        if path:
            self.load_options(path)
