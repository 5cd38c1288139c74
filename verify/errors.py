"""Domain exceptions. The CLI and the app turn these into clean messages."""

from __future__ import annotations


class VerifyError(Exception):
    """Base class for every error `verify` reports to a person."""

    hint: str = ""

    def __init__(self, message: str, *, hint: str = "") -> None:
        super().__init__(message)
        self.hint = hint or self.hint

    def user_message(self) -> str:
        """The message plus its hint, for the CLI and the UI."""
        text = str(self)
        return f"{text}\n  hint: {self.hint}" if self.hint else text


class ConfigError(VerifyError):
    """A setting or option is invalid."""


class WorkspaceError(VerifyError):
    """The workspace cannot be opened or is in a bad state."""


class WorkspaceLockedError(WorkspaceError):
    """Another process (an ingest, say) holds the workspace's write lock."""

    hint = "another verify process is writing to this workspace; wait for it to finish and retry"


class ReadOnlyWorkspaceError(WorkspaceError):
    """A write was asked of a workspace opened read-only."""

    hint = "open the workspace without read-only mode to change it"


class IndexMismatchError(WorkspaceError):
    """A saved index does not match the embedder or the store it is opened with."""

    hint = "rebuild the index with `verify index --rebuild`"


class IndexMissingError(WorkspaceError):
    """No index has been built yet."""

    hint = "ingest documents first, e.g. `verify ingest corpus/demo`"


class InputError(VerifyError):
    """Bad user input: a file, a row, a field or a value. Names where it is."""


class UnknownBackendError(ConfigError):
    """A registry was asked for a name it does not have."""


class ModelLoadError(VerifyError):
    """A model's weights could not be loaded offline."""


class IndexDamagedError(IndexMismatchError):
    """A saved index file does not match the checksum recorded when it was written."""

    hint = "the file was damaged on disk; rebuild the index with `verify index --rebuild`"


class WorkspaceNotFoundError(WorkspaceError):
    """A command that only reads was pointed at a workspace that does not exist."""


class ArchiveError(InputError):
    """A fact-check archive file or record cannot be read (names the file, line and field)."""


class FetchError(InputError):
    """A URL could not be fetched (timeout, HTTP error, robots.txt, too large...). Names it."""


class AuthenticationError(VerifyError):
    """No API token, or a token that matches no user (HTTP 401)."""

    hint = "send the token `verify users add` printed as `Authorization: Bearer TOKEN`"


class PermissionDeniedError(VerifyError):
    """A known user asked for something their role does not allow (HTTP 403)."""


class NotFoundError(InputError):
    """A named thing (user, job, document, check) is not in the workspace (HTTP 404)."""
