"""The Discord adapter: the only package that imports discord.py. It translates between Discord
and the core services, and holds no logic of its own."""
