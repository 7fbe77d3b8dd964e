"""Top-down fashion-landmark inference on one image.

image -> clothing boxes (detector, given boxes, or the whole image) ->
``mmpose.apis.inference_topdown`` per box -> 8 landmarks per item, the slots
its clothes type does not have marked absent. The result is plain Python
(what ``tools/infer.py`` writes as JSON)::

    {'width': W, 'height': H,
     'instances': [{
         'bbox': [x1, y1, x2, y2],        # image pixels
         'clothes_type': 'upper' | 'lower' | 'full' | None,
         'det_score': float | None,       # None: box not from a detector
         'box_source': 'detector' | 'boxes' | 'whole_image',
         'landmarks': [                   # always 8, in slot order
             {'name': 'left_collar', 'x': float | None, 'y': float | None,
              'score': float | None, 'present': bool}, ...]}]}

``present`` is False (and ``x``, ``y``, ``score`` None) for slots the item's
clothes type does not have (``CLOTHES_TYPE_SLOTS``: e.g. collars and sleeves
of trousers); with an unknown clothes type all 8 slots are present.
Instances are in detection-score order (detector) or in the given order.
"""
from typing import List, Optional, Sequence

import numpy as np
import torch.nn as nn

from ..datasets.fashion_layout import CLOTHES_TYPE_SLOTS, CLOTHES_TYPES
from .box_input import parse_box_rows

_TYPE_CODES = {name: code for code, name in CLOTHES_TYPES.items()}


def check_image(image: np.ndarray) -> np.ndarray:
    """An (H, W, 3) BGR uint8 image; (H, W) grayscale is converted."""
    if not isinstance(image, np.ndarray):
        raise TypeError(f'expected the image as a numpy array (BGR, as '
                        f'cv2.imread returns), got {type(image).__name__}')
    if image.ndim == 2 or (image.ndim == 3 and image.shape[2] == 1):
        image = np.repeat(image.reshape(image.shape[:2] + (1, )), 3, axis=2)
    if image.ndim != 3 or image.shape[2] != 3 or image.size == 0:
        raise ValueError(f'expected an (H, W, 3) BGR image, got shape '
                         f'{image.shape}')
    return image


def detect_clothing(det_model: nn.Module,
                    image: np.ndarray,
                    score_thr: float = 0.3,
                    nms_thr: float = 0.3,
                    cat_ids: Optional[Sequence[int]] = None) -> List[dict]:
    """Clothing boxes of one image with an mmdet detector.

    Detections scoring above ``score_thr`` (of the classes ``cat_ids``, all
    by default; boxes under one pixel dropped) go through class-agnostic NMS
    (mmpose's ``nms``): one item detected as, say, both ``full`` and
    ``upper`` keeps its best box.

    Args:
        det_model (nn.Module): From ``init_clothing_detector`` or
            ``mmdet.apis.init_detector``.
        image (np.ndarray): BGR image, shape (H, W, 3).
        score_thr (float): Minimum detection score. Default: 0.3.
        nms_thr (float): IoU threshold of the NMS. Default: 0.3.
        cat_ids (Sequence[int], optional): Keep only these labels.

    Returns:
        list[dict]: ``dict(bbox, det_score, clothes_type)`` per box, best
        first; ``clothes_type`` is the class name when it is one of
        upper / lower / full, else None.
    """
    from mmdet.apis import inference_detector
    from mmpose.evaluation.functional import nms
    from mmpose.utils import adapt_mmdet_pipeline

    # builds mmdet's transforms whatever the current default scope
    det_model.cfg = adapt_mmdet_pipeline(det_model.cfg)
    pred = inference_detector(det_model, image).pred_instances.cpu().numpy()
    widths, heights = (pred.bboxes[:, 2:] - pred.bboxes[:, :2]).T
    # boxes under a pixel give no crop to run the landmark model on
    keep = (pred.scores > score_thr) & (widths >= 1) & (heights >= 1)
    if cat_ids is not None:
        keep &= np.isin(pred.labels, list(cat_ids))
    dets = np.concatenate([pred.bboxes, pred.scores[:, None]], axis=1)[keep]
    labels = pred.labels[keep]
    if len(dets) == 0:
        return []
    classes = det_model.dataset_meta.get('classes') or ()
    boxes = []
    for i in nms(dets, nms_thr):
        name = classes[labels[i]] if labels[i] < len(classes) else None
        boxes.append(
            dict(
                bbox=[float(v) for v in dets[i, :4]],
                det_score=float(dets[i, 4]),
                clothes_type=name if name in _TYPE_CODES else None))
    return boxes


