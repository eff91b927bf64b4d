"""Rule segments as condition trees: the nodes, the operators each field type offers, the
readable JSON the project stores (validated with messages that name the segment, the condition
and the field), and pure tree edits for the rule editor and its undo.

The JSON a user may write by hand::

    {"all": [                                   # also "any", and "not" (= none of them)
        {"field": "age", "op": "between", "value": [25, 34]},
        {"field": "orders", "op": ">=", "value": 2},
        {"field": "last_order_date", "op": "in_last", "value": {"n": 90, "unit": "days"}},
        {"any": [{"field": "country", "op": "in", "value": ["France", "Spain"]}]},
        {"op": "in_segment", "segmentation": "RFM", "segment": "Champions"}
    ]}

Conditions are numbered for people like the editor shows them: "condition 2.1" is the first
child of the second child of the rule. Compiling to polars is in ``rules_compile``, words in
``rules_text``, typed values in ``rules_values``, running a segmentation in ``rules_run``.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal, get_args

from segtui.core.rules_values import normalise_value
from segtui.core.segment_model import CriteriaError, FieldInfo, FieldType

GroupKind = Literal["all", "any", "not"]
GROUP_KINDS: tuple[GroupKind, ...] = get_args(GroupKind)
GROUP_LABELS: dict[str, str] = {"all": "all of", "any": "any of", "not": "none of"}

_EMPTINESS = [("is_empty", "is empty"), ("is_not_empty", "is not empty")]
_TEXT_OPERATORS = [
    ("is", "is"),
    ("is_not", "is not"),
    ("in", "is any of"),
    ("not_in", "is none of"),
    ("contains", "contains"),
    ("starts_with", "starts with"),
    *_EMPTINESS,
]
# (JSON key, label for people) by field type, in the order the editor offers them.
OPERATORS: dict[FieldType, list[tuple[str, str]]] = {
    "number": [
        ("=", "="),
        ("!=", "≠"),
        ("<", "<"),
        ("<=", "≤"),
        (">", ">"),
        (">=", "≥"),
        ("between", "between"),
        *_EMPTINESS,
    ],
    "text": list(_TEXT_OPERATORS),
    "category": list(_TEXT_OPERATORS),
    "date": [
        ("before", "before"),
        ("after", "after"),
        ("between", "between"),
        ("in_last", "in the last"),
        ("more_than_ago", "more than … ago"),
        *_EMPTINESS,
    ],
    "boolean": [("is_true", "is true"), ("is_false", "is false"), *_EMPTINESS],
}
SEGMENT_OPERATORS: list[tuple[str, str]] = [
    ("in_segment", "in segment"),
    ("not_in_segment", "not in segment"),
]
# Operators without a typed value (segment references pick a segment instead).
NO_VALUE_OPS = frozenset({"is_empty", "is_not_empty", "is_true", "is_false"})
# Operators measured back from the analysis date.
RELATIVE_DATE_OPS = frozenset({"in_last", "more_than_ago"})


def op_label(field_type: FieldType, op: str) -> str:
    """The label people see for an operator ("≥", "in the last"); the key itself if unknown."""
    return dict(OPERATORS[field_type]).get(op, op)


def op_needs_value(op: str) -> bool:
    """Whether a condition with this operator takes a typed value."""
    return op not in NO_VALUE_OPS and op not in dict(SEGMENT_OPERATORS)


@dataclass(frozen=True)
class Condition:
    """``field op value``; the value is normalised JSON (number, ISO date text, list of two for
    between, list for in/not_in, ``{"n": 90, "unit": "days"}`` for relative dates, None for
    operators without a value)."""

    field: str
    op: str
    value: Any = None


@dataclass(frozen=True)
class SegmentRef:
    """Membership of a segment of another segmentation (its latest run)."""

    segmentation: str
    segment: str
    negate: bool = False


@dataclass(frozen=True)
class Group:
    """all: every child matches; any: at least one does; not: none of them does."""

    kind: GroupKind
    children: tuple[Node, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "children", tuple(self.children))


Node = Group | Condition | SegmentRef
Path = tuple[int, ...]


def condition_number(path: Path) -> str:
    """(1, 0) -> "2.1", as the editor numbers its lines."""
    return ".".join(str(index + 1) for index in path)


def location(where: str, path: Path) -> str:
    """ "segment 'X', condition 2.1" (either part may be missing)."""
    parts = [where] if where else []
    if path:
        parts.append(f"condition {condition_number(path)}")
    return ", ".join(parts)


def _fail(where: str, path: Path, message: str) -> CriteriaError:
    place = location(where, path)
    return CriteriaError(f"{place}: {message}" if place else message[:1].upper() + message[1:])


def node_from_json(
    data: Any, fields: Mapping[str, FieldInfo], where: str = "", *, allow_empty: bool = False
) -> Node:
    """Read and check a condition tree; values come back normalised.

    ``where`` names the owner in messages ("segment 'Young repeaters'"). Empty groups are
    refused unless ``allow_empty`` (the editor's half-built rules).
    """
    return _from_json(data, fields, where, (), allow_empty)


def _from_json(
    data: Any, fields: Mapping[str, FieldInfo], where: str, path: Path, allow_empty: bool
) -> Node:
    if not isinstance(data, Mapping):
        raise _fail(
            where,
            path,
            f'expected a group such as {{"all": [...]}} or a condition with field, op and '
            f"value, not {data!r}",
        )
    kinds = [kind for kind in GROUP_KINDS if kind in data]
    if kinds:
        if len(data) != 1:
            raise _fail(where, path, "a group has exactly one key: all, any or not")
        kind = kinds[0]
        children = data[kind]
        if not isinstance(children, list):
            raise _fail(where, path, f"group {kind!r} needs a list of conditions")
        if not children and not allow_empty:
            if not path:
                owner = where or "the rule"
                raise CriteriaError(f"{owner} has no conditions; add one or delete the segment")
            raise _fail(
                where, path, f"group {kind!r} is empty; add a condition or delete the group"
            )
        return Group(
            kind,
            tuple(
                _from_json(child, fields, where, (*path, index), allow_empty)
                for index, child in enumerate(children)
            ),
        )
    op = data.get("op")
    if op in dict(SEGMENT_OPERATORS):
        names = [data.get("segmentation"), data.get("segment")]
        if not all(isinstance(name, str) and name.strip() for name in names):
            raise _fail(where, path, f"{op} needs a segmentation and a segment; pick them")
        return SegmentRef(names[0].strip(), names[1].strip(), negate=op == "not_in_segment")
    name = data.get("field")
    if not isinstance(name, str) or not name:
        raise _fail(where, path, "the condition has no field; pick one from the list")
    info = fields.get(name)
    if info is None:
        raise _fail(
            where, path, f"field {name!r} is not a field of this project; pick one from the list."
        )
    allowed = OPERATORS[info.type]
    if op not in dict(allowed):
        raise _fail(
            where,
            path,
            f"operator {op!r} does not apply to a {info.type} field ({info.label}); use one of "
            + ", ".join(label for _key, label in allowed)
            + ".",
        )
    try:
        value = normalise_value(info, op, data.get("value"))
    except CriteriaError as error:
        raise _fail(where, path, str(error)) from None
    return Condition(name, op, value)


def node_to_json(node: Node) -> dict[str, Any]:
    """The readable JSON of a tree (the inverse of ``node_from_json``)."""
    if isinstance(node, Group):
        return {node.kind: [node_to_json(child) for child in node.children]}
    if isinstance(node, SegmentRef):
        op = "not_in_segment" if node.negate else "in_segment"
        return {"op": op, "segmentation": node.segmentation, "segment": node.segment}
    data: dict[str, Any] = {"field": node.field, "op": node.op}
    if node.value is not None:
        data["value"] = node.value
    return data


def is_empty_rule(node: Node) -> bool:
    """True for a group with nothing in it, even nested (the rule does not say anything yet)."""
    return isinstance(node, Group) and all(is_empty_rule(child) for child in node.children)


# Tree edits: each returns a new tree and leaves the old one as it was (undo keeps it).


def node_at(root: Node, path: Sequence[int]) -> Node:
    node = root
    for depth, index in enumerate(path):
        if not isinstance(node, Group) or not 0 <= index < len(node.children):
            raise IndexError(f"no node at {tuple(path[: depth + 1])} of the rule")
        node = node.children[index]
    return node


def with_replaced(root: Node, path: Sequence[int], node: Node) -> Node:
    """The tree with the node at ``path`` replaced (the empty path replaces the root)."""
    if not path:
        return node
    parent = node_at(root, path[:-1])
    assert isinstance(parent, Group)  # node_at checked the index against a group
    node_at(root, path)
    children = list(parent.children)
    children[path[-1]] = node
    return with_replaced(root, path[:-1], Group(parent.kind, tuple(children)))


def with_added(root: Node, group_path: Sequence[int], node: Node, index: int | None = None) -> Node:
    """The tree with ``node`` added to the group at ``group_path`` (at the end by default)."""
    group = node_at(root, group_path)
    if not isinstance(group, Group):
        raise ValueError(f"the node at {tuple(group_path)} is a condition, not a group")
    children = list(group.children)
    children.insert(len(children) if index is None else index, node)
    return with_replaced(root, group_path, Group(group.kind, tuple(children)))


def with_removed(root: Node, path: Sequence[int]) -> Node:
    """The tree without the node at ``path`` (the root itself cannot be removed)."""
    if not path:
        raise ValueError("the root of a rule cannot be removed; replace it instead")
    node_at(root, path)
    parent = node_at(root, path[:-1])
    assert isinstance(parent, Group)
    children = parent.children[: path[-1]] + parent.children[path[-1] + 1 :]
    return with_replaced(root, path[:-1], Group(parent.kind, children))


def with_moved(root: Node, path: Sequence[int], offset: int) -> tuple[Node, Path]:
    """The tree with the node at ``path`` moved ``offset`` places among its siblings (clamped),
    and the node's new path."""
    if not path:
        return root, ()
    node = node_at(root, path)
    parent = node_at(root, path[:-1])
    assert isinstance(parent, Group)
    children = list(parent.children)
    children.pop(path[-1])
    new_index = max(0, min(len(children), path[-1] + offset))
    children.insert(new_index, node)
    new_root = with_replaced(root, path[:-1], Group(parent.kind, tuple(children)))
    return new_root, (*path[:-1], new_index)


def iter_nodes(root: Node) -> Iterator[tuple[Path, Node, int]]:
    """Every node with its path and depth, in display order (a group before its children)."""
    stack: list[tuple[Path, Node]] = [((), root)]
    while stack:
        path, node = stack.pop()
        yield path, node, len(path)
        if isinstance(node, Group):
            stack.extend(
                ((*path, index), child) for index, child in reversed(list(enumerate(node.children)))
            )
