"""Exports shared by the deployment tests: each model is exported once per
session, through tools/deployment/pytorch2onnx.py's ``main``."""
import os.path as osp

import pytest
from deploy_checkpoints import REPO, save_det_checkpoint, save_pose_checkpoint
from script_loading import load_script

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
