"""tools/analysis/benchmark.py: runs end to end on tiny sizes and writes every
part. Not timed: numbers are not checked (tests/test_benchmark checks what
the measurements rest on)."""
import json
import os.path as osp

import pytest
from script_utils import load_script

from gle.benchmark import PAPER_CONFIGS

REPO_ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
SCRIPT = osp.join(REPO_ROOT, 'tools', 'analysis', 'benchmark.py')

bench = load_script(SCRIPT, 'gle_benchmark')


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
    assert k2['config'] == PAPER_CONFIGS[2]
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


def test_unknown_part_is_rejected():
    with pytest.raises(SystemExit):
        bench.parse_args(['--parts', 'model,speed'])
