"""Shell code blocks of the generated manual, and the simple commands in them.

The manual's blocks are short scripts a reader copies: commands joined by ``;``, ``&&``,
``||`` and pipes, ``if``/``for`` lists, quoting, ``$(…)`` and redirections. This reads
them the way bash splits words, enough to name the program and the arguments of every
simple command, including those inside command substitutions; ``bash -n`` is the
judge of the syntax.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

#: Fence info strings whose blocks are shell. ``console`` blocks hold ``$ `` prompts and
#: output; the others are scripts copied as they are.
SHELL_LANGUAGES = frozenset({"bash", "sh", "shell", "console"})
PROMPT = "$ "

#: Bash builtins and reserved words a manual command may use.
BUILTINS = frozenset(
    {
        "export", "cd", "echo", "printf", "test", "[", "[[", "read", "set", "unset",
        "true", "false", "exit", "source", ".", "wait", "command", "trap", "shift",
        "local", "return", "break", "continue", "pwd", "umask", "eval", "exec",
    }
)  # fmt: skip
_LEADING_KEYWORDS = frozenset(
    {"!", "if", "then", "else", "elif", "do", "while", "until", "{", "time"}
)
_CLOSING_KEYWORDS = frozenset({"fi", "done", "esac", "}", "]]"})
_WRAPPERS = frozenset({"sudo", "env", "nohup", "exec", "command", "time"})
_OPTIONS_WITH_VALUES = frozenset({"-u", "-g", "-C", "-p", "-h"})  # sudo's
_ASSIGNMENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*=")
_REDIRECT = re.compile(r"[<>]{1,2}&?")
_FENCE = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})(?P<info>[^`\n]*)$")


@dataclass(frozen=True)
class Block:
    """A fenced code block of a Markdown page."""

    page: str
    line: int
    language: str
    text: str

    def where(self) -> str:
        return f"{self.page}:{self.line}"

    def script(self) -> str:
        """What a reader runs: the block, or a console block's prompted commands."""
        if self.language != "console":
            return self.text
        kept: list[str] = []
        continued = False
        for line in self.text.splitlines():
            if line.startswith(PROMPT) or continued:
                kept.append(line.removeprefix(PROMPT) if not continued else line)
                continued = line.endswith("\\")
        return "\n".join(kept)


def fenced_blocks(page: Path, name: str) -> Iterator[Block]:
    """Every fenced block of a Markdown page, indented ones (in tabs, admonitions) too."""
    lines = page.read_text("utf-8").splitlines()
    n = 0
    while n < len(lines):
        opening = _FENCE.match(lines[n])
        if opening is None:
            n += 1
            continue
        indent, fence = opening["indent"], opening["fence"]
        body: list[str] = []
        start = n + 1
        n += 1
        while n < len(lines) and lines[n].strip() != fence:
            body.append(lines[n].removeprefix(indent))
            n += 1
        n += 1
        info = opening["info"].strip().split(" ", 1)[0].lstrip(".").lower()
        yield Block(name, start, info, "\n".join(body))


@dataclass
class Command:
    """One simple command: its program, its arguments (quotes removed), and its source."""

    words: list[str]
    raw: list[str]

    @property
    def program(self) -> str:
        return self.words[0]

    @property
    def arguments(self) -> list[str]:
        return self.words[1:]


@dataclass
class _Word:
    value: str = ""
    raw: str = ""
    started: bool = False


