"""numpy pre- and post-processing of the exported RTMDet detector: what
mmdet's test pipeline, ``DetDataPreprocessor`` and
``BaseDenseHead._predict_by_feat_single`` do around the network."""
from typing import Dict, Sequence, Tuple

import mmcv
import numpy as np

# test-pipeline transforms that do not change the network input
_PASS_THROUGH = ('LoadImageFromFile', 'LoadImageFromNDArray',
                 'LoadAnnotations', 'PackDetInputs')


def _type_name(transform: dict) -> str:
    return str(transform.get('type', '')).split('.')[-1]


def det_settings_from_config(cfg, input_size: Tuple[int, int]) -> Dict:
    """Pre/post-processing settings of a detector config.

    Args:
        cfg (mmengine.Config): The detector config
            (``test_dataloader.dataset.pipeline``,
            ``model.data_preprocessor``, ``model.test_cfg``).
        input_size (tuple[int, int]): Network input ``(w, h)``.

    Returns:
        dict: ``preprocess`` (resize, pad, normalisation) and
        ``postprocess`` (score_thr, nms_pre, iou_threshold, max_per_img,
        min_bbox_size).
    """
    name = getattr(cfg, 'filename', None) or '<config>'
    pre = dict(input_size=tuple(input_size))
    for t in cfg.test_dataloader.dataset.pipeline:
        kind = _type_name(t)
        if kind == 'Resize':
            if not isinstance(t.get('scale'), (tuple, list)):
                raise ValueError(f'{name}: Resize needs scale=(w, h), got '
                                 f'{t.get("scale")!r}')
            pre.update(
                scale=tuple(t['scale']),
                keep_ratio=t.get('keep_ratio', False),
                interpolation=t.get('interpolation', 'bilinear'),
                backend=t.get('backend', 'cv2'))
        elif kind == 'Pad':
            if t.get('size') is None or t.get('pad_to_square') or t.get(
                    'size_divisor') is not None:
                raise ValueError(f'{name}: only Pad(size=(w, h)) is '
                                 'supported (a fixed network input)')
            pad_val = t.get('pad_val', dict(img=0))
            pad_val = pad_val.get('img', 0) if isinstance(pad_val,
                                                          dict) else pad_val
            pre.update(pad_size=tuple(t['size']), pad_val=pad_val)
        elif kind not in _PASS_THROUGH:
            raise ValueError(
                f'{name}: the test pipeline has {kind}, which the '
                'onnxruntime preprocessing does not reproduce (supported: '
                f'Resize, Pad, {", ".join(_PASS_THROUGH)})')
    if 'scale' not in pre:
        raise ValueError(f'{name}: the test pipeline has no Resize')
    fixed = pre.get('pad_size') or (None
                                    if pre['keep_ratio'] else pre['scale'])
    if fixed is None or tuple(fixed) != tuple(input_size):
        raise ValueError(f'{name}: the test pipeline must produce a fixed '
                         f'{input_size} input (Resize + Pad(size=...))')
    dp = cfg.model.data_preprocessor
    if dp.get('pad_size_divisor', 1) != 1 and any(s % dp['pad_size_divisor']
                                                  for s in input_size):
        raise ValueError(f'{name}: pad_size_divisor '
                         f'{dp["pad_size_divisor"]} does not divide the '
                         f'input {input_size}')
    pre.update(
        mean=dp.get('mean'),
        std=dp.get('std'),
        bgr_to_rgb=dp.get('bgr_to_rgb', False))
    test_cfg = cfg.model.test_cfg
    nms = test_cfg.get('nms') or {}
    if _type_name(nms) != 'nms':
        raise ValueError(f'{name}: model.test_cfg.nms type {nms.get("type")} '
                         "is not supported (only 'nms')")
    post = dict(
        score_thr=test_cfg.get('score_thr', 0.),
        nms_pre=test_cfg.get('nms_pre', -1),
        iou_threshold=nms['iou_threshold'],
        max_per_img=test_cfg.get('max_per_img', 100),
        min_bbox_size=test_cfg.get('min_bbox_size', -1))
    return dict(preprocess=pre, postprocess=post)


def preprocess_det_image(img: np.ndarray,
                         settings: Dict) -> Tuple[np.ndarray, Tuple]:
    """Resize, pad and normalise one BGR image into the detector input.

    Args:
        img (np.ndarray): (H, W, 3) BGR image.
        settings (dict): ``preprocess`` of :func:`det_settings_from_config`.

    Returns:
        tuple:
        - inputs (np.ndarray): (3, h, w) float32.
        - scale_factor (tuple[float, float]): ``(w_scale, h_scale)`` of the
          resize, as mmdet's ``Resize`` records it.
    """
    h, w = img.shape[:2]
    if settings['keep_ratio']:
        img = mmcv.imrescale(
            img,
            settings['scale'],
            interpolation=settings['interpolation'],
            backend=settings['backend'])
    else:
        img = mmcv.imresize(
            img,
            settings['scale'],
            interpolation=settings['interpolation'],
            backend=settings['backend'])
    new_h, new_w = img.shape[:2]
    scale_factor = (new_w / w, new_h / h)
    if settings.get('pad_size') is not None:
        pad_val = settings['pad_val']
        if isinstance(pad_val, (int, float)):
            pad_val = (pad_val, ) * 3
        img = mmcv.impad(
            img, shape=tuple(settings['pad_size'])[::-1], pad_val=pad_val)
    inputs = img.transpose(2, 0, 1)
    if settings['bgr_to_rgb']:
        inputs = inputs[::-1]
    inputs = inputs.astype(np.float32)
    if settings.get('mean') is not None:
        mean = np.asarray(settings['mean'], np.float32).reshape(3, 1, 1)
        std = np.asarray(settings['std'], np.float32).reshape(3, 1, 1)
        inputs = (inputs - mean) / std
    return np.ascontiguousarray(inputs), scale_factor


