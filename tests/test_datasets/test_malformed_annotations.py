"""Every malformed input raises FashionAnnotationError naming file + line;
bad image files raise ImageFileError naming the file."""
import warnings

import pytest
from fashion_tree_utils import (DFC_BBOXES, DFC_LANDMARKS, DFC_PARTITION,
                                FLD_BBOXES, FLD_HEADER, FLD_LANDMARKS,
                                FLD_PARTITION, write_images, write_tree)

from gle.datasets import (DeepFashionCDataset, FashionAnnotationError,
                          FLDDataset, ImageFileError)


def _replace(rows, index, old, new):
    rows = list(rows)
    assert old in rows[index]
    rows[index] = rows[index].replace(old, new, 1)
    return rows


# (case id, format, tree kwargs, file name, line, words in the message)
CASES = [
    ('wrong-column-count', 'dfc',
     dict(landmark_rows=_replace(DFC_LANDMARKS, 2, ' 0 78 92', ' 0 78')),
     'list_landmarks.txt', 5, ['expected 26 columns', 'got 25']),
    ('non-numeric', 'dfc',
     dict(landmark_rows=_replace(DFC_LANDMARKS, 0, '146', '14b')),
     'list_landmarks.txt', 3, ['not numbers', "'14b'"]),
    ('bad-visibility', 'dfc',
     dict(landmark_rows=_replace(DFC_LANDMARKS, 3, '1 0 5 6', '1 3 5 6')),
     'list_landmarks.txt', 6, ['landmark 1', "visibility '3'"]),
    ('bad-clothes-type', 'dfc',
     dict(landmark_rows=_replace(DFC_LANDMARKS, 2, '.jpg 3 ', '.jpg 4 ')),
     'list_landmarks.txt', 5, ["clothes_type '4'"]),
    ('bad-variation-type', 'fld',
     dict(landmark_rows=_replace(FLD_LANDMARKS, 1, '  5  ', '  6  ')),
     'list_landmarks.txt', 4, ["variation_type '6'"]),
    ('bad-padding', 'dfc',
     dict(
         landmark_rows=_replace(DFC_LANDMARKS, 1, '0 0 0 0 0 0 0 0 0 0 0 0',
                                '0 0 0 0 0 0 0 0 0 0 5 0')),
     'list_landmarks.txt', 4, ['padding']),
    ('unknown-split', 'dfc',
     dict(partition_rows=_replace(DFC_PARTITION, 1, 'train', 'trian')),
     'list_eval_partition.txt', 4, ["unknown split name 'trian'"]),
    ('partition-columns', 'fld',
     dict(partition_rows=_replace(FLD_PARTITION, 2, 'train', 'train x')),
     'list_eval_partition.txt', 5, ['expected 2 columns']),
    ('duplicate-image', 'dfc', dict(bbox_rows=DFC_BBOXES + [DFC_BBOXES[0]]),
     'list_bbox.txt', 7, ['duplicate image', 'line 3']),
    ('bbox-non-numeric', 'fld',
     dict(bbox_rows=_replace(FLD_BBOXES, 0, ' 50 62', ' 50 x')),
     'list_bbox.txt', 3, ['not 4 numbers']),
    ('bbox-columns', 'fld',
     dict(bbox_rows=_replace(FLD_BBOXES, 1, ' 50 75', ' 50')), 'list_bbox.txt',
     4, ['expected 5 columns']),
    ('missing-from-bbox', 'dfc', dict(bbox_rows=DFC_BBOXES[:3]),
     'list_landmarks.txt', 6,
     ['img_00000003.jpg', 'missing from', 'list_bbox.txt']),
    ('missing-from-landmarks', 'fld', dict(landmark_rows=FLD_LANDMARKS[1:]),
     'list_bbox.txt', 3,
     ['img_00000001.jpg', 'missing from', 'list_landmarks.txt']),
    ('row-count', 'dfc', dict(counts=(5, None, None)), 'list_landmarks.txt', 1,
     ['declares 5 rows', 'has 4']),
    ('row-count-not-int', 'dfc', dict(counts=('four', None, None)),
     'list_landmarks.txt', 1, ['number of rows']),
    ('fld-file-as-dfc', 'dfc', dict(landmark_header=FLD_HEADER),
     'list_landmarks.txt', 2, ['variation_type', 'FLDDataset']),
    ('degenerate-box', 'dfc',
     dict(bbox_rows=_replace(DFC_BBOXES, 0, '072 079 232', '232 079 232')),
     'list_bbox.txt', 3, ['degenerate box', 'skip_invalid=True']),
]


