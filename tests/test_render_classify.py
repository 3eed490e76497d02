"""Classification of choropleth values: schemes, zero class, degenerate data."""

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sahelmap.errors import SahelmapError
from sahelmap.render import RenderError
from sahelmap.render._classify import NODATA_COLOR, ZERO_COLOR, classify

SCHEMES = ["quantiles", "natural_breaks", "fisher_jenks", "equal_interval", "Natural Breaks"]


@pytest.mark.parametrize("scheme", SCHEMES)
def test_zero_is_a_class_of_its_own(scheme):
    values = [0, 0, 0, 1, 2, 5, 9, 40, 41, 300, 1200]
    classes = classify(values, scheme=scheme, k=4)
    assert classes.labels[0] == "0"
    assert classes.colors[0] == ZERO_COLOR
    assert classes.index[:3].tolist() == [0, 0, 0]
    assert (classes.index[3:] > 0).all()
    assert len(classes.labels) == 5  # zero + 4 classes
    assert sum(classes.counts) == len(values)


@pytest.mark.parametrize("values, labels", [
    ([0, 0, 0, 0], ("0",)),
    ([7, 7, 7], ("7",)),
    ([0, 0, 3, 3, 5], ("0", "3", "5")),
    ([np.nan, 0, 2], ("0", "2", "No data")),
    ([np.nan, np.nan], ("No data",)),
    ([], ()),
])
def test_degenerate_data_does_not_crash(values, labels):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        classes = classify(values, scheme="natural_breaks", k=5)
    assert classes.labels == labels
    assert len(classes.colors) == len(labels)
    if "No data" in labels:
        assert classes.colors[-1] == NODATA_COLOR


def test_integer_ranges_do_not_overlap():
    values = np.random.default_rng(1).poisson(30, 500)
    labels = classify(values, scheme="quantiles", k=5).labels
    uppers = [int(label.split("\u2013")[-1].replace(",", "")) for label in labels]
    lowers = [int(label.split("\u2013")[0].replace(",", "")) for label in labels]
    assert all(lo == up + 1 for up, lo in zip(uppers, lowers[1:]))


def test_user_defined_bounds():
    classes = classify([0, 1, 5, 50, 500], scheme=[10, 100], k=5)
    assert classes.labels == ("0", "1 \u2013 10", "11 \u2013 100", "101 \u2013 500")
    assert classes.counts == (1, 2, 1, 1)
    assert classes.scheme == "user-defined"


def test_unknown_scheme_and_bad_k_fail_loudly():
    with pytest.raises(RenderError, match="Unknown classification scheme 'jenkz'"):
        classify([0, 1, 2], scheme="jenkz")
    with pytest.raises(RenderError, match="Unknown classification scheme"):
        classify([0, 0], scheme="jenkz")  # even when no scheme is needed
    with pytest.raises(RenderError, match="k must be a whole number"):
        classify([1, 2, 3], k=0)
    with pytest.raises(RenderError, match="hold numbers"):
        classify(["a", "b"])
    assert issubclass(RenderError, SahelmapError) and issubclass(RenderError, ValueError)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.one_of(st.integers(0, 10_000), st.floats(0, 1e6, allow_nan=False)),
                min_size=1, max_size=80),
       st.sampled_from(["quantiles", "equal_interval", "natural_breaks"]),
       st.integers(1, 7))
def test_every_value_falls_in_its_class(values, scheme, k):
    classes = classify(values, scheme=scheme, k=k)
    data = np.asarray(values, dtype=float)
    assert sum(classes.counts) == len(values)
    assert len(classes.labels) == len(classes.colors) == len(classes.counts)
    offset = 1 if classes.labels[:1] == ("0",) and (data == 0).any() else 0
    bins = np.asarray(classes.bins)
    for value, cls in zip(data, classes.index):
        if value == 0 and offset:
            assert cls == 0
            continue
        i = cls - offset
        assert value <= bins[i] + 1e-9
        if i > 0:
            assert value > bins[i - 1]
    # non-zero classes: at most k
    assert len(bins) <= max(k, 1)
