import numpy as np
import pytest
import torch
from mmpose.models.heads import HeatmapHead
from mmpose.models.utils.tta import flip_heatmaps
from mmpose.registry import MODELS
from mmpose.structures import PoseDataSample
from mmpose.testing import get_packed_inputs
from mmpose.utils import register_all_modules
from torch import nn

import gle  # noqa: F401  (registration)
from gle.models import FullResHeatmapHead

register_all_modules()

CODEC = dict(
    type='MSRAHeatmap',
    input_size=(224, 224),
    heatmap_size=(224, 224),
    sigma=8)
FLIP_INDICES = [1, 0, 3, 2, 5, 4, 7, 6]


def _head(**kwargs):
    cfg = dict(
        type='FullResHeatmapHead',
        in_channels=512,
        out_channels=8,
        decoder=CODEC)
    cfg.update(kwargs)
    return MODELS.build(cfg)


def _convs(head):
    return [
        m for m in head.modules()
        if isinstance(m, (nn.Conv2d, nn.ConvTranspose2d))
    ]


def test_paper_layout():
    head = _head()
    assert isinstance(head, FullResHeatmapHead)
    layout = [(type(m).__name__, m.in_channels, m.out_channels,
               m.kernel_size[0], m.stride[0], m.padding[0])
              for m in _convs(head)]
    conv, deconv = 'Conv2d', 'ConvTranspose2d'
    assert layout == [
        (conv, 512, 64, 1, 1, 0),
        (conv, 64, 64, 3, 1, 1),
        (conv, 64, 64, 3, 1, 1),
        (conv, 64, 128, 3, 1, 1),
        (deconv, 128, 64, 4, 2, 1),
        (conv, 64, 64, 3, 1, 1),
        (conv, 64, 64, 3, 1, 1),
        (deconv, 64, 32, 4, 2, 1),
        (conv, 32, 32, 3, 1, 1),
        (conv, 32, 32, 3, 1, 1),
        (deconv, 32, 16, 4, 2, 1),
        (conv, 16, 16, 3, 1, 1),
        (conv, 16, 8, 1, 1, 0),
    ]
    assert all(m.bias is not None for m in _convs(head))
    assert not any(
        isinstance(m, nn.modules.batchnorm._BatchNorm) for m in head.modules())
    # ReLU after every layer but the last, which is linear
    assert sum(isinstance(m, nn.ReLU) for m in head.modules()) == 12
    assert head.upsample_factor == 8


def test_parameter_count():
    assert sum(p.numel() for p in _head().parameters()) == 447_496


def test_full_resolution_output():
    head = _head()
    head.init_weights()
    with torch.no_grad():
        out = head((torch.randn(1, 512, 28, 28), ))
    assert out.shape == (1, 8, 224, 224)
    assert (out < 0).any()  # linear output, no final ReLU


def test_default_init():
    head = _head()
    head.init_weights()
    assert head.final_layer.weight.std() < 0.002
    # Kaiming on the ReLU layers: std ~ sqrt(2 / fan_out) = 0.059 here
    stem_std = head.stem_layers[1].conv.weight.std()
    assert 0.04 < stem_std < 0.08


def test_configurable_layout():
    head = _head(
        in_channels=32,
        out_channels=4,
        stem_channels=(16, ),
        stem_kernel_sizes=(3, ),
        deconv_out_channels=(8, 8),
        convs_per_stage=(0, 1),
        norm_cfg=dict(type='BN'))
    assert head.upsample_factor == 4
    assert head((torch.randn(2, 32, 5, 6), )).shape == (2, 4, 20, 24)
    # with a norm layer, the convs before it lose their bias
    assert head.stem_layers[0].conv.bias is None
    assert isinstance(head.stem_layers[0].norm, nn.BatchNorm2d)
    with pytest.raises(ValueError):
        _head(deconv_out_channels=(64, 32), convs_per_stage=(2, 2, 1))
    with pytest.raises(ValueError):
        _head(deconv_kernel_size=3)


