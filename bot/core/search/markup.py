"""What a reader sees of a note's source: markup removed, visible text kept.

Real notes (the Kubernetes docs are a good example) carry a lot of syntax that a reader never
sees and that must not be indexed as words: HTML tags and their attributes, link targets, Hugo
shortcodes, HTML comments and heading anchors. Indexed as text they made a third of the words
and matched questions by accident (`term_id="pod"`, `{#job}` repeating the heading's words). So
analysis reads `visible_text(...)`:

- `[text](target)` and `![alt](src)` keep `text`/`alt`; reference definitions (`[id]: url`) go;
- `<!-- comments -->` go (also one left open at a chunk's end, or closed at its start);
- HTML tags of known elements go with their attributes, their content stays; placeholders such
  as `<pod-name>` in commands are not HTML and stay;
- shortcodes `{{< name ... >}}` / `{{% name ... %}}` go, keeping the text they show: a `text=` or
  `name=` attribute, a tooltip's `term_id` when it has no text, a `heading`'s title;
- `{#anchor}` ids go;
- none of this inside code, and a file pasted in by the site generator is a placeholder
  (`reader.reader_markdown`, the same text with links kept, is what the front-ends render).

Newlines are kept (a removed span leaves its line breaks), so line N of the visible text is line N
of the source: excerpts and highlighting can work line by line.

Every pattern runs in time linear in the text (a note is written by anyone): no two ways to match
the same characters, and a search that fails stops where the next one would start.
"""

from __future__ import annotations

import re

_HTML_ELEMENTS = (
    "a|abbr|b|blockquote|br|caption|center|cite|code|col|colgroup|dd|del|details|div|dl|dt|em|"
    "figcaption|figure|font|h[1-6]|hr|i|iframe|img|input|ins|kbd|label|li|mark|nav|ol|p|pre|q|s|"
    "script|section|small|source|span|strike|strong|style|sub|summary|sup|table|tbody|td|tfoot|th|"
    "thead|tr|tt|u|ul|video|wbr"
)
_SHORTCODE = re.compile(r"\{\{[<%]((?:(?!\{\{[<%]).)*?)[%>]\}\}", re.DOTALL)  # ends before the next one opens
_LINK = re.compile(  # the target's parts are taken once (`*+`): trying every split was exponential
    r"!?\[([^\[\]]*)\]\(\s*(?:\{\{[<%](?:(?!\{\{|[%>]\}\}).)*+[%>]\}\}|[^()\s]|\([^()]*\))*+(?:\s+\"[^\"]*\")?\s*\)")
_REF_LINK = re.compile(r"(?<!!)\[([^\[\]]+)\]\[[^\[\]]*\]")
_REF_DEFINITION = re.compile(r"^ {0,3}\[[^\]\n]+\]:[ \t]+\S.*$", re.MULTILINE)
_TAG = re.compile(rf"</?(?:{_HTML_ELEMENTS})(?:\s[^<>]*)?/?>", re.IGNORECASE)
_ANCHOR = re.compile(r"\{#[^{}\s]*\}")
_ATTRIBUTE = re.compile(r"""(?<![\w-])(\w[\w-]*+)\s*+=\s*(?:"([^"]*)"|'([^']*)'|(\S+))""")
_QUOTED = re.compile(r'"([^"]*)"')
_HEADINGS = {  # Hugo's `heading` shortcode shows these titles
    "whatsnext": "What's next", "prerequisites": "Before you begin", "objectives": "Objectives",
    "cleanup": "Cleaning up", "synopsis": "Synopsis", "options": "Options", "seealso": "See Also",
    "lessoncontent": "Lesson content", "options-inherited": "Options inherited from parent commands",
}


def visible_text(text: str) -> str:
    """`text` as a reader sees it rendered, with the same number of lines."""
    if not any(mark in text for mark in ("<", "{", "[", "-->")):
        return text
    from bot.core.search.reader import reader_markdown  # it reads with this module's patterns

    text = reader_markdown(text)  # what the front-ends show: the index must match the same words
    text = _LINK.sub(_keep_first, text)
    text = _REF_LINK.sub(_keep_first, text)
    return _REF_DEFINITION.sub("", text)


def reference_links_as_text(text: str) -> str:
    """`[text][label]` as `text`: a reference link whose definition is not at hand."""
    return _REF_LINK.sub(_keep_first, text) if "][" in text else text


def _keep_first(match: re.Match[str]) -> str:
    kept = match.group(1)
    return kept + "\n" * (match.group(0).count("\n") - kept.count("\n"))


def _shortcode(match: re.Match[str]) -> str:
    inner = match.group(1).strip()
    name, _, rest = inner.partition(" ")
    name = name.strip().lstrip("/")
    attributes = {m.group(1): next(g for g in m.groups()[1:] if g is not None) for m in _ATTRIBUTE.finditer(rest)}
    if "text" in attributes:
        kept = attributes["text"]
    elif name == "tab" and "name" in attributes:
        kept = attributes["name"]
    elif name == "glossary_tooltip" and "term_id" in attributes:
        kept = attributes["term_id"].replace("-", " ")
    elif name == "heading" and (quoted := _QUOTED.search(rest)):
        kept = _HEADINGS.get(quoted.group(1), quoted.group(1))
    else:
        kept = ""
    return " " + kept + " " + "\n" * match.group(0).count("\n")
