"""The policy benchmark's plan (bench/policy_benchmark.py) is what it claims; no timing here."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest

from regie.policy.models import Indicator

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))

import policy_benchmark as bench

pytestmark = pytest.mark.django_db


def test_the_plan_has_50_indicators_and_both_ways_give_the_same_statuses(
    django_assert_max_num_queries: Any,
) -> None:
    gemeente = bench.setup_gemeente(full=False)
    plan = bench.build_plan(gemeente)  # checks every indicator's intended status itself
    assert len(bench.SPECS) == 50
    assert {s.kind for s in bench.SPECS} == {
        "at_least",
        "at_most",
        "not_up",
        "not_down",
        "trajectory",
    }
    # The tree (4), the overrides (1) and two per area the indicators name: not per indicator.
    areas = Indicator.objects.filter(goal__theme__priority__plan=plan).values("area").distinct()
    with django_assert_max_num_queries(5 + 2 * areas.count()):
        product = bench.product_facts(bench._fresh(plan.pk))
    naive = bench.naive_evaluate(bench._fresh(plan.pk))
    assert len(product["indicators"]) == 50
    assert naive == product
    assert len({status for status, _computed, _text in product["indicators"].values()}) == 5
