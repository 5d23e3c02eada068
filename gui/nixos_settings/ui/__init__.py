"""The PySide6 desktop app: the only package that imports Qt."""

#: the window title and the title of the app's message boxes
APP_NAME = "NixOS Settings"
