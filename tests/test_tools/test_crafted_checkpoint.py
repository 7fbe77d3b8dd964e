"""A crafted checkpoint (tests/test_utils/crafted_checkpoint.py) through every
load path of the project: it is refused, and its payload never runs."""
import os.path as osp

import mmpose
import pytest
from crafted_checkpoint import write_crafted_checkpoint
from script_utils import run_python

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
DEMO = osp.join(REPO, 'configs', 'gle',
                'td-hm_res18w32-gle2_1xb16-30e_fashion-demo-96x96.py')
IMAGE = osp.join(REPO, 'tests', 'data', 'fld_coco_sample', 'img_00000132.jpg')
MIM_TOOLS = osp.join(osp.dirname(mmpose.__file__), '.mim', 'tools')
FAST = [
    'train_dataloader.num_workers=0',
    'train_dataloader.persistent_workers=False',
    'test_dataloader.num_workers=0',
    'test_dataloader.persistent_workers=False', 'val_dataloader.num_workers=0',
    'val_dataloader.persistent_workers=False',
    'train_dataloader.dataset.indices=4', 'test_dataloader.dataset.indices=4'
]


@pytest.fixture
def crafted(tmp_path):
    path, marker = tmp_path / 'evil.pth', tmp_path / 'pwned'
    write_crafted_checkpoint(path, marker)
    return str(path), marker


def _refused(args, cwd, marker):
    proc = run_python(args, str(cwd))
    assert proc.returncode != 0, proc.stdout[-3000:]
    assert not marker.exists(), 'the payload ran'
    return proc.stdout


# stock MMPose tools load through SafeCheckpointLoadingHook
@pytest.mark.parametrize(
    'tools', [osp.join(REPO, 'tools'), MIM_TOOLS], ids=['ours', 'mmpose'])
def test_tools_test(tools, crafted, tmp_path):
    path, marker = crafted
    out = _refused([
        osp.join(tools, 'test.py'), DEMO, path, '--work-dir', 'w',
        '--cfg-options', *FAST
    ], tmp_path, marker)
    assert 'getattr' in out


def test_tools_train_resume(crafted, tmp_path):
    path, marker = crafted
    out = _refused([
        osp.join(REPO, 'tools', 'train.py'), DEMO, '--work-dir', 'w',
        '--resume', path, '--cfg-options', 'train_cfg.max_epochs=1', *FAST
    ], tmp_path, marker)
    assert 'getattr' in out


def test_tools_train_load_from(crafted, tmp_path):
    path, marker = crafted
    _refused([
        osp.join(REPO, 'tools', 'train.py'), DEMO, '--work-dir', 'w',
        '--cfg-options', f'load_from={path}', 'train_cfg.max_epochs=1', *FAST
    ], tmp_path, marker)


def test_tools_infer(crafted, tmp_path):
    path, marker = crafted
    out = _refused([
        osp.join(REPO, 'tools', 'infer.py'), IMAGE, DEMO, path, '--out-dir',
        'out'
    ], tmp_path, marker)
    assert 'cannot read the pose (landmark) checkpoint' in out


def test_init_pose_model(crafted):
    from gle.apis import CheckpointMismatchError, init_pose_model
    path, marker = crafted
    with pytest.raises(CheckpointMismatchError, match='getattr'):
        init_pose_model(DEMO, path, device='cpu')
    assert not marker.exists()


def test_mmpose_init_model(crafted):
    import pickle

    from mmpose.apis import init_model

    from gle.utils import safe_checkpoint_loading
    path, marker = crafted
    for safe in (False, True):
        with pytest.raises(pickle.UnpicklingError, match='getattr'):
            if safe:
                with safe_checkpoint_loading():
                    init_model(DEMO, path, device='cpu')
            else:
                init_model(DEMO, path, device='cpu')
    assert not marker.exists()
