import pytest
import torch
import torchvision
from mmpose.models.backbones import VGG
from mmpose.registry import MODELS
from mmpose.utils import register_all_modules
from torch import nn

import gle  # noqa: F401  (registration)
from gle.models import VGGConv4

register_all_modules()

# torchvision vgg16 `features` index -> mmpose VGG `features` index, conv4_3
TV_TO_MM = {
    0: 0,
    2: 1,
    5: 3,
    7: 4,
    10: 6,
    12: 7,
    14: 8,
    17: 10,
    19: 11,
    21: 12
}


@pytest.fixture(scope='module')
def torchvision_ckpt(tmp_path_factory):
    """A torchvision vgg16 state dict (random weights, never downloaded)."""
    torch.manual_seed(0)
    state = torchvision.models.vgg16(weights=None).state_dict()
    path = tmp_path_factory.mktemp('tv') / 'vgg16.pth'
    torch.save(state, path)
    return str(path), state


def _assert_loaded(model, tv_state):
    for tv, mm in TV_TO_MM.items():
        for leaf in ('weight', 'bias'):
            assert torch.equal(model.features[mm].conv.get_parameter(leaf),
                               tv_state[f'features.{tv}.{leaf}'])


def test_conv4_trunk_shape_and_size():
    model = MODELS.build(
        dict(
            type='VGGConv4',
            depth=16,
            num_stages=4,
            dilations=(1, 1, 1, 1),
            out_indices=(3, ),
            with_last_pool=False))
    assert isinstance(model, VGG)
    assert sum(p.numel() for p in model.parameters()) == 7_635_264
    assert len(model.features) == 13  # 10 convs + 3 pools
    with torch.no_grad():
        out = model(torch.randn(1, 3, 224, 224))
    assert isinstance(out, tuple) and len(out) == 1
    assert out[0].shape == (1, 512, 28, 28)
    assert (out[0] >= 0).all()  # conv4_3 + ReLU


def test_load_torchvision_checkpoint_by_init_cfg(torchvision_ckpt):
    path, tv_state = torchvision_ckpt
    model = VGGConv4(init_cfg=dict(type='Pretrained', checkpoint=path))
    model.init_weights()
    _assert_loaded(model, tv_state)


def test_torchvision_keys_map_exactly(torchvision_ckpt):
    _, tv_state = torchvision_ckpt
    model = VGGConv4()
    # strict: no missing key, and the classifier / stage-5 entries are
    # dropped by the hook rather than reported as unexpected
    model.load_state_dict(tv_state, strict=True)
    _assert_loaded(model, tv_state)
    # a real mismatch is still reported
    partial = {k: v for k, v in tv_state.items() if k != 'features.21.weight'}
    result = model.load_state_dict(partial, strict=False)
    assert result.missing_keys == ['features.12.conv.weight']
    assert result.unexpected_keys == []


def test_load_mmcls_checkpoint(tmp_path):
    torch.manual_seed(1)
    src = VGG(depth=16)  # the 5-stage mmcls/mmpretrain VGG-16 layout
    state = {f'backbone.{k}': v for k, v in src.state_dict().items()}
    state['backbone.classifier.0.weight'] = torch.zeros(4, 4)
    state['head.fc.weight'] = torch.zeros(2, 4)
    path = tmp_path / 'mmcls_vgg16.pth'
    torch.save(dict(state_dict=state, meta=dict()), path)

    model = VGGConv4(
        init_cfg=dict(
            type='Pretrained', checkpoint=str(path), prefix='backbone.'))
    model.init_weights()
    for i, layer in enumerate(model.features):
        if isinstance(layer, nn.MaxPool2d):
            continue
        assert torch.equal(layer.conv.weight, src.features[i].conv.weight)
        assert torch.equal(layer.conv.bias, src.features[i].conv.bias)


def test_load_torchvision_bn_layout():
    torch.manual_seed(2)
    cfg = torchvision.models.vgg.cfgs['D']
    tv = torchvision.models.vgg.make_layers(cfg, batch_norm=True)
    for m in tv.modules():
        if isinstance(m, nn.BatchNorm2d):
            m.running_mean.uniform_()
    state = {f'features.{k}': v for k, v in tv.state_dict().items()}
    model = VGGConv4(norm_cfg=dict(type='BN'))
    model.load_state_dict(state, strict=True)
    # torchvision vgg16_bn: conv4_3 is features.30, its BN features.31
    assert torch.equal(model.features[12].conv.weight, tv[30].weight)
    assert torch.equal(model.features[12].bn.running_mean, tv[31].running_mean)


def test_pretrained_through_estimator(torchvision_ckpt):
    path, tv_state = torchvision_ckpt
    model = MODELS.build(
        dict(
            type='TopdownPoseEstimator',
            backbone=dict(
                type='VGGConv4',
                init_cfg=dict(type='Pretrained', checkpoint=path)),
            head=dict(type='HeatmapHead', in_channels=512, out_channels=8)))
    model.init_weights()
    _assert_loaded(model.backbone, tv_state)
