"""Break each rule of how notes' text is shown (Discord, the terminal, the pipe), once, and show
that a test fails.

    python bench/rendering_mutants.py

Each mutant replaces one line of the renderer (the rule itself) and runs the tests that should
catch it (`bench/mutants.py`); a line "MISSED" means the rule is not tested.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from mutants import Mutant, run_mutants  # noqa: E402

CORE = "tests/core/reading tests/core/search/test_reader.py"
DISCORD = "tests/adapter/test_bot_rendering.py"
TERMINAL = "tests/test_console.py"
E2E = "tests/adapter/test_bot_ask.py::test_an_answer_shows_the_notes_markdown_rendered"
QUIZ = "tests/adapter/test_bot_quiz.py::test_note_text_in_a_quiz_is_rendered_as_the_notes_show_it"

# (rule, file, the line as it is, the line broken, the tests that must fail)
MUTANTS = [
    ("HTML comments are hidden", "bot/core/search/reader.py",
     '        out.append(text[start:end] if code else "\\n" * text.count("\\n", start, end))',
     "        out.append(text[start:end])", CORE),
    ("code is literal (a comment or tag in a code span shows)", "bot/core/search/literal.py",
     "                regions.append((runs[r][0], pos, True))", "                pass", CORE),
    ("anchors are hidden", "bot/core/search/reader.py",
     '    return markup._ANCHOR.sub("", text) if "{#" in text else text', "    return text", CORE),
    ("HTML tags are hidden", "bot/core/search/reader.py",
     "        text = markup._TAG.sub(_tag, text)", "        text = text", CORE),
    ("block tags leave a space", "bot/core/search/reader.py",
     '    return ("" if lines or not _BLOCK_TAG.match(match.group(0)) else " ") + "\\n" * lines',
     '    return "\\n" * lines', CORE),
    ("a tag shows its caption", "bot/core/search/reader.py",
     '    return (f"*{label}*" if label else "") + lines', "    return lines", CORE),
    ("an mdBook include is a placeholder", "bot/core/search/reader.py",
     "        text = _INCLUDE.sub(_include, text)", "        text = text", CORE),
    ("a Hugo shortcode shows its text", "bot/core/search/reader.py",
     "        text = markup._SHORTCODE.sub(_shortcode, text)", "        text = text", CORE),
    ("a reference link defined elsewhere is its text", "bot/core/reading/parse.py",
     '    return tuple(Text(_SPACES.sub(" ", reference_links_as_text(item.text)), item.line) if isinstance(item, Text)',
     '    return tuple(Text(_SPACES.sub(" ", item.text), item.line) if isinstance(item, Text)', CORE),
    ("escape sequences never reach a terminal", "bot/core/reading/parse.py",
     '    source = reader_markdown(strip_control(text.replace("\\r\\n", "\\n").replace("\\r", "\\n")))',
     '    source = reader_markdown(text.replace("\\r\\n", "\\n").replace("\\r", "\\n"))', TERMINAL),
    ("the notes' code is Markdown, not escaped", "bot/core/reading/writer.py",
     "                out.append(self.code_span(item.text))",
     '                out.append(self.escape("`" + item.text + "`"))', f"{DISCORD} {E2E}"),
    ("no match is marked in a URL or a placeholder", "bot/core/reading/writer.py",
     "        for number, part in enumerate(_UNMARKED.split(text)):",
     "        for number, part in enumerate([text]):", DISCORD),
    ("no match is marked inside bold", "bot/core/reading/writer.py",
     "                out.append(self.text(item.text, mark=not in_strong))",
     "                out.append(self.text(item.text, mark=True))", DISCORD),
    ("a code block cut short says so", "bot/core/reading/writer.py",
     "        if block.hidden_after:", "        if False:", DISCORD),
    ("a cut closes every mark", "bot/core/reading/passages.py",
     "    return write(fit_doc(doc, limit, write)) if doc.blocks else write(doc)",
     "    return write(doc)[:limit]", f"{CORE} {DISCORD}"),
    ("an excerpt inside a code block counts the lines above", "bot/core/reading/shape.py",
     "        return CodeBlock(block.lang, block.lines[a:z], block.first + a, block.hidden_before + a,",
     "        return CodeBlock(block.lang, block.lines[a:z], block.first + a, block.hidden_before,", CORE),
    ("mentions in notes are broken", "bot/adapter/markdown.py",
     '        return MENTION.sub("@\\u200b", _SPECIAL.sub(r"\\\\\\1", text))',
     '        return _SPECIAL.sub(r"\\\\\\1", text)', DISCORD),
    ("mentions in notes' code are broken", "bot/adapter/markdown.py",
     '        return MENTION.sub("@\\u200b", text)\n\n    def code_span',
     "        return text\n\n    def code_span", DISCORD),
    ("a masked link shows where it leads", "bot/adapter/markdown.py",
     '            text += f" ({self.escape(host_of(span.url))})"', "            pass", DISCORD),
    ("a code block's fence in the notes cannot close Discord's", "bot/adapter/markdown.py",
     '        code = _FENCE.sub("`\\u200b``", self.code("\\n".join(block.lines)))',
     '        code = self.code("\\n".join(block.lines))', DISCORD),
    ("a line of text never reads as a list", "bot/adapter/markdown.py",
     "        return _LINE_START.sub(", "        return text or _LINE_START.sub(", DISCORD),
    ("the quiz quotes its passage rendered", "bot/adapter/markdown.py",
     "    return fit(doc, limit, lambda d: writer.write(Doc((Quote(d.blocks),))) if d.blocks else \"\")",
     "    return fit(doc, limit, writer.write)", QUIZ),
    ("a quiz's question and choices are the notes' Markdown", "bot/adapter/markdown.py",
     "    doc = Doc((Paragraph(read_inline(text)),))",
     '    doc = Doc((Paragraph(read_inline(re.sub(r"([`*_])", r"\\\\\\1", text))),))', QUIZ),  # shown as typed
    ("what members typed stays escaped", "bot/adapter/rendering.py",
     '    title = limits.fit(one_line(answer.question) or "(empty question)", QUESTION_LIMIT, safe)',
     '    title = limits.fit(one_line(answer.question) or "(empty question)", QUESTION_LIMIT)', DISCORD),
    ("answers are sent with no mention allowed", "bot/adapter/rendering.py",
     "NO_MENTIONS = discord.AllowedMentions.none()", "NO_MENTIONS = discord.AllowedMentions.all()", E2E),
    ("a terminal gets rich's Markdown", "bot/terminal/console.py",
     "            yield Markdown(clean(CommonMarkWriter(self.matched).write(self.doc)), hyperlinks=False)",
     "            yield Text(clean(CommonMarkWriter(self.matched).write(self.doc)))", TERMINAL),
    ("a pipe gets plain text with the matches marked", "bot/terminal/console.py",
     "        if console.is_terminal:\n            yield Markdown(", "        if True:\n            yield Markdown(",
     TERMINAL),
]


def main() -> int:
    return run_mutants([Mutant(*mutant) for mutant in MUTANTS])


if __name__ == "__main__":
    sys.exit(main())
