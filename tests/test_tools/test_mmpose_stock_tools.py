"""Our configs with MMPose's OWN tool copies (what `mim train mmpose CONFIG`
runs), from a folder outside the repo, with no PYTHONPATH: only the installed
`gle` package."""
import os
import os.path as osp

import cv2
import mmpose
import numpy as np
from script_utils import run_python

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
DEMO = osp.join(REPO, 'configs', 'gle',
                'td-hm_res18w32-gle2_1xb16-30e_fashion-demo-96x96.py')
MIM_TOOLS = osp.join(osp.dirname(mmpose.__file__), '.mim', 'tools')


def _run(args, cwd):
    env = {k: v for k, v in os.environ.items() if k != 'PYTHONPATH'}
    proc = run_python(args, cwd, env=env)
    assert proc.returncode == 0, proc.stdout[-5000:]
    return proc.stdout


def test_mmpose_train_tool_runs_our_config(tmp_path):
    _run([
        osp.join(MIM_TOOLS,
                 'train.py'), DEMO, '--work-dir', 'work', '--cfg-options',
        'train_cfg.max_epochs=1', 'train_dataloader.dataset.indices=16',
        'train_dataloader.num_workers=0',
        'train_dataloader.persistent_workers=False',
        'default_hooks.checkpoint.interval=1'
    ],
         cwd=str(tmp_path))
    assert (tmp_path / 'work' / 'epoch_1.pth').is_file()
    # MMPose's own test tool reads the checkpoint with weights_only=True
    # (SafeCheckpointLoadingHook in the config)
    out = _run([
        osp.join(MIM_TOOLS, 'test.py'), DEMO, 'work/epoch_1.pth', '--work-dir',
        'test', '--cfg-options', 'test_dataloader.dataset.indices=4',
        'test_dataloader.num_workers=0',
        'test_dataloader.persistent_workers=False'
    ],
               cwd=str(tmp_path))
    assert 'L.Collar  R.Collar' in out


def test_mmpose_browse_dataset_draws_left_yellow_right_red(tmp_path):
    _run([
        osp.join(MIM_TOOLS, 'misc', 'browse_dataset.py'), DEMO, '--output-dir',
        'vis', '--not-show', '--phase', 'train', '--mode', 'original',
        '--max-item-per-dataset', '3'
    ],
         cwd=str(tmp_path))
    files = sorted((tmp_path / 'vis').glob('*.jpg'))
    assert len(files) == 3
    img = cv2.imread(str(files[0])).astype(int)  # BGR
    b, g, r = img[..., 0], img[..., 1], img[..., 2]
    yellow = (r > 200) & (g > 200) & (b < 80)
    red = (r > 200) & (g < 60) & (b < 60)
    assert yellow.sum() > 10 and red.sum() > 10  # both sides are drawn
    # left landmarks (yellow) lie on the image left of an upright garment,
    # right ones red
    assert np.nonzero(yellow)[1].mean() < np.nonzero(red)[1].mean()
