"""Bad input to the report: one exception, its message for the user."""


class ReportError(Exception):
    """Bad input: the message names the file and what is wrong with it."""
