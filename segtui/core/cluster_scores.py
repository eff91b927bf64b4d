"""Scoring the k of a clustering scan and recommending one: the silhouette on a fixed sample,
the inertia elbow (k-means) and the BIC (Gaussian mixture).

The silhouette matches scikit-learn's ``silhouette_score`` (Euclidean) but the sample's
pairwise distances are computed once per scan and each k only sums them per cluster (one
matrix product), so scoring nine ks costs about as much as scoring one.
"""

from __future__ import annotations

from typing import Any, Literal

import numpy as np

NEAR_TIE = 0.01  # silhouettes this close count as a tie, won by the smaller k
BIC_SLACK = 0.03  # a mixture's BIC minimum wins if its silhouette is this close to the best
_BLOCK = 1024  # rows of the distance matrix computed at a time


class Silhouettes:
    """The mean silhouette of labelings of one sample of rows."""

    def __init__(self, rows: np.ndarray) -> None:
        self.rows = rows
        x = rows.astype(np.float64)  # float64 for the distances, float32 to keep them
        squares = (x * x).sum(axis=1)
        self.distances = np.empty((len(x), len(x)), dtype=np.float32)
        for start in range(0, len(x), _BLOCK):
            stop = start + _BLOCK
            block = x[start:stop] @ x.T  # |a - b|² = |a|² + |b|² - 2 a·b, in place
            block *= -2.0
            block += squares[start:stop, None]
            block += squares[None, :]
            np.sqrt(np.maximum(block, 0.0, out=block), out=block)
            self.distances[start:stop] = block

    def score(self, labels: np.ndarray) -> float | None:
        """The mean silhouette, or None when the labels are not 2..n-1 distinct clusters."""
        count = len(labels)
        if not 2 <= len(np.unique(labels)) < count:
            return None
        k = int(labels.max()) + 1
        members = np.zeros((count, k), dtype=np.float32)
        members[np.arange(count), labels] = 1.0
        sizes = members.sum(axis=0, dtype=np.float64)
        sums = (self.distances @ members).astype(np.float64)  # distance sums per cluster
        own_size = sizes[labels]
        within = sums[np.arange(count), labels] / np.maximum(own_size - 1, 1)
        with np.errstate(divide="ignore", invalid="ignore"):
            other = np.where(sizes > 0, sums / sizes, np.inf)
        other[np.arange(count), labels] = np.inf
        nearest = other.min(axis=1)
        spread = np.maximum(within, nearest)
        with np.errstate(divide="ignore", invalid="ignore"):
            scores = np.where((own_size > 1) & (spread > 0), (nearest - within) / spread, 0.0)
        return float(scores.mean())


def elbow(rows: list[dict[str, Any]]) -> int | None:
    """The k whose inertia lies farthest below the straight line from the first to the last
    k (the knee of the curve), or None for fewer than three ks or no bend."""
    if len(rows) < 3 or any(row["inertia"] is None for row in rows):
        return None
    inertia = np.array([row["inertia"] for row in rows], dtype=np.float64)
    drop = inertia[0] - inertia[-1]
    if drop <= 0:
        return None
    x = np.linspace(0.0, 1.0, len(rows))
    gap = (1.0 - x) - (inertia - inertia[-1]) / drop
    best = int(np.argmax(gap))
    return rows[best]["k"] if gap[best] > 0 else None


def recommend(
    rows: list[dict[str, Any]], algorithm: Literal["kmeans", "gmm"], knee: int | None = None
) -> tuple[int, str]:
    """The recommended k and why.

    The highest silhouette wins, near ties (within 0.01) going to the smaller k: fewer
    segments are easier to act on. For a mixture, the BIC minimum wins instead when its
    silhouette is within 0.03 of the best, unless that minimum is the end of the range: on
    customer data BIC often keeps falling as k grows, which reflects the sample size more
    than the segments. ``knee`` is the k-means inertia elbow, mentioned in the reason.
    """
    scored = [row for row in rows if row["silhouette"] is not None]
    if not scored:
        k = rows[0]["k"]
        return k, f"k = {k}, the smallest: no k split the customers into distinct clusters"
    top = max(scored, key=lambda row: row["silhouette"])
    best, best_k = top["silhouette"], top["k"]
    pick = min(row["k"] for row in scored if row["silhouette"] >= best - NEAR_TIE)
    silhouette = {row["k"]: row["silhouette"] for row in scored}
    if pick == best_k:
        reason = f"k = {pick} has the highest silhouette ({best:.2f})"
    else:
        reason = (
            f"k = {pick} has a silhouette ({silhouette[pick]:.2f}) within {NEAR_TIE} of the "
            f"highest ({best:.2f} at k = {best_k}) with fewer clusters"
        )
    if algorithm == "kmeans":
        if knee == pick:
            reason += "; inertia flattens after it"
        elif knee is not None:
            reason += f"; the inertia elbow is at k = {knee}"
        return pick, reason
    with_bic = [row for row in scored if row["bic"] is not None]
    if not with_bic:
        return pick, reason
    bic_k = min(with_bic, key=lambda row: row["bic"])["k"]
    if bic_k == pick:
        return pick, reason + "; BIC is lowest there too"
    if bic_k == rows[-1]["k"]:
        return pick, reason + f"; BIC keeps falling up to k = {bic_k}"
    if silhouette[bic_k] >= best - BIC_SLACK:
        return bic_k, (
            f"k = {bic_k} has the lowest BIC and a silhouette ({silhouette[bic_k]:.2f}) "
            f"close to the highest ({best:.2f} at k = {best_k})"
        )
    return pick, reason + (
        f"; BIC is lowest at k = {bic_k} but its silhouette ({silhouette[bic_k]:.2f}) is lower"
    )
