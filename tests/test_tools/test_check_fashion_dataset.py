"""tools/misc/check_fashion_dataset.py on clean and broken trees."""
import os.path as osp

from fashion_tree_utils import (DFC_BBOXES, DFC_LANDMARKS, DFC_PARTITION,
                                FLD_BBOXES, FLD_LANDMARKS, FLD_PARTITION,
                                write_images, write_tree)
from script_utils import script_fixture

HERE = osp.dirname(osp.abspath(__file__))
TOOL = osp.join(HERE, '..', '..', 'tools', 'misc', 'check_fashion_dataset.py')

checker = script_fixture(TOOL, 'check_fashion_dataset')


def _names(rows):
    return [r.split()[0] for r in rows]


def test_clean_fld_tree(tmp_path, checker, capsys):
    write_tree(tmp_path, FLD_LANDMARKS, FLD_BBOXES, FLD_PARTITION, fld=True)
    write_images(
        tmp_path,
        _names(FLD_LANDMARKS),
        size=(60, 80),
        gray=['img/img_00000002.jpg'])
    assert checker.main([str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert 'as fld' in out  # detected from the header
    assert 'ERROR' not in out and 'WARNING' not in out
    assert 'INFO' in out and 'img_00000002.jpg: grayscale' in out
    assert '3 items parsed; 0 error(s)' in out
    lines = out.splitlines()
    # split x clothes type counts: val has one upper and one lower item
    val = next(line for line in lines if line.startswith('val'))
    assert val.split() == ['val', '1', '1', '0', '2']
    # variation types: train has one item of type 3
    train = [line for line in lines if line.startswith('train')]
    assert train[1].split() == ['train', '0', '0', '1', '0', '0', '1']
    # visibility codes of left_hem: upper truncated, lower occluded,
    # full visible; no absent
    left_hem = next(line for line in lines if line.startswith('left_hem'))
    assert left_hem.split() == ['left_hem', '1', '1', '1', '0', '3']


def test_clean_dfc_tree_without_images(tmp_path, checker, capsys):
    write_tree(tmp_path, DFC_LANDMARKS, DFC_BBOXES, DFC_PARTITION)
    code = checker.main(
        [str(tmp_path), '--format', 'deepfashion-c', '--no-check-images'])
    out = capsys.readouterr().out
    assert code == 0, out
    assert 'without image checks' in out
    left_waistline = next(line for line in out.splitlines()
                          if line.startswith('left_waistline'))
    # visible (skirt), truncated (dress), absent (two upper items)
    assert left_waistline.split() == [
        'left_waistline', '1', '0', '1', '2', '4'
    ]


def test_broken_tree_reports_every_problem(tmp_path, checker, capsys):
    landmarks = list(FLD_LANDMARKS)
    landmarks[1] = landmarks[1].replace(' 0 40 6 ', ' 0 4x 6 ')  # line 4
    landmarks[2] = landmarks[2].replace('0 40 76', '0 90 76')  # off image
    bboxes = list(FLD_BBOXES)
    bboxes[0] = 'img/img_00000001.jpg 50 4 50 62'  # degenerate, line 3
    bboxes.append('img/img_00000009.jpg 1 1 5 5')  # not in other files
    partition = list(FLD_PARTITION) + ['img/img_00000009.jpg trian']
    write_tree(tmp_path, landmarks, bboxes, partition, fld=True)
    write_images(tmp_path, ['img/img_00000003.jpg'], size=(60, 80))
    with open(tmp_path / 'img' / 'img_00000001.jpg', 'wb') as f:
        f.write(b'not a jpeg')
    # img_00000002.jpg is missing on disk (and its row is malformed)

    assert checker.main([str(tmp_path), '--format', 'fld']) == 1
    out = capsys.readouterr().out
    errors = [line for line in out.splitlines() if line.startswith('ERROR')]
    expected = [
        'list_landmarks.txt:4: landmark 2: coordinates',
        "list_eval_partition.txt:6: unknown split name 'trian'",
        "list_bbox.txt:6: image 'img/img_00000009.jpg' is missing from",
        'list_eval_partition.txt:6: image \'img/img_00000009.jpg\' is '
        'missing from',
        'list_landmarks.txt:3: image file',
        'img_00000001.jpg is unreadable',
        'list_bbox.txt:3: degenerate box (50 4 50 62)',
        'list_landmarks.txt:5: visible landmark right_hem at (90, 76) lies '
        'outside the 60x80 image',
    ]
    for text in expected:
        assert any(text in line for line in errors), (text, out)
    # the file with the image missing from it is named as well
    assert any('missing from' in line and 'list_landmarks.txt' in line
               for line in errors)
    # the right hem is also outside its box: a warning, not an error
    assert any(
        line.startswith('WARNING') and 'outside its box' in line
        for line in out.splitlines())
    assert f'{len(errors)} error(s)' in out


def test_format_mismatch_is_reported(tmp_path, checker, capsys):
    write_tree(tmp_path, DFC_LANDMARKS, DFC_BBOXES, DFC_PARTITION)
    assert checker.main(
        [str(tmp_path), '--format', 'fld', '--no-check-images']) == 1
    out = capsys.readouterr().out
    assert 'list_landmarks.txt:2: the header has no "variation_type"' in out


def test_images_are_decoded_as_training_does(tmp_path, checker, capsys):
    """A truncated JPEG (cv2.imread still returns pixels, the pipeline's
    mmcv.imfrombytes does not), a zero-byte and an undecodable file are all
    errors naming the file; a good image is not."""
    write_tree(tmp_path, FLD_LANDMARKS, FLD_BBOXES, FLD_PARTITION, fld=True)
    write_images(tmp_path, _names(FLD_LANDMARKS), size=(60, 80))
    img = tmp_path / 'img'
    jpeg = (img / 'img_00000001.jpg').read_bytes()
    (img / 'img_00000001.jpg').write_bytes(jpeg[:len(jpeg) // 2])
    (img / 'img_00000002.jpg').write_bytes(b'')
    (img / 'img_00000003.jpg').write_bytes(b'GIF89a garbage')

    assert checker.main([str(tmp_path), '--workers', '2']) == 1
    out = capsys.readouterr().out
    errors = [line for line in out.splitlines() if line.startswith('ERROR')]
    assert len(errors) == 3, out
    truncated, empty, garbage = errors
    assert 'list_landmarks.txt:3: image file' in truncated
    assert 'img_00000001.jpg is unreadable' in truncated
    assert 'mmcv.imfrombytes' in truncated
    assert 'list_landmarks.txt:4: image file' in empty
    assert 'img_00000002.jpg is empty (0 bytes)' in empty
    assert 'img_00000003.jpg is unreadable' in garbage
    assert all('Fix: re-extract' in line for line in errors)


def test_bom_and_empty_list_file_are_reported(tmp_path, checker, capsys):
    paths = write_tree(
        tmp_path, FLD_LANDMARKS, FLD_BBOXES, FLD_PARTITION, fld=True)
    with open(paths[1], 'rb') as f:
        data = f.read()
    with open(paths[1], 'wb') as f:
        f.write(b'\xef\xbb\xbf' + data)
    open(paths[2], 'w').close()
    assert checker.main([str(tmp_path), '--no-check-images']) == 1
    out = capsys.readouterr().out
    assert 'list_bbox.txt:1: the file starts with a UTF-8 byte-order mark' \
        in out
    assert 'list_eval_partition.txt:1: line 1 should hold the number of ' \
        'rows, the file is empty' in out
    # the rest of the BOM file is still read (its row count is not 'got
    # \ufeff3'), and nothing else is reported
    assert 'list_bbox.txt:1: line 1' not in out
    assert '0 items parsed; 2 error(s)' in out, out
