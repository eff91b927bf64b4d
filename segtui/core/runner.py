"""Run a segmentation: build (or reuse) the customer features, hand them to the method (rules,
RFM, k-means or Gaussian mixture) and store the run. The CLI and the UI both come through here.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from segtui.core.features import customer_features
from segtui.core.segment_model import (
    Cancelled,
    CriteriaError,
    Features,
    MethodResult,
    Progress,
    stop_if_cancelled,
)

if TYPE_CHECKING:
    from segtui.core.project import Project
    from segtui.core.segmentations import RunInfo, Segmentation


def default_definition(method: str, features: Features | None = None) -> dict[str, Any]:
    """The definition a new segmentation of this method starts from."""
    if method == "rules":
        return {"mode": "exclusive", "else": "Everyone else", "segments": []}
    if method == "rfm":
        from segtui.core.rfm_settings import RfmSettings

        return RfmSettings().to_json()
    if method in ("kmeans", "gmm"):
        from segtui.core.clustering import ClusterSettings, default_features

        chosen = default_features(features) if features is not None else []
        algorithm = "gmm" if method == "gmm" else "kmeans"
        return ClusterSettings(features=chosen, algorithm=algorithm).to_json()
    raise CriteriaError(f"method {method!r} is not known; use rules, rfm, kmeans or gmm.")


def compute(
    project: Project,
    segmentation: Segmentation,
    features: Features,
    *,
    progress: Progress | None = None,
    cancelled: Cancelled | None = None,
) -> MethodResult:
    """What the segmentation's method makes of the features (nothing is stored)."""
    method = segmentation.method
    definition = segmentation.definition
    if method == "rules":
        from segtui.core.rules_run import RuleSegmentation, assign

        rules = RuleSegmentation.from_json(definition, features.by_name)
        return assign(features, rules, members=project.segment_members)
    if method == "rfm":
        from segtui.core.rfm import run_rfm
        from segtui.core.rfm_settings import RfmSettings

        return run_rfm(features, RfmSettings.from_json(definition), progress, cancelled)
    from segtui.core.clustering import ClusterSettings, run_clustering

    settings = ClusterSettings.from_json(definition)
    settings.algorithm = "gmm" if method == "gmm" else "kmeans"
    return run_clustering(features, settings, progress, cancelled)


def run_segmentation(
    project: Project,
    name: str,
    *,
    progress: Progress | None = None,
    cancelled: Cancelled | None = None,
) -> RunInfo:
    """Run a stored segmentation and store the run; a failure or a cancel stores nothing."""
    started = time.perf_counter()
    segmentation = project.segmentation(name)

    stopped = f"run of {segmentation.name} cancelled; nothing was saved."
    if progress:
        progress(0.02, "customer features")
    features = customer_features(project)
    stop_if_cancelled(cancelled, stopped)

    def step(fraction: float, label: str) -> None:
        if progress:
            progress(0.1 + 0.8 * fraction, label)

    result = compute(project, segmentation, features, progress=step, cancelled=cancelled)
    stop_if_cancelled(cancelled, stopped)
    if progress:
        progress(0.92, f"storing {result.assignments.height:,} assignments")
    run = project.save_run(segmentation, result, features, time.perf_counter() - started)
    if progress:
        progress(1.0, "done")
    return run
