"""tools/infer.py on the real photos and on a short video, random weights."""
import json
import os.path as osp
import shutil

import cv2
import numpy as np
import pytest
from log_capture import mmengine_messages
from random_checkpoints import (DET_CONFIG, POSE_CONFIG, SAMPLE_DIR,
                                SAMPLE_IMAGES, save_random_checkpoints)
from script_utils import script_fixture

HERE = osp.dirname(osp.abspath(__file__))
TOOL = osp.join(HERE, '..', '..', 'tools', 'infer.py')

tool = script_fixture(TOOL, 'infer_tool')


@pytest.fixture(scope='module')
def ckpt(tmp_path_factory):
    return save_random_checkpoints(tmp_path_factory.mktemp('ckpt'))


@pytest.fixture
def photos(tmp_path):
    """The two real photos, one in a sub-folder."""
    folder = tmp_path / 'photos'
    (folder / 'sub').mkdir(parents=True)
    shutil.copy(osp.join(SAMPLE_DIR, SAMPLE_IMAGES[0]), folder)
    shutil.copy(osp.join(SAMPLE_DIR, SAMPLE_IMAGES[1]), folder / 'sub')
    (folder / 'notes.txt').write_text('not an image')
    return folder


def _load(path):
    with open(path) as f:
        return json.load(f)


def test_folder_with_a_detector_that_finds_nothing(tool, ckpt, photos,
                                                   tmp_path, capsys):
    out = tmp_path / 'out'
    code = tool.main([
        str(photos), POSE_CONFIG, ckpt['pose'], '--det-config', DET_CONFIG,
        '--det-checkpoint', ckpt['det'], '--out-dir',
        str(out), '--det-score-thr', '1.0', '--device', 'cpu'
    ])
    assert code == 0
    stdout = capsys.readouterr().out
    assert 'no clothing item found in 2 of 2 images' in stdout
    for rel in (SAMPLE_IMAGES[0], 'sub/' + SAMPLE_IMAGES[1]):
        pred = _load(out / 'predictions' / (osp.splitext(rel)[0] + '.json'))
        image = cv2.imread(str(photos / rel))
        assert pred == dict(
            image=rel,
            width=image.shape[1],
            height=image.shape[0],
            instances=[])
        drawn = cv2.imread(str(out / 'vis' / rel))  # still drawn
        assert drawn is not None and drawn.shape == image.shape


def test_boxes_json_and_fallback(tool, ckpt, photos, tmp_path):
    boxes = tmp_path / 'boxes.json'
    boxes.write_text(
        json.dumps({SAMPLE_IMAGES[0]: [[20, 10, 180, 240, 0.9, 'lower']]}))
    out = tmp_path / 'out'
    code = tool.main([
        str(photos), POSE_CONFIG, ckpt['pose'], '--det-config', DET_CONFIG,
        '--det-checkpoint', ckpt['det'], '--boxes',
        str(boxes), '--out-dir',
        str(out), '--det-score-thr', '1.0', '--fallback-whole-image',
        '--device', 'cpu'
    ])
    assert code == 0
    # listed: the given box, forced to 'lower' -> collars/sleeves absent
    pred = _load(out / 'predictions' / 'img_00000128.json')
    [inst] = pred['instances']
    assert inst['bbox'] == [20, 10, 180, 240]
    assert (inst['clothes_type'], inst['det_score'],
            inst['box_source']) == ('lower', 0.9, 'boxes')
    landmarks = inst['landmarks']
    assert [lm['name'] for lm in landmarks[:4]] == [
        'left_collar', 'right_collar', 'left_sleeve', 'right_sleeve'
    ]
    for lm in landmarks[:4]:
        assert lm['present'] is False and lm['x'] is lm['y'] is None
    for lm in landmarks[4:]:
        assert lm['present'] is True and isinstance(lm['x'], float)
    # not listed: the detector finds nothing -> the whole image
    pred = _load(out / 'predictions' / 'sub' / 'img_00000132.json')
    [inst] = pred['instances']
    assert inst['box_source'] == 'whole_image'
    assert inst['bbox'] == [0, 0, pred['width'], pred['height']]
    assert inst['clothes_type'] is None
    assert all(lm['present'] for lm in inst['landmarks'])


