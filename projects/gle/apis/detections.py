"""From raw detections to the clothing boxes landmarks are predicted in."""
from typing import List, Optional, Sequence

import numpy as np
from mmengine.structures import InstanceData
from mmpose.evaluation.functional import nms

from .results import clothes_type_name


def select_detections(pred: InstanceData,
                      classes: Sequence[str],
                      score_thr: float = 0.3,
                      nms_thr: float = 0.3,
                      cat_ids: Optional[Sequence[int]] = None) -> List[dict]:
    """The clothing boxes among a detector's raw detections.

    Detections scoring above ``score_thr`` (of the labels ``cat_ids``, all
    by default; boxes under one pixel dropped: no crop to run the landmark
    model on) go through class-agnostic NMS (mmpose's ``nms``): one item
    detected as, say, both ``full`` and ``upper`` keeps its best box.

    Args:
        pred (InstanceData): ``bboxes`` (M, 4) xyxy, ``scores`` (M, ),
            ``labels`` (M, ), numpy (a detector backend's output).
        classes (Sequence[str]): Class name per label.
        score_thr (float): Minimum detection score. Default: 0.3.
        nms_thr (float): IoU threshold of the NMS. Default: 0.3.
        cat_ids (Sequence[int], optional): Keep only these labels.

    Returns:
        list[dict]: ``dict(bbox, det_score, clothes_type)`` per box, best
        first; ``clothes_type`` is the class name when it is one of
        upper / lower / full, else None.
    """
    bboxes = np.asarray(pred.bboxes, dtype=np.float32).reshape(-1, 4)
    scores = np.asarray(pred.scores, dtype=np.float32).reshape(-1)
    labels = np.asarray(pred.labels).reshape(-1)
    widths, heights = (bboxes[:, 2:] - bboxes[:, :2]).T
    keep = (scores > score_thr) & (widths >= 1) & (heights >= 1)
    if cat_ids is not None:
        keep &= np.isin(labels, list(cat_ids))
    dets = np.concatenate([bboxes, scores[:, None]], axis=1)[keep]
    labels = labels[keep]
    if len(dets) == 0:
        return []
    return [
        dict(
            bbox=[float(v) for v in dets[i, :4]],
            det_score=float(dets[i, 4]),
            clothes_type=clothes_type_name(
                classes[labels[i]] if labels[i] < len(classes) else None))
        for i in nms(dets, nms_thr)
    ]
