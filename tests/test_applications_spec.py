"""What ``14-applications``'s checks promise beyond the generated spec tests.

tests/test_specs_generated.py already checks that every reference passes and
that each listed mistake fails with its hint.  Here: the references agree with
the libraries the chapter compares them with (scikit-learn, SciPy, PyTorch),
correct answers in other styles pass, and subtle wrong answers fail.
"""
from __future__ import annotations

import math
import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from anncourse.grading import CheckFailed, check
from anncourse.grading.core import evaluate
from anncourse.grading.specs import applications as spec
from anncourse.grading.specs import exercises

EXERCISES = exercises("14-applications")


def _passes(func, name):
    return evaluate(func, EXERCISES[name], visible=True, hidden=True) == []


def _fails(func, name):
    return evaluate(func, EXERCISES[name], visible=True, hidden=True) != []


# --- the references against the libraries ------------------------------------------------

images = hnp.arrays(np.float64, hnp.array_shapes(min_dims=2, max_dims=2, min_side=3, max_side=8),
                    elements=st.floats(-10, 10))
kernels = hnp.arrays(np.float64, hnp.array_shapes(min_dims=2, max_dims=2, min_side=1, max_side=3),
                     elements=st.floats(-3, 3))


@settings(max_examples=60, deadline=None)
@given(images, kernels)
def test_conv2d_valid_is_scipys_correlate2d_and_torchs_conv2d(image, kernel):
    import torch
    from scipy.signal import convolve2d, correlate2d

    ours = spec.conv2d_valid(image, kernel)
    # Values up to 10 * 3 * 9 terms: sums in another order agree to about 1e-13.
    assert np.allclose(ours, correlate2d(image, kernel, mode="valid"), rtol=1e-10, atol=1e-10)
    assert np.allclose(ours, convolve2d(image, kernel[::-1, ::-1], mode="valid"), rtol=1e-10,
                       atol=1e-10)
    torch_out = torch.nn.functional.conv2d(torch.from_numpy(image)[None, None],
                                           torch.from_numpy(kernel)[None, None])[0, 0].numpy()
    assert np.allclose(ours, torch_out, rtol=1e-10, atol=1e-10)


def test_bag_of_words_is_sklearns_countvectorizer_with_the_stated_tokens():
    from sklearn.feature_extraction.text import CountVectorizer

    docs = spec._WORKED_DOCS + spec._TRAPS + ["It's 10/10, not 2 stars: loved it!!"]
    vocab = spec._VOCAB + ["it's", "10", "2", "loved"]
    vectorizer = CountVectorizer(vocabulary=vocab, token_pattern=r"[a-z0-9']+", lowercase=True)
    assert np.array_equal(spec.bag_of_words(docs, vocab), vectorizer.transform(docs).toarray())
    assert spec.bag_of_words(docs, vocab).shape == (len(docs), len(vocab))


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.booleans(), st.booleans()), min_size=1, max_size=40))
def test_sensitivity_specificity_are_sklearns_recalls(pairs):
    from sklearn.metrics import recall_score

    y, p = (np.array(v, dtype=int) for v in zip(*pairs))
    sens, spec_ = spec.sensitivity_specificity(y, p)
    assert sens == pytest.approx(recall_score(y, p, pos_label=1, zero_division=0))
    assert spec_ == pytest.approx(recall_score(y, p, pos_label=0, zero_division=0))


@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(-1e3, 1e3), min_size=2, max_size=30), st.data())
def test_windows_and_persistence_agree_with_numpy(values, data):
    s = np.array(values)
    p = data.draw(st.integers(1, len(s) - 1))
    X, y = spec.sliding_windows(s, p)
    view = np.lib.stride_tricks.sliding_window_view(s, p)[:-1]
    assert np.array_equal(X, view) and np.array_equal(y, s[p:])
    # Persistence with horizon 1 is the last column of the windows.
    assert np.array_equal(spec.persistence_forecast(s), s[:-1])
    assert np.array_equal(spec.persistence_forecast(s, horizon=p), s[:len(s) - p])
    assert np.array_equal(X[:, -1], spec.persistence_forecast(s)[p - 1:])


@pytest.mark.parametrize("bad", [0, 5, -1])
def test_windows_and_horizons_that_do_not_fit_are_refused(bad):
    with pytest.raises(ValueError, match="between 1 and"):
        spec.sliding_windows([1.0, 2.0, 3.0, 4.0, 5.0], bad)
    with pytest.raises(ValueError, match="between 1 and"):
        spec.persistence_forecast([1.0, 2.0, 3.0, 4.0, 5.0], horizon=bad)


def test_q_learning_update_leaves_its_input_alone_and_converges():
    Q = np.zeros((2, 2))
    for _ in range(2000):  # one state with a self-loop: Q -> r / (1 - gamma) = 10
        Q_before = Q.copy()
        Q = spec.q_learning_update(Q, 0, 1, 1.0, 0, 0.1, 0.9)
        assert not np.shares_memory(Q, Q_before)
    assert Q[0, 1] == pytest.approx(10.0, rel=1e-6)
    assert Q[0, 0] == Q[1, 0] == Q[1, 1] == 0


