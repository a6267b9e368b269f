"""The terminal front-end: the chat, its rendering of answers, quizzes and practice numbers, over the
same core as the Discord adapter (`bot.adapter`). `bot.cli` starts it."""
