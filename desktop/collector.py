"""How often Python's cyclic garbage collector runs in amplan: less often than its default.

By default the collector walks the youngest objects each time 700 more have been made than
freed, and every object alive now and then. The whole team's dashboard makes hundreds of
thousands (rows, ledger entries, attention items) and spent about a fifth of its time in those
walks (`benchmarks/bench_team.py`). Reference counting frees almost everything amplan makes;
the collector is there for the few, small cycles.
"""

from __future__ import annotations

import gc

# New objects between two walks of the youngest generation (Python's default is 700).
YOUNG_OBJECTS = 50_000


def collect_less_often() -> None:
    """Call once, as the process starts."""
    _, middle, old = gc.get_threshold()
    gc.set_threshold(YOUNG_OBJECTS, middle, old)


def set_aside_what_lasts() -> None:
    """Leave what is alive now (modules, the policy, the open book's caches) out of every
    later walk: call once the book is open."""
    gc.freeze()
