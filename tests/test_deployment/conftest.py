"""Exports shared by the deployment tests: each model is exported once per
session, through tools/deployment/pytorch2onnx.py's ``main``."""
import os.path as osp
from types import SimpleNamespace

import pytest
from deploy_checkpoints import (DEMO_CONFIG, DET_CONFIG, REPO,
                                save_det_checkpoint, save_pose_checkpoint)
from script_utils import load_script

TOOL = osp.join(REPO, 'tools', 'deployment', 'pytorch2onnx.py')


def load_tool():
    return load_script(TOOL, 'pytorch2onnx')


def cfg_option_args(options) -> list:
    """``--cfg-options`` arguments for a dict of overrides."""
    if not options:
        return []
    return ['--cfg-options'
            ] + [f'{k}={v!r}'.replace(' ', '') for k, v in options.items()]


@pytest.fixture(scope='session')
def export_model(tmp_path_factory):
    """``export_model(name, config, options=None, det=False,
    exporter='dynamo')`` -> ``(onnx_file, checkpoint)``: a random-weights
    checkpoint of ``config`` exported with the tool, cached by ``name``."""
    root = tmp_path_factory.mktemp('deploy')
    tool = load_tool()
    exports, checkpoints = {}, {}

    def export(name, config, options=None, det=False, exporter='dynamo'):
        if name in exports:
            return exports[name]
        if config not in checkpoints:
            path = str(root / f'{len(checkpoints)}.pth')
            checkpoints[config] = save_det_checkpoint(path) if det \
                else save_pose_checkpoint(config, path)
        out = str(root / f'{name}.onnx')
        args = [
            config, checkpoints[config], '--out', out, '--exporter', exporter
        ] + (['--det'] if det else [])
        assert tool.main(args + cfg_option_args(options)) == 0
        exports[name] = (out, checkpoints[config])
        return exports[name]

    return export


@pytest.fixture(scope='module')
def demo_onnx(export_model):
    """The demo pose model and the detector exported (``pose``, ``det``) and
    their random-weights checkpoints (``pose_ckpt``, ``det_ckpt``)."""
    det_file, det_ckpt = export_model('det', DET_CONFIG, det=True)
    pose_file, pose_ckpt = export_model('demo', DEMO_CONFIG)
    return SimpleNamespace(
        det=det_file, det_ckpt=det_ckpt, pose=pose_file, pose_ckpt=pose_ckpt)
