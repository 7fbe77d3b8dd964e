"""Landmarks of the crops of one image, with a replaceable heatmap forward.

What ``TopdownPoseEstimator.test_step`` computes (``data_preprocessor``,
``HeatmapHead.predict``'s flip test and decoding, ``add_pred_to_datasample``),
recomposed around ``heatmap_model`` (the backend: PyTorch, or another runtime
that maps the same normalised crops to the same heatmaps), so that every
backend shares the flip test, the codec and the coordinate transform.
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
