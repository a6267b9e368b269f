"""notesbot: answers questions from a study group's Markdown notes, in Discord and in a terminal."""

__version__ = "0.1.0"
