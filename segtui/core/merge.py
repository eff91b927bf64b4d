"""Merge fields: rendering a draft's subject and body for one customer, in jinja2's sandbox.

A template names fields as ``{{ first_name }}`` and gives fallbacks as ``{{ first_name |
default("there") }}``. The fields are the member's columns (attributes and computed
features), the segment's (name, size, average spend, currency) and the draft's offer. Unknown
names are refused before anything is rendered, with the place and the closest field names; a
known field that is empty for this customer (None or blank) is left out of the context, so
``default`` applies to it. Plain text: nothing is escaped.

The sandbox (ImmutableSandboxedEnvironment, no globals) refuses attribute tricks such as
``{{ ''.__class__.__mro__ }}``, and huge repetitions or powers are refused before they are
computed, so a template can neither run code, read files nor exhaust memory. Templates are
parsed once and kept (an LRU cache), as a preview renders the same text for member after
member. jinja2 is imported on first use, never at start-up.
"""

from __future__ import annotations

import contextvars
import difflib
import functools
import keyword
import math
import re
from collections.abc import Collection, Mapping
from typing import TYPE_CHECKING, Any

from segtui.core.messaging_model import MessagingError

if TYPE_CHECKING:
    from jinja2 import Template
    from jinja2.sandbox import ImmutableSandboxedEnvironment

SEGMENT_FIELDS = ("segment_name", "segment_size", "segment_avg_spend", "currency")
OFFER_FIELDS = ("offer", "offer_code", "discount", "cta")
REPEAT_MAX = 10_000  # "ab" * n: longer than any message
POWER_MAX = 100  # x ** n: enough for any sum a message needs

# Names of known fields a template printed without a fallback while empty (for the preview's
# "no fallback" warning); one list per render, so threads and nested renders do not mix.
_EMPTY_PRINTED: contextvars.ContextVar[list[str] | None] = contextvars.ContextVar(
    "empty_printed", default=None
)


def is_field_name(name: str) -> bool:
    """True when a template can name the column (an identifier, not a Python keyword)."""
    return name.isidentifier() and not keyword.iskeyword(name)


def is_empty(value: Any) -> bool:
    """None, blank text or NaN: a value that ``default`` should replace."""
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    return isinstance(value, float) and math.isnan(value)


# --- the environment -------------------------------------------------------------------------


@functools.cache
def _environment() -> ImmutableSandboxedEnvironment:
    from jinja2 import Undefined, pass_context
    from jinja2.sandbox import ImmutableSandboxedEnvironment, SecurityError

    from segtui.core.profile_words import fmt_money

    class EmptyValue(Undefined):
        """A known field without a value renders as nothing (and is noted); an unsafe
        attribute the sandbox refused raises instead of rendering as nothing."""

        __slots__ = ()

        def __str__(self) -> str:
            if self._undefined_exception is SecurityError:
                self._fail_with_undefined_error()
            printed = _EMPTY_PRINTED.get()
            if printed is not None and self._undefined_name:
                printed.append(self._undefined_name)
            return ""

    class Sandbox(ImmutableSandboxedEnvironment):
        intercepted_binops = frozenset({"*", "**"})

        def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
            if operator == "**" and isinstance(right, int | float) and abs(right) > POWER_MAX:
                raise SecurityError(f"a power above {POWER_MAX} is refused")
            if operator == "*":
                for seq, n in ((left, right), (right, left)):
                    sized = isinstance(seq, str | list | tuple) and isinstance(n, int)
                    if sized and len(seq) * n > REPEAT_MAX:
                        raise SecurityError(
                            f"text longer than {REPEAT_MAX:,} characters is refused"
                        )
            return super().call_binop(context, operator, left, right)

    @pass_context
    def money(context: Any, value: Any) -> str:
        if isinstance(value, bool) or not isinstance(value, int | float):
            return "" if is_empty(value) else str(value)
        return fmt_money(float(value), str(context.get("currency") or ""))

    def number(value: Any, decimals: int = 0) -> str:
        if isinstance(value, bool) or not isinstance(value, int | float):
            return "" if is_empty(value) else str(value)
        return f"{value:,.{int(decimals)}f}"

    env = Sandbox(autoescape=False, undefined=EmptyValue, keep_trailing_newline=True)
    env.globals.clear()  # no range, cycler, joiner, lipsum...: a message needs none of them
    env.filters["money"] = money
    env.filters["number"] = number
    return env