def _write_video(path, frames=3):
    image = cv2.imread(osp.join(SAMPLE_DIR, SAMPLE_IMAGES[0]))
    height, width = image.shape[:2]
    writer = cv2.VideoWriter(
        str(path), cv2.VideoWriter_fourcc(*'MJPG'), 5, (width, height))
    assert writer.isOpened()
    for i in range(frames):
        writer.write(np.roll(image, 4 * i, axis=1))
    writer.release()
    return width, height


def test_video(tool, ckpt, tmp_path, capsys):
    video = tmp_path / 'clip.avi'
    width, height = _write_video(video)
    boxes = tmp_path / 'boxes.json'
    boxes.write_text(json.dumps({'clip.avi': [[10, 10, 190, 240, 'upper']]}))
    out = tmp_path / 'out'
    code = tool.main([
        str(video), POSE_CONFIG, ckpt['pose'], '--boxes',
        str(boxes), '--out-dir',
        str(out), '--device', 'cpu'
    ])
    assert code == 0
    pred = _load(out / 'predictions' / 'clip.json')
    assert (pred['video'], pred['width'], pred['height']) == ('clip.avi',
                                                              width, height)
    assert pred['num_frames'] == 3
    assert [f['frame'] for f in pred['frames']] == [1, 2, 3]
    for frame in pred['frames']:
        [inst] = frame['instances']
        assert inst['clothes_type'] == 'upper'
        assert [lm['present'] for lm in inst['landmarks']
                ] == [True, True, True, True, False, False, True, True]
    cap = cv2.VideoCapture(str(out / 'vis' / 'clip.avi'))
    frames = []
    while True:
        ok, frame = cap.read()
        if not ok:
            break
        frames.append(frame)
    assert len(frames) == 3 and frames[0].shape == (height, width, 3)
    assert '3 frames processed' in capsys.readouterr().out


def test_errors(tool, ckpt, photos, tmp_path, capsys):

    def run(*args):
        code = tool.main([
            *map(str, args), '--out-dir',
            str(tmp_path / 'out'), '--device', 'cpu'
        ])
        return code, capsys.readouterr().err

    bad_image = tmp_path / 'bad.jpg'
    bad_image.write_bytes(b'not a jpeg')
    code, err = run(bad_image, POSE_CONFIG, ckpt['pose'])
    assert code == 1 and f'cannot read image {bad_image}' in err

    bad_video = tmp_path / 'bad.mp4'
    bad_video.write_bytes(b'not a video')
    code, err = run(bad_video, POSE_CONFIG, ckpt['pose'])
    assert code == 1 and f'cannot read video {bad_video}' in err

    (tmp_path / 'empty').mkdir()
    code, err = run(tmp_path / 'empty', POSE_CONFIG, ckpt['pose'])
    assert code == 1 and 'no image' in err and 'empty' in err

    code, err = run(photos, POSE_CONFIG, tmp_path / 'missing.pth')
    assert code == 1 and 'checkpoint not found' in err

    code, err = run(photos, POSE_CONFIG, ckpt['det'])
    assert code == 1 and ckpt['det'] in err and 'DETECTOR checkpoint' in err

    # drawings never replace the inputs
    inputs = tmp_path / 'o' / 'vis'
    shutil.copytree(photos, inputs)
    code = tool.main([
        str(inputs), POSE_CONFIG, ckpt['pose'], '--out-dir',
        str(tmp_path / 'o')
    ])
    assert code == 1 and 'would overwrite' in capsys.readouterr().err

    # a corrupt image in a folder is skipped and reported, the rest is done
    shutil.copy(bad_image, photos / 'sub' / 'corrupt.png')
    code, err = run(photos, POSE_CONFIG, ckpt['pose'], '--no-draw')
    assert code == 1 and 'sub/corrupt.png' in err
    assert osp.isfile(tmp_path / 'out' / 'predictions' / 'img_00000128.json')
    assert not osp.exists(tmp_path / 'out' / 'vis')


