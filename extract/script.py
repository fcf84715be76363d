"""Traditional Chinese read as simplified (繁體 -> 简体, OpenCC ``t2s``), so one lexicon serves both scripts."""
from __future__ import annotations

import re
from functools import lru_cache

_CJK = re.compile(r"[\u4e00-\u9fff]")


@lru_cache(maxsize=1)
def _t2s():
    import opencc

    return opencc.OpenCC("t2s")


def to_simplified(text: str) -> str:
    """``text`` in simplified characters; text without CJK characters is returned as it is (no OpenCC call)."""
    return _t2s().convert(text) if _CJK.search(text) else text
