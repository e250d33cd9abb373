"""The carried balances: what the whole ledger sums to so far, kept so that no run sums it again."""

from __future__ import annotations

import pandera.pandas as pa
from pandera.typing import Series

from pipeline.core.codes import COMPONENTS
from pipeline.core.idcard import ID18
from pipeline.core.months import MONTH_RE


class Balance(pa.DataFrameModel):
    """One row per person (ID as the entries carry it) per period per component with any ledger
    entry up to and including the run month. A cache of the ledger: the audit proves it equal."""

    id_number: Series[str] = pa.Field(str_matches=ID18)  # as written in the entries, links not followed
    period: Series[str] = pa.Field(str_matches=MONTH_RE)
    component: Series[str] = pa.Field(isin=list(COMPONENTS))
    net_fen: Series[int]  # sum of every entry's amount_fen: the net paid (SPEC §5)
    # sum of the entries of settlement 'owed'; summed over an ID correction's two IDs (links followed)
    # it is minus what is still owed, while one ID alone may be positive (a debt settled under the new ID)
    owed_fen: Series[int]

    class Config:
        strict = True
        ordered = True
