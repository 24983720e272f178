"""Control kinds: a conditional branch, a merge, and try/fallback.

- `control.branch` sends each row to its `true` or `false` output by a condition (a
  condition on parameters only, like `:mode = 'full'`, routes the whole data one way).
- `control.merge` takes the rows of both inputs, matching columns by name (a column only
  one side has is empty on the other side's rows): it joins branches again.
- `control.try` gives the rows of its `try` input; if anything on that side fails at run
  time (a missing file, an API that is down, user code that raises), it gives the rows of
  its `fallback` input instead, and the run's log says why.
"""

from __future__ import annotations

from ...registry import NodeKind
from .branch import Branch
from .merge import Merge
from .try_ import Try

KINDS: list[type[NodeKind]] = [Branch, Merge, Try]