@functools.lru_cache(maxsize=512)
def _parse(source: str) -> tuple[Template, frozenset[str]]:
    """The compiled template and the names it reads (TemplateSyntaxError when it does not
    parse)."""
    from jinja2 import meta

    env = _environment()
    tree = env.parse(source)
    names = frozenset(meta.find_undeclared_variables(tree))
    return env.from_string(tree), names


# --- checking --------------------------------------------------------------------------------


def _position(source: str, offset: int) -> tuple[int, int]:
    line = source.count("\n", 0, offset) + 1
    return line, offset - (source.rfind("\n", 0, offset) + 1) + 1


def _tag_at(line_text: str, column: int) -> str:
    """The tag that starts at column (1-based), or the text there, for an error message."""
    rest = line_text[column - 1 :]
    end = min((i + 2 for c in ("}}", "%}", "#}") if (i := rest.find(c)) >= 0), default=0)
    snippet = rest[:end] if 0 < end <= 40 else rest[:30]
    return snippet.strip() or line_text.strip()[:30]


def _syntax_column(line_text: str, message: str, offset_in_line: int | None) -> int:
    """Where on the line the error is: jinja's own offset when it gives one, the word it
    names, else the tag left open (or the last tag)."""
    if offset_in_line is not None:
        return offset_in_line
    named = re.search(r"named '([^']+)'|unknown tag '([^']+)'", message)
    if named:
        found = line_text.find(named.group(1) or named.group(2))
        if found >= 0:
            return found + 1
    openings = [m.start() for m in re.finditer(r"\{[{%#]", line_text)]
    for start in reversed(openings):
        closer = {"{": "}}", "%": "%}", "#": "#}"}[line_text[start + 1]]
        if closer not in line_text[start + 2 :]:
            return start + 1
    return openings[-1] + 1 if openings else 1


def _syntax_error(source: str, exc: Exception, where: str) -> MessagingError:
    from jinja2 import TemplateSyntaxError

    assert isinstance(exc, TemplateSyntaxError)
    message = " ".join((exc.message or "the text does not parse").split())
    line = exc.lineno or 1
    offset = None
    at = re.search(r" at (\d+)$", message)
    if at:  # jinja gives some lexer errors as an offset into the whole text
        line, offset = _position(source, int(at.group(1)))
        message = message[: at.start()]
    hint = "check that every {{ is closed by }}, every {% by %} and every quote has its pair."
    block = re.search(r"block that needs to be closed is '(\w+)'", message)
    if block:  # jinja points at the end of the text; the open tag is the useful place
        opened = list(re.finditer(rf"\{{%[-+]?\s*{block.group(1)}\b", source))
        if opened:
            line, offset = _position(source, opened[-1].start())
        message = f"the {{% {block.group(1)} %}} is never closed"
        hint = f"add {{% end{block.group(1)} %}} where it should end."
    lines = source.split("\n")
    line_text = lines[line - 1] if 0 < line <= len(lines) else ""
    column = _syntax_column(line_text, message, offset)
    place = f"line {line}, column {column} (near {_tag_at(line_text, column)!r})"
    filt = re.match(r"No (filter|test) named '([^']+)'", message)
    if filt:
        env = _environment()
        known = env.filters if filt.group(1) == "filter" else env.tests
        close = difflib.get_close_matches(filt.group(2), list(known), n=3)
        hint = f"did you mean {_either(close)}?" if close else "see the filter list in the help."
        kind, name = filt.groups()
        return MessagingError(f"{where}: unknown {kind} {name!r} at {place}; {hint}")
    message = message.rstrip(".").replace(". ", "; ")
    message = message[:1].lower() + message[1:]
    return MessagingError(f"{where}: {message} at {place}; {hint}")


