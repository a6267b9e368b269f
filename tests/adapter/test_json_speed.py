"""discord.py runs on orjson: it picks the library up when installed, and bursts depend on it."""

import discord


def test_discord_py_encodes_and_parses_with_orjson() -> None:
    # without orjson an /ask costs a third more CPU in a burst (bench/load.py); a dependency
    # dropped from pyproject.toml would only show there, so it fails here
    assert discord.utils.HAS_ORJSON
    assert discord.utils._to_json({"a": "é"}) == '{"a":"é"}'