def _peak_heatmaps(x, y, channel, size=224):
    """(1, 8, size, size) heatmaps with a Gaussian peak in one channel."""
    xs = torch.arange(size, dtype=torch.float32)
    hm = torch.zeros(1, 8, size, size)
    hm[0, channel] = torch.exp(-((xs[None] - x)**2 + (xs[:, None] - y)**2) /
                               (2 * 4.**2))
    return hm


def _predict_x(head, orig, flipped, shift_heatmap):
    """Run head.predict with flip test on heatmaps standing in for
    features (the forward is made the identity)."""
    head.forward = lambda feats: feats[-1]
    sample = PoseDataSample(metainfo=dict(flip_indices=FLIP_INDICES))
    test_cfg = dict(
        flip_test=True, flip_mode='heatmap', shift_heatmap=shift_heatmap)
    preds = head.predict([(orig, ), (flipped, )], [sample], test_cfg)
    return preds[0].keypoints[0, :, 0]


def test_flip_test_is_exact_at_stride_1():
    head = _head()
    x, y, W = 60, 100, 224
    orig = _peak_heatmaps(x, y, channel=2)  # L.sleeve at x
    # what the network sees on the flipped image: R.sleeve at W - 1 - x
    flipped = _peak_heatmaps(W - 1 - x, y, channel=3)

    assert _predict_x(head, orig, flipped, shift_heatmap=False)[2] == x
    # the stride-4 shift would bias the average by half a pixel ...
    assert _predict_x(head, orig, flipped, shift_heatmap=True)[2] != x
    # ... because the flipped branch alone lands one pixel off
    zeros = torch.zeros_like(orig)
    assert _predict_x(head, zeros, flipped, shift_heatmap=False)[2] == x
    assert _predict_x(head, zeros, flipped, shift_heatmap=True)[2] == x + 1
    back = flip_heatmaps(flipped, FLIP_INDICES, shift_heatmap=False)
    assert torch.equal(back, orig)


def test_loss_counts_only_visible_landmarks():
    torch.manual_seed(0)
    head = _head()
    head.init_weights()
    feats = (torch.randn(2, 512, 4, 4), )  # -> 32x32 heatmaps
    samples = get_packed_inputs(
        batch_size=2,
        num_keypoints=8,
        heatmap_size=(32, 32),
        with_reg_label=False,
        with_simcc_label=False)['data_samples']
    # invisible landmark
    samples[0].gt_instance_labels.keypoint_weights[0, 5] = 0.
    target = samples[0].gt_fields.heatmaps

    def loss():
        with torch.no_grad():
            return head.loss(feats, samples)['loss_kpt']

    base = loss()
    target[5] = 1.
    assert loss() == base
    target[4] = 1.
    assert loss() != base


def test_reuses_heatmap_head_predict_and_loss():
    # mmdeploy rewrites HeatmapHead.predict by name: it must be inherited
    assert FullResHeatmapHead.predict is HeatmapHead.predict
    assert FullResHeatmapHead.loss is HeatmapHead.loss
    head = _head()
    # the layers are built by the overridden builders, none by HeatmapHead
    for name in ('deconv_layers', 'conv_layers'):
        assert not hasattr(head, name)
    assert {n
            for n, _ in head.named_children()} == {
                'loss_module', 'stem_layers', 'upsample_layers', 'final_layer'
            }


def test_state_dict_round_trip():
    torch.manual_seed(0)
    head = _head()
    head.init_weights()
    state = head.state_dict()
    assert list(state)[0] == 'stem_layers.0.conv.weight'
    assert list(state)[-2:] == ['final_layer.weight', 'final_layer.bias']
    other = _head()
    other.load_state_dict(state, strict=True)
    feats = (torch.randn(1, 512, 4, 4), )
    with torch.no_grad():
        assert torch.equal(head(feats), other(feats))


def test_decode_with_codec():
    head = _head()
    hm = _peak_heatmaps(33, 150, channel=0)
    preds = head.decode(hm)
    np.testing.assert_allclose(preds[0].keypoints[0, 0], [33, 150])