def _write(root, fmt, kwargs):
    base = dict(
        landmark_rows=DFC_LANDMARKS if fmt == 'dfc' else FLD_LANDMARKS,
        bbox_rows=DFC_BBOXES if fmt == 'dfc' else FLD_BBOXES,
        partition_rows=DFC_PARTITION if fmt == 'dfc' else FLD_PARTITION,
        fld=fmt == 'fld')
    base.update(kwargs)
    write_tree(root, **base)


@pytest.mark.parametrize(
    'fmt, kwargs, file, line, words', [c[1:] for c in CASES],
    ids=[c[0] for c in CASES])
def test_malformed_input_raises_with_location(tmp_path, fmt, kwargs, file,
                                              line, words):
    _write(tmp_path, fmt, kwargs)
    cls = DeepFashionCDataset if fmt == 'dfc' else FLDDataset
    with pytest.raises(FashionAnnotationError) as e:
        cls(data_root=str(tmp_path), split='train')
    msg = str(e.value)
    assert f'{file}:{line}: ' in msg, msg
    for word in words:
        assert word in msg, msg
    assert 'Fix: ' in msg
    assert e.value.line == line and e.value.file.endswith(file)
    assert isinstance(e.value, ValueError)


def test_missing_file_names_it(tmp_path):
    _write(tmp_path, 'dfc', {})
    (tmp_path / 'Anno' / 'list_bbox.txt').unlink()
    with pytest.raises(FashionAnnotationError, match='list_bbox.txt'):
        DeepFashionCDataset(data_root=str(tmp_path), split='train')


def test_skip_invalid_skips_with_one_counted_warning(tmp_path):
    bboxes = _replace(DFC_BBOXES, 2, '30 5 90 100', '30 100 90 100')
    bboxes = _replace(bboxes, 3, '0 0 35 55', '35 0 35 55')
    _write(tmp_path, 'dfc', dict(bbox_rows=bboxes))
    with pytest.warns(UserWarning) as record:
        dataset = DeepFashionCDataset(
            data_root=str(tmp_path),
            split='test',
            skip_invalid=True,
            serialize_data=False)  # mmengine cannot serialise an empty list
    assert len(dataset) == 0
    ours = [str(w.message) for w in record if 'skipped' in str(w.message)]
    assert len(ours) == 1
    assert 'skipped 2 item(s)' in ours[0] and 'list_bbox.txt:5' in ours[0]
    # other splits are unaffected
    assert len(
        DeepFashionCDataset(
            data_root=str(tmp_path), split='train', skip_invalid=True)) == 2


def test_landmark_outside_box_is_kept_with_a_counted_warning(tmp_path):
    # two visible landmarks of the first item moved outside its box
    rows = _replace(DFC_LANDMARKS, 0, '0 146 102 0 173 095',
                    '0 046 102 0 173 005')
    _write(tmp_path, 'dfc', dict(landmark_rows=rows))
    with pytest.warns(
            UserWarning,
            match=r'2 visible landmark\(s\) lie '
            r'outside their box \(1 item\(s\)\)'):
        dataset = DeepFashionCDataset(data_root=str(tmp_path), split='train')
    kpts = dataset.get_data_info(0)['keypoints'][0]
    assert kpts[:2].tolist() == [[46, 102], [173, 5]]


def test_clean_tree_gives_no_warning(tmp_path):
    _write(tmp_path, 'fld', {})
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter('always')
        FLDDataset(data_root=str(tmp_path), split='val')
    assert not [w for w in record if 'FLDDataset' in str(w.message)]


def _path(root, file):
    return root / ('Eval' if 'partition' in file else 'Anno') / file


@pytest.mark.parametrize(
    'file', ['list_landmarks.txt', 'list_bbox.txt', 'list_eval_partition.txt'])
def test_utf8_bom_is_named(tmp_path, file):
    _write(tmp_path, 'dfc', {})
    path = _path(tmp_path, file)
    path.write_bytes(b'\xef\xbb\xbf' + path.read_bytes())
    with pytest.raises(FashionAnnotationError) as e:
        DeepFashionCDataset(data_root=str(tmp_path), split='train')
    msg = str(e.value)
    assert f'{file}:1: ' in msg and 'UTF-8 byte-order mark (BOM' in msg, msg
    assert 'EF BB BF' in msg and 'without BOM' in msg
    # only the BOM: the rest of the file still parses (checker lists just it)
    assert 'more problem' not in msg


def test_utf16_file_is_named(tmp_path):
    _write(tmp_path, 'dfc', {})
    path = _path(tmp_path, 'list_bbox.txt')
    path.write_bytes(path.read_text().encode('utf-16'))
    with pytest.raises(FashionAnnotationError, match='UTF-16 LE byte-order'):
        DeepFashionCDataset(data_root=str(tmp_path), split='train')


