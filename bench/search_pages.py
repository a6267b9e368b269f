"""Every page of every evaluation question, written out so two versions can be compared byte for byte.

    python bench/search_pages.py --out after.jsonl                    # this checkout
    python bench/search_pages.py --out before.jsonl --code TREE       # another source tree
    cmp before.jsonl after.jsonl

Why: a change made for speed must change no result. This asks every question of the three
evaluation sets (`bench/eval/*.yaml`, on-topic and off-topic) for every page of three results
(offset 0, 3, 6, ... while there are more, as **More** pages) and for ten results at once, and
writes each answer as one JSON line: passages with their exact scores (`repr` of the float), lines,
matched words, "has more" and the suggestions. It does the same over the Kubernetes docs on an
engine updated in memory after one note was edited (`SearchIndex.updated`, as a one-file reindex
does), on one built afresh over the same edited notes, and on one loaded from a stored snapshot, so
the incremental paths are compared too. `--code TREE` imports `bot` from TREE
(e.g. `git archive <commit> | tar -x -C TREE`).
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import json
import sys
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
SETS = ("seed-notes.yaml", "k8s-docs.yaml", "k8s-notes.yaml")
EDITED_NOTE = "concepts/workloads/controllers/job.md"
EDIT = "\n\n## Nightly runs {#nightly}\n\nA nightly Job can be run by a CronJob at 2am; see CronJob.\n"
PAGE = 3


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--code", type=Path, help="source tree whose bot to run (default: this checkout)")
    args = parser.parse_args()
    if args.code:
        sys.path.insert(0, str(args.code.resolve()))
    else:
        sys.path.insert(0, str(HERE.parent))
    from bot.config import load_settings
    from bot.core.search.analysis import Analyzer
    from bot.core.search.answering import SearchEngine
    from bot.core.search.index import SearchIndex
    from bot.core.search.indexing import ChunkingParams, analyse_note, build_engine
    from bot.core.search.notes import scan_notes
    from bot.core.search.scoring import Bm25Params
    from bot.core.search.synonyms import load_synonyms

    settings, analyzer = load_settings(), Analyzer()
    synonyms = load_synonyms(settings.synonyms_file, analyzer)
    chunking = ChunkingParams(settings.chunk_min_words, settings.chunk_max_words)
    lines = 0
    digest = hashlib.sha256()
    with args.out.open("w", encoding="utf-8") as out:

        def write(label: str, engine, questions: list[str]) -> None:
            nonlocal lines
            for question in questions:
                for k, offset in _pages(engine, question):
                    answer = engine.search(question, k=k, offset=offset)
                    line = json.dumps({"set": label, "q": question, "k": k, "offset": offset,
                                       **_answer(answer)}, ensure_ascii=False) + "\n"
                    out.write(line)
                    digest.update(line.encode("utf-8"))
                    lines += 1

        for name in SETS:
            path = HERE / "eval" / name
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
            notes = (path.parent / data["notes"]).resolve()
            questions = [q["q"] for q in data["questions"]] + [q if isinstance(q, str) else q["q"]
                                                               for q in data.get("off_topic", [])]
            scan = scan_notes(notes, max_bytes=settings.max_file_bytes)
            analysed = {n.path: analyse_note(n, analyzer, chunking).documents for n in scan.files}
            documents = [d for docs in analysed.values() for d in docs]
            engine = build_engine(documents, analyzer, synonyms, Bm25Params())
            write(name, engine, questions)
            if name != "k8s-notes.yaml":
                continue
            # the incremental paths: a one-file update in memory, a fresh build, a stored snapshot
            note = next(n for n in scan.files if n.path == EDITED_NOTE)
            edited_docs = analyse_note(dataclasses.replace(note, text=note.text + EDIT), analyzer, chunking).documents
            changed = [d for path_, docs in analysed.items() for d in (edited_docs if path_ == EDITED_NOTE else docs)]
            index = SearchIndex.updated(engine.index, changed, analyzer.stems)
            write(f"{name} updated", SearchEngine(index, analyzer, synonyms), questions)
            write(f"{name} rebuilt", build_engine(changed, analyzer, synonyms, Bm25Params()), questions)
            stored = SearchIndex.from_snapshot(documents, engine.index.snapshot(), Bm25Params())
            write(f"{name} snapshot", SearchEngine(stored, analyzer, synonyms), questions)
    print(f"{lines} answers written to {args.out}; sha256 {digest.hexdigest()}")
    return 0


def _pages(engine, question: str):
    """(k, offset) of every page a member can reach: three at a time while there are more, and ten."""
    yield 10, 0
    offset = 0
    while True:
        yield PAGE, offset
        if not engine.search(question, k=PAGE, offset=offset).has_more:
            return
        offset += PAGE


def _answer(answer) -> dict[str, object]:
    return {
        "has_more": answer.has_more,
        "suggestions": list(answer.suggestions),
        "passages": [[p.source, p.heading, p.start_line, p.end_line, repr(p.score), list(p.matched), p.chunk_id,
                      p.title] for p in answer.passages],
    }


if __name__ == "__main__":
    sys.exit(main())
