"""Practice in the terminal chat: `/progress` and `/leaderboard` for its one local user, with rich.

The terminal chat is outside any server: its answers are stored with no guild (like DMs), and its
user is `LOCAL_USER_ID`. The calendar is drawn with coloured squares instead of an image.
"""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from bot.core.practice.scores import PERIODS, SCORING_RULES, Leaderboard
from bot.core.practice.standings import Progress

LOCAL_USER_ID = 0  # the terminal chat's one user
MARK_STYLES = {"right": "green", "wrong": "red", "none": "grey37"}
MARKS = {"right": "■", "wrong": "×", "none": "·"}  # told apart without colour too (a pipe, a log)
WEEKDAYS = "MTWTFSS"


def render_progress(progress: Progress) -> RenderableType:
    """Points and accuracy, then streak and reviews (each line under 80 columns), then the last 12
    weeks, a day a mark."""
    accuracy = f"{progress.accuracy:.0%}" if progress.accuracy is not None else "—"
    points = Text.assemble(("Points ", "bold"), str(progress.points), "  ·  ", ("Accuracy ", "bold"),
                           f"{accuracy} ({progress.correct}/{progress.answered} right)")
    streak = Text.assemble(("Streak ", "bold"), f"{progress.current_streak} days (best {progress.best_streak})",
                           "  ·  ", ("Reviews due ", "bold"), str(progress.reviews_due))
    rows = []
    for weekday in range(7):
        line = Text(WEEKDAYS[weekday] + " ", style="dim")
        for _day, mark in progress.calendar[weekday::7]:
            line.append(MARKS[mark] + " ", style=MARK_STYLES[mark])
        rows.append(line)
    legend = Text("last 12 weeks: ", style="dim") + Text.assemble(
        *((f"{MARKS[mark]} {label}  ", MARK_STYLES[mark]) for mark, label in
          (("right", "right"), ("wrong", "wrong"), ("none", "no answer"))))
    return Group(points, streak, *rows, legend)


def render_leaderboard(board: Leaderboard) -> RenderableType:
    table = Table(title=f"Leaderboard ({board.period})", title_justify="left")
    for column in ("#", "who", "points", "right"):
        table.add_column(column)
    for row in board.rows:
        who = "you" if row.user_id == LOCAL_USER_ID else str(row.user_id)
        table.add_row(str(row.rank), who, str(row.points), f"{row.correct}/{row.answered}")
    if not board.rows:
        return Text(f"Nobody has answered a quiz question in this period ({board.period}) yet.")
    return table


PRACTICE_HELP = escape(f"""  /progress       your points, accuracy, streak, reviews due, the last 12 weeks
  /leaderboard [{'|'.join(PERIODS)}]   the standings (default: week)""")  # rich markup would swallow the [..]
SCORING_HELP = SCORING_RULES.replace("`", "")  # a terminal shows no `code`
