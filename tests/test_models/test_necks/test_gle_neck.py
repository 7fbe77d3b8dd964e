import pytest
import torch
from mmengine.model import BaseModule
from mmpose.registry import MODELS
from mmpose.utils import register_all_modules
from torch import nn

import gle  # noqa: F401  (registration)
from gle.models import GLENeck, SDPANonLocal2d

register_all_modules()


def _nonlocal_gammas(neck):
    return [b.conv_out.norm.weight for b in neck.non_local_blocks]


def _activate(neck, theta_phi_std=None):
    """Make every BN weight 1 so the non-local branches contribute."""
    with torch.no_grad():
        for m in neck.modules():
            if isinstance(m, nn.BatchNorm2d):
                m.weight.fill_(1.)
        if theta_phi_std is not None:
            for b in neck.non_local_blocks:
                b.theta.conv.weight.normal_(0, theta_phi_std)
                b.phi.conv.weight.normal_(0, theta_phi_std)
    return neck


def test_registered():
    assert MODELS.get('GLENeck') is GLENeck
    assert MODELS.get('SDPANonLocal2d') is SDPANonLocal2d
    neck = MODELS.build(dict(type='GLENeck', num_modules=1))
    assert isinstance(neck, GLENeck)


def test_module_order_and_tuple_io():
    neck = GLENeck(in_channels=32, inter_channels=16, num_modules=2).eval()
    for module in neck.gle_modules:
        assert list(module._modules) == ['non_local', 'conv1', 'conv2']
    x = torch.randn(2, 32, 6, 5)
    out = neck((torch.randn(2, 8, 12, 10), x))  # uses the last map
    assert isinstance(out, tuple) and len(out) == 1
    assert out[0].shape == x.shape
    # the convs consume the non-local output (authors' bug: they got x)
    _activate(neck, theta_phi_std=0.3)
    m = neck.gle_modules[0]
    y_hat = m.non_local(x)
    assert not torch.allclose(y_hat, x)
    torch.testing.assert_close(m(x), m.conv2(m.conv1(y_hat)))


def test_zero_modules_is_identity():
    neck = GLENeck(num_modules=0)
    assert sum(p.numel() for p in neck.parameters()) == 0
    x = torch.randn(1, 512, 4, 4)
    assert torch.equal(neck((x, ))[0], x)


def test_non_local_starts_as_identity():
    neck = GLENeck(in_channels=32, inter_channels=16, num_modules=2)
    for gamma in _nonlocal_gammas(neck):
        assert torch.count_nonzero(gamma) == 0
    x = torch.randn(2, 32, 5, 5)
    for block in neck.non_local_blocks:
        assert torch.equal(block(x), x)
    neck = GLENeck(
        in_channels=32, inter_channels=16, zero_init_nonlocal_out=False)
    assert all(g.abs().sum() > 0 for g in _nonlocal_gammas(neck))


def test_parameter_count_per_module():
    one = sum(p.numel() for p in GLENeck(num_modules=1).parameters())
    # theta/phi/g 1x1 512->256 with bias: 3 * 131,328
    # W: 1x1 256->512 without bias (BN follows) + BN(512): 131,072 + 1,024
    # two 3x3 512->512 without bias (BN follows) + BN: 2 * (2,359,296 + 1,024)
    # The authors' convs also carry a bias before each BN (3 * 512 more):
    # 5,248,256; both are the paper's "about 5.25 M".
    assert one == 5_246_720
    two = sum(p.numel() for p in GLENeck(num_modules=2).parameters())
    assert two == 2 * one


@pytest.mark.parametrize('use_scale', [False, True])
def test_sdpa_matches_explicit(use_scale):
    torch.manual_seed(0)
    kwargs = dict(
        in_channels=64, inter_channels=32, num_modules=2, use_scale=use_scale)
    sdpa = _activate(GLENeck(attention_impl='sdpa', **kwargs), 0.2).eval()
    explicit = GLENeck(attention_impl='explicit', **kwargs).eval()
    explicit.load_state_dict(sdpa.state_dict())
    x = torch.randn(2, 64, 9, 7)
    out_sdpa, out_explicit = sdpa((x, ))[0], explicit((x, ))[0]
    assert (out_sdpa - out_explicit).abs().max() < 1e-4
    # ... and the scale really is applied (the comparison can fail)
    other = GLENeck(
        attention_impl='explicit', **dict(kwargs,
                                          use_scale=not use_scale)).eval()
    other.load_state_dict(sdpa.state_dict())
    assert (other((x, ))[0] - out_sdpa).abs().max() > 1e-3


def test_explicit_attention_is_embedded_gaussian():
    torch.manual_seed(0)
    block = SDPANonLocal2d(
        8,
        reduction=2,
        use_scale=False,
        norm_cfg=dict(type='BN'),
        attention_impl='explicit',
        zeros_init=False).eval()
    x = torch.randn(1, 8, 3, 4)
    th = block.theta(x).flatten(2)[0]  # (C', HW)
    ph = block.phi(x).flatten(2)[0]
    g = block.g(x).flatten(2)[0]
    f = torch.softmax(th.t() @ ph, dim=-1)  # (HW, HW), rows sum to 1
    y = (f @ g.t()).t().reshape(1, 4, 3, 4)
    torch.testing.assert_close(block(x), x + block.conv_out(y))


