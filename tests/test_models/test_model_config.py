import os.path as osp

import numpy as np
import torch
from mmengine.config import Config
from mmpose.registry import MODELS
from mmpose.testing import get_packed_inputs
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

    packed = get_packed_inputs(
        batch_size=1,
        num_keypoints=8,
        img_shape=(224, 224),
        input_size=(224, 224),
        with_heatmap=False,
        with_reg_label=False,
        with_simcc_label=False)
    sample = packed['data_samples'][0]
    sample.set_metainfo(dict(flip_indices=[1, 0, 3, 2, 5, 4, 7, 6]))
    with torch.no_grad():
        result = model.test_step(packed)[0]
    kpts = result.pred_instances.keypoints
    assert kpts.shape == (1, 8, 2)
    # decoded inside the 224x224 input, mapped back to the box in the image
    corner = sample.input_center - 0.5 * sample.input_scale
    in_input = (kpts - corner[:, None]) / sample.input_scale[:, None] * 224
    assert np.all((in_input >= -1e-3) & (in_input <= 223 + 1e-3))