def test_same_stem_and_outputs_inside_the_input_folder(tool, ckpt, tmp_path,
                                                       capsys):
    folder = tmp_path / 'photos'
    folder.mkdir()
    image = cv2.imread(osp.join(SAMPLE_DIR, SAMPLE_IMAGES[0]))
    cv2.imwrite(str(folder / 'x.jpg'), image)
    cv2.imwrite(str(folder / 'x.png'), image[:, ::-1])
    out = folder / 'out'  # inside the input folder
    for _ in range(2):  # the second run must not read the first's drawings
        code = tool.main([
            str(folder), POSE_CONFIG, ckpt['pose'], '--out-dir',
            str(out), '--device', 'cpu'
        ])
        assert code == 0
        assert '2 images processed' in capsys.readouterr().out
    jpg, png = (
        _load(out / 'predictions' / f'x.{ext}.json') for ext in ('jpg', 'png'))
    assert (jpg['image'], png['image']) == ('x.jpg', 'x.png')
    assert jpg['instances'] != png['instances']  # mirrored inputs
    assert sorted(p.name for p in (out / 'predictions').iterdir()) == [
        'x.jpg.json', 'x.png.json'
    ]
    assert sorted(p.name
                  for p in (out / 'vis').iterdir()) == ['x.jpg', 'x.png']


def test_hostile_inputs_in_a_folder(tool, ckpt, photos, tmp_path, capsys):
    """Per-file messages for bad images and bad boxes, the rest done;
    warnings for unknown boxes keys; landmarks inside the image unless
    --keep-outside."""
    image = cv2.imread(osp.join(SAMPLE_DIR, SAMPLE_IMAGES[0]))
    (photos / 'zero.jpg').write_bytes(b'')
    (photos / 'corrupt.png').write_bytes(b'\x89PNG\r\n\x1a\n garbage')
    cv2.imwrite(
        str(photos / 'gray.png'), cv2.cvtColor(image, cv2.COLOR_BGR2GRAY))
    cv2.imwrite(str(photos / 'offbox.jpg'), image)
    boxes = tmp_path / 'boxes.json'
    boxes.write_text(
        json.dumps({
            SAMPLE_IMAGES[0]: [[-20, -10, 150, 300, 'upper']],
            'offbox.jpg': [[10, 10, 50, 50], [400, 0, 500, 100]],
            'typo.jpg': [[0, 0, 10, 10]]
        }))
    out = tmp_path / 'out'
    results = {}
    for flag in ([], ['--keep-outside']):
        with mmengine_messages() as log:
            code = tool.main([
                str(photos), POSE_CONFIG, ckpt['pose'], '--boxes',
                str(boxes), '--out-dir',
                str(out), '--device', 'cpu', *flag
            ])
        assert code == 1
        err = capsys.readouterr().err
        assert ('3 image(s) skipped (unreadable, or bad boxes): corrupt.png, '
                'offbox.jpg, zero.jpg') in err
        skipped = '\n'.join(m for m in log if m.startswith('skipped: '))
        assert 'corrupt.png: not an image OpenCV can decode' in skipped
        assert 'zero.jpg: the file is empty (0 bytes)' in skipped
        assert ('offbox.jpg: box 1 [400.0, 0.0, 500.0, 100.0] lies outside '
                'the 200x250 image') in skipped
        assert any(f'{SAMPLE_IMAGES[0]}: box 0 [-20.0, -10.0, 150.0, 300.0] '
                   'reaches outside' in m for m in log)
        assert any("1 image(s) that are not among the inputs, not used: "
                   "'typo.jpg'" in m for m in log)
        preds = sorted(p.name for p in (out / 'predictions').rglob('*.json'))
        assert preds == ['gray.json', 'img_00000128.json', 'img_00000132.json']
        drawn = cv2.imread(str(out / 'vis' / 'gray.png'))
        assert drawn.shape == image.shape  # grayscale read as BGR
        results[bool(flag)] = [
            _load(out / 'predictions' / name)
            for name in ('gray.json', 'img_00000128.json',
                         'sub/img_00000132.json')
        ]
        shutil.rmtree(out)

    def coords(preds):
        return [(lm['x'], lm['y'], p['width'], p['height']) for p in preds
                for inst in p['instances'] for lm in inst['landmarks']
                if lm['present']]

    def inside(x, y, width, height):
        return 0 <= x <= width - 1 and 0 <= y <= height - 1

    assert all(inside(*c) for c in coords(results[False]))
    assert not all(inside(*c) for c in coords(results[True]))
    clipped = results[False][1]['instances'][0]
    assert clipped['bbox'] == [0, 0, 150, 250]
