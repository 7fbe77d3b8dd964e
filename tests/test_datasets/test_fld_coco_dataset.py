"""FLDCocoDataset on MMPose's real FLD json sample and on tmp upper/lower
files."""
import copy
import json
import os.path as osp
import warnings

import numpy as np
import pytest

from gle.datasets import FashionAnnotationError, FLDCocoDataset, ImageFileError

SAMPLE_DIR = osp.join(osp.dirname(__file__), '..', 'data', 'fld_coco_sample')
SAMPLE_DIR = osp.abspath(SAMPLE_DIR)

UPPER_NAMES = [
    'left collar', 'right collar', 'left sleeve', 'right sleeve', 'left hem',
    'right hem'
]
LOWER_NAMES = ['left waistline', 'right waistline', 'left hem', 'right hem']


def coco_file(path, names, anns, images, with_names=True):
    data = dict(
        images=images,
        annotations=anns,
        categories=[
            dict(
                supercategory='person',
                id=1,
                name='fashion',
                keypoints=names if with_names else [],
                skeleton=[])
        ])
    with open(path, 'w') as f:
        json.dump(data, f)
    return str(path)


@pytest.fixture(scope='module')
def real_sample():
    """MMPose's FLD json sample read by FLDCocoDataset, and the warnings
    that reading gave."""
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter('always')
        dataset = FLDCocoDataset(
            ann_file=osp.join(SAMPLE_DIR, 'test_fld.json'),
            data_prefix=dict(img=SAMPLE_DIR),
            test_mode=True,
            serialize_data=False)
    return dataset, record


def test_real_sample(real_sample):
    dataset, record = real_sample
    assert not [w for w in record if 'FLDCocoDataset' in str(w.message)]
    assert len(dataset) == 2
    first = dataset.data_list[0]
    assert first['id'] == 128
    assert first['img_path'] == osp.join(SAMPLE_DIR, 'img_00000128.jpg')
    assert first['clothes_type'] == 3 and first['variation_type'] == 0
    assert first['category_id'] == 1
    assert first['bbox'].dtype == np.float32
    np.testing.assert_array_equal(first['bbox_score'], [1.0])
    assert first['keypoints_visible'].dtype == np.float32
    assert first['raw_ann_info']['id'] == 128
    assert first['raw_ann_info']['ann_file'].endswith('test_fld.json')


@pytest.mark.parametrize(
    'index, img_id, bbox, keypoints, codes, visible, num_keypoints',
    [
        # bbox [88, 21, 48, 142] xywh -> xyxy; v = 1 1 2 1 2 1 2 1 ->
        # codes 1 1 0 1 0 1 0 1
        (0, 128, [88, 21, 136, 163], [
            [108, 33], [121, 36], [95, 65], [128, 68], [118, 79], [114, 75],
            [115, 150], [112, 143]
        ], [1, 1, 0, 1, 0, 1, 0, 1], [0, 0, 1, 0, 1, 0, 1, 0], 3),
        # (0, 0, 0) left hem of a full-body item -> truncated (2)
        (1, 132, [1, 1, 200, 250], [[71, 19], [127, 15], [37, 80], [162, 71],
                                    [60, 112], [145, 109], [0, 0], [172, 235]],
         [0, 0, 0, 0, 0, 0, 2, 0], [1, 1, 1, 1, 1, 1, 0, 1], 7),
    ],
    ids=['img_00000128', 'img_00000132'])
def test_real_sample_instance(real_sample, index, img_id, bbox, keypoints,
                              codes, visible, num_keypoints):
    entry = real_sample[0].data_list[index]
    assert entry['img_id'] == img_id
    np.testing.assert_array_equal(entry['bbox'], [bbox])
    np.testing.assert_array_equal(entry['keypoints'],
                                  np.array([keypoints], np.float32))
    np.testing.assert_array_equal(entry['visibility_codes'], [codes])
    np.testing.assert_array_equal(entry['keypoints_visible'], [visible])
    assert entry['num_keypoints'] == num_keypoints


def _images(*ids):
    return [
        dict(id=i, file_name=f'img_{i:08d}.jpg', width=100, height=120)
        for i in ids
    ]


