"""tools/infer.py --backend onnxruntime end to end: the JSON files and
drawings of the PyTorch backend, from the ONNX exports."""
import json
import os.path as osp
import shutil

import cv2
import pytest
from backend_parity import (BOX_TOL, IMAGES, assert_same_result,
                            differing_pixels)
from deploy_checkpoints import DEMO_CONFIG, DET_CONFIG, PAPER_K2, REPO
from script_utils import script_fixture

TOOL = osp.join(REPO, 'tools', 'infer.py')
# where each test image goes in the input folder
NAMES = ('img_00000128.jpg', 'img_00000132.jpg', 'demo/dress_1.jpg',
         'demo/blouse_2.jpg')

tool = script_fixture(TOOL, 'infer_tool')


@pytest.fixture(scope='module')
def photos(tmp_path_factory):
    folder = tmp_path_factory.mktemp('photos')
    (folder / 'demo').mkdir()
    for src, name in zip(IMAGES, NAMES):
        shutil.copy(src, folder / name)
    return folder


def _outputs(out):
    """JSON and drawing per image of an --out-dir."""
    found = {}
    for name in NAMES:
        stem = osp.splitext(name)[0]
        with open(out / 'predictions' / f'{stem}.json') as f:
            pred = json.load(f)
        found[name] = (pred, cv2.imread(str(out / 'vis' / name)))
    return found


def _compare(ours, ref, box_tol):
    assert ours.keys() == ref.keys() == set(NAMES)
    for name in NAMES:
        (pred, drawn), (ref_pred, ref_drawn) = ours[name], ref[name]
        assert pred['image'] == name
        assert assert_same_result(pred, ref_pred, box_tol) > 0
        # the drawings are JPEG files: one pixel drawn differently (a score
        # label, a dot at a 1e-2 px other position) changes its 8 x 8 block
        # (0.1% of these images each); a missing item or landmark, far more
        assert differing_pixels(drawn, ref_drawn) < 0.02, name


def test_detector_and_pose(tool, demo_onnx, photos, tmp_path, capsys):
    common = ['--det-score-thr', '0.95', '--num-threads', '1']
    assert tool.main([
        str(photos), DEMO_CONFIG, '--backend', 'onnxruntime', '--onnx',
        demo_onnx.pose, '--det-onnx', demo_onnx.det, '--out-dir',
        str(tmp_path / 'ort'), *common
    ]) == 0
    ort_stdout = capsys.readouterr().out
    assert tool.main([
        str(photos), DEMO_CONFIG, demo_onnx.pose_ckpt, '--det-config',
        DET_CONFIG, '--det-checkpoint', demo_onnx.det_ckpt, '--out-dir',
        str(tmp_path / 'pt'), '--device', 'cpu', *common[:2]
    ]) == 0
    pt_stdout = capsys.readouterr().out
    _compare(
        _outputs(tmp_path / 'ort'), _outputs(tmp_path / 'pt'), box_tol=BOX_TOL)
    # the same summary, but for the folder names
    assert ort_stdout.replace(str(tmp_path / 'ort'), 'OUT') == \
        pt_stdout.replace(str(tmp_path / 'pt'), 'OUT')
    assert '4 images processed' in ort_stdout


def test_boxes_file(tool, demo_onnx, photos, tmp_path):
    boxes = tmp_path / 'boxes.json'
    boxes.write_text(
        json.dumps({
            name: [[10, 20, 120, 150, 0.8, 'upper'], [0, 0, 100, 140]]
            for name in NAMES
        }))
    # POSE_CHECKPOINT given to the onnxruntime backend: not read
    assert tool.main([
        str(photos), DEMO_CONFIG, demo_onnx.pose_ckpt, '--backend',
        'onnxruntime', '--onnx', demo_onnx.pose, '--boxes',
        str(boxes), '--out-dir',
        str(tmp_path / 'ort')
    ]) == 0
    assert tool.main([
        str(photos), DEMO_CONFIG, demo_onnx.pose_ckpt, '--boxes',
        str(boxes), '--out-dir',
        str(tmp_path / 'pt'), '--device', 'cpu'
    ]) == 0
    ours, ref = _outputs(tmp_path / 'ort'), _outputs(tmp_path / 'pt')
    _compare(ours, ref, box_tol=0)
    for name in NAMES:
        assert differing_pixels(ours[name][1], ref[name][1]) == 0
        assert [i['box_source']
                for i in ours[name][0]['instances']] == ['boxes', 'boxes']


def test_errors(tool, demo_onnx, photos, tmp_path, capsys):

    def run(*args):
        code = tool.main(
            [str(photos), *args, '--out-dir',
             str(tmp_path / 'out')])
        return code, capsys.readouterr().err

    code, err = run(DEMO_CONFIG)
    assert code == 1 and 'POSE_CHECKPOINT is required with --backend ' \
        'pytorch' in err
    code, err = run(DEMO_CONFIG, demo_onnx.pose_ckpt, '--onnx', demo_onnx.pose)
    assert code == 1 and '--backend onnxruntime' in err
    code, err = run(DEMO_CONFIG, '--backend', 'onnxruntime')
    assert code == 1 and '--onnx pose.onnx' in err
    code, err = run(DEMO_CONFIG, '--backend', 'onnxruntime', '--onnx',
                    demo_onnx.det)
    assert code == 1 and demo_onnx.det in err and '--det-onnx' in err
    code, err = run(PAPER_K2, '--backend', 'onnxruntime', '--onnx',
                    demo_onnx.pose)
    assert code == 1 and f'{demo_onnx.pose} does not fit {PAPER_K2}' in err
    code, err = run(DEMO_CONFIG, '--backend', 'onnxruntime', '--onnx',
                    str(tmp_path / 'nope.onnx'))
    assert code == 1 and f'not found: {tmp_path / "nope.onnx"}' in err
    assert not osp.exists(tmp_path / 'out')


def test_backend_names_match_the_package(tool):
    from gle.apis import BACKENDS
    assert tool.BACKENDS == BACKENDS
