"""Packages: catalogues (channel download, local files, Nix), their search index, where a
configuration installs packages, and planning installs and removals in the list's style.

Qt-free; the session (``core/session.py``) and the faces call it.  Public API:

* :func:`~nixos_settings.core.packages.store.open_source` → :class:`PackageIndex`
  (``search``, ``get``), :func:`~nixos_settings.core.packages.store.latest_index`;
* :func:`~nixos_settings.core.packages.installed.installed` (``PackageRef`` per element);
* :func:`~nixos_settings.core.packages.edits.plan_add` / ``plan_remove`` → ``ChangeSet``;
* :func:`~nixos_settings.core.packages.advice.module_for`, ``notices``,
  ``plan_allow_unfree``.
"""
