"""The rules `complaints sample` chooses rows by (`pipeline.selection`)."""

import numpy as np
import pytest

from classifier.errors import InputDataError
from classifier.pipeline.selection import (
    NEEDS_VECTORS,
    SHIPPED_STRATEGY,
    STRATEGIES,
    allocate,
    choose_rows,
    representative_rows,
    share_quota,
)


def clusters(seed=0, themes=4, per_theme=30, dims=12):
    """Rows in `themes` clusters of encoder-like vectors, each cluster the likely theme of its rows."""
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(themes, dims)) * 3
    likely = np.repeat(np.arange(themes), per_theme)
    V = centres[likely] + rng.normal(size=(len(likely), dims))
    proba = rng.dirichlet(np.ones(themes), size=len(likely)) * 0.5
    proba[np.arange(len(likely)), likely] += 0.5
    X = np.abs(rng.normal(size=(len(likely), 40)))
    return proba, X, V, likely


@pytest.mark.parametrize("strategy", STRATEGIES)
def test_every_rule_is_deterministic_picks_distinct_eligible_rows(strategy):
    proba, X, V, _ = clusters()
    eligible = np.ones(len(proba), dtype=bool)
    eligible[::7] = False  # placeholders, compliments: the caller's call
    first = choose_rows(proba, X, 15, eligible, vectors=V, strategy=strategy, seed=3)
    assert first == choose_rows(proba, X, 15, eligible, vectors=V, strategy=strategy, seed=3)
    assert len(first) == 15 == len(set(first)) and eligible[first].all()
    # More asked for than eligible: every eligible row, once.
    few = np.zeros(len(proba), dtype=bool)
    few[[1, 2, 3]] = True
    assert sorted(choose_rows(proba, X, 10, few, vectors=V, strategy=strategy)) == [1, 2, 3]
    assert choose_rows(proba, X, 5, np.zeros(len(proba), dtype=bool), vectors=V, strategy=strategy) == []


@pytest.mark.parametrize(
    "strategy", sorted(set(STRATEGIES) - {"random", "representative", "proportional", "stratified"})
)
def test_rules_spread_picks_over_likely_themes(strategy):
    proba, X, V, likely = clusters(themes=5)
    picks = choose_rows(proba, X, 10, vectors=V, strategy=strategy)
    assert np.bincount(likely[picks], minlength=5).min() >= 1  # every theme, before any gets a third


def test_typical_picks_the_row_nearest_its_theme_centre_not_the_uncertain_outlier():
    proba, X, V, likely = clusters(themes=3, per_theme=20)
    members = np.flatnonzero(likely == 0)
    centre = V[members].mean(axis=0)
    V[members[0]] = -centre  # an outlier of theme 0, and the model's most uncertain row
    proba[members[0]] = [0.34, 0.33, 0.33]
    unit = V / np.linalg.norm(V, axis=1, keepdims=True)
    nearest = members[np.argmax(unit[members] @ (unit[members].mean(axis=0)))]
    typical = choose_rows(proba, X, 3, vectors=V, strategy="typical")
    assert nearest in typical and members[0] not in typical
    assert members[0] in choose_rows(proba, X, 3, vectors=V, strategy="uncertainty")


def test_density_prefers_an_uncertain_row_among_many_to_an_isolated_one():
    proba, X, V, likely = clusters(themes=2, per_theme=30)
    crowd, alone = np.flatnonzero(likely == 0)[:2]
    V[alone] = -V[likely == 0].mean(axis=0) * 5  # far from every other row
    proba[:] = np.where(likely[:, None] == np.arange(2), 0.9, 0.1)  # every other row is sure
    for i in (crowd, alone):
        proba[i] = [0.5, 0.5]  # equally uncertain
    assert choose_rows(proba, X, 1, vectors=V, strategy="density") == [crowd]
    # Uncertainty alone cannot tell them apart: it takes the first.
    assert choose_rows(proba, X, 1, vectors=V, strategy="uncertainty") == [min(crowd, alone)]


def test_hybrid_starts_with_representative_rows_then_adds_uncertain_ones():
    proba, X, V, _ = clusters(themes=4)
    eligible = np.ones(len(proba), dtype=bool)
    picks = choose_rows(proba, X, 12, eligible, vectors=V, strategy="hybrid", seed=1)
    assert picks[:6] == representative_rows(V, 6, eligible, seed=1)
    assert len(set(picks)) == 12
    # Without encoder vectors it is the uncertainty rule.
    assert choose_rows(proba, X, 12, strategy="hybrid") == choose_rows(proba, X, 12, strategy="uncertainty")


def test_allocate_gives_each_group_a_row_then_shares_by_size():
    assert allocate(np.array([50, 30, 5, 1]), 10).tolist() == [5, 3, 1, 1]
    assert allocate(np.array([50, 30, 5, 1]), 3).tolist() == [1, 1, 1, 0]
    assert allocate(np.array([2, 1]), 10).tolist() == [2, 1]  # never more than a group has


def test_unknown_rule_and_shipped_default():
    with pytest.raises(InputDataError, match="E100"):
        choose_rows(np.full((3, 2), 0.5), np.eye(3), 2, strategy="best")
    assert SHIPPED_STRATEGY in STRATEGIES and NEEDS_VECTORS < set(STRATEGIES)


