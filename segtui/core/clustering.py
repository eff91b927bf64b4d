"""Clustering segmentations: the settings, the scan that recommends k, and the run.

k-means (scikit-learn ``KMeans``, ``MiniBatchKMeans`` above 200,000 customers) by default, a
Gaussian mixture (diagonal covariances: several times faster than full ones and the features
are standardised) as the alternative. scikit-learn is imported inside the functions that fit,
never at module level, so opening the app does not pay for it.

The k scan fits each k once on a seeded sample of at most 50,000 customers (20,000 for the
slower mixture; all of them below that) and scores it by the silhouette on a seeded sample of
at most 5,000; the run then fits the chosen k on every customer (best of three starts).
Cluster keys are "1".."k", largest cluster first.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Literal, get_args

import numpy as np
import polars as pl

from segtui.core.cluster_names import cluster_differences, name_clusters
from segtui.core.cluster_prep import matrix, plan_preprocessing
from segtui.core.cluster_scores import Silhouettes, elbow, recommend
from segtui.core.segment_model import (
    CUSTOMER_ID,
    METHOD_LABELS,
    Cancelled,
    CriteriaError,
    Features,
    MethodResult,
    Progress,
    stop_if_cancelled,
)

Algorithm = Literal["kmeans", "gmm"]
ALGORITHMS: tuple[Algorithm, ...] = get_args(Algorithm)

# Suggested features for a project with transactions (filtered to what exists).
DEFAULT_FEATURES = [
    "recency_days",
    "orders",
    "total_spend",
    "avg_order_value",
    "distinct_categories",
    "discount_share",
]

K_LOWEST, K_HIGHEST = 2, 30
MINIBATCH_ABOVE = 200_000  # customers; MiniBatchKMeans beyond this
SCAN_FIT_ROWS = {"kmeans": 50_000, "gmm": 20_000}  # the scan fits each k on at most these
SILHOUETTE_ROWS = 5_000  # the silhouette is computed on at most this many
TOP_DIFFERENCES = 5  # per cluster profile in the run details
CANCELLED = "clustering cancelled; nothing was saved."


@dataclass
class ClusterSettings:
    """What the user chose for a clustering segmentation (stored as JSON)."""

    features: list[str]
    algorithm: Algorithm = "kmeans"
    k: int | None = None  # None: use the recommended k of a scan
    k_min: int = 2
    k_max: int = 10
    seed: int = 42
    names: dict[str, str] = field(default_factory=dict)  # cluster key ("1".."k") -> name

    def to_json(self) -> dict[str, Any]:
        return {
            "features": list(self.features),
            "algorithm": self.algorithm,
            "k": self.k,
            "k_min": self.k_min,
            "k_max": self.k_max,
            "seed": self.seed,
            "names": dict(self.names),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ClusterSettings:
        """Settings from stored JSON; CriteriaError names the first bad setting."""
        if not isinstance(data, Mapping):
            raise CriteriaError("Clustering settings must be a JSON object.")
        unknown = sorted(set(data) - set(cls.__dataclass_fields__))
        if unknown:
            raise CriteriaError(f"Unknown clustering setting {unknown[0]!r}.")
        features = data.get("features", [])
        if not isinstance(features, list) or not all(isinstance(f, str) for f in features):
            raise CriteriaError("features must be a list of field names.")
        names = data.get("names", {})
        if not isinstance(names, Mapping) or not all(
            isinstance(key, str) and isinstance(value, str) for key, value in names.items()
        ):
            raise CriteriaError('names must map cluster keys to names, e.g. {"1": "VIPs"}.')
        settings = cls(
            features=list(features),
            algorithm=data.get("algorithm", "kmeans"),
            k=data.get("k"),
            k_min=data.get("k_min", 2),
            k_max=data.get("k_max", 10),
            seed=data.get("seed", 42),
            names=dict(names),
        )
        settings.check()
        return settings

    def check(self, customers: int | None = None) -> None:
        """Raise CriteriaError (one line naming the setting) unless the settings can run,
        on ``customers`` customers when given."""
        if not self.features:
            raise CriteriaError("Pick at least one feature to cluster on.")
        if self.algorithm not in ALGORITHMS:
            raise CriteriaError(f'algorithm must be "kmeans" or "gmm", not {self.algorithm!r}.')
        for setting in ("k", "k_min", "k_max"):
            value = getattr(self, setting)
            if value is None and setting == "k":
                continue
            if not _is_int(value) or not K_LOWEST <= value <= K_HIGHEST:
                raise CriteriaError(
                    f"{setting} must be a whole number from {K_LOWEST} to {K_HIGHEST}, "
                    f"not {value!r}."
                )
        if self.k_min >= self.k_max:
            raise CriteriaError(f"k_min ({self.k_min}) must be smaller than k_max ({self.k_max}).")
        if not _is_int(self.seed) or not 0 <= self.seed < 2**32:
            raise CriteriaError(
                f"seed must be a whole number from 0 to 4294967295, not {self.seed!r}."
            )
        for key, name in self.names.items():
            if not key.isdigit() or not 1 <= int(key) <= K_HIGHEST:
                raise CriteriaError(f"names: cluster key {key!r} must be a number from 1 to 30.")
            if not name.strip():
                raise CriteriaError(f"names: cluster {key} has an empty name.")
        given = [name.strip() for name in self.names.values()]
        for name in given:
            if given.count(name) > 1:
                raise CriteriaError(f"names: {name!r} is given to more than one cluster.")
        if customers is None:
            return
        if customers < K_LOWEST + 1:
            raise CriteriaError(
                f"Clustering needs at least {K_LOWEST + 1} customers; there are {customers}."
            )
        if self.k is not None and self.k >= customers:
            raise CriteriaError(
                f"k ({self.k}) must be smaller than the number of customers ({customers:,})."
            )
        if self.k is None and self.k_min >= customers:
            raise CriteriaError(
                f"k_min ({self.k_min}) must be smaller than the number of customers "
                f"({customers:,})."
            )


@dataclass
class KScan:
    """The scores of each k in the scanned range, and the recommendation."""

    rows: list[dict[str, Any]]  # {k, silhouette, inertia, bic}; None where not computed
    recommended: int
    reason: str
    elbow: int | None = None  # k-means: where inertia stops falling fast
    fitted_rows: int = 0  # customers each k was fitted on
    silhouette_rows: int = 0  # customers the silhouette was computed on
    warnings: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "rows": self.rows,
            "recommended": self.recommended,
            "reason": self.reason,
            "elbow": self.elbow,
            "fitted_rows": self.fitted_rows,
            "silhouette_rows": self.silhouette_rows,
            "warnings": self.warnings,
        }


def default_features(features: Features) -> list[str]:
    """The suggested features that this project has."""
    present = features.by_name
    return [name for name in DEFAULT_FEATURES if name in present]


def scan_k(
    features: Features,
    settings: ClusterSettings,
    progress: Progress | None = None,
    cancelled: Cancelled | None = None,
) -> KScan:
    """Fit k_min..k_max clusters and recommend a k (see ``recommend``)."""
    settings.check(features.frame.height)
    plan = plan_preprocessing(features, settings.features)
    scaled = matrix(plan, features.frame, np.float32)
    with _one_thread():
        return _scan(scaled, settings, progress, cancelled, span=1.0)


def run_clustering(
    features: Features,
    settings: ClusterSettings,
    progress: Progress | None = None,
    cancelled: Cancelled | None = None,
) -> MethodResult:
    """Cluster the customers: scan for k first when ``settings.k`` is None."""
    frame = features.frame
    settings.check(frame.height)
    plan = plan_preprocessing(features, settings.features)
    scaled = matrix(plan, frame, np.float32)
    notes = list(plan.warnings)
    scan = None
    k = settings.k
    with _one_thread():
        if k is None:
            scan = _scan(scaled, settings, progress, cancelled, span=0.8)
            notes += scan.warnings
            k = scan.recommended
        _check(cancelled)
        label = METHOD_LABELS[settings.algorithm]
        _report(progress, 0.8, f"fitting {label} with k = {k}")
        model = _fit(settings.algorithm, k, settings.seed, scaled)
        labels, score_name, score = _assign(model, scaled, settings.algorithm)
    sizes = np.bincount(labels, minlength=k)
    if (sizes == 0).any():
        found = int((sizes > 0).sum())
        raise CriteriaError(
            f"The chosen features split the customers into only {found} groups; "
            f"choose k of at most {found} or add features."
        )
    if settings.algorithm == "gmm" and not model.converged_:
        notes.append("The Gaussian mixture did not fully converge; another seed may differ.")
    order = np.argsort(-sizes, kind="stable")  # largest first; ties keep the model's order
    rank = np.empty(k, dtype=np.int64)
    rank[order] = np.arange(k)
    labels = rank[labels]
    _check(cancelled)
    _report(progress, 0.95, "naming clusters")
    differences = cluster_differences(plan, frame, scaled, labels, k)
    names = name_clusters(differences, settings.names)
    generated = name_clusters(differences) if settings.names else names
    assignments = pl.DataFrame(
        {
            CUSTOMER_ID: frame.get_column(CUSTOMER_ID).cast(pl.String),
            "segment": pl.Series("segment", names, dtype=pl.String).gather(labels),
            score_name: score.astype(np.float64),
        }
    )
    sizes = np.bincount(labels, minlength=k)
    profiles = [
        {
            "key": str(c + 1),
            "name": names[c],
            "generated": generated[c],
            "size": int(sizes[c]),
            "differences": [d.to_json() for d in differences[c] if d.qualifies][:TOP_DIFFERENCES],
        }
        for c in range(k)
    ]
    details: dict[str, Any] = {
        "settings": settings.to_json(),
        "features": [prep.name for prep in plan.features],
        "preprocessing": plan.lines,
        "columns": len(plan.columns),
        "k": k,
        "profiles": profiles,
        "seed": settings.seed,
        "algorithm": type(model).__name__,
        "warnings": notes,
    }
    if scan is not None:
        details["scan"] = scan.to_json()
    _report(progress, 1.0, "done")
    return MethodResult(assignments=assignments, segments=names, details=details, warnings=notes)


# -- internals -----------------------------------------------------------------------------


def _scan(
    scaled: np.ndarray,
    settings: ClusterSettings,
    progress: Progress | None,
    cancelled: Cancelled | None,
    span: float,
) -> KScan:
    rows_count = len(scaled)
    k_max = min(settings.k_max, rows_count - 1)
    notes = []
    if k_max < settings.k_max:
        notes.append(f"k was scanned up to {k_max}, one less than the number of customers.")
    rng = np.random.default_rng(settings.seed)
    fitted = _sample(scaled, SCAN_FIT_ROWS[settings.algorithm], rng)
    sample = _sample(scaled, SILHOUETTE_ROWS, rng)
    silhouettes = Silhouettes(sample)
    ks = list(range(settings.k_min, k_max + 1))
    rows: list[dict[str, Any]] = []
    for i, k in enumerate(ks):
        _check(cancelled)
        _report(progress, span * i / len(ks), f"k = {k} of {settings.k_min}–{settings.k_max}")
        model = _fit(settings.algorithm, k, settings.seed, fitted, n_init=1)
        silhouette = silhouettes.score(model.predict(sample))
        kmeans = settings.algorithm == "kmeans"
        rows.append(
            {
                "k": k,
                "silhouette": None if silhouette is None else round(silhouette, 4),
                "inertia": round(float(model.inertia_), 2) if kmeans else None,
                "bic": None if kmeans else round(float(model.bic(fitted)), 2),
            }
        )
    _check(cancelled)
    knee = elbow(rows) if settings.algorithm == "kmeans" else None
    recommended, reason = recommend(rows, settings.algorithm, knee)
    _report(progress, span, f"k = {recommended} recommended")
    return KScan(rows, recommended, reason, knee, len(fitted), len(sample), notes)


@contextmanager
def _one_thread() -> Iterator[None]:
    """Fit on one thread. On a 2-core machine two OpenMP threads of k-means burnt twice the
    CPU for little or no gain at these sizes, OpenBLAS threads spinning after a matrix
    product (silhouettes) slowed them 2-3 times more, and either starved the UI thread that
    draws the progress bar (all measured). One thread is steady and leaves a core free.

    scikit-learn is imported first: the limits only reach libraries already loaded, and its
    OpenMP runtime comes with it."""
    import sklearn.cluster  # noqa: F401
    from threadpoolctl import threadpool_limits  # installed with scikit-learn

    with threadpool_limits(limits=1):
        yield


def _assign(model: Any, scaled: np.ndarray, algorithm: Algorithm) -> tuple[Any, str, Any]:
    """Each row's cluster and its distance to the centroid (k-means) or the probability of
    its component (mixture)."""
    rows = np.arange(len(scaled))
    if algorithm == "gmm":
        probabilities = model.predict_proba(scaled)
        labels = probabilities.argmax(axis=1)
        return labels, "probability", probabilities[rows, labels]
    distances = model.transform(scaled)
    labels = distances.argmin(axis=1)
    return labels, "distance", distances[rows, labels]


def _fit(algorithm: Algorithm, k: int, seed: int, rows: np.ndarray, n_init: int = 3) -> Any:
    """A fitted scikit-learn estimator (imported here, not at module level). The scan fits
    each k once (greedy k-means++ starts are good; three times the work buys little for
    scoring k); the run keeps the best of three."""
    from sklearn.exceptions import ConvergenceWarning

    if algorithm == "gmm":
        from sklearn.mixture import GaussianMixture

        # reg_covar keeps one-hot columns that are constant within a component from giving
        # a zero variance; tiny next to the unit variance of the standardised numbers
        model: Any = GaussianMixture(
            n_components=k,
            covariance_type="diag",
            reg_covar=1e-4,
            init_params="k-means++",  # no full k-means run before EM: about twice as fast
            random_state=seed,
        )
    elif len(rows) > MINIBATCH_ABOVE:
        from sklearn.cluster import MiniBatchKMeans

        model = MiniBatchKMeans(n_clusters=k, n_init=n_init, batch_size=4096, random_state=seed)
    else:
        from sklearn.cluster import KMeans

        model = KMeans(n_clusters=k, n_init=n_init, random_state=seed)
    with warnings.catch_warnings():
        # fewer distinct points than k, or a mixture short of convergence: both are checked
        # by the caller and reported in words
        warnings.simplefilter("ignore", ConvergenceWarning)
        return model.fit(rows)


def _sample(rows: np.ndarray, limit: int, rng: np.random.Generator) -> np.ndarray:
    if len(rows) <= limit:
        return rows
    return rows[np.sort(rng.choice(len(rows), limit, replace=False))]


def _check(cancelled: Cancelled | None) -> None:
    stop_if_cancelled(cancelled, CANCELLED)


def _report(progress: Progress | None, fraction: float, message: str) -> None:
    if progress is not None:
        progress(min(max(fraction, 0.0), 1.0), message)


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)
