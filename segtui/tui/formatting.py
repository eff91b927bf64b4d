"""How numbers, dates, paths and lists are written on screen: thousands separators, one-decimal
percentages, paths relative to the working directory (short, and free of tmp prefixes), names
joined as a sentence ("a, b and c")."""

from __future__ import annotations

import os
from pathlib import Path


def fmt_int(value: int | None) -> str:
    return "—" if value is None else f"{value:,}"


def fmt_pct(part: float, whole: float) -> str:
    return "—" if not whole else f"{100 * part / whole:.1f}%"


def fmt_number(value: float | None, decimals: int = 2) -> str:
    if value is None:
        return "—"
    return f"{value:,.{decimals}f}"


def fmt_money(value: float | None, currency: str) -> str:
    return "—" if value is None else f"{currency}{value:,.2f}"


def date_range(first: str | None, last: str | None) -> str:
    if not first and not last:
        return "—"
    first, last = (first or "?")[:10], (last or "?")[:10]
    return first if first == last else f"{first}→{last}"


def listed(names: list[str]) -> str:
    """ "a", "a and b", "a, b and c"."""
    return " and ".join(filter(None, [", ".join(names[:-1]), *names[-1:]]))


def display_path(path: str | os.PathLike[str]) -> str:
    """A path as the user should see it: relative to the working directory when inside it,
    with ~ for the home directory otherwise."""
    p = Path(path).expanduser()
    try:
        absolute = p.resolve()
    except OSError:
        absolute = p.absolute()
    try:
        rel = absolute.relative_to(Path.cwd().resolve())
        return str(rel) if str(rel) != "." else "."
    except ValueError:
        pass
    home = Path.home()
    try:
        return str(Path("~") / absolute.relative_to(home.resolve()))
    except ValueError:
        return str(absolute)
