"""tools/test.py refuses checkpoints of another architecture and files that
are not checkpoints, naming the file, the keys and the likely cause."""
import os.path as osp
import pickle
import zipfile

import pytest
import torch
from mmengine.config import Config
from mmengine.registry import init_default_scope
from mmpose.registry import MODELS
from script_utils import script_fixture

from gle.apis import CheckpointMismatchError

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
TOOL = osp.join(REPO, 'tools', 'test.py')
DEMO = osp.join(REPO, 'configs', 'gle',
                'td-hm_res18w32-gle2_1xb16-30e_fashion-demo-96x96.py')
K0 = ['model.neck.num_modules=0']

test_tool = script_fixture(TOOL, 'gle_test_tool')


def _random_checkpoint(path, num_modules):
    cfg = Config.fromfile(DEMO)
    cfg.model.neck.num_modules = num_modules
    init_default_scope('mmpose')
    model = MODELS.build(cfg.model)
    torch.save(dict(state_dict=model.state_dict(), meta=dict()), str(path))
    return str(path)


def _run(tool, tmp_path, checkpoint, options=()):
    argv = [DEMO, checkpoint, '--work-dir', str(tmp_path / 'work')]
    if options:
        argv += ['--cfg-options', *options]
    return tool.main(argv)


def test_k0_weights_in_k2_config(tmp_path, test_tool):
    ckpt = _random_checkpoint(tmp_path / 'k0.pth', 0)
    with pytest.raises(CheckpointMismatchError) as e:
        _run(test_tool, tmp_path, ckpt)
    msg = str(e.value)
    assert ckpt in msg and DEMO in msg
    assert 'missing' in msg and "'neck.gle_modules." in msg, msg
    assert 'another k' in msg  # the likely cause


def test_k2_weights_in_k0_config(tmp_path, test_tool):
    ckpt = _random_checkpoint(tmp_path / 'k2.pth', 2)
    with pytest.raises(CheckpointMismatchError) as e:
        _run(test_tool, tmp_path, ckpt, K0)
    msg = str(e.value)
    assert ckpt in msg and 'weights the model does not have' in msg
    assert 'neck.gle_modules.0.* (' in msg and 'neck.gle_modules.1.* (' in msg
    assert 'model.neck.num_modules' in msg, msg


def _truncated(path):
    good = _random_checkpoint(path, 2)
    with open(good, 'rb') as f:
        data = f.read()
    with open(good, 'wb') as f:
        f.write(data[:len(data) // 2])


def _zip_of_text(path):
    with zipfile.ZipFile(str(path), 'w') as archive:
        archive.writestr('notes.txt', 'not weights')


@pytest.mark.parametrize(
    'make, words', [
        (lambda p: p.write_bytes(b''), 'is empty (0 bytes)'),
        (_truncated, 'is not a PyTorch checkpoint'),
        (lambda p: p.write_text('<html>404 Not Found</html>'),
         'is not a PyTorch checkpoint'),
        (lambda p: p.write_bytes(pickle.dumps({'a': 1})),
         'is not a PyTorch checkpoint'),
        (_zip_of_text, 'zip archive without data.pkl'),
    ],
    ids=['empty', 'truncated', 'html', 'plain-pickle', 'other-zip'])
def test_not_a_checkpoint_names_the_file(tmp_path, test_tool, make, words):
    path = tmp_path / 'epoch_30.pth'
    make(path)
    with pytest.raises(CheckpointMismatchError) as e:
        _run(test_tool, tmp_path, str(path))
    msg = str(e.value)
    assert str(path) in msg and words in msg, msg
    assert 'weights_only' not in msg  # never advise unpickling it


def test_legacy_torch_format_passes_the_file_check(tmp_path, test_tool):
    path = str(tmp_path / 'legacy.pth')
    torch.save({'state_dict': {}}, path, _use_new_zipfile_serialization=False)
    test_tool.check_checkpoint_file(path)  # no error
