"""One error tree for everything the core refuses, so front-ends can turn it into one clear line.

    NotesBotError
    ├── ConfigError            a setting is missing or malformed
    │   └── SynonymsError      the synonyms file is unreadable or has the wrong shape
    ├── NotesFolderError       the notes folder is missing or is not a folder
    ├── StorageError           the database cannot be reached or migrated
    ├── ReindexInProgress      a reindex is already running; try again later
    └── PracticeError          a daily-quiz setting or practice request is refused (bad time, zone...)
"""


class NotesBotError(Exception):
    """Base of every expected error; its message is meant for the user as it is."""


class ConfigError(NotesBotError):
    """A setting is missing or malformed."""


class SynonymsError(ConfigError):
    """The synonyms file was rejected; `path` names it and `reason` says why, in one line."""

    def __init__(self, path: object, reason: str) -> None:
        super().__init__(f"synonyms file {path} rejected: {reason}")
        self.path = path
        self.reason = reason


class NotesFolderError(NotesBotError):
    """The notes folder does not exist or is not a folder."""


class StorageError(NotesBotError):
    """The database is unreachable, or its schema cannot be brought up to date."""


class ReindexInProgress(NotesBotError):
    """Another reindex is running; only one may run at a time."""


class PracticeError(NotesBotError):
    """A daily-quiz setting or practice request the core refuses (bad time, unknown time zone...)."""
