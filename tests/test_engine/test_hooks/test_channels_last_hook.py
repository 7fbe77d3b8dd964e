"""ChannelsLastHook: same outputs as NCHW, NHWC activations, same Parameter
objects."""
import os.path as osp
import types

import torch
from mmengine.config import Config
from mmengine.registry import HOOKS as ROOT_HOOKS
from mmengine.registry import DefaultScope
from mmpose.registry import HOOKS, MODELS
from mmpose.utils import register_all_modules

import gle  # noqa: F401  (registration)
from gle.engine import ChannelsLastHook

register_all_modules()

REPO_ROOT = osp.join(osp.dirname(__file__), '..', '..', '..')
BASE_MODEL = osp.join(REPO_ROOT, 'configs', '_base_', 'models',
                      'td-hm_vgg16-gle_fullres.py')
FAST_CONFIG = osp.join(
    REPO_ROOT, 'configs', 'gle',
    'td-hm_vgg16-gle2_amp-nhwc_1xb50-30e_deepfashion-c-224x224.py')


def _model():
    torch.manual_seed(0)
    model = MODELS.build(Config.fromfile(BASE_MODEL).model)
    model.init_weights()
    # zero-initialised: make them count
    for block in model.neck.non_local_blocks:
        torch.nn.init.ones_(block.conv_out.bn.weight)
    return model


def test_channels_last_keeps_outputs_and_parameters():
    model = _model().eval()
    x = torch.randn(2, 3, 64, 64)
    with torch.no_grad():
        ref = model(x, None, mode='tensor')
    params = list(model.parameters())
    optim = torch.optim.Adam(params, lr=1e-4)

    ChannelsLastHook().before_run(types.SimpleNamespace(model=model))

    for name, p in model.named_parameters():
        if p.dim() == 4:
            assert p.is_contiguous(memory_format=torch.channels_last), name
    assert all(a is b for a, b in zip(params, model.parameters()))
    with torch.no_grad():
        feats = model.extract_feat(x)  # NCHW input in, NHWC features out
        out = model(x, None, mode='tensor')
    assert feats[0].is_contiguous(memory_format=torch.channels_last)
    torch.testing.assert_close(out, ref, rtol=1e-4, atol=1e-5)

    # a training step on the converted model: gradients follow the layout
    model.train()
    model(x, None, mode='tensor').square().mean().backward()
    optim.step()
    conv = model.neck.gle_modules[0].conv1.conv.weight
    assert conv.grad.is_contiguous(memory_format=torch.channels_last)


def test_registered_and_used_by_the_fast_config():
    assert isinstance(
        HOOKS.build(dict(type='ChannelsLastHook')), ChannelsLastHook)
    # in mmengine's root registry, so that mmdet-scoped configs find it too
    assert ROOT_HOOKS.get('ChannelsLastHook') is ChannelsLastHook
    with DefaultScope.overwrite_default_scope('mmdet'):
        assert isinstance(
            ROOT_HOOKS.build(dict(type='ChannelsLastHook')), ChannelsLastHook)
    cfg = Config.fromfile(FAST_CONFIG)
    assert [h['type'] for h in cfg.custom_hooks
            ] == ['SyncBuffersHook', 'ChannelsLastHook']
    assert cfg.optim_wrapper.type == 'AmpOptimWrapper'
    assert cfg.optim_wrapper.dtype == 'bfloat16'
    assert cfg.optim_wrapper.loss_scale == dict(enabled=False)
    assert cfg.optim_wrapper.optimizer == dict(
        type='Adam', lr=1e-4, weight_decay=0.)
    assert cfg.env_cfg.cudnn_benchmark is True
    # the rest of env_cfg is inherited
    assert cfg.env_cfg.mp_cfg.opencv_num_threads == 0
    assert cfg.model.neck.num_modules == 2
