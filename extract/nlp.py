"""The rule-based spaCy pipelines: blank ``en`` / blank ``zh`` with jieba, lexicon EntityRuler, ConText.

Built once per process and language (jieba's dictionary load costs ~1 s; spaCy's jieba segmenter calls
the module-global ``jieba.cut``, so user words must be loaded into jieba itself in every process).
"""
from __future__ import annotations

import json
import os
import tempfile
from functools import lru_cache
from importlib import resources

PATTERNS = resources.files("guidelint.extract").joinpath("patterns")


def lexicon(lang: str) -> list:
    lines = PATTERNS.joinpath(lang, "lexicon.jsonl").read_text("utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def _prepare_jieba() -> None:
    import jieba

    # A private cache dir: the shared /tmp/jieba.cache clashes between users and processes (jieba#26, #903).
    cache = os.path.join(tempfile.gettempdir(), f"guidelint-jieba-{os.getuid() if hasattr(os, 'getuid') else 0}")
    os.makedirs(cache, exist_ok=True)
    jieba.dt.tmp_dir = cache
    jieba.setLogLevel(60)
    jieba.initialize()
    for line in PATTERNS.joinpath("zh", "userdict.txt").read_text("utf-8").splitlines():
        parts = line.split()
        if parts:
            jieba.add_word(parts[0], freq=int(parts[1]) if len(parts) > 1 else None)
    # Every lexicon term is one jieba word, so the EntityRuler sees the same tokens in patterns and text.
    for entry in lexicon("zh"):
        term = entry["pattern"]
        if isinstance(term, str) and " " not in term:  # jieba user words cannot hold spaces (jieba#405)
            jieba.add_word(term, freq=2000)


@lru_cache(maxsize=2)
def get_nlp(lang: str):
    import spacy

    from .registry import register

    register()
    if lang == "zh":
        _prepare_jieba()
        nlp = spacy.blank("zh", config={"nlp": {"tokenizer": {"segmenter": "jieba"}}})
    else:
        nlp = spacy.blank("en")
    ruler = nlp.add_pipe("entity_ruler", config={"phrase_matcher_attr": "LOWER", "overwrite_ents": True})
    ruler.add_patterns(lexicon(lang))
    nlp.add_pipe("guidelint_context")
    return nlp
