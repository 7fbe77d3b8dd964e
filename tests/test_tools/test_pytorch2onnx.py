"""tools/deployment/pytorch2onnx.py: the TorchScript route, --opset and
--verify, and the errors for wrong configs and checkpoints (the dynamo
route of every config is exercised by tests/test_deployment)."""
import os.path as osp

import numpy as np
import onnx
import pytest
import torch
from deploy_checkpoints import (DEMO_CONFIG, DET_CONFIG, REPO,
                                save_det_checkpoint, save_pose_checkpoint)
from script_utils import script_fixture

from gle.deployment import ONNXPoseModel, load_pose_model

TOOL = osp.join(REPO, 'tools', 'deployment', 'pytorch2onnx.py')

tool = script_fixture(TOOL, 'pytorch2onnx')


@pytest.fixture(scope='module')
def ckpts(tmp_path_factory):
    root = tmp_path_factory.mktemp('ckpt')
    return dict(
        pose=save_pose_checkpoint(DEMO_CONFIG, str(root / 'pose.pth')),
        det=save_det_checkpoint(str(root / 'det.pth')))


def test_torchscript_exporter_opset_and_verify(tool, ckpts, tmp_path, capsys):
    out = str(tmp_path / 'model.onnx')
    code = tool.main([
        DEMO_CONFIG, ckpts['pose'], '--out', out, '--opset', '17',
        '--exporter', 'torchscript', '--verify'
    ])
    assert code == 0
    stdout = capsys.readouterr().out
    assert 'onnx.checker passed' in stdout
    diffs = [
        float(line.rsplit(' ', 1)[1]) for line in stdout.splitlines()
        if line.startswith('verify: batch')
    ]
    assert len(diffs) == 2 and max(diffs) < 1e-4
    assert onnx.load(out).opset_import[0].version == 17
    runtime = ONNXPoseModel(out)
    assert runtime.meta['source']['exporter'] == 'torchscript'
    model = load_pose_model(DEMO_CONFIG, ckpts['pose'])
    x = np.random.default_rng(0).standard_normal((3, 3, 96, 96),
                                                 dtype=np.float32)
    with torch.no_grad():
        ref = model(torch.from_numpy(x), None, mode='tensor').numpy()
    assert np.abs(runtime.forward(x) - ref).max() < 1e-4


def test_wrong_config_kind_or_checkpoint(tool, ckpts, tmp_path):
    out = str(tmp_path / 'x.onnx')
    with pytest.raises(ValueError, match='for a detector config add --det'):
        tool.main([DET_CONFIG, ckpts['det'], '--out', out])
    with pytest.raises(ValueError, match='drop --det'):
        tool.main([DEMO_CONFIG, ckpts['pose'], '--out', out, '--det'])
    with pytest.raises(ValueError, match='does not match the model of'):
        tool.main([DEMO_CONFIG, ckpts['det'], '--out', out])
    with pytest.raises(FileNotFoundError, match='checkpoint not found'):
        tool.main([DEMO_CONFIG, str(tmp_path / 'none.pth'), '--out', out])
    with pytest.raises(FileNotFoundError, match='config not found'):
        tool.main(['none.py', ckpts['pose'], '--out', out])
    assert not osp.exists(out)
