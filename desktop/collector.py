"""How often Python's cyclic garbage collector runs in amplan: less often than its default.

By default the collector walks the youngest objects each time 700 more have been made than
freed, and every object alive now and then. The whole team's dashboard makes hundreds of
thousands (rows, ledger entries, attention items) and spent about a fifth of its time in those
walks (`benchmarks/bench_team.py`). Reference counting frees almost everything amplan makes;
the collector is there for the few, small cycles.

A walk costs by the objects alive, not by those made: at its peak the team's dashboard holds
100,000-150,000 (all freed by reference counting once it is drawn). Below that bound about one
refresh in two walked them, for 6-50 ms each; above it a refresh makes and frees its objects
without a walk.
"""

from __future__ import annotations

import gc

# Objects made and not yet freed before a walk of the youngest generation (Python's default is
# 700): above what a team's dashboard holds at its peak.
YOUNG_OBJECTS = 200_000


def collect_less_often() -> None:
    """Call once, as the process starts."""
    _, middle, old = gc.get_threshold()
    gc.set_threshold(YOUNG_OBJECTS, middle, old)


def set_aside_what_lasts() -> None:
    """Leave what is alive now (modules, the policy, the open book's caches) out of every
    later walk: call once the book is open."""
    gc.freeze()
