"""Property tests for the case status machine: it allows exactly the table's moves, names them."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jingwu.cases.states import (
    FINAL,
    MOVES,
    OPEN,
    SUSPECT_MOVES,
    CaseStatus,
    SuspectStatus,
    check_case_move,
    check_suspect_move,
)
from jingwu.core.errors import Conflict

statuses = st.sampled_from(list(CaseStatus))


@given(statuses, statuses)
def test_a_move_is_allowed_exactly_when_the_table_says_so(
    current: CaseStatus, target: CaseStatus
) -> None:
    if target in MOVES[current]:
        check_case_move(current.value, target)
    else:
        with pytest.raises(Conflict) as refused:
            check_case_move(current.value, target)
        assert refused.value.code == "illegal_transition"
        assert refused.value.details["allowed"] == sorted(s.value for s in MOVES[current])
        assert "不能变更为" in refused.value.message


@given(st.lists(statuses, max_size=30))
def test_any_walk_stays_on_the_table_and_ends_for_good(wanted: list[CaseStatus]) -> None:
    """Feed random targets: refused ones change nothing, and a final status never moves again."""
    current = CaseStatus.ACCEPTED
    path = [current]
    for target in wanted:
        try:
            check_case_move(current.value, target)
        except Conflict:
            continue
        assert current not in FINAL
        current = target
        path.append(current)
    assert path[0] is CaseStatus.ACCEPTED
    assert len(path) <= 5  # 受理 → 立案 → 侦查 → 破案 → one final step, at most
    assert all(b in MOVES[a] for a, b in itertools.pairwise(path))
    # no status is ever visited twice: the machine has no cycles
    assert len(set(path)) == len(path)


def test_every_open_status_can_reach_an_end() -> None:
    for start in OPEN:
        seen, frontier = {start}, [start]
        while frontier:
            for nxt in MOVES[frontier.pop()]:
                if nxt not in seen:
                    seen.add(nxt)
                    frontier.append(nxt)
        assert seen & FINAL, start


@given(st.sampled_from(list(SuspectStatus)), st.sampled_from(list(SuspectStatus)))
def test_suspect_moves_follow_their_table(current: SuspectStatus, target: SuspectStatus) -> None:
    if target in SUSPECT_MOVES[current]:
        check_suspect_move(current.value, target)
    else:
        with pytest.raises(Conflict):
            check_suspect_move(current.value, target)
