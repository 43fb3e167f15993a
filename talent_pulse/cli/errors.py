"""The CLI's one error type, in a module of its own so command modules need not import the entry point."""


class CliError(Exception):
    """An error the user can act on; printed without a traceback."""
