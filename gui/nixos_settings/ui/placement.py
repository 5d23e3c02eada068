"""Asking where a new option goes when the only place is inside an ``mkIf`` block (it would
then apply only while the condition holds: never chosen silently)."""

from __future__ import annotations

from PySide6.QtWidgets import QMessageBox, QWidget

from nixos_settings.core.common.errors import InsideCondition


def ask_inside_condition(parent: QWidget, err: InsideCondition) -> bool:
    """True when the person chooses to put the option inside the conditional block."""
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Question)
    box.setWindowTitle("Only when a condition holds?")
    box.setText(f"The only place for this option is inside the block at {err.where}, which "
                f"applies only when <b>{_escape(err.condition)}</b> holds.")
    box.setInformativeText("Put it there (it will then be conditional), or cancel and add it "
                           "to another file of your configuration.")
    inside = box.addButton(f"Inside: only when {_short(err.condition)}",
                           QMessageBox.ButtonRole.AcceptRole)
    box.addButton(QMessageBox.StandardButton.Cancel)
    box.setDefaultButton(QMessageBox.StandardButton.Cancel)
    box.exec()
    return box.clickedButton() is inside


def _escape(text: str) -> str:
    import html

    return html.escape(text)


def _short(text: str, limit: int = 40) -> str:
    one = " ".join(text.split())
    return one if len(one) <= limit else one[: limit - 1] + "…"
