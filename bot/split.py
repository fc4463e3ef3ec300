"""Split Telegram HTML into messages of at most 4096 characters without breaking a tag.

Cuts go, in this order of preference, after a line break, after a sentence, after a word; a word
longer than a whole message is cut inside as a last resort, but never inside a tag or an entity
such as &amp;. Tags open at a cut are closed at the end of one part and reopened at the start of
the next, so every part is valid on its own. Lengths count UTF-16 code units, as Telegram does.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MAX_MESSAGE = 4096
_PIECE = 200  # longest unbreakable run of text we keep whole
_TOKEN = re.compile(r"(<[^<>]+>)|(&#?\w+;)|([^<&]+)|(.)", re.DOTALL)
_WORD = re.compile(r"\S+\s*|\s+")
_TAG_NAME = re.compile(r"</?\s*([\w-]+)")
_SENTENCE_END = re.compile(r"[.!?…:;»«“”\"')\]]$")


@dataclass(frozen=True)
class _Atom:
    raw: str
    kind: str  # "open", "close" or "text"
    name: str = ""

    @property
    def units(self) -> int:
        return units(self.raw)

    @property
    def score(self) -> int:
        """How good a place right after this atom is for a cut (0: not at all)."""
        if self.kind != "text" or not self.raw[-1:].isspace():
            return 0
        if "\n" in self.raw[len(self.raw.rstrip()) :]:
            return 3
        return 2 if _SENTENCE_END.search(self.raw.rstrip()) else 1


def units(text: str) -> int:
    """The length Telegram counts: UTF-16 code units."""
    return len(text) + sum(1 for c in text if ord(c) > 0xFFFF)


def _atoms(text: str, piece: int) -> list[_Atom]:
    atoms: list[_Atom] = []
    for tag, entity, run, stray in _TOKEN.findall(text):
        if tag:
            name = _TAG_NAME.match(tag)
            kind = "close" if tag.startswith("</") else "open"
            atoms.append(_Atom(tag, kind, name.group(1).lower() if name else ""))
        elif entity or stray:
            atoms.append(_Atom(entity or stray, "text"))
        else:
            for word in _WORD.findall(run):
                atoms.extend(_Atom(word[i : i + piece], "text") for i in range(0, len(word), piece))
    return atoms


def _closing(stack: list[_Atom]) -> str:
    return "".join(f"</{atom.name}>" for atom in reversed(stack))


def _apply(stack: list[_Atom], atom: _Atom) -> list[_Atom]:
    if atom.kind == "open":
        return [*stack, atom]
    if atom.kind == "close":
        for i in range(len(stack) - 1, -1, -1):
            if stack[i].name == atom.name:
                return stack[:i] + stack[i + 1 :]
    return stack


def _fit(
    atoms: list[_Atom], start: int, carried: list[_Atom], limit: int
) -> tuple[int, list[_Atom]]:
    """Where the part beginning at `start` ends, and the tags still open there."""
    stack = carried
    size = sum(a.units for a in carried)
    breaks: list[tuple[int, int, int, list[_Atom]]] = []  # (end, score, size, stack)
    end = start
    while end < len(atoms):
        atom = atoms[end]
        after = _apply(stack, atom)
        if size + atom.units + units(_closing(after)) > limit:
            break
        size += atom.units
        stack = after
        end += 1
        if atom.score:
            breaks.append((end, atom.score, size, stack))
    if end == len(atoms):
        return end, stack
    late = [b for b in breaks if b[2] >= limit // 2]
    if late:
        best = max(late, key=lambda b: (b[1], b[0]))
        return best[0], best[3]
    if breaks:
        return breaks[-1][0], breaks[-1][3]
    # No space anywhere: a hard cut, but not right after tags that would open on nothing.
    while end > start and atoms[end - 1].kind == "open":
        end -= 1
        stack = stack[:-1]
    if end == start:
        raise ValueError("the HTML nests too deeply to fit in one message")
    return end, stack


def split_html(text: str, limit: int = MAX_MESSAGE) -> list[str]:
    """`text` as one or more valid HTML parts of at most `limit` UTF-16 units each."""
    if units(text) <= limit:
        return [text] if text.strip() else []
    atoms = _atoms(text, max(1, min(_PIECE, limit // 8)))
    parts: list[str] = []
    carried: list[_Atom] = []
    start = 0
    while start < len(atoms):
        end, stack = _fit(atoms, start, carried, limit)
        body = "".join(a.raw for a in atoms[start:end])
        part = "".join(a.raw for a in carried) + body + _closing(stack)
        if any(a.kind == "text" and a.raw.strip() for a in atoms[start:end]):
            parts.append(part.strip())
        carried, start = stack, end
    return parts
