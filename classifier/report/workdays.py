"""Working days: Monday to Friday, less England and Wales bank holidays.

Bank holidays come from the maintained `holidays` library (UK, subdivision
ENG; Wales has the same ones), never a hand-kept list. The days taken to
respond count from the day after receipt up to and including the day of the
response, so a reply on the next working day took 1 working day.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import pandas as pd


@lru_cache(maxsize=8)
def bank_holidays(first_year: int, last_year: int) -> np.ndarray:
    """England and Wales bank holidays (including substitute days) as datetime64[D]."""
    import holidays

    days = holidays.UK(subdiv="ENG", years=range(first_year, last_year + 1))
    return np.array(sorted(days), dtype="datetime64[D]")


def working_days_taken(received: pd.Series, responded: pd.Series) -> pd.Series:
    """Working days from the day after `received` to `responded` inclusive (float, NaN if either is missing).

    A response dated before receipt gives a negative number, so the caller can report it.
    """
    both = received.notna() & responded.notna()
    out = pd.Series(np.nan, index=received.index, dtype="float64")
    if not both.any():
        return out
    start = received[both].to_numpy().astype("datetime64[D]") + np.timedelta64(1, "D")
    end = responded[both].to_numpy().astype("datetime64[D]") + np.timedelta64(1, "D")
    years = pd.DatetimeIndex(np.concatenate([start, end]).astype("datetime64[ns]")).year
    hol = bank_holidays(int(years.min()) - 1, int(years.max()) + 1)
    out[both] = np.busday_count(start, end, holidays=hol).astype("float64")  # negative when end < start
    return out
