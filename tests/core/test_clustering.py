"""Clustering: pick features, see the preprocessing, scan k, run, and get named clusters that
recover planted groups; settings survive JSON; scikit-learn is loaded only when fitting."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys

import numpy as np
import polars as pl
import pytest

from segtui.core import clustering
from segtui.core.cluster_names import Difference, name_clusters
from segtui.core.cluster_prep import matrix, plan_preprocessing
from segtui.core.cluster_scores import Silhouettes
from segtui.core.clustering import (
    ClusterSettings,
    default_features,
    run_clustering,
    scan_k,
)
from segtui.core.segment_model import CriteriaError, Features, FieldInfo, RunCancelled

ANALYSIS = dt.date(2024, 6, 1)
BEHAVIOUR = ["total_spend", "orders", "recency_days"]
SIZES = {"loyal": 300, "vip": 200, "lapsed": 100}  # planted groups, largest first


def _field(name: str, label: str, type_: str = "number", unit: str = "") -> FieldInfo:
    return FieldInfo(name, label, type_, "behavioural", computed=True, unit=unit)  # type: ignore[arg-type]


FIELDS = [
    _field("orders", "Orders", unit="orders"),
    _field("returns_count", "Returns", unit="orders"),
    _field("total_spend", "Total spend", unit="money"),
    _field("recency_days", "Days since last order", unit="days"),
    _field("age", "Age"),
    _field("country", "Country", "category"),
    _field("signup_date", "Signup date", "date"),
    _field("marketing_opt_in", "Marketing opt-in", "boolean"),
    _field("email", "Email", "text"),
    _field("plan", "Plan", "text"),
    _field("store", "Store", "number"),
]


def _planted(seed: int = 7) -> tuple[Features, np.ndarray]:
    """600 customers in three well-separated groups, plus attributes to preprocess."""
    rng = np.random.default_rng(seed)
    group = np.repeat(np.arange(3), list(SIZES.values()))
    rng.shuffle(group)
    n = len(group)
    orders = np.where(
        group == 0,
        rng.poisson(4, n) + 2,
        np.where(group == 1, rng.poisson(15, n) + 10, rng.integers(1, 3, n)),
    )
    basket = rng.lognormal(np.array([3.5, 4.5, 3.0])[group], 0.2)
    recency = np.where(
        group == 0,
        rng.integers(40, 110, n),
        np.where(group == 1, rng.integers(1, 15, n), rng.integers(350, 600, n)),
    )
    countries = [f"C{i:02d}" for i in range(14)]
    weights = np.array([30, 20, 15, 10, 8, 6, 4, 2, 1.5, 1.2, 1, 0.8, 0.3, 0.2])
    age = rng.integers(18, 80, n).astype(float)
    age[:30] = np.nan  # 30 of 600 missing (5.0%)
    frame = pl.DataFrame(
        {
            "customer_id": [f"K{i:04d}" for i in range(n)],
            "orders": orders,
            "total_spend": (orders * basket).round(2),
            "returns_count": rng.geometric(0.4, n) - 1,
            "recency_days": recency,
            "age": pl.Series(age).fill_nan(None),
            "country": rng.choice(countries, n, p=weights / weights.sum()),
            "signup_date": [ANALYSIS - dt.timedelta(days=int(d)) for d in rng.integers(1, 900, n)],
            "marketing_opt_in": rng.random(n) < 0.3,
            "email": [f"k{i}@example.com" for i in range(n)],
            "plan": rng.choice(["basic", "plus"], n),
            "store": np.full(n, 3.0),
        }
    )
    return Features(frame, FIELDS, ANALYSIS, "customers", "orders"), group


@pytest.fixture(scope="module")
def planted() -> tuple[Features, np.ndarray]:
    return _planted()


@pytest.fixture(scope="module")
def kmeans_run(planted: tuple[Features, np.ndarray]) -> clustering.MethodResult:
    return run_clustering(planted[0], ClusterSettings(features=BEHAVIOUR))


# -- preprocessing -------------------------------------------------------------------------


def test_preprocessing_is_chosen_from_the_data_and_described(planted) -> None:
    features, _ = planted
    names = ["returns_count", "total_spend", "age", "country", "signup_date", "marketing_opt_in"]
    plan = plan_preprocessing(features, names)
    lines = dict(zip(names, plan.lines, strict=True))
    assert lines["returns_count"].startswith("Returns: skewed (skew ")
    assert lines["returns_count"].endswith("→ log1p, standardised")
    assert lines["age"].startswith("Age: 30 missing (5.0%) imputed with the median ")
    assert lines["age"].endswith("; standardised")
    assert "14 levels → top 7 (" in lines["country"]
    assert lines["country"].endswith("+ other, one-hot (8 columns)")
    assert lines["signup_date"].startswith("Signup date: days before 2024-06-01")
    assert lines["marketing_opt_in"] == "Marketing opt-in: yes/no → 1/0"
    prep = {p.name: p for p in plan.features}
    assert prep["returns_count"].log and prep["age"].missing == 30 and not prep["age"].log
    assert prep["country"].levels[-1] == "other" and len(prep["country"].levels) == 8

    scaled = matrix(plan, features.frame)
    assert scaled.shape == (600, 1 + 1 + 1 + 8 + 1 + 1) and scaled.dtype == np.float64
    assert not np.isnan(scaled).any()
    numeric = scaled[:, [0, 1, 2, 11]]
    assert np.allclose(numeric.mean(axis=0), 0, atol=1e-9)
    assert np.allclose(numeric.std(axis=0), 1)
    assert np.allclose(scaled[:, 3:11].sum(axis=1), 1)  # one country column per customer
    days = features.frame.select((pl.lit(ANALYSIS) - pl.col("signup_date")).dt.total_days())
    expected = days.to_series().to_numpy().astype(float)
    if prep["signup_date"].log:
        expected = np.log1p(expected)
    assert np.corrcoef(scaled[:, 11], expected)[0, 1] > 0.999


def test_few_missing_categories_take_the_mode_many_get_their_own_level(planted) -> None:
    features, _ = planted
    country = features.frame["country"].to_list()
    for missing, expected in [(12, "set to the most common level (C00)"), (60, '"missing"')]:
        values = [None] * missing + country[missing:]
        frame = features.frame.with_columns(pl.Series("country", values))
        plan = plan_preprocessing(Features(frame, FIELDS, ANALYSIS, "c", "o"), ["country"])
        assert f"{missing} missing" in plan.lines[0] and expected in plan.lines[0]


def test_free_text_is_refused_and_a_short_text_field_is_a_category(planted) -> None:
    features, _ = planted
    with pytest.raises(CriteriaError) as error:
        plan_preprocessing(features, ["orders", "email"])
    assert str(error.value) == (
        "Email has 600 distinct values and cannot be clustered; pick numbers or categories."
    )
    plan = plan_preprocessing(features, ["plan"])
    assert plan.columns == ["plan=basic", "plan=plus"] or plan.columns == [
        "plan=plus",
        "plan=basic",
    ]


def test_constant_features_are_dropped_with_a_warning_and_nothing_left_is_an_error(
    planted,
) -> None:
    features, _ = planted
    plan = plan_preprocessing(features, ["store", "orders"])
    assert [p.name for p in plan.features] == ["orders"]
    assert plan.warnings == ["Store has the same value for every customer and was dropped."]
    with pytest.raises(CriteriaError, match="None of the chosen features varies"):
        plan_preprocessing(features, ["store"])
    with pytest.raises(CriteriaError, match="Pick at least one feature"):
        plan_preprocessing(features, [])
    with pytest.raises(CriteriaError, match="'nope' is not a customer attribute"):
        plan_preprocessing(features, ["nope"])


# -- scan and run --------------------------------------------------------------------------


def test_scan_recommends_the_planted_k_and_reports_progress(planted) -> None:
    calls: list[tuple[float, str]] = []
    scan = scan_k(
        planted[0], ClusterSettings(features=BEHAVIOUR), progress=lambda f, m: calls.append((f, m))
    )
    assert scan.recommended == 3
    assert scan.reason.startswith("k = 3 has the highest silhouette (")
    assert [row["k"] for row in scan.rows] == list(range(2, 11))
    assert all(row["inertia"] > 0 and row["bic"] is None for row in scan.rows)
    assert calls[0] == (0.0, "k = 2 of 2–10")
    assert "k = 5 of 2–10" in [message for _, message in calls]
    fractions = [fraction for fraction, _ in calls]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0


def test_run_recovers_the_planted_groups_largest_first_with_names(planted, kmeans_run) -> None:
    _, group = planted
    result = kmeans_run
    assert result.details["k"] == 3 and result.details["scan"]["recommended"] == 3
    assert result.details["algorithm"] == "KMeans" and result.details["seed"] == 42
    assert result.assignments.columns == ["customer_id", "segment", "distance"]
    assert [p["size"] for p in result.details["profiles"]] == list(SIZES.values())
    assert [p["key"] for p in result.details["profiles"]] == ["1", "2", "3"]
    segment = result.assignments["segment"].to_numpy()
    for planted_group, name in enumerate(result.segments):  # largest first = same order
        assert (segment[group == planted_group] == name).all()
    _loyal, vip, lapsed = result.segments
    assert len(set(result.segments)) == 3
    assert set(vip.split(" · ")) == {"High spend", "Frequent", "Recent"}
    assert "Lapsed" in lapsed.split(" · ") and "Recent" not in lapsed
    assert (result.assignments["distance"] >= 0).all()
    assert result.details["preprocessing"][0].startswith("Total spend: ")
    assert result.details["settings"] == ClusterSettings(features=BEHAVIOUR).to_json()
    vip_profile = result.details["profiles"][1]
    assert vip_profile["differences"][0]["z"] > 0.3
    assert json.loads(json.dumps(result.details)) == result.details  # stored as JSON


def test_same_seed_gives_identical_assignments(planted, kmeans_run) -> None:
    again = run_clustering(planted[0], ClusterSettings(features=BEHAVIOUR))
    assert again.assignments.equals(kmeans_run.assignments)
    assert again.details == kmeans_run.details
    other = run_clustering(planted[0], ClusterSettings(features=BEHAVIOUR, k=3, seed=7))
    assert other.details["seed"] == 7 and len(other.segments) == 3


def test_user_names_override_the_generated_ones(planted, kmeans_run) -> None:
    settings = ClusterSettings(features=BEHAVIOUR, k=3, names={"2": "VIPs"})
    result = run_clustering(planted[0], settings)
    assert result.segments == [kmeans_run.segments[0], "VIPs", kmeans_run.segments[2]]
    assert result.assignments.filter(pl.col("segment") == "VIPs").height == SIZES["vip"]


def test_gaussian_mixture_gives_probabilities_and_bic(planted) -> None:
    features, group = planted
    result = run_clustering(features, ClusterSettings(features=BEHAVIOUR, algorithm="gmm"))
    assert result.details["algorithm"] == "GaussianMixture"
    assert result.details["k"] == 3
    assert all(
        row["bic"] is not None and row["inertia"] is None for row in result.details["scan"]["rows"]
    )
    probability = result.assignments["probability"]
    assert probability.min() >= 0 and probability.max() <= 1 and probability.mean() > 0.9
    segment = result.assignments["segment"].to_numpy()
    for planted_group, name in enumerate(result.segments):
        assert (segment[group == planted_group] == name).mean() > 0.97


def test_many_customers_use_minibatch_kmeans(planted, monkeypatch) -> None:
    monkeypatch.setattr(clustering, "MINIBATCH_ABOVE", 500)
    result = run_clustering(planted[0], ClusterSettings(features=BEHAVIOUR, k=3))
    assert result.details["algorithm"] == "MiniBatchKMeans"
    assert "scan" not in result.details


def test_cancelling_between_ks_raises_run_cancelled(planted) -> None:
    seen: list[str] = []

    def cancelled() -> bool:
        return len(seen) >= 2

    with pytest.raises(RunCancelled, match=r"^clustering cancelled; nothing was saved\.$"):
        run_clustering(
            planted[0],
            ClusterSettings(features=BEHAVIOUR),
            progress=lambda _f, message: seen.append(message),
            cancelled=cancelled,
        )
    assert seen == ["k = 2 of 2–10", "k = 3 of 2–10"]


def test_k_beyond_the_distinct_customers_is_refused(planted) -> None:
    features, _ = planted
    frame = features.frame.head(40).with_columns(
        pl.Series("orders", [1, 5, 20, 1] * 10), pl.Series("total_spend", [1.0, 5, 20, 1] * 10)
    )
    few = Features(frame, FIELDS, ANALYSIS, "c", "o")
    with pytest.raises(CriteriaError, match="into only 3 groups; choose k of at most 3"):
        run_clustering(few, ClusterSettings(features=["orders", "total_spend"], k=5))
    tiny = Features(frame.head(10), FIELDS, ANALYSIS, "c", "o")
    with pytest.raises(CriteriaError) as error:
        run_clustering(tiny, ClusterSettings(features=["orders"], k=12))
    assert str(error.value) == "k (12) must be smaller than the number of customers (10)."
    scan = scan_k(tiny, ClusterSettings(features=["orders", "total_spend"]))
    assert scan.rows[-1]["k"] == 9 and scan.recommended == 3
    assert scan.warnings == ["k was scanned up to 9, one less than the number of customers."]


def test_silhouette_matches_scikit_learn() -> None:
    from sklearn.metrics import silhouette_score

    rng = np.random.default_rng(1)
    rows = rng.normal(size=(400, 5)).astype(np.float32)
    rows[:150] += 3
    silhouettes = Silhouettes(rows)
    for k in (2, 3, 7):
        labels = rng.integers(0, k, 400)
        labels[:150] = 0
        assert silhouettes.score(labels) == pytest.approx(silhouette_score(rows, labels), abs=1e-6)
    singleton = np.zeros(400, dtype=np.int64)
    singleton[0] = 1  # a one-member cluster scores 0, as in scikit-learn
    assert silhouettes.score(singleton) == pytest.approx(
        silhouette_score(rows, singleton), abs=1e-6
    )
    assert silhouettes.score(np.zeros(400, dtype=np.int64)) is None


# -- names ---------------------------------------------------------------------------------


def _number(field: str, z: float, label: str = "") -> Difference:
    return Difference(field, label or field, "number", z, 0.0, 0.0)


def test_names_use_the_strongest_terms_and_stay_unique() -> None:
    profiles = [
        [_number("total_spend", 1.2), _number("orders", 0.9), _number("recency_days", -0.6)],
        [_number("total_spend", 1.0), _number("orders", 0.8), _number("age", 0.35)],
        [_number("total_spend", 0.9), _number("orders", 0.7), _number("age", 0.2)],
        [_number("total_spend", 0.1)],
        [_number("orders", -0.25)],
        [_number("income", -0.8, "Income"), _number("orders_per_month", -0.5)],
    ]
    names = name_clusters(profiles)
    assert names == [
        "High spend · Frequent · Recent",
        "High spend · Frequent · Older",
        "High spend · Frequent",  # the duplicate with a term left took it
        "Typical",
        "Typical 2",
        "Low income · Infrequent",
    ]
    assert name_clusters(profiles, {"1": "Typical", "6": " "})[:5] == [
        "Typical",
        "High spend · Frequent · Older",
        "High spend · Frequent",
        "Typical 2",
        "Typical 3",
    ]
    twins = [[_number("age", 0.9)], [_number("age", 0.8)], [_number("age", -0.9)]]
    assert name_clusters(twins) == ["Older", "Older 2", "Young"]


def test_category_levels_name_a_cluster_when_concentrated() -> None:
    urban = Difference("city_type", "City type", "category", 1.6, 0.7, 0.3, "urban")
    weak = Difference("country", "Country", "category", 0.9, 0.35, 0.1, "north east")
    other = Difference("country", "Country", "category", 2.0, 0.8, 0.1, "other")
    opted = Difference("marketing_opt_in", "Marketing opt-in", "boolean", 1.0, 0.8, 0.4, "yes")
    assert name_clusters([[urban, weak, other, opted]]) == ["Urban · Opted in"]
    north = Difference("country", "Country", "category", 0.9, 0.45, 0.1, "north east")
    assert name_clusters([[north]]) == ["North East"]


# -- settings ------------------------------------------------------------------------------


def test_settings_round_trip_through_json() -> None:
    settings = ClusterSettings(
        features=["orders", "age"],
        algorithm="gmm",
        k=4,
        k_min=3,
        k_max=8,
        seed=7,
        names={"1": "Big"},
    )
    assert ClusterSettings.from_json(settings.to_json()) == settings
    assert ClusterSettings.from_json({"features": ["orders"]}) == ClusterSettings(["orders"])


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"k": 1}, "k must be a whole number from 2 to 30, not 1."),
        ({"k": 31}, "k must be a whole number from 2 to 30, not 31."),
        ({"k": True}, "k must be a whole number from 2 to 30, not True."),
        ({"k_max": 40}, "k_max must be a whole number from 2 to 30, not 40."),
        ({"k_min": 6, "k_max": 4}, "k_min (6) must be smaller than k_max (4)."),
        ({"algorithm": "dbscan"}, 'algorithm must be "kmeans" or "gmm", not \'dbscan\'.'),
        ({"seed": -1}, "seed must be a whole number from 0 to 4294967295, not -1."),
        ({"features": []}, "Pick at least one feature to cluster on."),
        ({"features": "orders"}, "features must be a list of field names."),
        ({"names": {"1": "A", "2": "A"}}, "names: 'A' is given to more than one cluster."),
        ({"names": {"x": "A"}}, "names: cluster key 'x' must be a number from 1 to 30."),
        ({"colour": "red"}, "Unknown clustering setting 'colour'."),
    ],
)
def test_settings_validation_names_the_setting(change: dict, message: str) -> None:
    with pytest.raises(CriteriaError) as error:
        ClusterSettings.from_json({"features": ["orders"], **change})
    assert str(error.value) == message


def test_default_features_are_filtered_to_what_exists(planted) -> None:
    assert default_features(planted[0]) == ["recency_days", "orders", "total_spend"]


def test_importing_clustering_does_not_import_sklearn() -> None:
    code = (
        "import sys, segtui.core.clustering, segtui.core.cluster_names\n"
        "assert 'sklearn' not in sys.modules and 'textual' not in sys.modules"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
