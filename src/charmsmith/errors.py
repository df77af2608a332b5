"""The one error type the CLI turns into a one-line message and a non-zero exit."""


class CharmsmithError(Exception):
    """A user-facing failure: the message names the field or thing at fault and the rule broken."""

    exit_code = 1