def nms(boxes: np.ndarray, scores: np.ndarray,
        iou_threshold: float) -> np.ndarray:
    """Greedy NMS with mmcv's ``nms`` semantics (no +1 in areas, a box is
    dropped when its IoU with a kept box is above the threshold).

    mmcv's op takes torch tensors; this keeps the runtime in numpy (and
    ``mmpose.evaluation.functional.nms`` adds 1 to widths and heights).

    Args:
        boxes (np.ndarray): (M, 4) ``x1, y1, x2, y2``.
        scores (np.ndarray): (M, ).
        iou_threshold (float): IoU above which a box is suppressed.

    Returns:
        np.ndarray: Indices of the kept boxes, best score first.
    """
    x1, y1, x2, y2 = boxes.T
    areas = (x2 - x1) * (y2 - y1)
    order = np.argsort(-scores, kind='stable')
    keep = []
    while order.size:
        i = order[0]
        keep.append(i)
        rest = order[1:]
        iw = np.maximum(
            np.minimum(x2[i], x2[rest]) - np.maximum(x1[i], x1[rest]), 0)
        ih = np.maximum(
            np.minimum(y2[i], y2[rest]) - np.maximum(y1[i], y1[rest]), 0)
        inter = iw * ih
        iou = inter / np.maximum(areas[i] + areas[rest] - inter, 1e-12)
        order = rest[iou <= iou_threshold]
    return np.asarray(keep, dtype=np.int64)


def batched_nms(boxes: np.ndarray, scores: np.ndarray, labels: np.ndarray,
                iou_threshold: float) -> np.ndarray:
    """NMS within each label (mmcv's ``batched_nms``), best score first.

    Args:
        boxes (np.ndarray): (M, 4).
        scores (np.ndarray): (M, ).
        labels (np.ndarray): (M, ) class indices.
        iou_threshold (float): See :func:`nms`.

    Returns:
        np.ndarray: Indices of the kept boxes, sorted by score.
    """
    keep = [
        np.flatnonzero(labels == c)[nms(boxes[labels == c],
                                        scores[labels == c], iou_threshold)]
        for c in np.unique(labels)
    ]
    if not keep:
        return np.zeros(0, dtype=np.int64)
    keep = np.concatenate(keep)
    return keep[np.argsort(-scores[keep], kind='stable')]


def postprocess_detections(boxes: np.ndarray, scores: np.ndarray,
                           priors_per_level: Sequence[int],
                           scale_factor: Tuple[float, float],
                           settings: Dict) -> Dict[str, np.ndarray]:
    """Candidates of one image -> detections in image pixels.

    Per level, (prior, class) pairs scoring above ``score_thr``, the
    ``nms_pre`` best of them (``filter_scores_and_topk``); boxes divided by
    the resize scale; boxes no wider or taller than ``min_bbox_size``
    dropped; class-wise NMS; the ``max_per_img`` best.

    Args:
        boxes (np.ndarray): (P, 4) in input pixels (graph output).
        scores (np.ndarray): (P, C) class scores (graph output).
        priors_per_level (Sequence[int]): Priors of each level, in order.
        scale_factor (tuple[float, float]): From
            :func:`preprocess_det_image`.
        settings (dict): ``postprocess`` of
            :func:`det_settings_from_config`.

    Returns:
        dict: ``bboxes`` (M, 4) float32, ``scores`` (M, ) float32,
        ``labels`` (M, ) int64, best first.
    """
    cand_prior, cand_label, cand_score = [], [], []
    start = 0
    num_classes = scores.shape[1]
    for count in priors_per_level:
        level = scores[start:start + count].reshape(-1)
        valid = np.flatnonzero(level > settings['score_thr'])
        order = np.argsort(-level[valid], kind='stable')
        if settings['nms_pre'] > 0:
            order = order[:settings['nms_pre']]
        idx = valid[order]
        cand_prior.append(start + idx // num_classes)
        cand_label.append(idx % num_classes)
        cand_score.append(level[idx])
        start += count
    prior = np.concatenate(cand_prior)
    labels = np.concatenate(cand_label).astype(np.int64)
    det_scores = np.concatenate(cand_score)
    sx, sy = scale_factor
    det_boxes = boxes[prior] * np.array([1 / sx, 1 / sy, 1 / sx, 1 / sy],
                                        dtype=np.float32)
    if settings['min_bbox_size'] >= 0:
        wh = det_boxes[:, 2:] - det_boxes[:, :2]
        ok = (wh > settings['min_bbox_size']).all(axis=1)
        det_boxes, det_scores, labels = det_boxes[ok], det_scores[ok], \
            labels[ok]
    keep = batched_nms(det_boxes, det_scores, labels,
                       settings['iou_threshold'])[:settings['max_per_img']]
    return dict(
        bboxes=det_boxes[keep].astype(np.float32),
        scores=det_scores[keep].astype(np.float32),
        labels=labels[keep])
