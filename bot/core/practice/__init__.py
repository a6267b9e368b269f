"""Practice: daily prompts, scores and streaks, and spaced review of quiz questions."""