def _landmarks(names: Sequence[str], keypoints: np.ndarray, scores: np.ndarray,
               clothes_type: Optional[str]) -> List[dict]:
    slots = CLOTHES_TYPE_SLOTS[_TYPE_CODES[clothes_type]] \
        if clothes_type is not None else range(len(names))
    landmarks = []
    for k, name in enumerate(names):
        present = k in slots
        landmarks.append(
            dict(
                name=name,
                x=round(float(keypoints[k, 0]), 2) if present else None,
                y=round(float(keypoints[k, 1]), 2) if present else None,
                score=round(float(scores[k]), 4) if present else None,
                present=present))
    return landmarks


def inference_fashion_landmarks(image: np.ndarray,
                                pose_model: nn.Module,
                                det_model: Optional[nn.Module] = None,
                                bboxes: Optional[Sequence] = None,
                                det_score_thr: float = 0.3,
                                nms_thr: float = 0.3,
                                det_cat_ids: Optional[Sequence[int]] = None,
                                fallback_whole_image: bool = False) -> dict:
    """Detect clothing items and their 8 landmarks in one image.

    Boxes come from ``bboxes`` when given (even an empty list: no
    instances), else from ``det_model``, else the whole image is one item
    of unknown clothes type. When the detector finds nothing the result has
    no instances, unless ``fallback_whole_image`` (then the whole image).

    Args:
        image (np.ndarray): BGR image as ``cv2.imread`` returns,
            shape (H, W, 3) (or (H, W) grayscale).
        pose_model (nn.Module): From ``init_pose_model`` or
            ``mmpose.apis.init_model`` with a GLE config.
        det_model (nn.Module, optional): The clothing detector.
        bboxes (Sequence, optional): Box rows ``[x1, y1, x2, y2, (score),
            (clothes_type)]`` (see ``gle.apis.box_input``), or an (N, 4) /
            (N, 5) array.
        det_score_thr (float): Minimum detection score. Default: 0.3.
        nms_thr (float): IoU threshold of the detection NMS. Default: 0.3.
        det_cat_ids (Sequence[int], optional): Detector labels to keep
            (all by default).
        fallback_whole_image (bool): Use the whole image when the detector
            finds nothing. Default: ``False``.

    Returns:
        dict: ``width``, ``height`` and ``instances`` (module docstring).
    """
    from mmpose.apis import inference_topdown

    image = check_image(image)
    height, width = image.shape[:2]
    whole = [
        dict(
            bbox=[0., 0., float(width), float(height)],
            det_score=None,
            clothes_type=None)
    ]
    if bboxes is not None:
        boxes, source = parse_box_rows(bboxes), 'boxes'
    elif det_model is not None:
        boxes = detect_clothing(det_model, image, det_score_thr, nms_thr,
                                det_cat_ids)
        source = 'detector'
        if not boxes and fallback_whole_image:
            boxes, source = whole, 'whole_image'
    else:
        boxes, source = whole, 'whole_image'

    instances = []
    if boxes:
        meta = pose_model.dataset_meta
        names = [
            meta['keypoint_id2name'][k] for k in range(meta['num_keypoints'])
        ]
        xyxy = np.array([b['bbox'] for b in boxes], dtype=np.float32)
        samples = inference_topdown(pose_model, image, xyxy)
        for box, sample in zip(boxes, samples):
            pred = sample.pred_instances
            instances.append(
                dict(
                    bbox=[round(v, 2) for v in box['bbox']],
                    clothes_type=box['clothes_type'],
                    det_score=None if box['det_score'] is None else round(
                        box['det_score'], 4),
                    box_source=source,
                    landmarks=_landmarks(names, pred.keypoints[0],
                                         pred.keypoint_scores[0],
                                         box['clothes_type'])))
    return dict(width=int(width), height=int(height), instances=instances)
