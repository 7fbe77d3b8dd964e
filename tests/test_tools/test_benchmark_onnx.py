"""tools/analysis/benchmark_onnx.py end to end on tiny sizes: the tables and
the JSON are written, both runtimes are timed, the interleaved timer
alternates its order. Not timed: speeds are not checked."""
import json
import os.path as osp

from script_utils import script_fixture

REPO_ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
SCRIPT = osp.join(REPO_ROOT, 'tools', 'analysis', 'benchmark_onnx.py')

bench = script_fixture(SCRIPT, 'benchmark_onnx')


def test_tiny_speed_run(bench, tmp_path):
    assert bench.main(
        ['--tiny', '--parts', 'speed', '--out-dir',
         str(tmp_path)]) == 0
    with open(tmp_path / 'onnx_cpu.json') as f:
        res = json.load(f)
    rows = res['speed']
    # demo model at 64x64: network and end to end, batch 1 and 2
    assert [(r['what'], r['batch']) for r in rows] == [('network', 1),
                                                       ('end to end', 1),
                                                       ('network', 2),
                                                       ('end to end', 2)]
    for r in rows:
        assert r['input'] == '64x64' and r['threads'] == 1
        assert r['onnxruntime_ms_per_image'] > 0
        assert r['pytorch_ms_per_image'] > 0
        assert len(r['load_before']) == 3
    text = (tmp_path / 'onnx_cpu.txt').read_text()
    assert '| demo | 64x64 | network | 1 | 1 |' in text
    assert 'load average' in text


def test_interleaved_alternates_the_order(bench):
    calls = []
    medians = bench.interleaved(
        dict(a=lambda: calls.append('a'), b=lambda: calls.append('b')),
        iters=2,
        warmup=1)
    assert calls == ['a', 'b', 'b', 'a', 'a', 'b']
    assert set(medians) == {'a', 'b'}
