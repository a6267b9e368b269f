"""What a reader of the notes sees of a passage, for every front-end.

A passage's source is Markdown with things no reader of the rendered notes sees (HTML comments,
anchors, tags, site-generator directives). `parse` reads what is left with markdown-it into a tree
(`model`), after the same cleaning the index reads (`search.reader`, `search.markup`), so what is
shown and what is matched agree. `shape` narrows the tree to an excerpt's lines or a length,
`writer` writes it out (plain text, CommonMark; Discord's flavour is in the adapter) and `passages`
puts these together for an answer's passage.
"""

from bot.core.reading.model import Doc
from bot.core.reading.parse import read_inline, read_passage
from bot.core.reading.passages import fit, shown_passage
from bot.core.reading.writer import CommonMarkWriter, PlainWriter, Writer

__all__ = ["CommonMarkWriter", "Doc", "PlainWriter", "Writer", "fit", "read_inline", "read_passage",
           "shown_passage"]
