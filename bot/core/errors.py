"""One error tree for everything the core refuses, so front-ends can turn it into one clear line.

    NotesBotError
    ├── ConfigError            a setting is missing or malformed
    │   └── SynonymsError      the synonyms file is unreadable or has the wrong shape
    ├── NotesFolderError       the notes folder is missing or is not a folder
    ├── StorageError           the database cannot be reached or migrated
    │   ├── DatabaseUnavailable  it refused a read or write while running (read-only, full, gone)
    │   └── DatabaseInUse      `db restore` found it open in another connection
    ├── BackupRefused          `db backup`/`db restore` asked for the impossible (PostgreSQL, a bad file)
    ├── ReindexInProgress      a reindex is already running; try again later
    ├── PracticeError          a daily-quiz setting or practice request is refused (bad time, zone...)
    └── QuizError              a quiz request that cannot be served as asked (bot.core.quiz)
        ├── NoQuestion         no question to ask (empty pool, nothing on that topic)
        ├── UnknownPost        the quiz post is not stored (deleted, or another database)
        ├── QuizClosed         the post no longer takes answers
        ├── AlreadyAnswered    the member answered this post before (one answer each)
        └── BadAnswer          an empty or overlong typed answer; nothing was recorded
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


class DatabaseUnavailable(StorageError):
    """The database refused a read or write: it is read-only, its disk is full, or it cannot be
    reached. The storage layer turns every such driver error into this one type (see
    `bot.core.storage.outages`), so each front-end catches it once: what was being stored is lost
    (a quiz answer is not counted), and the index in memory keeps answering.

    `problem` says what is wrong in a few words ("it is read-only"), without the database's URL,
    for members; the message adds where and the driver's reason, for operators."""

    def __init__(self, where: str, problem: str, reason: str, *, read_only: bool = False) -> None:
        super().__init__(f"the database at {where} is unavailable: {problem} ({reason})")
        self.problem = problem
        self.reason = reason
        self.read_only = read_only


class DatabaseInUse(StorageError):
    """`db restore` would overwrite a database that another connection (the bot) has open."""


class BackupRefused(NotesBotError):
    """`db backup` or `db restore` cannot do what was asked: PostgreSQL (use its own tools), or a
    file that is not a notesbot SQLite database. Nothing was changed."""


class ReindexInProgress(NotesBotError):
    """Another reindex is running; only one may run at a time."""


class PracticeError(NotesBotError):
    """A daily-quiz setting or practice request the core refuses (bad time, unknown time zone...)."""
class QuizError(NotesBotError):
    """A quiz request that cannot be served as asked; the message is meant for the member."""


class NoQuestion(QuizError):
    """There is no question to ask: the pool is empty, or nothing matches the topic.

    `suggestions` are "did you mean" words for an unknown topic."""

    def __init__(self, message: str, suggestions: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.suggestions = suggestions


class UnknownPost(QuizError):
    """The quiz post a button or typed answer refers to is not stored."""


class QuizClosed(QuizError):
    """The quiz post is closed: answers are refused."""


class AlreadyAnswered(QuizError):
    """The member already answered this post; `previous` is that answer (a `StoredAnswer`)."""

    def __init__(self, message: str, previous: object) -> None:
        super().__init__(message)
        self.previous = previous


class BadAnswer(QuizError):
    """A typed answer that cannot be judged (empty, or too long); nothing was recorded."""
