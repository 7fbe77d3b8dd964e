"""Build the pose model and the clothing detector with checked checkpoints."""
import copy
import warnings
from pathlib import Path
from typing import Union

import torch.nn as nn
from mmengine.config import Config
from mmengine.registry import DefaultScope

from ..datasets.fashion_layout import NUM_LANDMARKS
from .checkpoint_loading import load_checkpoint_checked

ConfigType = Union[str, Path, Config]


def _load_config(config: ConfigType, role: str) -> Config:
    if isinstance(config, Config):
        return config
    if not Path(config).is_file():
        raise FileNotFoundError(f'{role} config not found: {config}')
    return Config.fromfile(str(config))


def _config_name(config: ConfigType) -> str:
    return config.filename if isinstance(config, Config) else str(config)


def init_pose_model(config: ConfigType,
                    checkpoint: str,
                    device: str = 'cpu') -> nn.Module:
    """Build a top-down fashion-landmark model and load its checkpoint.

    ``mmpose.apis.init_model`` builds the model (no pretrained download,
    ``dataset_meta`` from the config); the checkpoint is then loaded by
    :func:`load_checkpoint_checked`, so a checkpoint of another model is an
    error instead of a warning. ``dataset_meta`` saved in the checkpoint
    takes priority over the config's, as in ``init_model``.

    Args:
        config (str | Path | Config): The pose config.
        checkpoint (str): The pose checkpoint.
        device (str): ``'cpu'``, ``'cuda'``, ``'cuda:1'`` ... Default: 'cpu'.

    Returns:
        nn.Module: The model in eval mode, with ``cfg`` and ``dataset_meta``.
    """
    from mmpose.apis import init_model

    cfg = _load_config(config, 'pose')
    model = init_model(cfg, None, device=device)
    ckpt = load_checkpoint_checked(
        model, checkpoint, role='pose', config=_config_name(config))
    meta = ckpt.get('meta', {}).get('dataset_meta')
    if meta:
        model.dataset_meta = meta
    num = model.dataset_meta.get('num_keypoints')
    if num != NUM_LANDMARKS:
        raise ValueError(
            f'the pose model of {_config_name(config)} predicts {num} '
            f'keypoints, the fashion layout has {NUM_LANDMARKS}: use a GLE '
            'fashion-landmark config (configs/gle/)')
    return model


def init_clothing_detector(config: ConfigType,
                           checkpoint: str,
                           device: str = 'cpu') -> nn.Module:
    """Build an mmdet clothing detector and load its checkpoint.

    ``mmdet.apis.init_detector`` builds the model (palette from the config's
    dataset); the checkpoint is loaded by :func:`load_checkpoint_checked`.
    Class names come from the checkpoint's ``dataset_meta``, else from the
    config's test dataset (``FashionDetDataset``: upper, lower, full). The
    test pipeline is adapted so that it builds in any default scope.

    Args:
        config (str | Path | Config): The detector config (configs/det/).
        checkpoint (str): The detector checkpoint.
        device (str): ``'cpu'``, ``'cuda'`` ... Default: 'cpu'.

    Returns:
        nn.Module: The detector, with ``cfg`` and ``dataset_meta``
        (``classes``, ``palette``).
    """
    from mmdet.apis import init_detector
    from mmdet.registry import DATASETS
    from mmpose.utils import adapt_mmdet_pipeline

    cfg = _load_config(config, 'detector')
    # built in mmdet's scope, the caller's default scope restored afterwards
    # (no scope-switch warning at the next mmpose call)
    with DefaultScope.overwrite_default_scope(
            cfg.get('default_scope', 'mmdet')):
        with warnings.catch_warnings(record=True) as caught:
            model = init_detector(cfg, None, device=device)
    for w in caught:
        # without a checkpoint init_detector announces COCO classes: the
        # classes are set below
        if 'checkpoint is None' not in str(w.message):
            warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
    ckpt = load_checkpoint_checked(
        model, checkpoint, role='detector', config=_config_name(config))
    meta = ckpt.get('meta', {}).get('dataset_meta') or {}
    classes = {k.lower(): v for k, v in meta.items()}.get('classes')
    if not classes:
        dataset_cfg = copy.deepcopy(cfg.test_dataloader.dataset)
        dataset_cfg['lazy_init'] = True
        with DefaultScope.overwrite_default_scope(
                cfg.get('default_scope', 'mmdet')):
            classes = DATASETS.build(dataset_cfg).metainfo['classes']
    model.dataset_meta['classes'] = tuple(classes)
    model.cfg = adapt_mmdet_pipeline(model.cfg)
    return model
