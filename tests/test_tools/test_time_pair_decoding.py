"""tools/analysis/time_pair_decoding.py runs end to end (demo config, one
iteration) and its worst case really splits every pair. Not timed: numbers
are not checked."""
import json
import os.path as osp

from script_utils import load_script

REPO_ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
SCRIPT = osp.join(REPO_ROOT, 'tools', 'analysis', 'time_pair_decoding.py')
DEMO = 'configs/gle/td-hm_res18w32-gle2_1xb16-30e_fashion-demo-96x96.py'


def _load_module():
    return load_script(SCRIPT, 'gle_time_pairs')


def test_demo_run(tmp_path, capsys):
    out = tmp_path / 'timing.json'
    _load_module().main([
        '--configs', DEMO, '--batch-sizes', '2', '--iters', '1', '--warmup',
        '0', '--decode-reps', '1', '--out',
        str(out)
    ])
    result = json.loads(out.read_text())['results'][0]
    assert result['config'] == DEMO and result['batch_size'] == 2
    assert result['worst_pairs_split'] == result['worst_pairs'] == 8
    for key in ('test_step_off_s', 'decode_on_s', 'worst_decode_on_s'):
        assert result[key] > 0
    assert 'td-hm_res18w32-gle2' in capsys.readouterr().out
