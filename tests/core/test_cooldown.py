"""The per-member cooldown: the limit itself, and its memory bound never freeing an active member."""

from __future__ import annotations

from bot.core.cooldown import Cooldown


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_member_over_the_rate_waits_until_the_oldest_question_leaves_the_window() -> None:
    clock = Clock()
    cooldown = Cooldown(2, 30, clock)
    assert cooldown.retry_after("ann") == 0 and cooldown.retry_after("ann") == 0
    clock.now += 10
    assert cooldown.retry_after("ann") == 20
    assert cooldown.retry_after("bob") == 0  # others are not affected
    clock.now += 20
    assert cooldown.retry_after("ann") == 0


def test_forgetting_idle_members_keeps_the_active_ones_limited() -> None:
    """Past 10,000 members the idle ones are dropped to bound memory; a member still inside their
    window must stay on cooldown through that sweep."""
    clock = Clock()
    cooldown = Cooldown(2, 30, clock)
    for member in range(5_000):  # idle by the time of the sweep
        cooldown.retry_after(member)
    clock.now += 31
    cooldown.retry_after("ann")
    cooldown.retry_after("ann")
    for member in range(5_000, 10_001):  # active: these fill the table past the bound and sweep it
        cooldown.retry_after(member)
    assert cooldown.retry_after("ann") > 0
    assert cooldown.retry_after(10_000) == 0 and cooldown.retry_after(10_000) > 0
    assert len(cooldown._hits) <= 5_002  # the idle 5,000 were forgotten
