"""Landmarks of the crops of one image, with a replaceable heatmap forward.

What ``TopdownPoseEstimator.test_step`` computes (``data_preprocessor``,
``HeatmapHead.predict``'s flip test and decoding, ``add_pred_to_datasample``),
recomposed around ``heatmap_model`` (the backend: PyTorch, or another runtime
that maps the same normalised crops to the same heatmaps), so that every
backend shares the flip test, the codec and the coordinate transform:
:func:`predict_crops` on Tensors (the PyTorch model's ``data_preprocessor``,
flip test and head), :func:`predict_crops_numpy` the same steps on numpy
arrays (the onnxruntime backend, no PyTorch operator).
"""
from typing import Callable, List

import numpy as np
import torch
import torch.nn as nn
from mmengine.structures import InstanceData
from mmpose.models.utils.tta import flip_heatmaps
from mmpose.structures import PoseDataSample, merge_data_samples

from .results import present_slots


@torch.no_grad()
def crop_boxes(pipeline: Callable, image: np.ndarray, img_path: str,
               boxes: List[dict], dataset_meta: dict) -> List[dict]:
    """The test pipeline's packed crop of each box of one image.

    Args:
        pipeline (callable): The config's test pipeline (or its numpy
            version).
        image (np.ndarray): The image (H, W, 3), BGR.
        img_path (str): Its path (for the data samples).
        boxes (list[dict]): ``bbox`` (x1, y1, x2, y2), ``det_score`` (None
            for given boxes) and ``clothes_type`` of each item.
        dataset_meta (dict): The model's metainfo.

    Returns:
        list[dict]: ``inputs`` and ``data_samples`` per box; the clothes
        type is in ``gt_instances.clothes_types``.
    """
    data_info = dict(img=image, img_path=img_path, **dataset_meta)
    crops = []
    for box in boxes:
        score = np.nan if box['det_score'] is None else box['det_score']
        data = pipeline(
            dict(
                data_info,
                bbox=np.array([box['bbox']], dtype=np.float32),
                bbox_score=np.array([score], dtype=np.float32)))
        data['data_samples'].gt_instances.clothes_types = [box['clothes_type']]
        crops.append(data)
    return crops


def predict_crops(model: nn.Module, heatmap_model: Callable,
                  batch: dict) -> List[PoseDataSample]:
    """One ``PoseDataSample`` per crop, keypoints in image pixels.

    Args:
        model (nn.Module): The ``TopdownPoseEstimator`` of the config: its
            ``data_preprocessor``, ``test_cfg`` (flip test), head decoder
            (the config's codec) and ``add_pred_to_datasample`` are used,
            not its forward.
        heatmap_model (Callable): Normalised crops, Tensor (N, 3, H, W) ->
            heatmaps, Tensor (N, K, h, w).
        batch (dict): Collated outputs of the config's test pipeline
            (``inputs``, ``data_samples``); the data samples' gt_instances
            carry ``clothes_types``.

    Returns:
        list[PoseDataSample]: ``pred_instances`` with ``keypoints``
        (1, K, 2), ``keypoint_scores`` (1, K), ``bboxes``, ``bbox_scores``,
        ``clothes_types``.
    """
    data = model.data_preprocessor(batch, False)
    crops, samples = data['inputs'], data['data_samples']
    if model.metainfo is not None:
        for sample in samples:
            sample.set_metainfo(model.metainfo)
    test_cfg = model.test_cfg
    heatmaps = heatmap_model(crops)
    if test_cfg.get('flip_test', False):
        flipped = flip_heatmaps(
            heatmap_model(crops.flip(-1)),
            flip_mode=test_cfg.get('flip_mode', 'heatmap'),
            flip_indices=samples[0].metainfo['flip_indices'],
            shift_heatmap=test_cfg.get('shift_heatmap', False))
        heatmaps = (heatmaps + flipped) * 0.5
    preds = model.head.decode(heatmaps)
    samples = model.add_pred_to_datasample(preds, None, samples)
    for sample in samples:
        sample.pred_instances.clothes_types = \
            sample.gt_instances.clothes_types
    return samples


