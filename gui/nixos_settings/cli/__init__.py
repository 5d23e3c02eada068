"""The command line: parse arguments, call the session, print (no Qt)."""
