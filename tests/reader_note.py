"""A note with every kind of markup a reader of rendered notes never sees as written, for the
rendering tests of every front-end (Discord, the terminal, the pipe).

Its words are its own (ferris, poem, tortoise...), so that adding it beside other test notes
changes no other answer.
"""

from __future__ import annotations

import re

NAME = "ferris.md"
QUESTION = "how does ferris read the poem"
NOTE = """\
# Ferris reads a poem

## Reading the poem {#reading-the-poem}

Ferris opens the *poem* with `File::open` and reads it **whole**; see [the Rust book][book] or
[the std docs](https://doc.rust-lang.org/std/fs/struct.File.html).<!-- a comment no reader sees -->
<a id="ferris-poem"></a>

<Listing number="12-3" file-name="poem.txt" caption="A poem by Emily Dickinson">

```rust,editable
let poem = fs::read_to_string("poem.txt")?; // ferris reads the poem
```

```text
{{#include ../listings/ch12/listing-12-03/poem.txt}}
```

</Listing>

Hugo shows {{< glossary_tooltip text="a tortoise" term_id="ferris" >}} beside the poem.

Ask @everyone or <@123> about the poem.

[book]: https://doc.rust-lang.org/book/
"""

# what no reader sees, as written in the note
HIDDEN = ["<!--", "-->", "<a id", "</a>", "<Listing", "</Listing>", "{{#include", "{{<", ">}}", "{#reading",
          "[book]", "][book]", "editable"]
ESCAPES = re.compile("[\x1b\x9b]")