@dataclass
class _Reader:
    text: str
    at: int = 0
    tokens: list[tuple[str, str, str]] = field(default_factory=list)  # (kind, value, raw)
    substitutions: list[str] = field(default_factory=list)

    def read(self) -> None:
        word = _Word()
        while self.at < len(self.text):
            char = self.text[self.at]
            if self.text.startswith("\\\n", self.at):
                self.at += 2
            elif char in " \t":
                word = self._end(word)
                self.at += 1
            elif char == "#" and not word.started:
                while self.at < len(self.text) and self.text[self.at] != "\n":
                    self.at += 1
            elif char in "\n;&|()":
                word = self._end(word)
                operator = self.text[self.at : self.at + 2]
                operator = operator if operator in ("&&", "||", ";;") else char
                self.tokens.append(("op", operator, operator))
                self.at += len(operator)
            elif char in "<>":
                if not word.value.isdigit():
                    word = self._end(word)
                word = _Word()
                redirect = _REDIRECT.match(self.text, self.at)
                assert redirect is not None
                self.tokens.append(("redirect", redirect.group(), redirect.group()))
                self.at = redirect.end()
            else:
                self._part(word)
        self._end(word)

    def _end(self, word: _Word) -> _Word:
        if word.started:
            self.tokens.append(("word", word.value, word.raw))
        return _Word()

    def _part(self, word: _Word) -> None:
        start = self.at
        char = self.text[self.at]
        if char == "'":
            end = self.text.find("'", self.at + 1)
            end = len(self.text) if end < 0 else end
            word.value += self.text[self.at + 1 : end]
            self.at = end + 1
        elif char == '"':
            word.value += self._double_quoted()
        elif char == "\\":
            word.value += self.text[self.at + 1 : self.at + 2]
            self.at += 2
        elif self.text.startswith("$(", self.at) or char == "`":
            word.value += self._substitution()
        elif self.text.startswith("${", self.at):
            end = self.text.find("}", self.at)
            end = len(self.text) if end < 0 else end
            word.value += self.text[self.at : end + 1]
            self.at = end + 1
        else:
            word.value += char
            self.at += 1
        word.raw += self.text[start : self.at]
        word.started = True

    def _double_quoted(self) -> str:
        self.at += 1
        value = ""
        while self.at < len(self.text) and self.text[self.at] != '"':
            if self.text[self.at] == "\\" and self.text[self.at + 1 : self.at + 2] in '"\\$`':
                value += self.text[self.at + 1 : self.at + 2]
                self.at += 2
            elif self.text.startswith("$(", self.at) or self.text[self.at] == "`":
                value += self._substitution()
            else:
                value += self.text[self.at]
                self.at += 1
        self.at += 1
        return value

    def _substitution(self) -> str:
        """``$(…)`` or a backquoted command: its text is kept and read as commands too."""
        start = self.at
        if self.text[self.at] == "`":
            end = self.text.find("`", self.at + 1)
            end = len(self.text) if end < 0 else end
            self.substitutions.append(self.text[self.at + 1 : end])
            self.at = end + 1
            return self.text[start : self.at]
        depth, self.at = 1, self.at + 2
        quote = ""
        while self.at < len(self.text) and depth:
            char = self.text[self.at]
            if quote:
                quote = "" if char == quote else quote
            elif char in "'\"":
                quote = char
            elif char == "(":
                depth += 1
            elif char == ")":
                depth -= 1
            self.at += 1
        self.substitutions.append(self.text[start + 2 : self.at - 1])
        return self.text[start : self.at]


def commands(script: str) -> list[Command]:
    """The simple commands of ``script`` in order, those in command substitutions after."""
    reader = _Reader(script)
    reader.read()
    found: list[Command] = []
    current: list[tuple[str, str]] = []
    skip_target = False
    for kind, value, raw in [*reader.tokens, ("op", "\n", "\n")]:
        if kind == "redirect":
            skip_target = True
        elif kind == "word" and skip_target:
            skip_target = False
        elif kind == "word":
            current.append((value, raw))
        else:
            found.extend(_simple(current))
            current = []
    for inner in reader.substitutions:
        found.extend(commands(inner))
    return found


def _simple(words: list[tuple[str, str]]) -> list[Command]:
    while words and (
        words[0][1] in _LEADING_KEYWORDS
        or words[0][1] in _CLOSING_KEYWORDS
        or _ASSIGNMENT.match(words[0][1])
    ):
        words = words[1:]
    if not words or words[0][1] in ("for", "case", "select", "in"):
        return []
    return [Command([w for w, _ in words], [r for _, r in words])]


def unwrapped(command: Command) -> Command:
    """The command ``sudo``, ``env`` or ``time`` runs, options and assignments skipped."""
    words, raw = command.words, command.raw
    while words and words[0] in _WRAPPERS and len(words) > 1:
        words, raw = words[1:], raw[1:]
        while words and (words[0].startswith("-") or _ASSIGNMENT.match(words[0])):
            step = 2 if words[0] in _OPTIONS_WITH_VALUES else 1
            words, raw = words[step:], raw[step:]
    return Command(words, raw) if words else command