# --- correct answers in other styles pass --------------------------------------------------

def sliding_windows_stride(series, p):
    s = np.asarray(series, dtype=float)
    return np.lib.stride_tricks.sliding_window_view(s, p)[:-1], s[p:]


def sliding_windows_lists(series, p):
    values = list(series)
    return [values[i:i + p] for i in range(len(values) - p)], values[p:]


def persistence_loop(series, horizon=1):
    return [series[t - horizon] for t in range(horizon, len(series))]


def bag_of_words_counter(documents, vocabulary):
    from collections import Counter

    rows = []
    for doc in documents:
        counts = Counter(re.findall(r"[a-z0-9']+", doc.lower()))
        rows.append([counts[w] for w in vocabulary])
    return np.array(rows, dtype=float).reshape(len(documents), len(vocabulary))


def conv2d_loops(image, kernel):
    H, W = len(image), len(image[0])
    kh, kw = len(kernel), len(kernel[0])
    return [[math.fsum(float(image[i + a][j + b]) * float(kernel[a][b])
                       for a in range(kh) for b in range(kw))
             for j in range(W - kw + 1)] for i in range(H - kh + 1)]


def conv2d_einsum(image, kernel):
    image, kernel = np.asarray(image), np.asarray(kernel)
    windows = np.lib.stride_tricks.sliding_window_view(image, kernel.shape)
    return np.einsum("ijkl,kl->ij", windows, kernel)


def q_learning_copy(Q, s, a, r, s_next, alpha, gamma):
    import copy

    new = copy.deepcopy(Q)
    new[s][a] = new[s][a] + alpha * (r + gamma * max(Q[s_next]) - Q[s][a])
    return new


def sensitivity_specificity_loop(y_true, y_pred):
    tp = fn = tn = fp = 0
    for t, p in zip(y_true, y_pred):
        if t:
            tp, fn = tp + bool(p), fn + (not p)
        else:
            tn, fp = tn + (not p), fp + bool(p)
    return (tp / (tp + fn) if tp + fn else 0.0, tn / (tn + fp) if tn + fp else 0.0)


@pytest.mark.parametrize("func, name", [
    (sliding_windows_stride, "sliding_windows"),
    (sliding_windows_lists, "sliding_windows"),
    (persistence_loop, "persistence_forecast"),
    (bag_of_words_counter, "bag_of_words"),
    (conv2d_loops, "conv2d_valid"),
    (conv2d_einsum, "conv2d_valid"),
    (q_learning_copy, "q_learning_update"),
    (sensitivity_specificity_loop, "sensitivity_specificity"),
])
def test_correct_styles_pass_every_check(func, name):
    assert _passes(func, name)


# --- subtle mistakes fail ------------------------------------------------------------------

def q_learning_shallow_copy(Q, s, a, r, s_next, alpha, gamma):
    """A list-of-lists table copied with list(Q): the rows are still the caller's."""
    if isinstance(Q, np.ndarray):
        Q = Q.tolist()
        new = list(Q)
    else:
        new = list(Q)
    new[s][a] = new[s][a] + alpha * (r + gamma * max(new[s_next]) - new[s][a])
    return new


def q_learning_view(Q, s, a, r, s_next, alpha, gamma):
    new = np.asarray(Q)  # no copy for an array: the caller's table changes
    new[s, a] += alpha * (r + gamma * new[s_next].max() - new[s, a])
    return new


def test_in_place_updates_fail_every_check():
    report = evaluate(q_learning_view, EXERCISES["q_learning_update"], visible=True, hidden=True)
    assert report and any("in place" in line for line in report)
    with pytest.raises(CheckFailed, match="in place"):
        check(q_learning_view, "14-applications/q_learning_update", hidden=True)
    # A shallow copy of a list-of-lists table still changes the caller's rows.
    assert _fails(q_learning_shallow_copy, "q_learning_update")


def conv2d_stops_early(image, kernel):
    image, kernel = np.asarray(image, float), np.asarray(kernel, float)
    kh, kw = kernel.shape
    H, W = image.shape
    return np.array([[np.sum(image[i:i + kh, j:j + kw] * kernel) for j in range(W - kw)]
                     for i in range(H - kh)])


def bag_of_words_vocab_order(documents, vocabulary):
    return spec.bag_of_words(documents, sorted(vocabulary))


def persistence_from_the_mean(series, horizon=1):
    s = np.asarray(series, float)
    return np.full(len(s) - horizon, s.mean())


@pytest.mark.parametrize("func, name", [
    (conv2d_stops_early, "conv2d_valid"),
    (bag_of_words_vocab_order, "bag_of_words"),
    (persistence_from_the_mean, "persistence_forecast"),
])
def test_subtle_mistakes_fail(func, name):
    assert _fails(func, name)
