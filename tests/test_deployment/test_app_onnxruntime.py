"""demo/app.py with ``--backend onnxruntime``: the page's answer from the ONNX
exports is the PyTorch backend's (same landmarks within the parity
tolerances), and the backend options are checked like tools/infer.py's."""
import os.path as osp

import numpy as np
import pytest
from backend_parity import BOX_TOL, IMAGES, assert_same_result
from deploy_checkpoints import DEMO_CONFIG, DET_CONFIG, REPO
from script_utils import script_fixture

APP = osp.join(REPO, 'demo', 'app.py')

app = script_fixture(APP, 'gle_demo_app')


def _box_of(item):
    return (*item['bbox'], item['det_score'], item['clothes_type'])


def _demo(app, argv, out_dir):
    """The page's LandmarkDemo, built from a command line as main() does."""
    from gle.apis import FashionLandmarkInferencer
    args = app.parse_args(argv)
    app.check_files(args)
    out_dir.mkdir()
    return app.LandmarkDemo(
        FashionLandmarkInferencer(**app.inferencer_kwargs(args)),
        args.max_pixels, str(out_dir))


def test_onnxruntime_page_answers_as_pytorch(app, demo_onnx, tmp_path):
    det_file, det_ckpt = demo_onnx.det, demo_onnx.det_ckpt
    pose_file, pose_ckpt = demo_onnx.pose, demo_onnx.pose_ckpt
    ort = _demo(app, [
        '--pose-config', DEMO_CONFIG, '--backend', 'onnxruntime', '--onnx',
        pose_file, '--det-onnx', det_file, '--num-threads', '1'
    ], tmp_path / 'ort')
    pt = _demo(app, [
        '--pose-config', DEMO_CONFIG, '--pose-checkpoint', pose_ckpt,
        '--det-config', DET_CONFIG, '--det-checkpoint', det_ckpt, '--device',
        'cpu'
    ], tmp_path / 'pt')
    assert ort.inferencer.backend == 'onnxruntime' and ort.has_detector
    compared = 0
    for photo in IMAGES:
        for mode in (app.DETECTOR, app.WHOLE_IMAGE):
            ours = ort.predict(photo, mode, det_thr=0.95)
            ref = pt.predict(photo, mode, det_thr=0.95)
            assert ours['message'] == ref['message']
            assert ours['drawing'].shape == ref['drawing'].shape
            if mode == app.WHOLE_IMAGE:
                compared += assert_same_result(ours['record'], ref['record'])
                continue
            # detector mode: the same items; their landmarks are compared in
            # tests/test_deployment/test_infer_onnxruntime.py (random weights
            # give some thin boxes near-equal heatmap peaks that 1e-5
            # differences reorder)
            items = sorted(_box_of(i) for i in ours['record']['instances'])
            ref_items = sorted(_box_of(i) for i in ref['record']['instances'])
            assert [t for *_, t in items] == [t for *_, t in ref_items]
            np.testing.assert_allclose([b for *b, _ in items],
                                       [b for *b, _ in ref_items],
                                       atol=BOX_TOL)
    assert compared > 0


def test_backend_options_are_checked(app, tmp_path):
    # the PyTorch backend needs a checkpoint; argparse exits with status 2
    with pytest.raises(SystemExit) as exit_info:
        app.parse_args(['--pose-config', DEMO_CONFIG])
    assert exit_info.value.code == 2
    # a missing .onnx is named by its option before any model loads
    args = app.parse_args([
        '--pose-config', DEMO_CONFIG, '--backend', 'onnxruntime', '--onnx',
        str(tmp_path / 'nope.onnx')
    ])
    with pytest.raises(FileNotFoundError, match=r'--onnx .*nope\.onnx: no '):
        app.check_files(args)
    from gle.apis import BACKENDS
    assert tuple(BACKENDS) == app.BACKENDS
