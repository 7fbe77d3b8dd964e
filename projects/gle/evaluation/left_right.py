"""Left/right outcome of each landmark pair (correct, swapped, collapsed,
one-off) as pure numpy functions (used by :class:`NormalizedError` and
:class:`DumpFashionPredictions`).

Definitions (docs/metrics.md): a pair (left ``l``, right ``r``) is evaluated
when both landmarks are visible and their ground truths differ. Distances are
box-normalised, as in NE. A predicted landmark is on the *wrong side* unless
it is strictly nearer its own ground truth than its partner's. Then the pair
is

- ``correct``: neither landmark on the wrong side;
- ``collapsed``: at least one on the wrong side and the two predictions
  closer to each other than ``collapse_ratio`` times the true separation
  (both on one spot);
- ``swapped``: both on the wrong side (and not collapsed);
- ``one_off``: the rest (exactly one on the wrong side, apart).
"""
from typing import Dict, Sequence, Tuple

import numpy as np

from .functional import (checked_boxes, keypoint_normalized_distances,
                         visible_mask)

#: Outcome names, indexed by the codes of :func:`left_right_outcomes`.
LR_OUTCOMES: Tuple[str, ...] = ('correct', 'swapped', 'collapsed', 'one_off')
CORRECT, SWAPPED, COLLAPSED, ONE_OFF = range(4)
#: Code of a pair that is not evaluated (a landmark not visible).
NOT_EVALUATED = -1
#: Default collapse fraction: the two predictions of a pair with a landmark
#: on the wrong side count as collapsed when they are closer than a quarter
#: of the true left-right separation.
COLLAPSE_RATIO = 0.25


def left_right_outcomes(pred: np.ndarray,
                        gt: np.ndarray,
                        visible: np.ndarray,
                        bboxes: np.ndarray,
                        pairs: Sequence[Tuple[int, int]],
                        collapse_ratio: float = COLLAPSE_RATIO
                        ) -> Tuple[np.ndarray, np.ndarray]:
    """Classify every left/right pair of every sample.

    Args:
        pred (np.ndarray): Predicted keypoints, shape (N, K, 2).
        gt (np.ndarray): Ground-truth keypoints, shape (N, K, 2).
        visible (np.ndarray): Visible mask, shape (N, K), bool (or float,
            > 0.5 visible).
        bboxes (np.ndarray): Ground-truth boxes (x1, y1, x2, y2), shape
            (N, 4); distances are divided by their width and height.
        pairs (Sequence[tuple[int, int]]): ``(left, right)`` keypoint
            indices, P pairs.
        collapse_ratio (float): Collapse fraction, in (0, 1]. Defaults to
            :data:`COLLAPSE_RATIO`.

    Returns:
        tuple:
        - outcomes (np.ndarray): int8, shape (N, P): an index into
          :data:`LR_OUTCOMES`, or :data:`NOT_EVALUATED`.
        - wrong_side (np.ndarray): bool, shape (N, P, 2): whether the left /
          right prediction is not nearer its own ground truth than its
          partner's; False where the pair is not evaluated.
    """
    if not 0 < collapse_ratio <= 1:
        raise ValueError(
            f'collapse_ratio must be in (0, 1], got {collapse_ratio}')
    visible = visible_mask(visible)
    num = visible.shape[0]
    if not pairs:
        return (np.full((num, 0), NOT_EVALUATED,
                        dtype=np.int8), np.zeros((num, 0, 2), dtype=bool))
    left, right = (list(idx) for idx in zip(*pairs))
    pred = np.asarray(pred, dtype=np.float64)[..., :2]
    gt = np.asarray(gt, dtype=np.float64)[..., :2]
    evaluated = visible[:, left] & visible[:, right]
    bboxes = checked_boxes(bboxes, evaluated.any(axis=1),
                           'with a visible left/right pair',
                           'the box-normalised distances are')

    with np.errstate(invalid='ignore', divide='ignore'):

        def dist(a, b):
            return keypoint_normalized_distances(a, b, bboxes)

        p_l, p_r, g_l, g_r = (pred[:, left], pred[:,
                                                  right], gt[:,
                                                             left], gt[:,
                                                                       right])
        true_sep = dist(g_l, g_r)
        evaluated &= true_sep > 0
        wrong = np.stack([
            ~(dist(p_l, g_l) < dist(p_l, g_r)),
            ~(dist(p_r, g_r) < dist(p_r, g_l))
        ],
                         axis=-1) & evaluated[..., None]
        close = dist(p_l, p_r) < collapse_ratio * true_sep

    any_wrong = wrong.any(axis=-1)
    outcomes = np.full(evaluated.shape, ONE_OFF, dtype=np.int8)
    outcomes[wrong.all(axis=-1)] = SWAPPED
    outcomes[any_wrong & close] = COLLAPSED
    outcomes[~any_wrong] = CORRECT
    outcomes[~evaluated] = NOT_EVALUATED
    return outcomes, wrong


def left_right_rates(outcomes: np.ndarray,
                     wrong_side: np.ndarray) -> Dict[str, float]:
    """Outcome rates over the evaluated pairs of ``outcomes``.

    Args:
        outcomes (np.ndarray): Codes from :func:`left_right_outcomes`, any
            shape (e.g. (N, P) or one pair's (N,)).
        wrong_side (np.ndarray): The matching wrong-side flags, shape
            ``outcomes.shape + (2, )``.

    Returns:
        dict[str, float]: ``correct``, ``swapped``, ``collapsed``,
        ``one_off`` (shares of the evaluated pairs), ``wrong_side`` (share of
        their landmarks on the wrong side), all NaN when no pair is
        evaluated, and ``num_pairs``.
    """
    evaluated = outcomes != NOT_EVALUATED
    num_pairs = int(evaluated.sum())
    rates: Dict[str, float] = {}
    for code, name in enumerate(LR_OUTCOMES):
        rates[name] = (
            float((outcomes == code).sum()) /
            num_pairs if num_pairs else float('nan'))
    rates['wrong_side'] = (
        float(wrong_side[evaluated].sum()) /
        (2 * num_pairs) if num_pairs else float('nan'))
    rates['num_pairs'] = num_pairs
    return rates
