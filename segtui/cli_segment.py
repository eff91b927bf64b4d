"""`segtui segment` (create or update a segmentation, run it, print the segment counts) and
`segtui segments` (the segmentations, or one segmentation's segments from its latest run).
Same core as the UI; Textual is never imported."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from segtui.core.errors import SegtuiError


class SegmentUsageError(SegtuiError):
    """A `segment` command line that cannot be carried out as written."""


def add_parsers(sub: Any) -> None:
    seg = sub.add_parser(
        "segment",
        help="create or update a segmentation, run it and print its segment counts",
        description="Runs a segmentation (creating it, or updating the options given) and "
        "stores the run in the project. Options a method does not use are refused.",
    )
    seg.add_argument("project", help="project file")
    seg.add_argument("--name", required=True, help="the segmentation's name")
    seg.add_argument(
        "--method",
        choices=["rfm", "rules", "kmeans", "gmm"],
        help="required when creating; changing it starts from that method's defaults",
    )
    rfm = seg.add_argument_group("RFM")
    rfm.add_argument("--bins", type=int, choices=[3, 4, 5], help="score bins (default 5)")
    rfm.add_argument("--monetary", choices=["total", "aov"], help="total spend or AOV")
    clusters = seg.add_argument_group("clustering")
    clusters.add_argument("--features", help="comma-separated feature names")
    k = clusters.add_mutually_exclusive_group()
    k.add_argument("--k", type=int, help="number of clusters")
    k.add_argument("--k-range", help="scan this range and use the recommended k, e.g. 2-10")
    clusters.add_argument("--seed", type=int, help="random seed (default 42)")
    rules = seg.add_argument_group("rules")
    rules.add_argument("--rules", metavar="FILE.json", help="the rule segments (see README)")
    mode = rules.add_mutually_exclusive_group()
    mode.add_argument("--exclusive", action="store_true", help="first match wins (default)")
    mode.add_argument("--overlapping", action="store_true", help="segments may overlap")
    seg.add_argument("--json", action="store_true", help="print the run as JSON")

    segs = sub.add_parser(
        "segments", help="the segmentations, or one segmentation's segments (latest run)"
    )
    segs.add_argument("project", help="project file")
    segs.add_argument("name", nargs="?", help="a segmentation's name")
    segs.add_argument("--json", action="store_true")


def _k_range(text: str) -> tuple[int, int]:
    low, _, high = text.replace("–", "-").partition("-")
    try:
        return int(low), int(high)
    except ValueError:
        raise SegmentUsageError(f"--k-range {text!r}: write it as LOW-HIGH, e.g. 2-10.") from None


def _read_rules(path: str) -> dict[str, Any]:
    file = Path(path)
    try:
        data = json.loads(file.read_text(encoding="utf-8"))
    except OSError as exc:
        raise SegmentUsageError(f"--rules {path}: cannot read it ({exc.strerror}).") from exc
    except json.JSONDecodeError as exc:
        raise SegmentUsageError(
            f"--rules {file.name}: not valid JSON at line {exc.lineno}, column {exc.colno} "
            f"({exc.msg})."
        ) from exc
    if isinstance(data, list):
        data = {"segments": data}
    if not isinstance(data, dict):
        raise SegmentUsageError(
            f'--rules {file.name}: expected an object with "segments" (see README).'
        )
    return data


def _refuse(args: argparse.Namespace, method: str, flags: dict[str, Any]) -> None:
    given = [flag for flag, value in flags.items() if value not in (None, False)]
    if given:
        from segtui.core.segment_model import METHOD_LABELS

        label = METHOD_LABELS[method]
        article = "an" if label[0] in "AEIOR" else "a"
        raise SegmentUsageError(
            f"{', '.join(given)} {'does' if len(given) == 1 else 'do'} not apply to {article} "
            f"{label} segmentation; leave {'it' if len(given) == 1 else 'them'} out."
        )


def _definition(args: argparse.Namespace, method: str, base: dict[str, Any]) -> dict[str, Any]:
    definition = dict(base)
    rfm_flags = {"--bins": args.bins, "--monetary": args.monetary}
    cluster_flags = {"--features": args.features, "--k": args.k, "--k-range": args.k_range,
                     "--seed": args.seed}  # fmt: skip
    rule_flags = {"--rules": args.rules, "--exclusive": args.exclusive,
                  "--overlapping": args.overlapping}  # fmt: skip
    if method == "rfm":
        _refuse(args, method, cluster_flags | rule_flags)
        if args.bins is not None and args.bins != definition.get("bins"):
            definition["bins"] = args.bins
            definition.pop("grid", None)  # the map is re-derived for the new number of bins
            definition.pop("ranges", None)
        if args.monetary:
            definition["monetary"] = args.monetary
    elif method == "rules":
        _refuse(args, method, rfm_flags | cluster_flags)
        if args.rules:
            loaded = _read_rules(args.rules)
            definition = {"mode": definition.get("mode", "exclusive"), **loaded}
        if args.exclusive or args.overlapping:
            definition["mode"] = "overlapping" if args.overlapping else "exclusive"
    else:
        _refuse(args, method, rfm_flags | rule_flags)
        if args.features:
            definition["features"] = [f.strip() for f in args.features.split(",") if f.strip()]
        if args.k is not None:
            definition["k"] = args.k
        if args.k_range:
            definition["k_min"], definition["k_max"] = _k_range(args.k_range)
            definition["k"] = None
        if args.seed is not None:
            definition["seed"] = args.seed
    return definition


def cmd_segment(args: argparse.Namespace) -> int:
    from segtui.core.features import customer_features
    from segtui.core.project import Project
    from segtui.core.runner import default_definition, run_segmentation

    with Project.open(args.project, create=False) as project:
        if project.has_segmentation(args.name):
            seg = project.segmentation(args.name)
            method = args.method or seg.method
            base = seg.definition
            if method != seg.method:
                features = customer_features(project) if method in ("kmeans", "gmm") else None
                base = default_definition(method, features)
        else:
            if not args.method:
                raise SegmentUsageError(
                    f"there is no segmentation named {args.name!r} yet; give --method "
                    "rfm, rules, kmeans or gmm to create it."
                )
            method = args.method
            features = customer_features(project) if method in ("kmeans", "gmm") else None
            base = default_definition(method, features)
        definition = _definition(args, method, base)
        if method == "rules" and not definition.get("segments"):
            raise SegmentUsageError(
                "a rules segmentation needs segments: give --rules FILE.json (see README)."
            )
        _check(project, method, definition)
        before = project.segmentation(args.name) if project.has_segmentation(args.name) else None
        if before is not None:
            project.update_segmentation(args.name, method=method, definition=definition)
        else:
            project.create_segmentation(args.name, method, definition)
        try:
            run = run_segmentation(project, args.name)
        except BaseException:
            # A run that fails leaves the project as it was: the segmentation is put back.
            if before is None:
                project.delete_segmentation(args.name)
            else:
                project.update_segmentation(
                    args.name, method=before.method, definition=before.definition
                )
            raise
        currency = project.settings().currency
    if args.json:
        print(json.dumps(run.to_json(), indent=2))
    else:
        _print_run(run.to_json(), currency, run.details.get("warnings") or [])
    return 0


def _check(project: Any, method: str, definition: dict[str, Any]) -> None:
    """Validate the definition before it is stored (a bad one is never saved)."""
    from segtui.core.features import customer_features

    if method == "rfm":
        from segtui.core.rfm_settings import RfmSettings

        RfmSettings.from_json(definition)
    elif method == "rules":
        from segtui.core.rules_run import RuleSegmentation

        RuleSegmentation.from_json(definition, customer_features(project).by_name)
    else:
        from segtui.core.cluster_prep import plan_preprocessing
        from segtui.core.clustering import ClusterSettings

        features = customer_features(project)
        settings = ClusterSettings.from_json(definition)
        settings.check(features.frame.height)
        plan_preprocessing(features, settings.features)  # unknown, free-text or flat features


def _print_run(data: dict[str, Any], currency: str, warnings: list[str]) -> None:
    run = data["run"]
    print(
        f"{data['segmentation']} ({data['method']}) · run {run['id']} · analysis date "
        f"{run['analysis_date'] or '—'} · {run['customers']:,} of {run['population']:,} "
        "customers"
    )
    segments = data["segments"]
    width = max([len(s["name"]) for s in segments] + [7])
    print(f"  {'segment':<{width}}  {'customers':>9}  {'share':>6}  {'revenue':>14}")
    for s in segments:
        revenue = "—" if s["revenue"] is None else f"{currency}{s['revenue']:,.2f}"
        print(
            f"  {s['name']:<{width}}  {s['customers']:>9,}  {100 * s['share']:>5.1f}%  "
            f"{revenue:>14}"
        )
    for warning in warnings:
        print(f"  note: {warning}")


def cmd_segments(args: argparse.Namespace) -> int:
    from segtui.core.project import Project

    with Project.open(args.project, create=False) as project:
        if args.name:
            seg = project.segmentation(args.name)
            if seg.last_run is None:
                raise SegmentUsageError(
                    f"segmentation {seg.name!r} has not been run yet; run it with "
                    f"`segtui segment {args.project} --name {json.dumps(seg.name)}`."
                )
            data = seg.last_run.to_json()
            currency = project.settings().currency
            if args.json:
                print(json.dumps(data, indent=2))
            else:
                _print_run(data, currency, seg.last_run.details.get("warnings") or [])
            return 0
        segmentations = [seg.to_json() for seg in project.segmentations()]
    if args.json:
        print(json.dumps(segmentations, indent=2))
        return 0
    if not segmentations:
        print("no segmentations yet; create one with `segtui segment PROJECT --name N --method M`.")
        return 0
    for seg in segmentations:
        last = seg["last_run"]
        ran = (
            f"last run {last['ran_at'][:16].replace('T', ' ')}: {last['segments']} segments, "
            f"{last['customers']:,} customers"
            if last
            else "not run yet"
        )
        print(f"{seg['name']}  ({seg['method']})  {ran}")
    return 0
