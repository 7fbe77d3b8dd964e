"""Write test-set predictions as JSON (``tools/test.py --dump preds.json``)."""
import os.path as osp
from typing import List, Optional, Sequence

import numpy as np
from mmengine.evaluator import BaseMetric
from mmengine.fileio import dump
from mmengine.logging import MMLogger
from mmpose.registry import METRICS
from mmpose.utils.tensor_utils import to_numpy

from ..datasets.fashion_layout import CLOTHES_TYPES, LANDMARK_NAMES
from ..utils.left_right_pairs import dataset_pairs, pair_name
from .left_right import (COLLAPSE_RATIO, LR_OUTCOMES, NOT_EVALUATED,
                         left_right_outcomes)


def _to_list(value) -> list:
    """A tensor or array as nested float lists (JSON)."""
    return np.asarray(to_numpy(value), dtype=np.float64).tolist()


@METRICS.register_module()
class DumpFashionPredictions(BaseMetric):
    """Dump one JSON record per test item; reports no metric.

    mmengine's ``DumpResults`` pickles whole data samples; this writes a small,
    language-neutral file instead::

        [{"img_path": ..., "img_id": ..., "id": ..., "clothes_type": "upper",
          "variation_type": 0, "bbox": [x1, y1, x2, y2],
          "keypoints": [[x, y] * 8], "keypoint_scores": [s * 8],
          "landmark_names": [...],
          "left_right": {"collar": "correct", "sleeve": "collapsed",
                         "waistline": null, "hem": "swapped"}}, ...]

    Coordinates are in the original image frame. ``left_right`` is the
    outcome of each left/right pair (``correct``, ``swapped``,
    ``collapsed``, ``one_off``, as in :class:`NormalizedError`'s ``LR/``
    metrics), ``null`` where the pair is not evaluated (a landmark not
    visible) or the sample has no ground truth. Records are collected from
    all ranks (in dataset order) and written by rank 0.

    Args:
        out_file_path (str): Output ``.json`` path.
        collapse_ratio (float): Collapse fraction of the left/right
            outcomes. Defaults to 0.25, as in :class:`NormalizedError`.
        collect_device (str): ``'cpu'`` or ``'gpu'``. Defaults to ``'cpu'``.
    """

    def __init__(self,
                 out_file_path: str,
                 collapse_ratio: float = COLLAPSE_RATIO,
                 collect_device: str = 'cpu') -> None:
        super().__init__(collect_device=collect_device)
        if not out_file_path.endswith('.json'):
            raise ValueError(
                f'DumpFashionPredictions.out_file_path must end with '
                f'.json, got {out_file_path!r}')
        self.out_file_path = out_file_path
        self.collapse_ratio = collapse_ratio

    def _left_right(self, sample: dict) -> Optional[dict]:
        """Outcome of each left/right pair of the sample's first instance."""
        gt = sample.get('gt_instances') or {}
        if 'keypoints' not in gt or 'keypoints_visible' not in gt:
            return None
        gt_kpts = to_numpy(gt['keypoints'])[:1, :, :2]
        num_kpts = gt_kpts.shape[1]
        pairs, id2name = dataset_pairs(self.dataset_meta, num_kpts)
        if not pairs:
            return None
        visible = to_numpy(gt['keypoints_visible'])[:1]
        if visible.ndim == 3:
            visible = visible[..., 0]
        outcomes, _ = left_right_outcomes(
            to_numpy(sample['pred_instances']['keypoints'])[:1, :, :2],
            gt_kpts,
            visible.reshape(1, num_kpts),
            to_numpy(gt['bboxes']).reshape(-1, 4)[:1],
            pairs,
            collapse_ratio=self.collapse_ratio)
        return {
            pair_name(id2name[i], id2name[j]):
            None if code == NOT_EVALUATED else LR_OUTCOMES[code]
            for (i, j), code in zip(pairs, outcomes[0].tolist())
        }

    def process(self, data_batch, data_samples: Sequence[dict]) -> None:
        for sample in data_samples:
            pred = sample['pred_instances']
            clothes_type = sample.get('clothes_type')
            self.results.append(
                dict(
                    img_path=sample.get('img_path'),
                    img_id=sample.get('img_id'),
                    id=sample.get('id'),
                    clothes_type=CLOTHES_TYPES.get(clothes_type, clothes_type)
                    if clothes_type is not None else None,
                    variation_type=sample.get('variation_type'),
                    bbox=_to_list(pred['bboxes'])[0]
                    if 'bboxes' in pred else None,
                    keypoints=_to_list(pred['keypoints'])[0],
                    keypoint_scores=_to_list(pred['keypoint_scores'])[0],
                    landmark_names=list(LANDMARK_NAMES),
                    left_right=self._left_right(sample)))

    def compute_metrics(self, results: List[dict]) -> dict:
        dump(results, self.out_file_path, indent=1)
        MMLogger.get_current_instance().info(
            f'{len(results)} predictions written to '
            f'{osp.abspath(self.out_file_path)}')
        return {}
