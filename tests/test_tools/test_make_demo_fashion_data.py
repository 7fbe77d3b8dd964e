"""Tests for tools/dataset_converters/make_demo_fashion_data.py (synthetic demo
data)."""
import os.path as osp

import cv2
import pytest
from script_utils import load_script

REPO_ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
SCRIPT = osp.join(REPO_ROOT, 'tools', 'dataset_converters',
                  'make_demo_fashion_data.py')

N_TRAIN, N_VAL, N_TEST, SIZE = 6, 3, 3, 96
NUM_LANDMARKS = {1: 6, 2: 4, 3: 8}

gen = load_script(SCRIPT, 'make_demo_fashion_data')


def _read_list(path):
    with open(path) as f:
        lines = f.read().splitlines()
    return int(lines[0]), lines[1].split(), [ln.split() for ln in lines[2:]]


@pytest.fixture(scope='module')
def dataset(tmp_path_factory):
    out = tmp_path_factory.mktemp('fashion_demo')
    summary = gen.generate(str(out), N_TRAIN, N_VAL, N_TEST, seed=7, size=SIZE)
    return str(out), summary


def test_list_files_format(dataset):
    root, _ = dataset
    n = N_TRAIN + N_VAL + N_TEST
    count, header, rows = _read_list(
        osp.join(root, 'Anno', 'list_landmarks.txt'))
    assert count == len(rows) == n
    expected = ['image_name', 'clothes_type']
    for i in range(1, 9):
        expected += [
            f'landmark_visibility_{i}', f'landmark_location_x_{i}',
            f'landmark_location_y_{i}'
        ]
    assert header == expected
    for row in rows:
        ctype = int(row[1])
        assert len(row) == 2 + 3 * NUM_LANDMARKS[ctype]
        assert row[0].startswith('img/Demo_') and row[0].endswith('.jpg')

    count, header, boxes = _read_list(osp.join(root, 'Anno', 'list_bbox.txt'))
    assert count == len(boxes) == n
    assert header == ['image_name', 'x_1', 'y_1', 'x_2', 'y_2']
    assert all(len(b) == 5 for b in boxes)

    count, header, parts = _read_list(
        osp.join(root, 'Eval', 'list_eval_partition.txt'))
    assert count == len(parts) == n
    assert header == ['image_name', 'evaluation_status']
    # the three lists describe the same images in the same order
    assert [r[0] for r in rows] == [b[0]
                                    for b in boxes] == [p[0] for p in parts]
    assert len({r[0] for r in rows}) == n
    assert osp.isfile(osp.join(root, 'README.md'))


def test_split_counts(dataset):
    root, summary = dataset
    _, _, parts = _read_list(osp.join(root, 'Eval', 'list_eval_partition.txt'))
    status = [p[1] for p in parts]
    assert status.count('train') == N_TRAIN
    assert status.count('val') == N_VAL
    assert status.count('test') == N_TEST
    assert summary['splits'] == dict(train=N_TRAIN, val=N_VAL, test=N_TEST)


def test_images_landmarks_and_boxes(dataset):
    root, summary = dataset
    _, _, rows = _read_list(osp.join(root, 'Anno', 'list_landmarks.txt'))
    _, _, boxes = _read_list(osp.join(root, 'Anno', 'list_bbox.txt'))
    ctypes, codes = set(), set()
    for row, box in zip(rows, boxes):
        img = cv2.imread(osp.join(root, row[0]))
        assert img is not None, row[0]
        h, w = img.shape[:2]
        assert max(h, w) == SIZE and min(h, w) >= SIZE // 2
        x1, y1, x2, y2 = map(int, box[1:])
        assert 0 <= x1 < x2 <= w - 1 and 0 <= y1 < y2 <= h - 1
        ctypes.add(int(row[1]))
        vals = list(map(int, row[2:]))
        for v, x, y in zip(vals[0::3], vals[1::3], vals[2::3]):
            codes.add(v)
            assert v in (0, 1, 2)
            if v == 2:
                assert (x, y) == (0, 0)
                continue
            assert 0 <= x <= w - 1 and 0 <= y <= h - 1
            assert x1 <= x <= x2 and y1 <= y <= y2
        # left landmarks lie on the image left of their right partner (upright
        # +-20 deg)
        for a in range(0, len(vals) // 3, 2):
            va, xa = vals[3 * a], vals[3 * a + 1]
            vb, xb = vals[3 * a + 3], vals[3 * a + 4]
            if va < 2 and vb < 2:
                assert xa < xb, (row[0], a)
    assert ctypes == {1, 2, 3}
    assert codes == {0, 1, 2}
    assert sum(summary['visibility'].values()) == sum(NUM_LANDMARKS[int(r[1])]
                                                      for r in rows)


def test_box_at_origin_occurs(dataset):
    root, summary = dataset
    _, _, boxes = _read_list(osp.join(root, 'Anno', 'list_bbox.txt'))
    assert any(b[1:3] == ['000', '000'] for b in boxes)
    assert summary['boxes_at_origin'] >= 1


def test_deterministic(tmp_path):
    a, b, c = tmp_path / 'a', tmp_path / 'b', tmp_path / 'c'
    gen.generate(str(a), 3, 2, 1, seed=3, size=64)
    gen.generate(str(b), 3, 2, 1, seed=3, size=64)
    gen.generate(str(c), 3, 2, 1, seed=4, size=64)
    assert gen.dataset_digest(str(a)) == gen.dataset_digest(str(b))
    assert gen.dataset_digest(str(a)) != gen.dataset_digest(str(c))


def test_rerun_replaces_previous_output(tmp_path):
    gen.generate(str(tmp_path), 12, 0, 0, seed=1, size=64)
    gen.generate(str(tmp_path), 6, 0, 0, seed=1, size=64)
    jpgs = list(tmp_path.glob('img/*/*.jpg'))
    assert len(jpgs) == 6


def test_cli_main(tmp_path, capsys):
    summary = gen.main([
        '--out-dir',
        str(tmp_path), '--num-train', '2', '--num-val', '1', '--num-test', '1',
        '--size', '64'
    ])
    assert summary['num_images'] == 4
    assert 'total size' in capsys.readouterr().out
    assert (tmp_path / 'Anno' / 'list_landmarks.txt').is_file()


def test_regenerates_the_bundled_demo_images_byte_for_byte(tmp_path):
    """Image i depends only on (seed, i, size): the first 12 images of the
    bundled set's command come out identical (guards the shared drawing
    modules against changes that would alter the demo set)."""
    gen.generate(str(tmp_path), 12, 0, 0, seed=1234, size=160)
    bundled = osp.join(REPO_ROOT, 'demo', 'data', 'fashion_demo')
    jpgs = sorted(tmp_path.glob('img/*/*.jpg'))
    assert len(jpgs) == 12
    for jpg in jpgs:
        rel = jpg.relative_to(tmp_path)
        with open(osp.join(bundled, rel), 'rb') as f:
            assert jpg.read_bytes() == f.read(), rel
