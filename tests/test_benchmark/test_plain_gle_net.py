"""gle.benchmark.PlainGLENet, the plain-PyTorch reference network: it is the
plugin's network, and stays it. When a test here fails after a change of the
plugin's model (configs/_base_/models, gle/models), change
projects/gle/benchmark/plain_gle_net.py the same way."""
import ast
import glob
import os.path as osp

import pytest
import torch
from mmengine.config import Config

from gle.benchmark import (PlainGLENet, build_plugin_model, load_config,
                           load_plugin_weights, num_params)

REPO_ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
VGG_CONFIGS = [
    p
    for p in sorted(glob.glob(osp.join(REPO_ROOT, 'configs', 'gle', '*.py')))
    if Config.fromfile(p).model.backbone.type == 'VGGConv4'
]
PLAIN_FILES = [
    osp.join(REPO_ROOT, 'projects', 'gle', 'benchmark', f'{name}.py')
    for name in ('plain_gle_net', 'plain_non_local')
]


def test_vgg_configs_are_found():
    names = [osp.basename(p) for p in VGG_CONFIGS]
    assert 'td-hm_vgg16-gle2_1xb50-30e_deepfashion-c-224x224.py' in names
    assert 'td-hm_vgg16-gle0-stage1_1xb50-30e_fld-224x224.py' in names


@pytest.mark.parametrize('path', VGG_CONFIGS, ids=osp.basename)
def test_plain_network_has_the_plugin_layers(path):
    cfg = Config.fromfile(path)
    plugin = build_plugin_model(cfg)
    plain = PlainGLENet(cfg.model.neck.num_modules)
    src, dst = plugin.state_dict(), plain.state_dict()
    assert list(src) and set(src) == set(dst), (
        'the plugin network changed: update gle/benchmark/plain_gle_net.py',
        sorted(set(src) ^ set(dst))[:10])
    for key, value in src.items():
        assert value.shape == dst[key].shape, key
    assert num_params(plain) == num_params(plugin)


def test_plain_network_imports_torch_only():
    allowed = {'collections', 'torch', 'typing'}
    for path in PLAIN_FILES:
        with open(path) as f:
            tree = ast.parse(f.read())
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                roots = {a.name.split('.')[0] for a in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                roots = {node.module.split('.')[0]}
            else:
                continue
            assert roots <= allowed, (path, roots)


def _randomize_norms(model, seed):
    """BN weights, biases and running statistics away from their init (the
    zero-initialised non-local output would hide the attention)."""
    gen = torch.Generator().manual_seed(seed)
    for m in model.modules():
        if isinstance(m, torch.nn.BatchNorm2d):
            n = m.num_features
            m.weight.data = torch.rand(n, generator=gen) + 0.5
            m.bias.data = torch.randn(n, generator=gen) * 0.1
            m.running_mean = torch.randn(n, generator=gen) * 0.1
            m.running_var = torch.rand(n, generator=gen) + 0.5


@pytest.mark.parametrize('k', [2, 3])
def test_plain_network_matches_the_plugin(k):
    cfg, _ = load_config(k)
    torch.manual_seed(k)
    plugin = build_plugin_model(cfg)
    _randomize_norms(plugin, seed=k)
    plugin.eval()
    x = torch.randn(2, 3, 64, 64)
    with torch.no_grad():
        ref = plugin(x, None, mode='tensor')
    assert ref.shape == (2, 8, 64, 64)
    for attention in ('sdpa', 'explicit'):
        plain = PlainGLENet(k, attention=attention)
        assert num_params(plain) == num_params(plugin)
        load_plugin_weights(plain, plugin)
        plain.eval()
        with torch.no_grad():
            out = plain(x)
        diff = (out - ref).abs().max().item()
        assert diff < 1e-4, (attention, diff, ref.abs().max().item())


def test_load_plugin_weights_rejects_a_different_network():
    cfg, _ = load_config(2)
    plugin = build_plugin_model(cfg)
    with pytest.raises(KeyError, match='neck.gle_modules.2'):
        load_plugin_weights(PlainGLENet(3), plugin)
