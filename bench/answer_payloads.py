"""The JSON the bot sends for answers, one line per answer: to check that a change to rendering
leaves every answer byte-identical.

    .venv/bin/python bench/answer_payloads.py --out /tmp/after.jsonl
    PYTHONPATH=OTHER_TREE .venv/bin/python bench/answer_payloads.py --out /tmp/before.jsonl
    cmp /tmp/before.jsonl /tmp/after.jsonl
    .venv/bin/python bench/answer_payloads.py --out /dev/null --time    # and how long rendering takes

For every question of the evaluation set (`bench/eval/k8s-notes.yaml`, the Kubernetes docs) and the
first `--headings` questions `bench/load.py` asks (the notes' own headings), it renders the first
and the second page, with and without a base URL for links, exactly as `/ask` and "More" send them:
the interaction response's payload (embed, buttons, allowed mentions) as discord.py serialises it.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
BASE_URL = "https://example.org/notes/blob/main/docs"


def _load(name: str, path: Path):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--set", type=Path, default=HERE / "eval" / "k8s-notes.yaml")
    parser.add_argument("--headings", type=int, default=400, help="questions from bench/load.py (default 400)")
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--time", action="store_true",
                        help="also time rendering the first pages (CPU time, median of 5 rounds, caches cleared)")
    args = parser.parse_args()

    from discord.webhook.async_ import interaction_message_response_params

    from bot.adapter import rendering, views
    from bot.config import load_settings
    from bot.core.search import evaluation
    from bot.core.search.analysis import Analyzer
    from bot.core.search.indexing import ChunkingParams, analyse_note, build_engine
    from bot.core.search.notes import scan_notes
    from bot.core.search.scoring import Bm25Params
    from bot.core.search.synonyms import load_synonyms

    load = _load("notesbot_load", HERE / "load.py")
    eval_set = evaluation.load_note_eval_set(args.set)
    settings = load_settings()
    analyzer = Analyzer()
    scan = scan_notes(eval_set.notes, max_bytes=settings.max_file_bytes)
    chunking = ChunkingParams(settings.chunk_min_words, settings.chunk_max_words)
    documents = [d for note in scan.files for d in analyse_note(note, analyzer, chunking).documents]
    engine = build_engine(documents, analyzer, load_synonyms(settings.synonyms_file, analyzer), Bm25Params())

    questions = [item.question for item in eval_set.questions] + list(eval_set.off_topic)
    questions += load.questions_from(Path(eval_set.notes))[: args.headings]
    k = settings.top_k
    with args.out.open("w", encoding="utf-8") as out:
        for n, question in enumerate(questions):
            for base_url in (None, BASE_URL):
                for page in (0, 1):
                    answer = engine.search(question, k=k, offset=page * k)
                    embed = rendering.answer_embed(answer, base_url=base_url, first_rank=page * k + 1)
                    view = views.answer_view(10_000 + n, page * k, answer.has_more) if answer.passages else None
                    params = interaction_message_response_params(
                        type=4, embed=embed, allowed_mentions=rendering.NO_MENTIONS,
                        previous_allowed_mentions=None, **({"view": view} if view is not None else {}))
                    out.write(json.dumps(params.payload, ensure_ascii=False) + "\n")
    print(f"{len(questions)} questions, {4 * len(questions)} payloads in {args.out}", file=sys.stderr)
    if args.time:
        answers = [engine.search(q, k=k) for q in questions]

        def render_all() -> float:
            rendering._passage_text.cache_clear()  # every answer rendered afresh, as in a burst
            try:
                from bot.core.reading.parse import read_passage
            except ImportError:  # a tree from before the notes' Markdown was rendered
                pass
            else:
                read_passage.cache_clear()
            started = time.process_time()
            for n, answer in enumerate(answers):
                embed = rendering.answer_embed(answer)
                view = views.answer_view(10_000 + n, 0, answer.has_more) if answer.passages else None
                params = interaction_message_response_params(
                    type=4, embed=embed, allowed_mentions=rendering.NO_MENTIONS,
                    previous_allowed_mentions=None, **({"view": view} if view is not None else {}))
                json.dumps(params.payload)
            return (time.process_time() - started) / len(answers)

        rounds = [render_all() for _ in range(5)]
        print(f"rendering an answer (embed, buttons, JSON): {1000 * statistics.median(rounds):.3f} ms "
              f"(rounds: {', '.join(f'{1000 * r:.3f}' for r in rounds)})", file=sys.stderr)


if __name__ == "__main__":
    main()
