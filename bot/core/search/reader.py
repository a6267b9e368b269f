"""A note's Markdown as a reader of the rendered notes sees it, still Markdown.

`markup.visible_text` (what is indexed) is this text with links reduced to their words, so what
the front-ends show and what the search matches are decided once, here and in `markup`:

- HTML comments, tags of known elements (their content kept), `{#anchor}` ids and Hugo shortcodes
  (keeping the text they show) go, as in `markup`, but never inside code: an HTML example in a
  code block or `<!--` in a code span is shown as written (`literal`);
- block tags (`<td>`, `<p>`, `<br>`...) leave a space, so table cells stay apart, and the lines of
  an HTML block lose their indentation, so they do not read as indented code once the tags go;
- a component tag such as mdBook's `<Listing number="12-3" caption="…">` shows its caption, its
  closing tag goes;
- a file the site generator pastes in (mdBook's `{{#include path}}`, Hugo's `code_sample`) is
  shown as a short placeholder, `[listing: poem.txt]`: the file itself is not in the notes.

Links, emphasis and code stay Markdown; every removal keeps its line breaks, so line N here is line
N of the source. Every pattern runs in time linear in the text.
"""

from __future__ import annotations

import re

from bot.core.search import markup
from bot.core.search.literal import literal_regions

_BLOCK_ELEMENTS = (
    "blockquote|br|caption|center|col|colgroup|dd|details|div|dl|dt|figcaption|figure|h[1-6]|hr|li|nav|ol|p|pre|"
    "section|summary|table|tbody|td|tfoot|th|thead|tr|ul"
)
_BLOCK_TAG = re.compile(rf"</?(?:{_BLOCK_ELEMENTS})(?![\w-])", re.IGNORECASE)
_HTML_BLOCK = re.compile(  # CommonMark's HTML block of a block element: to the next blank line
    rf"^[ \t]*+</?(?:{_BLOCK_ELEMENTS})(?![\w-])[^\n]*+(?:\n(?![ \t]*+$)[^\n]*+)*+", re.MULTILINE | re.IGNORECASE)
_COMPONENT = re.compile(r"<(/?)([A-Z][\w-]*+)((?:\s[^<>]*+)?)>")
_INCLUDE = re.compile(r"\{\{#(include|rustdoc_include|playground|playpen|title)(?![\w-])[ \t]*+([^{}\n]*+)\}\}")
_FILE_SHORTCODES = ("code_sample", "codenew", "code")
PLACEHOLDER = re.compile(r"\[listing: [^\]\n]*+\]")  # what `placeholder` writes
_EMPHASIS_SPECIAL = re.compile(r"([\\`*_\[\]<>])")


def reader_markdown(text: str) -> str:
    """`text` without what a reader never sees, links and formatting kept, same number of lines."""
    if not any(mark in text for mark in ("<", "{", "-->")):
        return text
    if "{{" in text:
        text = _INCLUDE.sub(_include, text)
        text = markup._SHORTCODE.sub(_shortcode, text)
    out: list[str] = []
    last = 0
    for start, end, code in literal_regions(text):
        out.append(_prose(text, last, start))
        out.append(text[start:end] if code else "\n" * text.count("\n", start, end))
        last = end
    out.append(_prose(text, last, len(text)))
    return "".join(out)


def _prose(text: str, start: int, end: int) -> str:
    """text[start:end], outside code and comments: tags and anchors removed, HTML blocks dedented."""
    if start >= end:
        return ""
    if "<" not in text[start:end]:
        return _untagged(text[start:end])
    out: list[str] = []
    for block in _HTML_BLOCK.finditer(text, start, end):  # `^` matches only at real line starts
        out.append(_untagged(text[start:block.start()]))
        out.append("\n".join(line.strip() for line in _untagged(block.group(0)).split("\n")))
        start = block.end()
    out.append(_untagged(text[start:end]))
    return "".join(out)


def _untagged(text: str) -> str:
    if "<" in text:
        text = _COMPONENT.sub(_component, text)
        text = markup._TAG.sub(_tag, text)
    return markup._ANCHOR.sub("", text) if "{#" in text else text


def _tag(match: re.Match[str]) -> str:
    lines = match.group(0).count("\n")
    return ("" if lines or not _BLOCK_TAG.match(match.group(0)) else " ") + "\n" * lines


def _component(match: re.Match[str]) -> str:
    """`<Listing number="12-3" caption="…">` shows its caption; a closing tag goes; `<String>` (no
    attributes: a type in prose) stays."""
    closing, name, rest = match.groups()
    lines = "\n" * match.group(0).count("\n")
    if closing:
        return lines
    attributes = _attributes(rest)
    if not attributes and name != "Listing":
        return match.group(0)
    caption = attributes.get("caption") or attributes.get("title")
    number = attributes.get("number")
    label = f"{name} {number}: {caption}" if caption and number else caption or (
        f"Filename: {attributes['file-name']}" if "file-name" in attributes else "")
    label = _EMPHASIS_SPECIAL.sub(r"\\\1", label.strip())
    return (f"*{label}*" if label else "") + lines


def _include(match: re.Match[str]) -> str:
    kind, path = match.group(1), match.group(2).strip()
    return "" if kind == "title" or not path else placeholder(path)


def _shortcode(match: re.Match[str]) -> str:
    """Hugo's shortcodes as `markup` reads them, but one that pastes a file in is its placeholder."""
    name, _, rest = match.group(1).strip().partition(" ")
    if name.strip() in _FILE_SHORTCODES and (path := _attributes(rest).get("file")):
        return " " + placeholder(path) + " " + "\n" * match.group(0).count("\n")
    shown = markup._shortcode(match)
    kept, lines = shown.replace("\n", "").strip(" "), "\n" * shown.count("\n")
    text, start, end = match.string, match.start(), match.end()
    before = start > 0 and _word_character(text[start - 1])
    after = end < len(text) and _word_character(text[end])
    if not kept:  # a space only where it keeps two words apart
        return (" " if before and after else "") + lines
    return (" " if before else "") + kept + (" " if after else "") + lines  # `(a {{< x >}})`: `(a x)`


def _word_character(character: str) -> bool:
    return character.isalnum() or character == "_"


def placeholder(path: str) -> str:
    """What stands for a file pasted in by the site generator: `[listing: poem.txt]`."""
    name = path.split(":", 1)[0].rstrip("/").rsplit("/", 1)[-1].replace("]", "")
    return f"[listing: {name}]"


def _attributes(text: str) -> dict[str, str]:
    return {m.group(1): next(g for g in m.groups()[1:] if g is not None) for m in markup._ATTRIBUTE.finditer(text)}
