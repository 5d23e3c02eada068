"""Tasks: plain-language jobs ("log in over SSH", "set my time zone") over the same options.

A task is data (``defs/*.toml``, one file per task): its fields, each with a type and a
default, and the options each field writes, with the names older NixOS releases used.  The
engine (:mod:`.engine`) reads the current state from the configuration and plans only what
differs, through the one edit session.
"""
