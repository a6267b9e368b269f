"""Practice: daily prompts, scores and streaks, and spaced review of quiz questions.

    schedule.py       HH:MM and IANA zones, local days, daylight saving (pure)
    schedules.py      the guilds' daily-quiz settings: set, off, show
    daily.py          the due-check: claim the day, choose, post through a `Poster`, reveal the last
    selection.py      which question a guild gets (pure)
    scores.py         points, streaks, standings, the calendar (pure)
    standings.py      /leaderboard and /progress read from the answers
    review.py         fsrs review cards; the quiz's `ReviewSource`
    privacy.py        /forget-me
    calendar_image.py the /progress picture (Pillow)
    services.py       `Practice`, built once per process by `bot.app.open_app`
"""
