"""The one majority vote (``alphamed.voting``) used by the server's /v1/mcqa and the client."""

import pytest

from alphamed.voting import majority_vote


@pytest.mark.parametrize(
    ("letters", "winner", "votes", "agreement"),
    [
        (["A"], "A", {"A": 1}, 1.0),
        (["B", "B", "C"], "B", {"B": 2, "C": 1}, 2 / 3),
        (["B", "C"], None, {"B": 1, "C": 1}, 0.0),  # tie: no guess
        (["B", "C", "C", "B", None], None, {"B": 2, "C": 2}, 0.0),  # tie among the top
        ([None, None, None], None, {}, 0.0),  # all abstained
        (["D", None, None, None], "D", {"D": 1}, 0.25),  # abstentions cast no vote
        ([], None, {}, 0.0),
    ],
)
def test_majority_vote_rules(letters, winner, votes, agreement):
    vote = majority_vote(letters)
    assert vote.letter == winner
    assert vote.votes == votes
    assert vote.agreement == pytest.approx(agreement)


@pytest.mark.parametrize(
    "letters,answer,agreement,tied,abstained",
    [
        (["B", "B", "A"], "B", 2 / 3, [], 0),
        (["A", "B"], None, 0.0, ["A", "B"], 0),
        ([None, None, None], None, 0.0, [], 3),
        (["C", None, None, None], "C", 0.25, [], 3),
        (["A", "A", "B", "B", "C"], None, 0.0, ["A", "B"], 0),
    ],
)
def test_ties_and_abstentions_are_reported(letters, answer, agreement, tied, abstained):
    v = majority_vote(letters)
    assert (v.letter, v.agreement, v.tied, v.abstained) == (answer, pytest.approx(agreement), tied, abstained)
    assert sum(v.votes.values()) + v.abstained == len(letters)