def test_global_context():
    torch.manual_seed(0)
    neck = _activate(GLENeck(in_channels=128, inter_channels=64)).eval()
    x = torch.randn(1, 128, 28, 28)
    x2 = x.clone()
    x2[..., 27, 27] += 100.
    with torch.no_grad():
        diff = neck((x2, ))[0][..., 0, 0] - neck((x, ))[0][..., 0, 0]
    assert diff.abs().max() > 1e-4
    # control: identity non-local -> only the 9x9 receptive field of the
    # four 3x3 convs reaches (0, 0)
    with torch.no_grad():
        for gamma in _nonlocal_gammas(neck):
            gamma.zero_()
        assert torch.equal(
            neck((x2, ))[0][..., 0, 0],
            neck((x, ))[0][..., 0, 0])


def test_every_parameter_gets_gradient():
    torch.manual_seed(0)
    neck = _activate(GLENeck(in_channels=64, inter_channels=32)).train()
    out = neck((torch.randn(2, 64, 6, 6), ))[0]
    (out * torch.randn_like(out)).sum().backward()
    for name, p in neck.named_parameters():
        assert p.grad is not None and p.grad.abs().sum() > 0, name


def _estimator_cfg(neck_init_cfg=None, model_init_cfg=None):
    return dict(
        type='TopdownPoseEstimator',
        backbone=dict(
            type='VGGConv4',
            init_cfg=[
                dict(type='Kaiming', layer=['Conv2d']),
                dict(type='Constant', val=1, layer=['_BatchNorm']),
            ]),
        neck=dict(type='GLENeck', init_cfg=neck_init_cfg),
        head=dict(type='FullResHeatmapHead', in_channels=512, out_channels=8),
        init_cfg=model_init_cfg)


def test_zero_init_survives_init_weights():
    bn_one = dict(type='Constant', val=1, layer=['_BatchNorm'])
    model = MODELS.build(
        _estimator_cfg(neck_init_cfg=[bn_one], model_init_cfg=bn_one))
    model.init_weights()
    for block in model.neck.non_local_blocks:
        assert torch.count_nonzero(block.conv_out.norm.weight) == 0
        assert torch.count_nonzero(block.conv_out.norm.bias) == 0
    # the init_cfg did run on the other BN layers
    for m in model.neck.gle_modules:
        assert torch.all(m.conv1.norm.weight == 1)

    # the trap it guards against: mmengine's own init_weights undoes it
    neck = GLENeck(in_channels=32, inter_channels=16, init_cfg=bn_one)
    BaseModule.init_weights(neck)
    assert all(torch.all(g == 1) for g in _nonlocal_gammas(neck))


def test_pretrained_neck_is_not_rezeroed(tmp_path):
    src = GLENeck(in_channels=32, inter_channels=16, num_modules=1)
    with torch.no_grad():
        _nonlocal_gammas(src)[0].fill_(0.5)
    ckpt = tmp_path / 'neck.pth'
    torch.save(src.state_dict(), ckpt)
    neck = GLENeck(
        in_channels=32,
        inter_channels=16,
        num_modules=1,
        init_cfg=dict(type='Pretrained', checkpoint=str(ckpt)))
    neck.init_weights()
    assert torch.all(_nonlocal_gammas(neck)[0] == 0.5)


def test_invalid_args():
    with pytest.raises(ValueError):
        GLENeck(in_channels=512, inter_channels=200)
    with pytest.raises(ValueError):
        GLENeck(num_modules=-1)
    with pytest.raises(ValueError):
        GLENeck(attention_impl='flash')


@pytest.mark.parametrize(
    'kwargs, error, words', [
        (dict(num_modules='two'), TypeError,
         ['num_modules', "'two'", 'str', 'model.neck.num_modules']),
        (dict(num_modules=2.5), TypeError, ['num_modules', '2.5', 'float']),
        (dict(num_modules=True), TypeError, ['num_modules', 'True', 'bool']),
        (dict(num_modules=-1), ValueError, ['num_modules must be >= 0']),
        (dict(inter_channels=0), ValueError,
         ['inter_channels must be >= 1', 'model.neck.inter_channels']),
        (dict(inter_channels=256.0), TypeError, ['inter_channels', 'float']),
        (dict(in_channels=512, inter_channels=200), ValueError,
         ['inter_channels (200) must divide in_channels (512)']),
    ],
    ids=[
        'k-str', 'k-float', 'k-bool', 'k-negative', 'inter-zero',
        'inter-float', 'inter-not-divisor'
    ])
def test_bad_config_values_name_the_key(kwargs, error, words):
    with pytest.raises(error) as e:
        MODELS.build(dict(type='GLENeck', **kwargs))
    msg = str(e.value)
    for word in words:
        assert word in msg, msg
    assert 'Fix: ' in msg