def _annotation(ann_id, bbox, keypoints, num_keypoints):
    """A COCO annotation of image ``ann_id``: xywh ``bbox``, flat
    ``keypoints`` (x, y, v) triples."""
    return dict(
        id=ann_id,
        image_id=ann_id,
        category_id=1,
        bbox=bbox,
        keypoints=keypoints,
        num_keypoints=num_keypoints)


def _upper_lower(tmp_path, with_names=True):
    upper = coco_file(tmp_path / 'fld_upper_test.json', UPPER_NAMES, [
        _annotation(
            1, [0, 0, 80, 100],
            [10, 10, 2, 30, 10, 1, 5, 40, 0, 50, 40, 2, 12, 90, 2, 40, 91, 2],
            num_keypoints=5)
    ], _images(1), with_names)
    lower = coco_file(tmp_path / 'fld_lower_test.json', LOWER_NAMES, [
        _annotation(
            2, [10, 20, 50, 60], [15, 25, 2, 55, 25, 2, 0, 0, 0, 50, 70, 1],
            num_keypoints=3)
    ], _images(2), with_names)
    return upper, lower


@pytest.mark.parametrize('with_names', [True, False], ids=['names', 'count'])
def test_upper_and_lower_files_map_into_slots(tmp_path, with_names):
    upper, lower = _upper_lower(tmp_path, with_names)
    dataset = FLDCocoDataset(
        ann_file=['fld_upper_test.json', 'fld_lower_test.json'],
        data_root=str(tmp_path),
        serialize_data=False)
    up, low = dataset.data_list
    assert up['clothes_type'] == 1 and low['clothes_type'] == 2
    assert up['img_path'] == osp.join(str(tmp_path), 'img', 'img_00000001.jpg')
    np.testing.assert_array_equal(up['keypoints'][0],
                                  [[10, 10], [30, 10], [5, 40], [50, 40],
                                   [0, 0], [0, 0], [12, 90], [40, 91]])
    np.testing.assert_array_equal(up['visibility_codes'][0],
                                  [0, 1, 2, 0, -1, -1, 0, 0])
    np.testing.assert_array_equal(up['keypoints_visible'][0],
                                  [1, 0, 0, 1, 0, 0, 1, 1])
    np.testing.assert_array_equal(up['bbox'], [[0, 0, 80, 100]])
    np.testing.assert_array_equal(low['keypoints'][0],
                                  [[0, 0], [0, 0], [0, 0], [0, 0], [15, 25],
                                   [55, 25], [0, 0], [50, 70]])
    np.testing.assert_array_equal(low['visibility_codes'][0],
                                  [-1, -1, -1, -1, 0, 0, 2, 1])
    np.testing.assert_array_equal(low['keypoints_visible'][0],
                                  [0, 0, 0, 0, 1, 1, 0, 0])
    np.testing.assert_array_equal(low['bbox'], [[10, 20, 60, 80]])


def test_clothes_type_argument_is_checked(tmp_path):
    upper, _ = _upper_lower(tmp_path)
    assert len(FLDCocoDataset(ann_file=upper, clothes_type='upper')) == 1
    with pytest.raises(
            FashionAnnotationError,
            match='upper-body items but '
            "clothes_type='lower'"):
        FLDCocoDataset(ann_file=upper, clothes_type='lower')
    with pytest.raises(ValueError, match='"clothes_type"'):
        FLDCocoDataset(ann_file=upper, clothes_type='top')


def _broken(tmp_path, mutate):
    upper, _ = _upper_lower(tmp_path)
    with open(upper) as f:
        data = json.load(f)
    data = copy.deepcopy(data)
    mutate(data)
    with open(upper, 'w') as f:
        json.dump(data, f)
    return upper


