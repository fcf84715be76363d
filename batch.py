"""A folder of protocols audited in worker processes, each file under a time limit and a memory limit.

Why processes: a protocol PDF is CPU-bound Python (pdfplumber) and durable_rules keeps ~6.6 MB of C state per
document that it never gives back, so workers are recycled after ``TASKS_PER_WORKER`` documents; a file that
hangs or balloons is stopped inside its worker (SIGALRM, RLIMIT_AS) and becomes an error result while the batch
goes on. Results arrive as files finish (not in input order); the caller streams them out.
"""
from __future__ import annotations

import multiprocessing
import resource
import signal
from pathlib import Path
from typing import Iterator, Optional, Sequence

from .models import DocumentResult

TASKS_PER_WORKER = 20
DEFAULT_TIMEOUT = 300  # seconds per file: a 300-page protocol reads in about a minute
DEFAULT_MAX_MEMORY = 4096  # MB of address space per worker

_CTX = None
_TIMEOUT = DEFAULT_TIMEOUT


class _TimedOut(BaseException):
    """Not an Exception: the readers' catch-all handlers (a damaged PDF is an error, not a crash) must not
    turn the time limit into "corrupt PDF"."""


def _alarm(signum, frame):
    raise _TimedOut()


def _init(ctx_args: tuple, timeout: int, max_memory: Optional[int]) -> None:
    global _CTX, _TIMEOUT
    from .audit import AuditContext

    if max_memory:
        limit = max_memory * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    pack, guideline, allow_drift, waivers = ctx_args
    _CTX = AuditContext.load(pack, guideline, allow_drift)
    _CTX.waivers = waivers
    _TIMEOUT = timeout
    signal.signal(signal.SIGALRM, _alarm)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle


def _audit_one(path: str) -> DocumentResult:
    from .audit import audit_document

    signal.alarm(_TIMEOUT)
    try:
        return audit_document(path, _CTX)[0]
    except _TimedOut:
        return _failed(path, f"timed out after {_TIMEOUT} s (--timeout)")
    except MemoryError:
        return _failed(path, "out of memory (over the --max-memory limit)")
    except Exception as exc:  # one bad file must not take the batch down
        return _failed(path, f"internal error: {type(exc).__name__}: {str(exc).splitlines()[0][:160] if str(exc) else ''}")
    finally:
        signal.alarm(0)


def _failed(path: str, reason: str) -> DocumentResult:
    import hashlib

    result = DocumentResult(path=str(path), status="error", error=f"{path}: {reason}")
    try:
        result.sha256 = hashlib.sha256(Path(path).read_bytes()).hexdigest()
    except OSError:
        pass
    return result


def audit_many(pdfs: Sequence[Path], ctx_args: tuple, *, jobs: int = 1, timeout: int = DEFAULT_TIMEOUT,
               max_memory: Optional[int] = DEFAULT_MAX_MEMORY) -> Iterator[DocumentResult]:
    """Audit ``pdfs`` in ``jobs`` worker processes; yields each DocumentResult as its file finishes.

    ``ctx_args`` = (pack name, guideline path, allow_drift, waivers): every worker loads its own AuditContext.
    """
    method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
    pool = multiprocessing.get_context(method).Pool(
        processes=max(1, jobs), initializer=_init, initargs=(ctx_args, timeout, max_memory),
        maxtasksperchild=TASKS_PER_WORKER)
    try:
        yield from pool.imap_unordered(_audit_one, [str(p) for p in pdfs])
        pool.close()
    except BaseException:
        pool.terminate()
        raise
    finally:
        pool.join()