def _either(names: list[str]) -> str:
    quoted = [repr(n) for n in names]
    return quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + f" or {quoted[-1]}"


def _unknown_field(
    source: str, names: Collection[str], allowed: Collection[str], where: str
) -> MessagingError:
    def first_use(name: str) -> int:
        found = re.search(rf"(?<![\w.]){re.escape(name)}(?!\w)", source)
        return found.start() if found else len(source)

    ordered = sorted(names, key=first_use)
    name = ordered[0]
    line, column = _position(source, first_use(name))
    close = _close_fields(name, allowed)
    hint = f"did you mean {_either(close)}?" if close else "pick one from the merge field list."
    more = f" (and {len(ordered) - 1} more)" if len(ordered) > 1 else ""
    return MessagingError(
        f"{where}: unknown field {name!r}{more} at line {line}, column {column}; {hint}"
    )


def template_fields(template: str, *, where: str) -> frozenset[str]:
    """The field names a template reads (MessagingError naming the place when it does not
    parse)."""
    from jinja2 import TemplateSyntaxError

    try:
        return _parse(template)[1]
    except TemplateSyntaxError as exc:
        raise _syntax_error(template, exc, where) from None


def _close_fields(name: str, allowed: Collection[str]) -> list[str]:
    """Up to three fields the user may have meant: similar spellings (any case), then fields
    that contain the name ("spend" -> total_spend)."""
    folded = {f.casefold(): f for f in allowed}
    key = name.casefold()
    close = [folded[f] for f in difflib.get_close_matches(key, list(folded), n=3, cutoff=0.7)]
    if len(key) >= 3:
        close += [f for k, f in folded.items() if key in k and f not in close]
    return close[:3]


def check_template(template: str, fields: Collection[str], *, where: str) -> None:
    """Refuse a template that does not parse or names a field outside ``fields``
    (MessagingError naming the place); nothing is rendered."""
    unknown = template_fields(template, where=where) - set(fields)
    if unknown:
        raise _unknown_field(template, unknown, fields, where)


# --- rendering -------------------------------------------------------------------------------


def render_checked(
    template: str, context: Mapping[str, Any], *, where: str
) -> tuple[str, list[str]]:
    """The rendered text and the fields it printed empty without a fallback (see render)."""
    from jinja2 import TemplateError
    from jinja2.sandbox import SecurityError

    check_template(template, context.keys(), where=where)
    template_obj, _ = _parse(template)
    present = {k: v for k, v in context.items() if not is_empty(v)}
    printed: list[str] = []
    token = _EMPTY_PRINTED.set(printed)
    try:
        text = template_obj.render(present)
    except SecurityError as exc:
        attribute = re.search(r"attribute '([^']+)'", str(exc))
        if attribute is None:  # our own refusals of huge repeats and powers
            raise MessagingError(f"{where}: {exc}; keep the numbers small.") from None
        raise MessagingError(
            f"{where}: {attribute.group(1)!r} is not allowed (a template may not reach into "
            "Python internals); use merge fields and filters only."
        ) from None
    except TemplateError as exc:
        empty = re.match(r"'(\w+)' is undefined", exc.message or "")
        if empty:
            raise MessagingError(
                f"{where}: {empty.group(1)} is empty for this customer; give it a fallback such "
                f'as {{{{ {empty.group(1)} | default("...") }}}}.'
            ) from None
        raise MessagingError(f"{where}: {exc.message or exc}.") from None
    except Exception as exc:  # a filter meeting a value it cannot take (round on text...)
        raise MessagingError(
            f"{where}: cannot render it for this customer ({type(exc).__name__}: {exc}); "
            "check the filters used there."
        ) from None
    finally:
        _EMPTY_PRINTED.reset(token)
    return text, list(dict.fromkeys(printed))


def render(template: str, context: Mapping[str, Any], *, where: str) -> str:
    """The template rendered with ``context`` (every key is a known field; a None or blank
    value counts as missing, so ``| default(...)`` replaces it). MessagingError, naming
    ``where`` ("Champions, variant A, subject") and the line and column, for a syntax error,
    an unknown field or a refused trick."""
    return render_checked(template, context, where=where)[0]
