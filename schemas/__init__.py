"""One strict pandera model per table."""

import sys
import types

# pandera, resolving a model's index types, imports dask.dataframe whenever Dask is installed (the
# partitioned run's extra): about 0.7 s of every run, for frame types this project never
# validates (it validates pandas frames only). Told there is no Dask typing, it does not look.
if "pandera.typing.dask" not in sys.modules:
    _no_dask_typing = types.ModuleType("pandera.typing.dask")
    _no_dask_typing.DASK_INSTALLED = False
    sys.modules["pandera.typing.dask"] = _no_dask_typing
