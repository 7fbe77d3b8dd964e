"""Build the PyTorch pose model / detector of a config and load a checkpoint
strictly, for export."""
import copy
import os.path as osp
import warnings
from typing import Optional

import torch.nn as nn
from mmengine.config import Config
from mmengine.registry import DefaultScope
from mmengine.runner import load_checkpoint

from ..utils import safe_checkpoint_loading


def load_config(config: str, cfg_options: Optional[dict] = None) -> Config:
    """Read a config file and apply ``--cfg-options``.

    Args:
        config (str): Config path.
        cfg_options (dict, optional): Overrides, as ``DictAction`` parses
            them.

    Returns:
        Config: The config.
    """
    if not osp.isfile(config):
        raise FileNotFoundError(f'config not found: {config}')
    cfg = Config.fromfile(config)
    if cfg_options:
        cfg.merge_from_dict(cfg_options)
    return cfg


def _load_weights(model: nn.Module, checkpoint: str, config: str) -> dict:
    """Load ``checkpoint`` into ``model`` with every key matching."""
    if not osp.isfile(checkpoint):
        raise FileNotFoundError(f'checkpoint not found: {checkpoint}')
    try:
        with safe_checkpoint_loading():
            return load_checkpoint(
                model,
                checkpoint,
                map_location='cpu',
                strict=True,
                logger='silent')
    except RuntimeError as e:
        if 'state_dict' not in str(e):
            raise
        raise ValueError(
            f'{checkpoint} does not match the model of {config} (missing or '
            'unexpected weights; pass the config the checkpoint was trained '
            f'with, and the same --cfg-options): {e}') from e


def load_pose_model(config: str,
                    checkpoint: str,
                    cfg_options: Optional[dict] = None) -> nn.Module:
    """Build a top-down pose model on the CPU and load its checkpoint.

    ``mmpose.apis.init_model`` builds the model (no pretrained download,
    ``dataset_meta`` from the config); the checkpoint is loaded strictly
    inside :func:`gle.utils.safe_checkpoint_loading`, and its
    ``meta.dataset_meta`` (if any) replaces the config's.

    Args:
        config (str): Pose config.
        checkpoint (str): Checkpoint of that config.
        cfg_options (dict, optional): Config overrides.

    Returns:
        nn.Module: The model in eval mode, with ``cfg`` and ``dataset_meta``.
    """
    from mmpose.apis import init_model

    cfg = load_config(config, cfg_options)
    if cfg.model.get('type') != 'TopdownPoseEstimator':
        raise ValueError(f'{config} builds a {cfg.model.get("type")}, not a '
                         'TopdownPoseEstimator; for a detector config add '
                         '--det')
    model = init_model(cfg, None, device='cpu')
    ckpt = _load_weights(model, checkpoint, config)
    meta = (ckpt.get('meta') or {}).get('dataset_meta')
    if meta:
        model.dataset_meta = meta
    return model.eval()


def load_detector(config: str,
                  checkpoint: str,
                  cfg_options: Optional[dict] = None) -> nn.Module:
    """Build an mmdet detector on the CPU and load its checkpoint.

    Class names come from the checkpoint's ``meta.dataset_meta``, else from
    the config's test dataset (``FashionDetDataset``: upper, lower, full).

    Args:
        config (str): Detector config (``configs/det/``).
        checkpoint (str): Checkpoint of that config.
        cfg_options (dict, optional): Config overrides.

    Returns:
        nn.Module: The detector in eval mode, with ``cfg`` and
        ``dataset_meta`` (``classes``; ``palette`` from the checkpoint when it
        has one).
    """
    from mmdet.apis import init_detector
    from mmdet.registry import DATASETS

    cfg = load_config(config, cfg_options)
    if 'bbox_head' not in cfg.model:
        raise ValueError(f'{config} is not a one-stage detector config '
                         '(no model.bbox_head); drop --det for a pose config')
    scope = cfg.get('default_scope', 'mmdet')
    with DefaultScope.overwrite_default_scope(scope):
        with warnings.catch_warnings(record=True) as caught:
            model = init_detector(cfg, None, device='cpu')
    for w in caught:
        # without a checkpoint init_detector announces COCO classes (and
        # sets warnings to 'once'): the classes are set below
        if 'checkpoint is None' not in str(w.message):
            warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
    ckpt = _load_weights(model, checkpoint, config)
    meta = (ckpt.get('meta') or {}).get('dataset_meta') or {}
    classes = {k.lower(): v for k, v in meta.items()}.get('classes')
    if not classes:
        dataset_cfg = copy.deepcopy(cfg.test_dataloader.dataset)
        dataset_cfg['lazy_init'] = True
        with DefaultScope.overwrite_default_scope(scope):
            classes = DATASETS.build(dataset_cfg).metainfo['classes']
    model.dataset_meta = dict(model.dataset_meta or {}, classes=tuple(classes))
    palette = {k.lower(): v for k, v in meta.items()}.get('palette')
    if isinstance(palette, (list, tuple)):
        model.dataset_meta['palette'] = palette
    return model.eval()