def test_cli_default_strategy_is_the_shipped_one():
    import inspect

    from classifier.cli.adapt import STRATEGY_NAMES, sample

    default = inspect.signature(sample).parameters["strategy"].default.default
    assert STRATEGY_NAMES[default.value] == SHIPPED_STRATEGY
    assert set(STRATEGY_NAMES.values()) == set(STRATEGIES)


@pytest.mark.parametrize("strategy", STRATEGIES)
def test_sample_never_picks_placeholders_or_compliments(tmp_path, small_model, corpus_rows, strategy):
    from conftest import write_csv

    from classifier.pipeline.sample import sample_rows, score_rows
    from classifier.text import prepare

    themed = [r for r in corpus_rows if r["split"] == "test" and r["themes"].strip()][:14]
    praise = [r for r in corpus_rows if r["split"] == "test" and r["kind"] == "compliment"][:6]
    rows = [{"Ref": r["id"], "Details": r["text"]} for r in themed + praise]
    rows += [{"Ref": "P1", "Details": "see attached"}, {"Ref": "P2", "Details": "N/A"}]
    cases = write_csv(tmp_path / "cases.csv", rows)
    taken_for_praise = {
        r["Ref"] for r, c in zip(rows, score_rows(small_model, prepare([r["Details"] for r in rows])).compliment) if c
    }
    assert taken_for_praise  # the model does take some rows for compliments
    chosen = sample_rows(cases, small_model, n=30, text_column="Details", id_column="Ref", strategy=strategy)
    ids = {r["id"] for r in chosen["rows"]}
    assert ids and not ({"P1", "P2"} | taken_for_praise) & ids
    assert len(ids) == len(rows) - 2 - len(taken_for_praise - {"P1", "P2"})
    again = sample_rows(cases, small_model, n=5, text_column="Details", id_column="Ref", strategy=strategy, seed=4)
    assert again == sample_rows(
        cases, small_model, n=5, text_column="Details", id_column="Ref", strategy=strategy, seed=4
    )


def test_share_quota_follows_the_sizes_by_largest_remainder():
    assert share_quota(np.array([50, 30, 15, 5]), 20).tolist() == [10, 6, 3, 1]
    # 3 rows: exact shares 1.5, 0.9, 0.45, 0.15 -> floors 1, 0, 0, 0, then the largest remainders.
    assert share_quota(np.array([50, 30, 15, 5]), 3).tolist() == [2, 1, 0, 0]  # a rare theme may get none
    assert share_quota(np.array([2, 1]), 10).tolist() == [2, 1]  # never more than a group has
    assert share_quota(np.array([3, 3]), 1).tolist() == [1, 0]  # a tie: the first
    assert share_quota(np.array([4, 0, 4]), 0).tolist() == [0, 0, 0]


def skewed(seed=0):
    """Likely themes 0, 1, 2 on 60, 30 and 10 rows; the rare theme's rows are the most uncertain."""
    rng = np.random.default_rng(seed)
    likely = np.repeat([0, 1, 2], [60, 30, 10])
    centres = rng.normal(size=(3, 8)) * 3
    V = centres[likely] + rng.normal(size=(100, 8))
    proba = np.full((100, 3), 0.05)
    proba[np.arange(100), likely] = 0.9
    proba[likely == 2] = [0.3, 0.3, 0.4]
    X = np.abs(rng.normal(size=(100, 30)))
    return proba, X, V, likely


@pytest.mark.parametrize("strategy", ["proportional", "stratified"])
def test_shared_rules_follow_the_pools_theme_mix(strategy):
    proba, X, V, likely = skewed()
    picks = choose_rows(proba, X, 10, vectors=V, strategy=strategy, seed=2)
    assert np.bincount(likely[picks], minlength=3).tolist() == [6, 3, 1]
    # The first rows of the list follow the mix as well: 2 of theme 0, 1 of theme 1 before the rare one.
    assert np.bincount(likely[picks[:3]], minlength=3).tolist() == [2, 1, 0]
    # With 3 rows the rare theme's share (0.3 of a row) loses to the others' remainders.
    three = choose_rows(proba, X, 3, vectors=V, strategy=strategy, seed=2)
    assert np.bincount(likely[three], minlength=3).tolist() == [2, 1, 0]
    # The turn-taking rules give the rare theme a row per visit instead.
    density = choose_rows(proba, X, 10, vectors=V, strategy="density")
    assert np.bincount(likely[density], minlength=3)[2] >= 3
    # Shares are of the ELIGIBLE rows: without 40 of theme 0's rows, theme 1 is the largest.
    eligible = np.ones(100, dtype=bool)
    eligible[:40] = False
    picks = choose_rows(proba, X, 6, eligible, vectors=V, strategy=strategy, seed=2)
    assert np.bincount(likely[picks], minlength=3).tolist() == [2, 3, 1] and eligible[picks].all()


def test_proportional_takes_dense_uncertain_rows_within_a_theme_and_stratified_random_ones():
    proba, X, V, likely = skewed()
    theme0 = np.flatnonzero(likely == 0)
    unsure = theme0[[3, 17]]
    proba[unsure] = [0.5, 0.45, 0.05]  # still likely theme 0, but a near toss-up
    picks = choose_rows(proba, X, 10, vectors=V, strategy="proportional")
    assert set(unsure) <= set(picks)
    # Stratified ignores the scores: its theme-0 rows change with the seed, not with the model's doubt.
    drawn = [set(choose_rows(proba, X, 10, vectors=V, strategy="stratified", seed=s)) & set(theme0) for s in (0, 1, 2)]
    assert len({frozenset(d) for d in drawn}) > 1
