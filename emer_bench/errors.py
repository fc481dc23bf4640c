"""User-facing errors: one clear message naming the file, key or value at fault.

The CLI prints `EmerBenchError` as a single line (a traceback only with --debug); anything
else is a bug and is shown with its traceback.
"""


class EmerBenchError(Exception):
    """Base class for errors caused by the user's input or environment."""

    exit_code = 2  # see README "When things go wrong"


class ConfigError(EmerBenchError):
    """A task file, model argument or CLI value is invalid."""


class UnknownNameError(ConfigError):
    """A registry lookup failed; the message names the closest known names."""


class ResourceError(EmerBenchError):
    """A scoring resource (emotion wheel, WordNet, embedding model) is missing or corrupt."""


class DataError(EmerBenchError):
    """An annotation, prediction or samples file cannot be read."""


class ServiceError(EmerBenchError):
    """The model server cannot be used: unreachable, key refused, or every first request failed
    the same way (circuit breaker). Completed samples are kept."""

    exit_code = 4


class RunLockedError(EmerBenchError):
    """Another run is writing into the same output folder."""

    exit_code = 5