def predict_crops_numpy(model, heatmap_model: Callable,
                        batch: dict) -> List[PoseDataSample]:
    """:func:`predict_crops` in numpy, step for step: the flip test of
    ``model.test_cfg`` (``flip_mode='heatmap'``, as mmpose's
    ``flip_heatmaps``: the mirrored crops' heatmaps mirrored back,
    left/right swapped by ``flip_indices``, shifted if ``shift_heatmap``,
    averaged ``(a + b) * 0.5``), decoding one sample at a time by
    ``model.codec`` (as ``BaseHead.decode`` does for numpy codecs) and the
    transform to image pixels of ``add_pred_to_datasample``.

    Args:
        model (ONNXPoseEstimator): ``test_cfg`` and ``codec``.
        heatmap_model (Callable): Normalised crops, float32 ndarray
            (N, 3, H, W) -> heatmaps, ndarray (N, K, h, w).
        batch (dict): Collated outputs of ``model.pack`` (``inputs``: list
            of (3, H, W) crops, already normalised; ``data_samples``); the
            data samples' gt_instances carry ``clothes_types``.

    Returns:
        list[PoseDataSample]: As :func:`predict_crops`.
    """
    from gle.deployment import flip_heatmaps_np

    crops, samples = np.stack(batch['inputs']), batch['data_samples']
    test_cfg = model.test_cfg
    heatmaps = heatmap_model(crops)
    if test_cfg.get('flip_test', False):
        mode = test_cfg.get('flip_mode', 'heatmap')
        if mode != 'heatmap':
            raise ValueError(f"flip_mode {mode!r}: the numpy flip test "
                             "supports 'heatmap' only")
        flipped = flip_heatmaps_np(
            heatmap_model(np.ascontiguousarray(crops[..., ::-1])),
            flip_indices=samples[0].metainfo['flip_indices'],
            shift_heatmap=test_cfg.get('shift_heatmap', False))
        heatmaps = (heatmaps + flipped) * 0.5
    for sample, sample_heatmaps in zip(samples, heatmaps):
        keypoints, scores = model.codec.decode(sample_heatmaps)
        visible = scores
        if isinstance(scores, tuple) and len(scores) == 2:
            scores, visible = scores
        meta = sample.metainfo
        # TopdownPoseEstimator.add_pred_to_datasample
        keypoints[..., :2] = keypoints[..., :2] / meta['input_size'] \
            * meta['input_scale'] + meta['input_center'] \
            - 0.5 * meta['input_scale']
        gt = sample.gt_instances
        sample.pred_instances = InstanceData(
            keypoints=keypoints,
            keypoint_scores=scores,
            keypoints_visible=visible,
            bboxes=gt.bboxes,
            bbox_scores=gt.bbox_scores,
            clothes_types=gt.clothes_types)
    return list(samples)


def image_sample(samples: List[PoseDataSample], meta: dict, num_keypoints: int,
                 keep_outside: bool) -> PoseDataSample:
    """The result of one image: its crops' predictions merged.

    Args:
        samples (list[PoseDataSample]): From :func:`predict_crops` (may be
            empty: no item).
        meta (dict): The image's metainfo (``ori_shape``, ``img_name``,
            ``box_source`` ...), set on the result.
        num_keypoints (int): K.
        keep_outside (bool): Keep landmarks predicted outside the image as
            they are; by default they are clipped to its pixel grid
            (0 <= x <= width - 1, 0 <= y <= height - 1).

    Returns:
        PoseDataSample: ``pred_instances`` as in :func:`predict_crops`
        (N items) plus ``keypoints_present`` (N, K) (the slot exists for
        the clothes type) and ``keypoints_outside`` (N, K) (predicted
        outside the image).
    """
    if samples:
        result = merge_data_samples(samples)
        instances = result.pred_instances
    else:
        result = PoseDataSample()
        instances = InstanceData(
            keypoints=np.zeros((0, num_keypoints, 2), dtype=np.float32),
            keypoint_scores=np.zeros((0, num_keypoints), dtype=np.float32),
            bboxes=np.zeros((0, 4), dtype=np.float32),
            bbox_scores=np.zeros(0, dtype=np.float32))
        instances.clothes_types = []
    result.set_metainfo(meta)
    instances.keypoints_present = present_slots(instances.clothes_types,
                                                num_keypoints)
    height, width = meta['ori_shape']
    x, y = instances.keypoints[..., 0], instances.keypoints[..., 1]
    instances.keypoints_outside = (x < 0) | (y < 0) | (x > width - 1) | (
        y > height - 1)
    if not keep_outside:
        np.clip(x, 0, width - 1, out=x)
        np.clip(y, 0, height - 1, out=y)
    result.pred_instances = instances
    return result
