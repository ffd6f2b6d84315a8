"""Property test: random two-way tables with margins, attacked by linear programming."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from disclosure_attacker import intervals
from evaluering.disclosure import suppress_table

small_counts = st.sampled_from([0, 1, 2, 3, 4, 5, 8, 13, 40])


@st.composite
def tables(draw):
    n_rows = draw(st.integers(2, 5))
    n_cols = draw(st.integers(2, 4))
    body = np.array(draw(st.lists(small_counts, min_size=n_rows * n_cols, max_size=n_rows * n_cols))).reshape(n_rows, n_cols)
    threshold = draw(st.sampled_from([3, 5]))
    return body, threshold


@settings(max_examples=40, deadline=None, derandomize=True)
@given(tables())
def test_random_two_way_tables_resist_the_lp_attack(case):
    body, threshold = case
    n_rows, n_cols = body.shape
    full = np.zeros((n_rows + 1, n_cols + 1), int)
    full[:n_rows, :n_cols] = body
    full[:n_rows, n_cols] = body.sum(axis=1)
    full[n_rows, :] = full[:n_rows, :].sum(axis=0)
    rows = [f"r{i}" for i in range(n_rows)] + ["I alt"]
    cols = [f"c{j}" for j in range(n_cols)] + ["i_alt"]
    df = pd.DataFrame(full, columns=cols).assign(row=rows)
    res = suppress_table(df, cols, totals={"row": "I alt", "i_alt": cols[:-1]}, threshold=threshold)
    # the published table and its additive structure is all the attacker has
    pub = {(i, j): (None if pd.isna(res.data.iat[i, j]) else float(res.data.iat[i, j]))
           for i in range(n_rows + 1) for j in range(n_cols + 1)}
    eqs = []
    for i in range(n_rows + 1):
        eqs.append(({(i, n_cols): 1, **{(i, j): -1 for j in range(n_cols)}}, 0.0))
    for j in range(n_cols + 1):
        eqs.append(({(n_rows, j): 1, **{(i, j): -1 for i in range(n_rows)}}, 0.0))
    found = intervals(pub, eqs)
    for (i, j), v in np.ndenumerate(full):
        primary = 0 < v < threshold
        assert (pub[(i, j)] is None) >= primary           # every primary cell is suppressed
        if (i, j) in found:
            lo, hi = found[(i, j)]
            assert hi - lo > 0.5                            # no suppressed cell pinned
            if primary:
                assert hi - lo >= threshold - 1e-6
