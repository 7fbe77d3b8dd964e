"""tools/analysis/benchmark.py: runs end to end on tiny sizes; its
plain-PyTorch network computes what the plugin computes. Not timed: numbers are
not checked."""
import importlib.util
import json
import os.path as osp

import numpy as np
import pytest
import torch

REPO_ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
SCRIPT = osp.join(REPO_ROOT, 'tools', 'analysis', 'benchmark.py')


def _load_module():
    spec = importlib.util.spec_from_file_location('gle_benchmark', SCRIPT)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


bench = _load_module()


@pytest.fixture(scope='module')
def tiny(tmp_path_factory):
    out = tmp_path_factory.mktemp('bench') / 'results.json'
    bench.main([
        '--tiny', '--device', 'cpu', '--threads', '1', '--ks', '2',
        '--cpu-variants', '--parts', 'model,attention,data,eval', '--out',
        str(out)
    ])
    with open(out) as f:
        return json.load(f)


def test_tiny_run_writes_all_parts(tiny):
    assert {
        'env', 'args', 'matmul_peak', 'flops_224', 'model', 'variants',
        'attention', 'data', 'eval', 'part_seconds'
    } <= set(tiny)
    assert tiny['args']['input_size'] == 64 and tiny['args']['iters'] == 1
    k2 = tiny['model']['k2']
    assert k2['config'] == bench.PAPER_CONFIGS[2]
    assert k2['params'] == 18_576_200
    for key in ('plugin_fwd', 'plain_fwd', 'plugin_fwd_bwd', 'plain_fwd_bwd',
                'plugin_loss_path_fwd_bwd'):
        assert {
            'images_per_s', 'median_s', 'gflops_per_s', 'peak_mb',
            'step_peak_mb'
        } <= set(k2[key]), key
        assert k2[key]['images_per_s'] > 0
    assert k2['ratio_fwd'] > 0 and k2['ratio_fwd_bwd'] > 0
    variants = tiny['variants']['k2']
    assert {
        'fp32', 'channels_last', 'amp_bfloat16', 'channels_last+amp_bfloat16'
    } <= set(variants)
    assert variants['fp32']['max_abs_diff_vs_fp32'] == 0
    assert variants['channels_last']['rel_diff_vs_fp32'] < 1e-4
    att = tiny['attention']
    assert att['neck_default'] == att['config_default'] == 'sdpa'
    for size, fmap in (('64', '8x8'), ('128', '16x16')):
        assert att[size]['feature_map'] == fmap
        assert att[size]['max_abs_diff'] < 1e-4
        assert att[size][
            'max_abs_attention_term'] > 0  # the attention is not a no-op
        assert {'fwd', 'fwd_bwd'} <= set(att[size]['sdpa'])
    data = tiny['data']
    assert data['output_shape'] == dict(
        inputs=[3, 224, 224], heatmaps=[8, 224, 224])
    assert data['ours_samples_per_s'] > 0 and data['authors_samples_per_s'] > 0
    assert data['workers_needed'] and 'one_worker_keeps_up' in data
    ev = tiny['eval']
    assert ev['samples'] == 400
    assert ev['max_abs_diff_NE'] < 1e-6


def test_flop_count_matches_the_reference():
    fl = bench.count_flops(2, 224)  # meta device: nothing is computed
    assert fl['fwd_gmac_backbone'] == pytest.approx(14.0, abs=0.05)
    assert fl['fwd_gmac_gle'] == pytest.approx(2 * 4.4, abs=0.1)
    assert fl['fwd_gmac_decoder'] == pytest.approx(1.1, abs=0.1)
    assert fl['fwd_bwd_flops'] > 2.5 * fl['fwd_flops']


def test_key_map_is_one_to_one():
    for k in (0, 2, 3):
        key_map = bench.plugin_to_plain_keys(k)
        assert len(set(key_map.values())) == len(key_map)
        assert set(key_map.values()) == set(bench.PlainGLENet(k).state_dict())


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
    cfg, _ = bench.load_config(k)
    torch.manual_seed(k)
    plugin = bench.build_plugin_model(cfg)
    _randomize_norms(plugin, seed=k)
    plugin.eval()
    x = torch.randn(2, 3, 64, 64)
    with torch.no_grad():
        ref = plugin(x, None, mode='tensor')
    assert ref.shape == (2, 8, 64, 64)
    for attention in ('sdpa', 'explicit'):
        plain = bench.PlainGLENet(k, attention=attention)
        assert bench.num_params(plain) == bench.num_params(plugin)
        bench.load_plugin_weights(plain, plugin)
        plain.eval()
        with torch.no_grad():
            out = plain(x)
        diff = (out - ref).abs().max().item()
        assert diff < 1e-4, (attention, diff, ref.abs().max().item())


def test_load_plugin_weights_rejects_a_different_network():
    cfg, _ = bench.load_config(2)
    plugin = bench.build_plugin_model(cfg)
    with pytest.raises(KeyError):
        bench.load_plugin_weights(bench.PlainGLENet(3), plugin)


def test_authors_style_pipeline(tmp_path):
    dataset = bench.prepare_fashion_data(str(tmp_path), 1)
    info = dataset.get_data_info(0)
    image, heatmaps, landmarks, visible = bench.AuthorsStylePipeline()(info)
    assert image.shape == (3, 224, 224) and heatmaps.shape == (8, 224, 224)
    for k in np.flatnonzero(visible.numpy()):
        x, y = landmarks[k].tolist()
        if 0 <= x < 224 and 0 <= y < 224:  # exp(-d/16): ~1 at the landmark
            assert heatmaps[k, int(round(y)), int(round(x))] > 0.95
    img = np.random.default_rng(0).random((300, 150, 3))
    out = bench.skimage_like_resize(img, (224, 224))
    assert out.shape == (224, 224, 3)
    assert img.min() <= out.min() and out.max() <= img.max()
