"""Normalized error (NE), the fashion-landmark benchmark metric, as pure
numpy functions (used by :class:`NormalizedError` and by tools)."""
from typing import Tuple, Union

import numpy as np


def keypoint_normalized_distances(pred: np.ndarray, gt: np.ndarray,
                                  bboxes: np.ndarray) -> np.ndarray:
    """Per-landmark distance normalised by the ground-truth box.

    ``d_ik = sqrt(((px - gx) / w_i) ** 2 + ((py - gy) / h_i) ** 2)`` with
    ``w_i = x2 - x1`` and ``h_i = y2 - y1`` (no +1). Any one coordinate frame
    works as long as pred, gt and boxes share it (e.g. the original image).

    Args:
        pred (np.ndarray): Predicted keypoints, shape (N, K, 2).
        gt (np.ndarray): Ground-truth keypoints, shape (N, K, 2).
        bboxes (np.ndarray): Ground-truth boxes (x1, y1, x2, y2), shape
            (N, 4).

    Returns:
        np.ndarray: Distances, shape (N, K), float64.
    """
    pred = np.asarray(pred, dtype=np.float64)[..., :2]
    gt = np.asarray(gt, dtype=np.float64)[..., :2]
    bboxes = np.asarray(bboxes, dtype=np.float64).reshape(-1, 4)
    size = bboxes[:, 2:4] - bboxes[:, 0:2]  # (N, 2): w, h
    diff = (pred - gt) / size[:, None, :]
    return np.sqrt((diff**2).sum(axis=-1))


def visible_mask(visible: np.ndarray) -> np.ndarray:
    """The visible mask as bool.

    Args:
        visible (np.ndarray): Shape (N, K), bool, or float (> 0.5 counts as
            visible).

    Returns:
        np.ndarray: bool, shape (N, K).
    """
    visible = np.asarray(visible)
    return visible if visible.dtype == bool else visible > 0.5


def checked_boxes(bboxes: np.ndarray, used: np.ndarray, samples: str,
                  result: str) -> np.ndarray:
    """Ground-truth boxes that can normalise the distances of the samples
    that use them.

    Args:
        bboxes (np.ndarray): Boxes (x1, y1, x2, y2), shape (N, 4).
        used (np.ndarray): bool, shape (N, ): the samples whose distances
            are divided by their box's width and height.
        samples (str): Those samples, for the message (e.g. ``'with visible
            landmarks'``).
        result (str): What the bad boxes leave undefined, with its verb
            (e.g. ``'NE is'``).

    Returns:
        np.ndarray: The boxes, float64, shape (N, 4).

    Raises:
        ValueError: A used box has zero or negative width or height.
    """
    bboxes = np.asarray(bboxes, dtype=np.float64).reshape(-1, 4)
    size = bboxes[:, 2:4] - bboxes[:, 0:2]
    bad = used & ~(size > 0).all(axis=1)
    if bad.any():
        raise ValueError(
            f'{int(bad.sum())} sample(s) {samples} have a ground-truth box '
            'of zero or negative width/height, e.g. '
            f'{bboxes[bad][0].tolist()}: {result} undefined for them')
    return bboxes


def keypoint_normalized_error(
    pred: np.ndarray,
    gt: np.ndarray,
    visible: np.ndarray,
    bboxes: np.ndarray,
    return_counts: bool = False
) -> Union[np.ndarray, Tuple[np.ndarray, np.ndarray]]:
    """Per-landmark normalized error (the DeepFashion / FLD benchmark metric).

    ``NE_k = sum_i d_ik / #{i: landmark k visible in sample i}`` over the
    visible instances only. A landmark with no visible instance gets NaN.
    The reported NE is the unweighted mean of the finite ``NE_k``
    (``np.nanmean``).

    Args:
        pred (np.ndarray): Predicted keypoints, shape (N, K, 2).
        gt (np.ndarray): Ground-truth keypoints, shape (N, K, 2).
        visible (np.ndarray): Visible mask (code 0), shape (N, K), bool or
            float (> 0.5 counts as visible).
        bboxes (np.ndarray): Ground-truth boxes (x1, y1, x2, y2), shape
            (N, 4). Boxes of samples with a visible landmark must have
            positive width and height.
        return_counts (bool): Also return the visible count per landmark.

    Returns:
        np.ndarray | tuple: ``ne`` (K,) float64, NaN where nothing is
        visible; with ``return_counts`` also ``counts`` (K,) int64.
    """
    visible = visible_mask(visible)
    bboxes = checked_boxes(bboxes, visible.any(axis=1),
                           'with visible landmarks', 'NE is')
    counts = visible.sum(axis=0).astype(np.int64)
    if visible.any():
        # samples without visible landmarks may have any box: ignore their
        # (unused) divisions by zero
        with np.errstate(invalid='ignore', divide='ignore'):
            dist = keypoint_normalized_distances(pred, gt, bboxes)
        sums = np.where(visible, dist, 0.0).sum(axis=0)
    else:
        sums = np.zeros(visible.shape[1])
    with np.errstate(invalid='ignore', divide='ignore'):
        ne = np.where(counts > 0, sums / np.maximum(counts, 1), np.nan)
    if return_counts:
        return ne, counts
    return ne
