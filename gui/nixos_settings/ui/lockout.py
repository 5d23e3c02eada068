"""Warnings before an edit that can lock people out of the machine, and the question.

Removing or renaming an account is one click in the app and permanent on the machine after
the next switch: ``root`` is the administrator; the only member of ``wheel`` is the only one
who can use ``sudo``; and with ``users.mutableUsers = false`` NixOS deletes every account
(and its password) that the configuration no longer lists."""

from __future__ import annotations

from PySide6.QtWidgets import QMessageBox, QWidget

from nixos_settings.core.nix.literals import decode
from nixos_settings.core.nix.optpath import Loc
from nixos_settings.ui.controller import Controller

USERS = ("users", "users")


def _wheel_members(controller: Controller) -> list[str]:
    cfg = controller.cfg
    if cfg is None:
        return []
    members = []
    for d in cfg.definitions:
        if tuple(d.loc[:2]) == USERS and len(d.loc) == 4 and d.loc[3] == "extraGroups":
            elements = controller.list_elements(d) or []
            if any(decode(e) == "wheel" for e in elements):
                members.append(d.loc[2])
    return list(dict.fromkeys(members))


def _immutable_users(controller: Controller) -> bool:
    return any(decode(d.value_text) is False
               for d in controller.definitions(("users", "mutableUsers")))


def lockout_risks(controller: Controller, loc: Loc, verb: str) -> list[str]:
    """Why removing or renaming (``verb``) the entry ``loc`` may lock someone out; [] when
    it is not an account or nothing is at risk."""
    if tuple(loc[:2]) != USERS or len(loc) != 3:
        return []
    name = loc[2]
    risks = []
    if name == "root":
        risks.append("root is the administrator account: without it in your configuration "
                     "NixOS may leave the machine with no way to log in as administrator.")
    wheel = _wheel_members(controller)
    if wheel == [name]:
        risks.append(f"{name} is the only user in the wheel group: after this, nobody can "
                     "use sudo to change the system.")
    if _immutable_users(controller):
        risks.append(f"users.mutableUsers is false: at the next switch NixOS deletes "
                     f"accounts your configuration does not list, so {verb} {name} deletes "
                     f"that account and its password.")
    return risks


def confirm(parent: QWidget, controller: Controller, loc: Loc, verb: str) -> bool:
    """True when nothing is at risk, or the user chose to go on after the warning."""
    risks = lockout_risks(controller, loc, verb)
    if not risks:
        return True
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Warning)
    box.setWindowTitle("You may lock yourself out")
    box.setText(f"{verb.capitalize()} the account {loc[2]}?")
    box.setInformativeText("\n\n".join(risks) + "\n\nNothing is written until you save; "
                           "it takes effect when you apply the configuration.")
    go = box.addButton(f"{verb.capitalize()} anyway", QMessageBox.ButtonRole.DestructiveRole)
    keep = box.addButton(QMessageBox.StandardButton.Cancel)
    box.setDefaultButton(keep)
    box.exec()
    return box.clickedButton() is go
