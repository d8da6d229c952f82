"""How a curator hears of a mistake in an exhibition definition: a YAML syntax error in plain
words, what a value that is not the one wanted looks like, and a guess at what was meant (a slug,
an accession id, a rights URI)."""

from __future__ import annotations

import re
import unicodedata

import yaml
from yaml.nodes import MappingNode, Node, SequenceNode

from archive.accession import PATTERN as ACCESSION
from archive.fields import RIGHTS

YAML_TAG = "tag:yaml.org,2002:"  # what the tags of YAML's own types start with
LANGUAGE = re.compile(r"^[a-z]{2,3}$")  # a language code as a definition writes it


def syntax_problem(error: yaml.MarkedYAMLError, text: str) -> tuple[int, str]:
    """The line and plain words of a YAML syntax error."""
    problem = error.problem or error.context or "it cannot be read"
    context = error.context or ""
    mark = error.problem_mark or error.context_mark
    line = mark.line + 1 if mark else 1
    opened = error.context_mark.line + 1 if error.context_mark else line
    # The parser notices an unclosed quote or bracket lines later; the mistake is where it opens.
    if "quoted scalar" in context:
        return opened, "a quote opened on this line is never closed"
    for kind, brackets in (("flow mapping", "{…}"), ("flow sequence", "[…]")):
        if kind in context:
            return opened, f"the {brackets} that opens on this line is not closed, or lacks a comma"
    if "another document" in problem:
        return line, "a file holds one exhibition: remove this `---` and what follows, or split it"
    lines = text.splitlines()
    quoted = _unclosed_quote(lines[:line])
    if quoted is not None and quoted < line:
        # A quote left open swallows the lines after it; the parser trips over them later.
        return quoted, "a quote opened on this line is never closed"
    written = lines[line - 1] if 0 < line <= len(lines) else ""
    if "\t" in written[: len(written) - len(written.lstrip())]:
        return line, "this line is indented with a tab: indent with spaces"
    if "mapping values are not allowed" in problem:
        return line, (
            "a `:` where none can be: check this line's indentation, "
            "or put text that holds `: ` in quotes"
        )
    return line, f"this is not valid YAML: {problem}"


def _unclosed_quote(lines: list[str]) -> int | None:
    """The first line with an odd number of double quotes, if any (1-based)."""
    for number, written in enumerate(lines, 1):
        if written.replace('\\"', "").count('"') % 2:
            return number
    return None


def tag_message(tag: str) -> str:
    if tag == YAML_TAG + "merge":
        return "`<<` (merging keys from elsewhere) is not allowed here: write the keys out"
    shown = "!!" + tag.removeprefix(YAML_TAG) if tag.startswith(YAML_TAG) else tag
    return f"the YAML tag `{shown}` is not allowed here: write plain values"


def language_message(lang: str, what: str) -> str:
    if LANGUAGE.match(lang.lower()):
        return f"`{lang}` in {what} must be written in lowercase: `{lang.lower()}`"
    return (
        f"`{lang}` in {what} is not a language code: write 2 or 3 lowercase letters, "
        "such as vi, en or bdq (Ba Na)"
    )


def shape(node: Node) -> str:
    if isinstance(node, SequenceNode):
        return "a list"
    if isinstance(node, MappingNode):
        return "a mapping"
    value = node.value.strip()
    return f"`{value[:40]}…`" if len(value) > 40 else f"`{value}`" if value else "nothing"


def slug_guess(value: str) -> str:
    """A slug close to what was written: `Quyền con người 2024` -> quyen-con-nguoi-2024."""
    plain = unicodedata.normalize("NFD", value.replace("đ", "d").replace("Đ", "D"))
    plain = "".join(c for c in plain if not unicodedata.combining(c)).lower()
    return re.sub(r"[^a-z0-9]+", "-", plain).strip("-")


def accession_guess(value: str) -> str | None:
    """The accession id meant by `kt-2024-1` or `KT 2024 000001`, if one is clear."""
    parts = [p for p in re.split(r"[-_ ./]+", value.upper()) if p]
    if len(parts) != 3 or not parts[2].isdigit() or len(parts[2]) > 6:
        return None
    guess = f"{parts[0]}-{parts[1]}-{int(parts[2]):06d}"
    return guess if ACCESSION.match(guess) else None


def rights_guess(value: str) -> str | None:
    """The standard form of a rights URI written with https://, www. or no final slash."""
    rest = re.sub(r"^(https?://)?(www\.)?", "", value.strip())
    guess = "http://" + rest.rstrip("/") + "/"
    return guess if RIGHTS.match(guess) else None
