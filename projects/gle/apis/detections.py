"""The clothing boxes landmarks are predicted in: given boxes, a detector's
raw detections filtered and NMS-ed, or the whole image."""
from typing import List, Optional, Sequence, Tuple

import numpy as np
from mmengine.structures import InstanceData
from mmpose.evaluation.functional import nms

from .box_input import clip_boxes, parse_box_rows
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


def choose_boxes(image: np.ndarray,
                 name: str,
                 bboxes=None,
                 detector=None,
                 score_thr: float = 0.3,
                 nms_thr: float = 0.3,
                 cat_ids: Optional[Sequence[int]] = None,
                 fallback_whole_image: bool = False,
                 warn_clipped: bool = True) -> Tuple[List[dict], str]:
    """The boxes of one image, and where they come from.

    From ``bboxes`` when given (even an empty list: no items; clipped to the
    image with a warning), else from the detector (:func:`select_detections`),
    else the whole image is one item of unknown clothes type. When the
    detector finds nothing there are no items, unless
    ``fallback_whole_image``.

    Args:
        image (np.ndarray): The BGR image (H, W, 3).
        name (str): Its name, in messages.
        bboxes (list, optional): Given box rows (``parse_box_rows``).
        detector (callable, optional): A detector backend.
        score_thr, nms_thr, cat_ids: See :func:`select_detections`.
        fallback_whole_image (bool): The whole image when the detector finds
            nothing. Default: False.
        warn_clipped (bool): Warn when a given box is clipped to the image.

    Returns:
        tuple[list[dict], str]: ``dict(bbox, det_score, clothes_type)`` per
        box and the source: ``'boxes'``, ``'detector'`` or
        ``'whole_image'``.
    """
    height, width = image.shape[:2]
    whole = dict(
        bbox=[0., 0., float(width), float(height)],
        det_score=None,
        clothes_type=None)
    if bboxes is not None:
        return clip_boxes(
            parse_box_rows(bboxes, where=f'{name}: bboxes'),
            width,
            height,
            name,
            warn=warn_clipped), 'boxes'
    if detector is None:
        return [whole], 'whole_image'
    boxes = select_detections(
        detector(image),
        detector.dataset_meta.get('classes') or (), score_thr, nms_thr,
        cat_ids)
    if not boxes and fallback_whole_image:
        return [whole], 'whole_image'
    return boxes, 'detector'
