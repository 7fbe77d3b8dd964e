"""tools/train.py + tools/test.py on the demo config, run from a folder outside
the repo."""
import json
import os
import os.path as osp
import subprocess
import sys

import pytest
from script_utils import run_python

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
DEMO = osp.join(REPO, 'configs', 'gle',
                'td-hm_res18w32-gle2_1xb16-30e_fashion-demo-96x96.py')
FAST = [
    'train_dataloader.num_workers=0',
    'train_dataloader.persistent_workers=False',
    'test_dataloader.num_workers=0',
    'test_dataloader.persistent_workers=False',
    'default_hooks.logger.interval=1'
]


def _run(args, cwd):
    proc = run_python(args, cwd)
    assert proc.returncode == 0, proc.stdout[-5000:]
    return proc.stdout


@pytest.fixture(scope='module')
def trained(tmp_path_factory):
    """Two training iterations (32 samples, batch 16) from a temp working
    directory."""
    cwd = tmp_path_factory.mktemp('run')
    _run([
        osp.join(REPO, 'tools',
                 'train.py'), DEMO, '--work-dir', 'work', '--cfg-options',
        'train_cfg.max_epochs=1', 'train_dataloader.dataset.indices=32',
        'default_hooks.checkpoint.interval=1', *FAST
    ],
         cwd=str(cwd))
    return cwd


def test_train_two_iterations_writes_checkpoint(trained):
    work = trained / 'work'
    assert (work / 'epoch_1.pth').is_file()
    assert (work /
            'last_checkpoint').read_text().strip().endswith('epoch_1.pth')
    logs = list(work.glob('*/*.log'))
    assert logs and 'Epoch(train) [1][2/2]' in logs[0].read_text()


def test_test_tool_prints_ne_table_and_dumps_predictions(trained):
    out = _run([
        osp.join(REPO, 'tools',
                 'test.py'), DEMO, 'work/epoch_1.pth', '--work-dir',
        'test_work', '--out', 'metrics.json', '--dump', 'preds.json',
        '--cfg-options', 'test_dataloader.dataset.indices=7', *FAST
    ],
               cwd=str(trained))
    assert 'L.Collar  R.Collar  L.Sleeve' in out  # the paper-style table
    metrics = json.loads((trained / 'metrics.json').read_text())
    assert 0 < metrics['NE'] < 10
    assert set(metrics) >= {'NE', 'NE/left_collar', 'NE/right_hem'}
    # the left/right outcomes: the table and the keys the ablation reads
    assert 'Left/right outcomes' in out and 'wrong-side' in out
    assert metrics['LR/num_pairs'] > 0
    assert 0 <= metrics['LR/wrong_side'] <= 1
    assert {'LR/collapsed', 'LR/hem/collapsed', 'LR/collar/swapped'
            } <= set(metrics)
    preds = json.loads((trained / 'preds.json').read_text())
    assert len(preds) == 7
    first = preds[0]
    assert first['img_path'].endswith('.jpg') and first['clothes_type'] in (
        'upper', 'lower', 'full')
    assert len(first['keypoints']) == 8 and len(first['keypoint_scores']) == 8
    assert len(first['bbox']) == 4
    outcomes = [o for p in preds for o in p['left_right'].values()]
    assert set(
        preds[0]['left_right']) == {'collar', 'sleeve', 'waistline', 'hem'}
    assert set(outcomes) <= {
        None, 'correct', 'swapped', 'collapsed', 'one_off'
    } and set(outcomes) - {None}


def test_test_tool_rejects_missing_checkpoint(tmp_path):
    env = dict(os.environ, PYTHONWARNINGS='ignore')
    proc = subprocess.run(
        [sys.executable,
         osp.join(REPO, 'tools', 'test.py'), DEMO, 'nope.pth'],
        cwd=str(tmp_path),
        env=env,
        text=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT)
    assert proc.returncode != 0
    assert 'checkpoint not found: nope.pth' in proc.stdout


def test_save_init_checkpoint_loads_into_the_model(tmp_path):
    import torch
    ckpt = tmp_path / 'init.pth'
    _run([
        osp.join(REPO, 'tools', 'misc', 'save_init_checkpoint.py'), DEMO,
        str(ckpt)
    ],
         cwd=str(tmp_path))
    from mmpose.apis import init_model

    from gle.utils import safe_checkpoint_loading
    with safe_checkpoint_loading():  # weights-only, numpy metainfo allowed
        model = init_model(DEMO, str(ckpt), device='cpu')
        state = torch.load(str(ckpt), map_location='cpu', weights_only=True)
    assert model.dataset_meta['dataset_name'] == 'gle_fashion_landmarks'
    assert state['meta']['seed'] == 1234
    for k, v in model.state_dict().items():
        assert torch.equal(v, state['state_dict'][k]), k