def test_empty_split_names_split_and_file(tmp_path):
    _write(tmp_path, 'dfc', {})  # no image is in 'val'
    with pytest.raises(FashionAnnotationError) as e:
        DeepFashionCDataset(data_root=str(tmp_path), split='val')
    msg = str(e.value)
    assert "split 'val' is empty" in msg, msg
    assert e.value.file.endswith('list_eval_partition.txt')
    assert 'train 2, val 0, test 2' in msg and 'DeepFashionCDataset' in msg
    # mmengine's in-memory mode can hold an empty list: a warning instead
    with pytest.warns(UserWarning, match="split 'val' is empty"):
        dataset = DeepFashionCDataset(
            data_root=str(tmp_path), split='val', serialize_data=False)
    assert len(dataset) == 0


def test_split_emptied_by_skip_invalid_says_so(tmp_path):
    bboxes = _replace(DFC_BBOXES, 2, '30 5 90 100', '30 100 90 100')
    bboxes = _replace(bboxes, 3, '0 0 35 55', '35 0 35 55')
    _write(tmp_path, 'dfc', dict(bbox_rows=bboxes))
    with pytest.raises(
            FashionAnnotationError,
            match="split 'test' has no item left: all 2"):
        with pytest.warns(UserWarning, match='skipped 2 item'):
            DeepFashionCDataset(
                data_root=str(tmp_path), split='test', skip_invalid=True)


def test_first_problem_says_how_many_more(tmp_path):
    rows = _replace(DFC_LANDMARKS, 0, '146', '14b')
    rows = _replace(rows, 3, '1 0 5 6', '1 3 5 6')
    _write(tmp_path, 'dfc', dict(landmark_rows=rows))
    with pytest.raises(FashionAnnotationError) as e:
        DeepFashionCDataset(data_root=str(tmp_path), split='train')
    msg = str(e.value)
    assert 'list_landmarks.txt:3: ' in msg and "'14b'" in msg
    assert '1 more problem(s)' in msg and 'check_fashion_dataset.py' in msg


def test_landmark_warnings_cite_the_landmark_file(tmp_path):
    rows = _replace(DFC_LANDMARKS, 0, '0 146 102 0 173 095',
                    '0 046 102 0 173 005')
    _write(tmp_path, 'dfc', dict(landmark_rows=rows))
    with pytest.warns(UserWarning) as record:
        DeepFashionCDataset(data_root=str(tmp_path), split='train')
    ours = [
        str(w.message) for w in record if 'outside their box' in str(w.message)
    ]
    assert len(ours) == 1
    assert 'First: ' + str(tmp_path / 'Anno' / 'list_landmarks.txt') + ':3.' \
        in ours[0], ours[0]
    assert 'list_bbox.txt' not in ours[0]


def _image_pipeline_dataset(tmp_path, broken):
    """The FLD tree with its images; ``broken(path)`` spoils image 3."""
    _write(tmp_path, 'fld', {})
    write_images(tmp_path, [r.split()[0] for r in FLD_LANDMARKS])
    broken(tmp_path / 'img' / 'img_00000003.jpg')
    return FLDDataset(
        data_root=str(tmp_path),
        split='train',
        pipeline=[dict(type='LoadImage'),
                  dict(type='GetBBoxCenterScale')])


def _truncate(path):
    data = path.read_bytes()
    path.write_bytes(data[:len(data) // 2])


@pytest.mark.parametrize(
    'broken, words', [
        (lambda p: p.write_bytes(b''), 'is empty (0 bytes)'),
        (_truncate, 'is unreadable'),
        (lambda p: p.write_bytes(b'<html>not found</html>'), 'is unreadable'),
        (lambda p: p.unlink(), 'is missing'),
    ],
    ids=['zero-byte', 'truncated-jpeg', 'not-an-image', 'missing'])
def test_bad_image_file_in_the_pipeline_is_named(tmp_path, broken, words):
    dataset = _image_pipeline_dataset(tmp_path, broken)
    with pytest.raises(ImageFileError) as e:
        dataset[0]
    msg = str(e.value)
    assert msg.startswith(str(tmp_path / 'img' / 'img_00000003.jpg') + ': ')
    assert words in msg and 'Fix: ' in msg, msg
    # not mmpose's advice for a file that exists
    if words != 'is missing':
        assert 'check whether the file exists' not in msg
    assert isinstance(e.value, OSError)


def test_pipeline_errors_of_good_images_are_not_rewritten(tmp_path):
    _write(tmp_path, 'fld', {})
    write_images(tmp_path, [r.split()[0] for r in FLD_LANDMARKS])
    dataset = FLDDataset(
        data_root=str(tmp_path),
        split='train',
        # TopdownAffine needs GetBBoxCenterScale's bbox_scale first
        pipeline=[
            dict(type='LoadImage'),
            dict(type='TopdownAffine', input_size=(32, 32))
        ])
    with pytest.raises(KeyError, match='bbox_scale'):
        dataset[0]
