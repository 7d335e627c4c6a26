"""The claim checks the notebooks rely on: a true claim prints one stable line, a false one fails loudly."""

from __future__ import annotations

import json

import numpy as np
import pytest

from helpers.evaluation.statistics import Interval, bootstrap_interval, mcnemar_exact, paired_bootstrap, proportion_interval
from helpers.teaching.claims import ClaimError, check, check_timing


def test_a_true_claim_prints_one_line_without_its_numbers(capsys: pytest.CaptureFixture[str]) -> None:
    check("CAM beats the random map", True, cam=0.081, random=0.129)
    assert capsys.readouterr().out == "✓ CAM beats the random map\n"


def test_a_false_claim_raises_with_the_claim_and_its_numbers(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(ClaimError, match=r"claim no longer holds: CAM beats the random map \(cam=0\.1234, random=0\.1\)"):
        check("CAM beats the random map", bool(0.1234 < 0.1), cam=0.12344, random=0.1)
    assert capsys.readouterr().out == ""


def test_a_claim_needs_a_computed_truth_not_a_number() -> None:
    with pytest.raises(TypeError, match="condition must be a bool"):
        check("accuracy is high", 0.9)  # type: ignore[arg-type]
    check("numpy booleans count", np.float64(0.9) > 0.5)


def test_paired_bootstrap_of_a_clear_difference_excludes_zero() -> None:
    rng = np.random.default_rng(0)
    a = rng.normal(1.0, 0.2, size=50)
    interval = paired_bootstrap(a, a - 0.5)
    assert interval.estimate == pytest.approx(0.5) and interval.excludes_zero


def test_paired_bootstrap_of_noise_includes_zero_and_covers_the_estimate() -> None:
    rng = np.random.default_rng(1)
    a, b = rng.normal(size=40), rng.normal(size=40)
    interval = paired_bootstrap(a, b)
    assert interval.low < interval.estimate < interval.high and not interval.excludes_zero
    assert paired_bootstrap(a, b) == interval  # seeded


def test_paired_bootstrap_keeps_pairs_together() -> None:
    # a constant difference has no spread, whatever the spread of the items themselves
    a = np.arange(10.0)
    interval = paired_bootstrap(a, a - 2.0)
    assert (interval.low, interval.estimate, interval.high) == pytest.approx((2.0, 2.0, 2.0))


def test_paired_bootstrap_rejects_unpaired_input() -> None:
    with pytest.raises(ValueError, match="paired scores"):
        paired_bootstrap(np.zeros(3), np.zeros(4))


def test_wilson_interval_matches_the_textbook_values() -> None:
    # Wilson 95 % for 0 of 10: [0, 0.2775]; for 8 of 10: [0.4902, 0.9433]
    none = proportion_interval(np.zeros(10, dtype=bool))
    eight = proportion_interval(np.array([True] * 8 + [False] * 2))
    assert (none.low, none.high) == pytest.approx((0.0, 0.2775), abs=1e-4)
    assert (eight.estimate, eight.low, eight.high) == pytest.approx((0.8, 0.4902, 0.9433), abs=1e-4)


def test_a_claim_about_the_stored_models_outputs_is_checked_only_with_that_model(capsys) -> None:
    check("the map peaks on the rim", True, model="efficientnet_lite0")
    check("the map peaks on the rim", False, model="resnet50")  # another model: not this sentence's figure
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "✓ the map peaks on the rim"
    assert out[1].startswith("- not checked: this describes efficientnet_lite0's outputs; you run resnet50")
    with pytest.raises(ClaimError, match="the map peaks on the rim"):
        check("the map peaks on the rim", False, model="efficientnet_lite0")


def test_bootstrap_interval_of_a_mean_covers_it_and_narrows_with_more_items() -> None:
    rng = np.random.default_rng(2)
    few, many = rng.normal(3.0, 1.0, size=20), rng.normal(3.0, 1.0, size=2000)
    narrow, wide = bootstrap_interval(many), bootstrap_interval(few)
    assert narrow.low < many.mean() < narrow.high and narrow.estimate == pytest.approx(many.mean())
    # the normal approximation: a 95 % interval of a mean is about 2 x 1.96 sd / sqrt(n) wide
    assert narrow.high - narrow.low == pytest.approx(2 * 1.96 * many.std() / np.sqrt(2000), rel=0.1)
    assert narrow.high - narrow.low < (wide.high - wide.low) / 5
    median = bootstrap_interval(np.arange(11.0), np.median)
    assert median.estimate == 5.0 and median.low < 5.0 < median.high
    with pytest.raises(ValueError, match="n >= 2"):
        bootstrap_interval(np.array([1.0]))


def test_an_interval_contains_its_ends_and_nothing_outside() -> None:
    interval = Interval(estimate=0.5, low=0.25, high=0.75)
    assert 0.25 in interval and 0.5 in interval and 0.75 in interval
    assert 0.2499 not in interval and 0.7501 not in interval


def test_mcnemar_counts_only_the_discordant_items() -> None:
    a = np.array([1, 1, 1, 1, 0, 0, 1, 0], dtype=bool)
    b = np.array([0, 0, 0, 1, 0, 0, 1, 0], dtype=bool)  # a alone hits 3 items, b alone none
    assert mcnemar_exact(a, b) == pytest.approx(2 * 0.5**3)  # two-sided: both tails of Binomial(3, 1/2)
    assert mcnemar_exact(b, a) == pytest.approx(0.25)
    assert mcnemar_exact(a, a) == 1.0
    many = np.ones(12, dtype=bool)
    assert mcnemar_exact(many, ~many) == pytest.approx(2 * 0.5**12)
    with pytest.raises(ValueError, match="same length"):
        mcnemar_exact(a, b[:5])


def test_record_mode_writes_every_claim_and_prints_a_failure_instead_of_raising(
    tmp_path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    record = tmp_path / "claims.jsonl"
    monkeypatch.setenv("CAM_CLAIMS_RECORD", str(record))
    check("holds", True, x=1.5)
    check("does not hold", False, x=np.array([0.25, 2.0]), label="not a number")
    check("about a prediction", True, model="resnet50", p=0.5)
    lines = [json.loads(line) for line in record.read_text().splitlines()]
    assert [(entry["claim"], entry["held"]) for entry in lines] == [("holds", True), ("does not hold", False), ("about a prediction", True)]
    assert lines[1]["numbers"] == {"x": [0.25, 2.0]} and lines[2]["model"] == "resnet50"
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "✓ holds" and out[1].startswith("✗ does not hold (x=") and out[2].startswith("- not checked")


def test_a_timing_claim_that_fails_says_so_and_does_not_stop_the_notebook(capsys: pytest.CaptureFixture[str]) -> None:
    check_timing("A is faster than B", True, ratio=2.0)
    check_timing("C is faster than D", False, ratio=0.8)
    out = capsys.readouterr().out.splitlines()
    assert out == ["✓ A is faster than B", "! not on this run (a busy machine?): C is faster than D (ratio=0.8)"]
    with pytest.raises(TypeError, match="must be a bool"):
        check_timing("E", 1.0)  # type: ignore[arg-type]
