"""`python -m bot`: the same command line as the `notesbot` script."""

from bot.cli import entry_point

if __name__ == "__main__":
    entry_point()
