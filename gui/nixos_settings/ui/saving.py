"""The window's saving flow: review, save (asking about files changed on disk), the offer
of a git commit, and "save or discard?" before pending changes would be lost."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtWidgets import QMainWindow, QMessageBox

from nixos_settings.ui import APP_NAME
from nixos_settings.ui.banners import DiskBanner
from nixos_settings.ui.controller import Controller
from nixos_settings.ui.reviewdialog import ChangedOnDiskDialog, ReviewDialog


def ask_commit(parent: QMainWindow, repo: Path, options: list[str]) -> bool:
    """Ask whether to commit the saved files."""
    shown = "\n".join(f"  • {o}" for o in options[:12])
    more = f"\n  … and {len(options) - 12} more" if len(options) > 12 else ""
    answer = QMessageBox.question(
        parent, APP_NAME,
        f"Your configuration is in a git repository ({repo}).\n\n"
        f"Commit the saved files with a message listing the changed options?\n\n"
        f"{shown}{more}",
    )
    return answer == QMessageBox.StandardButton.Yes


class SavingFlow:
    """Dialogs and messages around :meth:`Controller.save` for ``window``.

    ``ask_commit(repo, options)`` and ``offer_git_commit()`` are looked up at each save
    (tests replace the window's ``ask_commit``); ``saved()`` runs after every save."""

    def __init__(self, window: QMainWindow, controller: Controller, disk_banner: DiskBanner,
                 ask_commit: Callable[[Path, list[str]], bool],
                 offer_git_commit: Callable[[], bool], saved: Callable[[], None]) -> None:
        self._window = window
        self._controller = controller
        self._disk_banner = disk_banner
        self._ask_commit = ask_commit
        self._offer_git_commit = offer_git_commit
        self._saved = saved

    def _message(self, text: str, ms: int = 8000) -> None:
        self._window.statusBar().showMessage(text, ms)

    def review(self) -> None:
        dlg = ReviewDialog(self._controller, self._window)
        if dlg.exec() and dlg.paths:
            self.save()

    def save(self, overwrite: list[Path] | None = None) -> bool:
        """Save pending changes; asks what to do when files changed on disk."""
        c = self._controller
        options = c.pending_options()
        out = c.save(overwrite or [])
        if out.changed_on_disk:
            dlg = ChangedOnDiskDialog(c, out.changed_on_disk, self._window)
            dlg.exec()
            if dlg.choice == "keep" and c.reload_keeping():
                self._message("Reloaded from disk with your changes kept on top; review "
                              "and save them.")
                return False
            if dlg.choice == "reload":
                c.reload()
                self._message("Reloaded from disk; your changes were dropped.")
                return False
            if dlg.choice == "overwrite":
                return self.save(out.changed_on_disk)
            return False
        if out.errors:
            QMessageBox.warning(self._window, APP_NAME, "Some files were not saved:\n\n" +
                                "\n".join(out.errors))
        written = [*out.written, *out.privileged]
        self._disk_banner.forget(written)
        if written and self._offer_git_commit():
            self._maybe_commit(written, options)
        if written:
            via = " (with administrator rights)" if out.privileged else ""
            plural = "s" if len(written) != 1 else ""
            self._message(f"Saved {len(written)} file{plural}{via}.")
        self._saved()
        return not out.errors

    def _maybe_commit(self, files: list[Path], options: list[str]) -> None:
        repo = self._controller.git_repo()
        if repo is None or not self._ask_commit(repo, options):
            return
        from nixos_settings.core.edit.vcs import VcsError

        try:
            self._controller.commit_to_git(files, options)
        except VcsError as err:
            QMessageBox.warning(self._window, APP_NAME,
                                f"The files were saved, but not committed:\n{err}")
            return
        self._message("Saved and committed to git.")

    def compare_changed_on_disk(self) -> None:
        """The disk banner's Compare…: show the changed files, then reload or overwrite."""
        c = self._controller
        paths = [p for p in self._disk_banner.changed
                 if c.cfg is not None and p in c.cfg.documents]
        if not paths:
            return
        dlg = ChangedOnDiskDialog(c, paths, self._window)
        dlg.exec()
        if dlg.choice == "keep":
            c.reload_keeping()
        elif dlg.choice == "reload":
            c.reload()
        elif dlg.choice == "overwrite":
            self.save(paths)

    def reload(self) -> None:
        if self.maybe_discard("reload from disk"):
            self._controller.reload()

    def maybe_discard(self, what: str) -> bool:
        """True when there is nothing unsaved, or the user chose to save or discard."""
        if not self._controller.dirty_paths():
            return True
        box = QMessageBox(self._window)
        box.setIcon(QMessageBox.Icon.Question)
        box.setWindowTitle(APP_NAME)
        box.setText(f"You have unsaved changes. Save them before you {what}?")
        box.setStandardButtons(QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Discard
                               | QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(QMessageBox.StandardButton.Save)
        answer = box.exec()
        if answer == QMessageBox.StandardButton.Save:
            return self.save()
        return answer == QMessageBox.StandardButton.Discard
