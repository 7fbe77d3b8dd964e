import os.path as osp

import numpy as np
import torch
from mmengine.config import Config
from mmengine.structures import InstanceData
from mmpose.registry import MODELS
from mmpose.structures import PoseDataSample
from mmpose.utils import register_all_modules

import gle  # noqa: F401  (registration)

register_all_modules()

CONFIG = osp.join(
    osp.dirname(__file__), '..', '..', 'configs', '_base_', 'models',
    'td-hm_vgg16-gle_fullres.py')


def _cfg():
    return Config.fromfile(CONFIG)


def test_config_values():
    cfg = _cfg()
    assert cfg.custom_imports.imports == ['gle']
    assert cfg.codec.heatmap_size == cfg.codec.input_size == (224, 224)
    # the codec, wrapped for pair-aware decoding (off in the paper configs)
    assert cfg.model.head.decoder == dict(
        type='PairAwareHeatmap', codec=cfg.codec, pair_aware=False)
    assert cfg.model.test_cfg.shift_heatmap is False
    assert cfg.model.head.loss.use_target_weight is True
    assert cfg.model.backbone.get(
        'init_cfg') is None  # random init unless a config sets it


def test_build_and_forward():
    torch.manual_seed(0)
    model = MODELS.build(_cfg().model)
    model.init_weights()
    model.eval()
    sizes = {
        name: sum(p.numel() for p in getattr(model, name).parameters())
        for name in ('backbone', 'neck', 'head')
    }
    assert sizes == dict(backbone=7_635_264, neck=2 * 5_246_720, head=447_496)

    inputs = torch.randn(1, 3, 224, 224)
    with torch.no_grad():
        heatmaps = model(inputs, None, mode='tensor')
    assert heatmaps.shape == (1, 8, 224, 224)

    sample = PoseDataSample(
        metainfo=dict(
            flip_indices=[1, 0, 3, 2, 5, 4, 7, 6],
            input_size=(224, 224),
            input_center=np.array([112., 112.]),
            input_scale=np.array([224., 224.])))
    sample.gt_instances = InstanceData(
        bboxes=np.array([[0., 0., 224., 224.]]), bbox_scores=np.ones(1))
    with torch.no_grad():
        result = model(inputs, [sample], mode='predict')[0]
    kpts = result.pred_instances.keypoints
    assert kpts.shape == (1, 8, 2)
    assert np.all((kpts >= 0) & (kpts <= 223))
