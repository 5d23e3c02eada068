"""Editing: where a change goes (planning), and writing it safely (save, vcs, privileged)."""
