"""Write test-set predictions as JSON (``tools/test.py --dump preds.json``)."""
import os.path as osp
from typing import List, Sequence

import numpy as np
from mmengine.evaluator import BaseMetric
from mmengine.fileio import dump
from mmengine.logging import MMLogger
from mmpose.registry import METRICS

from ..datasets.fashion_layout import CLOTHES_TYPES, LANDMARK_NAMES


def _to_list(value) -> list:
    if hasattr(value, 'detach'):
        value = value.detach().cpu().numpy()
    return np.asarray(value, dtype=np.float64).tolist()


@METRICS.register_module()
class DumpFashionPredictions(BaseMetric):
    """Dump one JSON record per test item; reports no metric.

    mmengine's ``DumpResults`` pickles whole data samples; this writes a small,
    language-neutral file instead::

        [{"img_path": ..., "img_id": ..., "id": ..., "clothes_type": "upper",
          "variation_type": 0, "bbox": [x1, y1, x2, y2],
          "keypoints": [[x, y] * 8], "keypoint_scores": [s * 8],
          "landmark_names": [...]}, ...]

    Coordinates are in the original image frame. Records are collected from all
    ranks (in dataset order) and written by rank 0.

    Args:
        out_file_path (str): Output ``.json`` path.
        collect_device (str): ``'cpu'`` or ``'gpu'``. Defaults to ``'cpu'``.
    """

    def __init__(self,
                 out_file_path: str,
                 collect_device: str = 'cpu') -> None:
        super().__init__(collect_device=collect_device)
        if not out_file_path.endswith('.json'):
            raise ValueError(
                f'DumpFashionPredictions.out_file_path must end with '
                f'.json, got {out_file_path!r}')
        self.out_file_path = out_file_path

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
                    landmark_names=list(LANDMARK_NAMES)))

    def compute_metrics(self, results: List[dict]) -> dict:
        dump(results, self.out_file_path, indent=1)
        MMLogger.get_current_instance().info(
            f'{len(results)} predictions written to '
            f'{osp.abspath(self.out_file_path)}')
        return {}
