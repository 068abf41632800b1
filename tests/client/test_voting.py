import pytest

from alphamed_client.voting import majority_vote


@pytest.mark.parametrize(("letters", "winner", "votes", "agreement"), [
    (["A"], "A", {"A": 1}, 1.0),
    (["B", "B", "C"], "B", {"B": 2, "C": 1}, 2 / 3),
    (["B", "C"], None, {"B": 1, "C": 1}, 0.0),                 # tie: no guess
    (["B", "C", "C", "B", None], None, {"B": 2, "C": 2}, 0.0),  # tie among the top
    ([None, None, None], None, {}, 0.0),                        # all abstained
    (["D", None, None, None], "D", {"D": 1}, 0.25),             # abstentions cast no vote
    ([], None, {}, 0.0),
])
def test_majority_vote_rules(letters, winner, votes, agreement):
    vote = majority_vote(letters)
    assert vote.letter == winner
    assert vote.votes == votes
    assert vote.agreement == pytest.approx(agreement)
