"""Pair-aware decoding: never both landmarks of a left/right pair on one
heatmap peak when the pair's heatmaps hold two."""
import math
from typing import Optional, Tuple

import cv2
import numpy as np
from mmpose.codecs.base import BaseKeypointCodec
from mmpose.registry import KEYPOINT_CODECS
from mmpose.utils.typing import ConfigType

from ..utils.left_right_pairs import load_pair_layout


@KEYPOINT_CODECS.register_module()
class PairAwareHeatmap(BaseKeypointCodec):
    """Wrap a heatmap codec (``MSRAHeatmap``, ``ExpDistanceHeatmap``, ...)
    and decode left/right pairs without collapsing them onto one peak.

    On garments whose left/right follows the garment (front vs back view),
    a model often gives both channels of a pair the same two peaks, one at
    each landmark, with near-equal heights; per-channel argmax then puts
    both landmarks on the same peak. For every pair ``(l, r)`` (from the
    dataset metainfo's ``flip_indices``) this codec:

    1. decodes all channels with the wrapped codec (its argmax and
       refinement, its scale back to the input size);
    2. leaves the pair as decoded unless both channels' maxima lie within
       ``min_distance`` heatmap pixels of each other (a *collapse*);
    3. finds the two highest local maxima A, B of the pair's summed map
       ``H_l + H_r`` that are ``min_distance`` apart, B at least
       ``min_peak_ratio`` times as high as A. With fewer than two such
       peaks the pair stays as decoded (one peak: nothing to separate);
    4. splits the heatmap between A and B (each pixel goes to the nearer
       peak) and gives left and right the two peaks in the assignment with
       the larger sum of the channels' own maxima over their halves,
       ``max_A(H_l) + max_B(H_r)`` vs ``max_B(H_l) + max_A(H_r)``. On an
       exact tie the left landmark gets the peak nearer the image left
       (the front view, as in the annotations);
    5. a channel whose own maximum is not in its assigned half is decoded
       again by the wrapped codec on its half only (the other half set to
       the channel's minimum): its keypoint, sub-pixel refinement and score
       (its maximum on that half) are the wrapped codec's. The other
       channel keeps its result.

    With flip test, mmpose's heads average the heatmaps of the image and of
    its flipped copy (channels swapped back) before decoding, so the
    channel scores that decide the assignment carry the flipped view's
    evidence too. Decoding runs in numpy after the head's forward pass
    (mmpose's ``BaseHead.decode`` moves the heatmaps to the host), so it is
    the same on CPU and CUDA.

    Pairs that do not collapse, and collapsed pairs whose summed map has a
    single peak, are returned bit-identical to the wrapped codec's
    decoding; with ``pair_aware=False`` the whole output is.

    Encoding (training targets) is the wrapped codec's.

    Args:
        codec (dict): Config of the wrapped heatmap codec; its ``decode``
            takes heatmaps of shape (K, H, W) and returns keypoints (1, K, D)
            and scores (1, K).
        pair_aware (bool): Resolve collapsed pairs. ``False`` decodes exactly
            as the wrapped codec (for ablations:
            ``--cfg-options model.head.decoder.pair_aware=False``).
            Defaults to ``True``.
        metainfo (dict, optional): Dataset metainfo giving the pairs, as
            mmpose datasets take it, e.g.
            ``dict(from_file='configs/_base_/datasets/coco.py')``. Defaults
            to the GLE 8-landmark layout (the fashion datasets' metainfo,
            pairs (0, 1) (2, 3) (4, 5) (6, 7)).
        min_distance (float, optional): Two locations closer than this, in
            heatmap pixels, are one peak. Defaults to 5% of the heatmap's
            larger side (11 px at 224, 5 px at 96), at least 2.
        min_peak_ratio (float): Height of the second peak of ``H_l + H_r``
            relative to the first, below which the pair is left as decoded
            (a weak bump is no second landmark). Defaults to 0.5.
    """

    def __init__(self,
                 codec: ConfigType,
                 pair_aware: bool = True,
                 metainfo: Optional[dict] = None,
                 min_distance: Optional[float] = None,
                 min_peak_ratio: float = 0.5) -> None:
        super().__init__()
        self.codec = KEYPOINT_CODECS.build(codec)
        if isinstance(self.codec, PairAwareHeatmap):
            raise ValueError('PairAwareHeatmap.codec is itself a '
                             'PairAwareHeatmap: wrap the heatmap codec once')
        if self.codec.support_batch_decoding:
            raise ValueError(
                f'PairAwareHeatmap wraps codecs that decode one sample\'s '
                f'heatmaps (K, H, W); {type(self.codec).__name__} decodes '
                'batches')
        if not 0 < min_peak_ratio <= 1:
            raise ValueError('PairAwareHeatmap.min_peak_ratio must be in '
                             f'(0, 1], got {min_peak_ratio}')
        if min_distance is None:
            heatmap_size = getattr(self.codec, 'heatmap_size', None)
            if heatmap_size is None:
                raise ValueError(
                    f'{type(self.codec).__name__} has no heatmap_size: set '
                    'PairAwareHeatmap.min_distance (heatmap pixels)')
            min_distance = max(2.0, round(0.05 * max(heatmap_size)))
        if min_distance <= 0:
            raise ValueError('PairAwareHeatmap.min_distance must be '
                             f'positive, got {min_distance}')
        self.pair_aware = bool(pair_aware)
        self.min_distance = float(min_distance)
        self.min_peak_ratio = float(min_peak_ratio)
        self.pairs, _ = load_pair_layout(metainfo)
        self._kernel = np.ones(
            (2 * math.ceil(self.min_distance) + 1, ) * 2, dtype=np.uint8)
        offsets = np.arange(-(self._kernel.shape[0] // 2),
                            self._kernel.shape[0] // 2 + 1)
        self._disc = np.hypot(offsets[None, :],
                              offsets[:, None]) < self.min_distance
        self._grid = None  # pixel coordinates, cached per heatmap size
        # GenerateTarget reads these from its encoder
        self.auxiliary_encode_keys = self.codec.auxiliary_encode_keys
        self.field_mapping_table = self.codec.field_mapping_table
        self.instance_mapping_table = self.codec.instance_mapping_table
        self.label_mapping_table = self.codec.label_mapping_table

    def __getattr__(self, name: str):
        """Other attributes (``input_size``, ``heatmap_size``, ``sigma``...)
        are the wrapped codec's."""
        codec = self.__dict__.get('codec')
        if codec is None:
            raise AttributeError(name)
        return getattr(codec, name)

    def encode(self,
               keypoints: np.ndarray,
               keypoints_visible: Optional[np.ndarray] = None,
               **kwargs) -> dict:
        """Encode with the wrapped codec (same arguments and outputs)."""
        return self.codec.encode(keypoints, keypoints_visible, **kwargs)

    def decode(self, encoded: np.ndarray) -> Tuple[np.ndarray, np.ndarray]:
        """Decode heatmaps, keeping the two landmarks of a pair apart.

        Args:
            encoded (np.ndarray): Heatmaps in shape (K, H, W).

        Returns:
            tuple:
            - keypoints (np.ndarray): (1, K, D) in the input image space
            - scores (np.ndarray): (1, K)
        """
        keypoints, scores = self.codec.decode(encoded)
        if not self.pair_aware:
            return keypoints, scores
        if not isinstance(scores, np.ndarray) or keypoints.shape[0] != 1:
            raise TypeError(
                f'PairAwareHeatmap: {type(self.codec).__name__}.decode must '
                'return keypoints (1, K, D) and scores (1, K)')
        num_kpts, height, width = encoded.shape
        if self.pairs and max(max(p) for p in self.pairs) >= num_kpts:
            raise ValueError(
                f'PairAwareHeatmap: {num_kpts} heatmaps, but the metainfo '
                f'pairs {self.pairs} need more: set '
                'PairAwareHeatmap.metainfo to the dataset\'s metainfo')
        flat = encoded.reshape(num_kpts, -1)
        argmax = flat.argmax(axis=1)
        peak = flat[np.arange(num_kpts), argmax]
        ys, xs = np.divmod(argmax, width)
        moved, regions = [], []  # channels to decode again, on their half
        for left, right in self.pairs:
            if (peak[left] <= 0 or peak[right] <= 0
                    or math.hypot(xs[left] - xs[right],
                                  ys[left] - ys[right]) >= self.min_distance):
                continue
            peaks = self._two_peaks(encoded[left] + encoded[right])
            if peaks is None:
                continue
            near_a = self._near_first(peaks, height, width)
            halves = (near_a, ~near_a)
            # own[i, t]: channel i's maximum over half t (0: A's, 1: B's);
            # over the half holding its argmax that is its peak value
            own = np.empty((2, 2))
            for i, c in enumerate((left, right)):
                t = 0 if near_a[argmax[c]] else 1
                own[i, t] = peak[c]
                own[i, 1 - t] = flat[c][halves[1 - t]].max()
            keep = own[0, 0] + own[1, 1]  # left -> A, right -> B
            swap = own[0, 1] + own[1, 0]
            a_first = keep > swap or (keep == swap
                                      and peaks[0][0] <= peaks[1][0])
            targets = (0, 1) if a_first else (1, 0)
            if own[0, targets[0]] <= 0 or own[1, targets[1]] <= 0:
                continue  # no positive evidence on one side
            for c, t in zip((left, right), targets):
                if not halves[t][argmax[c]]:  # else: decoded as it is
                    moved.append(c)
                    regions.append(np.where(halves[t], flat[c], flat[c].min()))
        if moved:
            # one call of the wrapped codec for all of them
            kpts, new_scores = self.codec.decode(
                np.stack(regions).reshape(len(moved), height, width))
            keypoints, scores = keypoints.copy(), scores.copy()
            keypoints[0, moved] = kpts[0]
            scores[0, moved] = new_scores[0]
        return keypoints, scores

    def _two_peaks(self, pair_map: np.ndarray
                   ) -> Optional[Tuple[Tuple[int, int], Tuple[int, int]]]:
        """The two highest local maxima of ``pair_map`` (H, W) at least
        ``min_distance`` apart, the second at least ``min_peak_ratio`` of
        the first, as ((x, y), (x, y)); None if there are no two.

        A local maximum is a pixel no lower than any within the
        ``(2r+1) x (2r+1)`` window around it, ``r = ceil(min_distance)``.
        Fast path: the highest pixel outside the disc around the first peak
        is the answer whenever it is a local maximum; otherwise (a slope of
        the first peak's tail) all local maxima are found by dilation.
        """
        pair_map = pair_map.astype(np.float32, copy=False)
        height, width = pair_map.shape
        first = int(pair_map.argmax())
        top = float(pair_map.flat[first])
        if top <= 0:
            return None
        floor = np.float32(self.min_peak_ratio * top)
        ay, ax = divmod(first, width)
        rad = self._kernel.shape[0] // 2
        # the pixels closer than min_distance to A, cut out
        outside = pair_map.copy()
        y0, y1 = max(ay - rad, 0), min(ay + rad + 1, height)
        x0, x1 = max(ax - rad, 0), min(ax + rad + 1, width)
        disc = self._disc[y0 - ay + rad:y1 - ay + rad,
                          x0 - ax + rad:x1 - ax + rad]
        outside[y0:y1, x0:x1][disc] = -np.inf
        second = int(outside.argmax())
        if outside.flat[second] < floor:
            return None  # nothing high enough away from A
        by, bx = divmod(second, width)
        window = pair_map[max(by - rad, 0):by + rad + 1,
                          max(bx - rad, 0):bx + rad + 1]
        if pair_map[by, bx] >= window.max():
            return (ax, ay), (bx, by)

        # every local maximum high enough, highest first
        cand = np.flatnonzero(
            pair_map >= np.maximum(cv2.dilate(pair_map, self._kernel), floor))
        values = pair_map.ravel()[cand].tolist()
        order = sorted(range(len(values)), key=lambda i: -values[i])
        for i in order:
            by, bx = divmod(int(cand[i]), width)
            if math.hypot(bx - ax, by - ay) >= self.min_distance:
                return (ax, ay), (bx, by)
        return None

    def _near_first(self, peaks, height: int, width: int) -> np.ndarray:
        """Flat boolean mask (H * W,) of the pixels nearer the first peak A
        than the second B (ties go to A)."""
        if self._grid is None or self._grid[0] != (height, width):
            ys, xs = np.divmod(np.arange(height * width), width)
            self._grid = ((height, width), xs.astype(np.float32),
                          ys.astype(np.float32))
        _, xs, ys = self._grid
        (ax, ay), (bx, by) = peaks
        # |p - A|^2 <= |p - B|^2, expanded: linear in x and y
        return xs * np.float32(bx - ax) + ys * np.float32(by - ay) <= (
            np.float32((bx * bx + by * by - ax * ax - ay * ay) / 2))