@pytest.mark.parametrize(
    'mutate, words', [
        (lambda d: d['annotations'][0].update(keypoints=[1, 2, 2] * 5),
         ['annotations[0] (id=1)', 'expected 18']),
        (lambda d: d['annotations'][0]['keypoints'].__setitem__(2, 3),
         ['annotations[0]', 'v=3']),
        (lambda d: d['annotations'][0].update(image_id=7),
         ['annotations[0]', 'image_id 7']),
        (lambda d: d['annotations'].append(dict(d['annotations'][0])),
         ['annotations[1]', 'duplicate annotation id 1']),
        (lambda d: d['categories'][0].update(keypoints=['a', 'b']),
         ['categories[0]', 'not distinct names']),
        (lambda d: d['annotations'][0].update(bbox=[10, 10, 0, 5]),
         ['annotations[0]', 'degenerate box']),
        (lambda d: d['annotations'][0].update(bbox=[200, 10, 50, 50]),
         ['annotations[0]', 'outside the 100x120 image']),
        (lambda d: d['images'][0].pop('file_name'),
         ['images[0]', "no 'file_name' field"]),
        (lambda d: d['images'][0].pop('id'), ['images[0]', "no 'id' field"]),
        (lambda d: d['annotations'][0].pop('id'),
         ['annotations[0]', 'has no "id"']),
        (lambda d: d['annotations'][0]['keypoints'].__setitem__(
            3, float('nan')), ['annotations[0]', 'keypoint 2', 'NaN']),
        (lambda d: d['annotations'][0].update(bbox=[float('nan'), 10, 50, 50]),
         ['annotations[0]', 'box (nan 10 nan 60) is not finite']),
    ],
    ids=[
        'keypoint-count', 'bad-v', 'unknown-image', 'duplicate-id',
        'bad-names', 'degenerate-box', 'box-off-image', 'no-file-name',
        'no-image-id', 'no-annotation-id', 'nan-keypoint', 'nan-box'
    ])
def test_malformed_json_raises_with_location(tmp_path, mutate, words):
    upper = _broken(tmp_path, mutate)
    with pytest.raises(FashionAnnotationError) as e:
        FLDCocoDataset(ann_file=upper)
    msg = str(e.value)
    assert msg.startswith(upper + ':'), msg
    for word in words:
        assert word in msg, msg


def test_landmark_outside_image_is_kept_with_warning(tmp_path):
    upper = _broken(
        tmp_path,
        lambda d: d['annotations'][0]['keypoints'].__setitem__(0, 150))
    with pytest.warns(UserWarning) as record:
        dataset = FLDCocoDataset(ann_file=upper)
    messages = ' '.join(str(w.message) for w in record)
    assert '1 visible landmark(s) lie outside the image' in messages
    assert '1 visible landmark(s) lie outside their box' in messages
    assert dataset.get_data_info(0)['keypoints'][0, 0, 0] == 150


def test_invalid_json_names_the_file(tmp_path):
    path = tmp_path / 'fld_upper_test.json'
    path.write_text('{"images": [')
    with pytest.raises(FashionAnnotationError) as e:
        FLDCocoDataset(ann_file=str(path))
    assert str(e.value).startswith(f'{path}: not valid json')


def test_file_without_annotations_is_named(tmp_path):
    path = coco_file(tmp_path / 'fld_upper_val.json', UPPER_NAMES, [],
                     _images(1))
    with pytest.raises(FashionAnnotationError) as e:
        FLDCocoDataset(ann_file=path)
    assert str(e.value).startswith(f'{path}: FLDCocoDataset: no annotation')


def test_mmpose_arguments_reach_the_base(tmp_path):
    _upper_lower(tmp_path)
    files = ['fld_upper_test.json', 'fld_lower_test.json']
    dataset = FLDCocoDataset(
        ann_file=files, data_root=str(tmp_path), sample_interval=2)
    assert len(dataset) == 1 and dataset.get_data_info(0)['img_id'] == 2
    with pytest.raises(ValueError, match='bbox_file'):
        FLDCocoDataset(
            ann_file=files,
            data_root=str(tmp_path),
            bbox_file='dets.json',
            test_mode=True)


def test_bad_image_file_in_the_pipeline_is_named(tmp_path):
    """FLDCocoDataset names a bad image file like the raw readers do."""
    _upper_lower(tmp_path)
    image = tmp_path / 'img' / 'img_00000001.jpg'
    image.parent.mkdir(parents=True, exist_ok=True)
    image.write_bytes(b'')  # zero bytes
    dataset = FLDCocoDataset(
        ann_file='fld_upper_test.json',
        data_root=str(tmp_path),
        pipeline=[dict(type='LoadImage')])
    with pytest.raises(ImageFileError) as e:
        dataset[0]
    assert str(e.value).startswith(str(image) + ': ')
    assert 'Fix: ' in str(e.value)
