"""A clustering run seen in two dimensions: the customers' clustering features, preprocessed
exactly as the run did (cluster_prep.py), projected on their first two principal components
(PCA fitted on a seeded sample of at most 3,000 customers), one point group per cluster.

numpy and polars are imported inside the functions: the app must start without them. The PCA
is numpy's exact SVD (what scikit-learn's PCA computes), so opening the projection does not
pay for importing scikit-learn.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from segtui.core.chart_model import Scatter
from segtui.core.segment_model import CUSTOMER_ID

if TYPE_CHECKING:
    import numpy as np

    from segtui.core.run_data import RunData

CLUSTERING_METHODS = ("kmeans", "gmm")


def projection(data: RunData, sample: int = 3000, seed: int = 0) -> Scatter | None:
    """The run's customers (a seeded sample of at most ``sample``) on the first two principal
    components of its clustering features; None unless the run is a clustering."""
    import numpy as np
    import polars as pl

    from segtui.core.cluster_prep import matrix, plan_preprocessing

    run = data.run
    if run.method not in CLUSTERING_METHODS:
        return None
    names = list(run.details.get("features") or run.parameters.get("features") or [])
    plan = plan_preprocessing(data.features, names)  # on everyone, as the run did
    customers = data.assignments.select(CUSTOMER_ID, "segment")
    total = customers.height
    if total > sample:  # sample first: joining a million customers' features is slow
        rng = np.random.default_rng(seed)
        chosen = np.sort(rng.choice(total, sample, replace=False))
        customers = customers.select(pl.all().gather(chosen))
    columns = [prep.name for prep in plan.features]
    customers = customers.join(
        data.features.frame.select(CUSTOMER_ID, *columns),
        on=CUSTOMER_ID,
        how="inner",
        maintain_order="left",
    )
    rows = matrix(plan, customers, np.float64)
    points, shares = _principal_components(rows)
    segments = customers.get_column("segment").to_numpy()
    groups = []
    for name in data.segments:
        inside = segments == name
        groups.append(
            (name, points[inside, 0].round(4).tolist(), points[inside, 1].round(4).tolist())
        )
    shown = customers.height
    explained = sum(shares)
    sampled = (
        f"A random sample of {shown:,} of the {total:,} customers (seed {seed}). "
        if shown < total
        else f"All {shown:,} customers. "
    )
    note = (
        f"{sampled}Together the two axes hold {explained:.0%} of the variation of the "
        f"{len(plan.features)} clustering features; clusters that overlap here can still be "
        "apart in the other directions."
    )
    return Scatter(
        title=f"{run.segmentation}: customers on the first two principal components",
        x_label=f"PC1 ({shares[0]:.0%} of variance)",
        y_label=f"PC2 ({shares[1]:.0%} of variance)",
        groups=groups,
        note=note,
    )


def _principal_components(rows: np.ndarray) -> tuple[np.ndarray, list[float]]:
    """The rows on their first two principal components (a zero column when the features
    make only one) and each component's share of the variance.

    An exact SVD of the centred rows, as scikit-learn's PCA (svd_solver="full") does, signs
    fixed the same way (each component's largest loading positive), so the same sample
    always gives the same picture; numpy does it without scikit-learn's 3-second import.
    """
    import numpy as np

    count, width = rows.shape
    if count < 2 or width == 0:
        return np.zeros((count, 2)), [0.0, 0.0]
    centred = rows - rows.mean(axis=0)
    _, singular, components = np.linalg.svd(centred, full_matrices=False)
    biggest = np.argmax(np.abs(components), axis=1)
    signs = np.sign(components[np.arange(len(components)), biggest])
    components *= np.where(signs == 0, 1.0, signs)[:, None]
    variance = singular**2
    total = float(variance.sum())
    shares = [float(v / total) if total > 0 else 0.0 for v in variance[:2]]
    points = centred @ components[:2].T
    if points.shape[1] < 2:
        points = np.column_stack([points, np.zeros(count)])
        shares.append(0.0)
    return points, shares
