"""spaCy registrations for guidelint, done once and on demand (nothing happens at import time).

spaCy factories and Span extensions are process-wide registries; registering them lazily keeps
``guidelint --help`` from importing spaCy and lets a second call be a no-op instead of an error.
"""
from __future__ import annotations

_done = False


def register() -> None:
    global _done
    if _done:
        return
    from spacy.language import Language
    from spacy.tokens import Span

    from .context import ConTextComponent

    for name in ("negated", "hypothetical", "historical"):
        Span.set_extension(name, default=False, force=True)
    Language.factory(
        "guidelint_context",
        default_config={"rules_file": None, "max_scope": 10},
        assigns=["span._.negated", "span._.hypothetical", "span._.historical"],
        requires=["doc.ents"],
    )(ConTextComponent.factory)
    _done = True
