"""From spec text to a composed YAML node, by YAML 1.2 exactly.

ruamel.yaml composes the nodes, with the position of each: its C parser when it can, its
pure-Python parser when the C one refuses (the C parser rejects valid YAML 1.2 such as
``{image: nginx:1.25}``). Neither is exact, so py-yaml12, which passes the whole
yaml-test-suite, judges every text: what it rejects is a syntax error even where ruamel
accepted it, and where it accepts what both ruamel parsers refuse, its data is used with
each node located by searching the text (:mod:`generator.spec.located`).
"""

from __future__ import annotations

import re
import warnings
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.nodes import Node
from ruamel.yaml.reader import ReaderError

from generator.diagnostics import Diagnostic, Location
from generator.errors import SpecInvalid
from generator.spec.syntax import ParserError, syntax_problem

#: An alias (`*name`) outside quotes, roughly: the judge expands aliases without a limit,
#: so it only reads a text with none before ruamel's nodes have been counted.
_ALIAS = re.compile(r"(^|[\s\[{,:])\*[^\s,\[\]{}]")
_JUDGE_POSITION = re.compile(r" at byte [0-9]+ line ([0-9]+) column ([0-9]+)$")


def compose(label: str, text: str, resolver: type) -> tuple[Node | None, bool]:
    """The document's root node (``None`` for an empty one), and whether py-yaml12 has
    judged the text already (else call :func:`confirm` once the nodes are counted).

    Raises :class:`SpecInvalid` for a text that is not one YAML 1.2 document.
    """
    first = _compose(text, resolver, pure=False)
    if isinstance(first, Node) or first is None:
        return first, False
    if isinstance(first, ReaderError):
        raise SpecInvalid([_reader_problem(label, text, first)])
    if _is_policy(first):
        raise SpecInvalid([syntax_problem(label, text, _parser_error(first))])
    second = _compose(text, resolver, pure=True)
    if isinstance(second, Node):
        return second, False
    if not _ALIAS.search(text):
        data = judge(text)
        if not isinstance(data, ParserError):
            from generator.spec.located import locate

            return (None if data is None else locate(label, text, data)), True
    raise SpecInvalid([syntax_problem(label, text, _parser_error(first))])


def confirm(label: str, text: str, data: Any) -> Node | None:
    """Check what ruamel read against py-yaml12: a text that is not YAML 1.2 after all is
    rejected; where ruamel read other data than the text holds (``{ ?foo: bar }``), the
    nodes of the right data are returned, located by search.

    Call it once the nodes are counted: py-yaml12 expands aliases without a limit.
    """
    verdict = judge(text)
    if isinstance(verdict, ParserError):
        raise SpecInvalid([syntax_problem(label, text, verdict)])
    if verdict == data or _same(_merged(verdict), data):  # the first is the fast path
        return None
    from generator.spec.located import locate

    return locate(label, text, verdict)


def _merged(value: Any) -> Any:
    """py-yaml12's data with ``<<`` merge keys applied, as the loader applies them."""
    if isinstance(value, list):
        return [_merged(item) for item in value]
    if not isinstance(value, dict):
        return value
    result = {key: _merged(item) for key, item in value.items() if key != "<<"}
    sources = value.get("<<", [])
    for source in sources if isinstance(sources, list) else [sources]:
        if isinstance(source, dict):
            for key, item in _merged(source).items():
                result.setdefault(key, item)
    return result


def _same(theirs: Any, ours: Any) -> bool:
    """Equal data, NaN equal to itself, keys compared as the loader writes them."""
    if isinstance(theirs, dict) and isinstance(ours, dict):
        return len(theirs) == len(ours) and all(
            str(key) in ours and _same(item, ours[str(key)]) for key, item in theirs.items()
        )
    if isinstance(theirs, list) and isinstance(ours, list):
        return len(theirs) == len(ours) and all(map(_same, theirs, ours))
    if isinstance(theirs, float) and isinstance(ours, float):
        return theirs == ours or (theirs != theirs and ours != ours)
    return type(theirs) is type(ours) and theirs == ours


def judge(text: str) -> Any:
    """The single document py-yaml12 reads from ``text``, or where it says it is invalid."""
    import yaml12

    try:
        documents = yaml12.parse_yaml(text, multi=True)
    except ValueError as exc:
        message = str(exc).removeprefix("YAML parse error: ")
        position = _JUDGE_POSITION.search(message)
        if position is None:
            return ParserError(message, 1, 1)
        line, column = int(position.group(1)), int(position.group(2))
        return ParserError(message[: position.start()], line, column)
    return documents[0] if documents else None


def _compose(text: str, resolver: type, *, pure: bool) -> Node | YAMLError | None:
    yaml = YAML(typ="safe", pure=pure)
    yaml.Resolver = resolver
    try:
        with warnings.catch_warnings():
            # YAML 1.2 lets an anchor be defined again; ruamel warns about it.
            warnings.simplefilter("ignore")
            node: Node | None = yaml.compose(text)
    except YAMLError as exc:
        return exc
    except (AssertionError, ValueError, TypeError, IndexError) as exc:
        # The pure parser trips over some inputs (a `%YAML 1.3` directive) with bare errors.
        return YAMLError(str(exc))
    return node


def _is_policy(error: YAMLError) -> bool:
    """Errors about what a spec may be, not about YAML: reported as they are."""
    return "single document" in str(error)


def _parser_error(error: YAMLError) -> ParserError:
    if not isinstance(error, MarkedYAMLError):
        return ParserError(str(error).strip() or "invalid YAML", 1, 1)
    problem = (error.problem or "invalid YAML").strip()
    context = (error.context or "").strip()
    message = f"{context}, {problem}" if context else problem
    mark = error.problem_mark or error.context_mark
    line, column = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
    context_mark = error.context_mark
    if context_mark is None or not _unclosed(context, problem):
        return ParserError(message, line, column)
    # The parser gives up at the end; the bracket or quote never closed is the fault.
    return ParserError(message, line, column, context_mark.line + 1, context_mark.column + 1)


def _unclosed(context: str, problem: str) -> bool:
    return "end of stream" in problem or context.startswith(
        ("while scanning a quoted scalar", "while parsing a flow", "while scanning a block scalar")
    )


def _reader_problem(label: str, text: str, exc: ReaderError) -> Diagnostic:
    """A character YAML does not allow in a document (control characters, say)."""
    position = min(max(exc.position, 0), len(text))
    before = text[:position]
    line = before.count("\n") + 1
    column = position - (before.rfind("\n") + 1) + 1
    return Diagnostic(
        "yaml-syntax",
        f"invalid YAML: character U+{exc.character:04X} is not allowed in a YAML document"
        if isinstance(exc.character, int)
        else f"invalid YAML: {exc.reason}",
        Location(label, line, column),
        hint="remove the control character, or write it as an escape in a double-quoted string",
    )
