"""Errors a user can fix: the CLI prints them as one line and exits non-zero."""


class UserError(Exception):
    """Bad input (spec, file, flag): reported as one line, never a traceback."""
