"""The load summary's count of rejected rows per field, read from the distinct fields."""

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from sahelmap.loaders.result import LoadResult, _field_counts

FIELDS = st.lists(st.sampled_from(["date", "place", "event_id", "duplicate", "fatalities"]),
                  min_size=1, max_size=3).map("; ".join)


@settings(max_examples=200, deadline=None)
@given(st.lists(FIELDS, min_size=1, max_size=40))
def test_field_counts_are_those_of_each_field_split_out(fields):
    column = pd.Series(fields, dtype="str")
    expected = column.str.split("; ").explode().value_counts()
    assert list(_field_counts(column).items()) == list(expected.items())


def test_summary_counts_a_row_rejected_for_two_fields_under_both():
    rejected = pd.DataFrame({"source_file": ["a.csv"] * 3, "source_row": [2, 3, 4],
                             "field": ["date; place", "place", "event_id"]})
    result = LoadResult(pd.DataFrame(), rejected, 3, pd.DataFrame())
    assert "rejected for: place 2, date 1, event_id 1" in result.summary()
