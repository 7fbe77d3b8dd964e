"""DeepFashionCDataset / FLDDataset against hand-written expectations."""
import os.path as osp

import numpy as np
import pytest
from fashion_tree_utils import write_dfc_tree, write_fld_tree
from mmpose.registry import DATASETS

from gle.datasets import (FASHION_META_KEYS, FASHION_METAINFO, LANDMARK_NAMES,
                          DeepFashionCDataset, FLDDataset)
from gle.detection import FashionDetDataset

ENTRY_KEYS = {
    'img_id', 'img_path', 'bbox', 'bbox_score', 'keypoints',
    'keypoints_visible', 'num_keypoints', 'id', 'category_id', 'clothes_type',
    'variation_type', 'visibility_codes', 'raw_ann_info'
}


def expected_entry(root, row, name, split, clothes, variation, kpts, codes,
                   bbox, lines):
    codes = np.array(codes, dtype=np.int32).reshape(1, 8)
    return dict(
        img_id=row,
        id=row,
        img_path=osp.join(str(root), name),
        bbox=np.array([bbox], dtype=np.float32),
        bbox_score=np.ones(1, dtype=np.float32),
        keypoints=np.array([kpts], dtype=np.float32),
        keypoints_visible=(codes == 0).astype(np.float32),
        num_keypoints=int((codes == 0).sum()),
        category_id=1,
        clothes_type=clothes,
        variation_type=variation,
        visibility_codes=codes,
        raw_ann_info=dict(
            image_name=name,
            split=split,
            landmark_line=lines,
            bbox_line=lines,
            partition_line=lines))


def assert_entry_equal(entry, expected):
    assert set(entry) == ENTRY_KEYS
    for key, value in expected.items():
        if isinstance(value, np.ndarray):
            assert entry[key].dtype == value.dtype, key
            np.testing.assert_array_equal(entry[key], value, err_msg=key)
        else:
            assert entry[key] == value, key


Z = [0, 0]

DFC_EXPECTED = {
    'train': [
        (1, 'img/Sheer_Pleated-Front_Blouse/img_00000001.jpg',
         1, 0, [[146, 102], [173, 95], [94, 242], Z, Z, Z, [136, 229],
                [171, 229]], [0, 0, 1, 2, -1, -1, 0, 0], [72, 79, 232, 273]),
        (2, 'img/Striped_A-Line_Skirt/img_00000001.jpg', 2, 0,
         [Z, Z, Z, Z, [10, 20], [30, 20], [12, 80],
          [28, 82]], [-1, -1, -1, -1, 0, 1, 0, 0], [0, 0, 40, 90]),
    ],
    'val': [],
    'test': [
        (3, 'img/Floral_Maxi_Dress/img_00000002.jpg', 3, 0,
         [[50, 10], [70, 11], [40, 30], [80, 31], Z, [75, 50], [45, 90],
          [78, 92]], [0, 1, 0, 0, 2, 0, 1, 0], [30, 5, 90, 100]),
        (4, 'img/Basic_Tee/img_00000003.jpg', 1, 0, [[5, 6], [25, 6], [2, 20],
                                                     [30, 20], Z, Z, [8, 50],
                                                     [22, 50]],
         [0, 0, 0, 0, -1, -1, 0, 0], [0, 0, 35, 55]),
    ],
}

FLD_EXPECTED = {
    'train': [
        (3, 'img/img_00000003.jpg', 3, 3, [[20, 8], [35, 8], [12,
                                                              25], [44, 26],
                                           [22, 40], [36, 41], [18, 75],
                                           [40, 76]], [0, 0, 0, 0, 0, 1, 0,
                                                       0], [10, 5, 50, 78]),
    ],
    'val': [
        (1, 'img/img_00000001.jpg', 1, 1, [[10, 12],
                                           [40, 12], [5, 30], [45,
                                                               31], Z, Z, Z,
                                           [38,
                                            58]], [0, 0, 1, 0, -1, -1, 2,
                                                   0], [2, 4, 50, 62]),
        (2, 'img/img_00000002.jpg', 2, 5,
         [Z, Z, Z, Z, [12, 5], [40, 6], [10, 70],
          [41, 71]], [-1, -1, -1, -1, 0, 0, 1, 0], [0, 0, 50, 75]),
    ],
    'test': [],
}


@pytest.mark.parametrize('split', ['train', 'val', 'test'])
@pytest.mark.parametrize(
    'cls, writer, expected',
    [(DeepFashionCDataset, write_dfc_tree, DFC_EXPECTED),
     (FLDDataset, write_fld_tree, FLD_EXPECTED)],
    ids=['deepfashion-c', 'fld'])
def test_entries_match_hand_written(tmp_path, cls, writer, expected, split):
    writer(tmp_path)
    dataset = cls(data_root=str(tmp_path), split=split, serialize_data=False)
    assert len(dataset) == len(expected[split])
    for entry, exp in zip(dataset.data_list, expected[split]):
        row, name, clothes, variation, kpts, codes, bbox = exp
        assert_entry_equal(
            entry,
            expected_entry(tmp_path, row, name, split, clothes, variation,
                           kpts, codes, bbox, row + 2))


def test_absent_slots_never_visible_with_box_at_origin(tmp_path):
    write_dfc_tree(tmp_path)
    dataset = DeepFashionCDataset(data_root=str(tmp_path), split='test')
    tee = dataset.get_data_info(1)  # upper item, box (0, 0, 35, 55)
    assert tee['bbox'][0, :2].tolist() == [0, 0]
    # waistline slots are absent: (0, 0) lies inside the box, yet never
    # visible (the authors' phantom-landmark bug)
    assert tee['keypoints'][0, 4:6].tolist() == [[0, 0], [0, 0]]
    assert tee['keypoints_visible'][0, 4:6].tolist() == [0, 0]
    assert tee['visibility_codes'][0, 4:6].tolist() == [-1, -1]


def test_metainfo_and_data_info(tmp_path):
    # the default metainfo is the package's dict, no file outside it
    assert DeepFashionCDataset.METAINFO is FASHION_METAINFO
    assert FLDDataset.METAINFO is FASHION_METAINFO
    write_fld_tree(tmp_path)
    dataset = DATASETS.build(
        dict(type='FLDDataset', data_root=str(tmp_path), split='val'))
    meta = dataset.metainfo
    assert meta['dataset_name'] == 'gle_fashion_landmarks'
    assert [meta['keypoint_id2name'][i]
            for i in range(8)] == list(LANDMARK_NAMES)
    assert meta['flip_indices'] == [1, 0, 3, 2, 5, 4, 7, 6]
    assert {tuple(sorted(p))
            for p in meta['flip_pairs']} == {(0, 1), (2, 3), (4, 5), (6, 7)}
    np.testing.assert_array_equal(meta['keypoint_colors'][0::2],
                                  [[255, 255, 0]] * 4)  # left: yellow
    np.testing.assert_array_equal(meta['keypoint_colors'][1::2],
                                  [[255, 0, 0]] * 4)  # right: red
    assert meta['dataset_keypoint_weights'].tolist() == [1.0] * 8
    assert meta['sigmas'].shape == (8, )
    info = dataset.get_data_info(0)
    assert info['flip_indices'] == [1, 0, 3, 2, 5, 4, 7, 6]
    assert info['dataset_name'] == 'gle_fashion_landmarks'
    # the pipeline's meta keys carry the per-sample types
    assert FASHION_META_KEYS[-2:] == ('clothes_type', 'variation_type')
    assert 'img_path' in FASHION_META_KEYS


def test_standard_dataset_args(tmp_path):
    write_dfc_tree(tmp_path)
    lazy = DeepFashionCDataset(
        data_root=str(tmp_path), split='test', lazy_init=True)
    assert not lazy._fully_initialized
    assert len(lazy) == 2  # loads on demand
    first = DeepFashionCDataset(
        data_root=str(tmp_path), split='test', indices=1)
    assert len(first) == 1 and first[0]['img_id'] == 3
    bottomup = DeepFashionCDataset(
        data_root=str(tmp_path), split='train', data_mode='bottomup')
    assert len(bottomup) == 2
    assert bottomup.get_data_info(1)['keypoints'].shape == (1, 8, 2)
    relative = DeepFashionCDataset(
        data_root=osp.relpath(str(tmp_path)), split='test')
    assert osp.isabs(relative.get_data_info(0)['img_path'])


def test_annotation_file_overrides(tmp_path):
    write_fld_tree(tmp_path / 'elsewhere')
    anno = tmp_path / 'elsewhere'
    dataset = FLDDataset(
        data_root=str(tmp_path),
        split='train',
        ann_file=str(anno / 'Anno' / 'list_landmarks.txt'),
        bbox_ann_file=str(anno / 'Anno' / 'list_bbox.txt'),
        partition_file=str(anno / 'Eval' / 'list_eval_partition.txt'))
    assert len(dataset) == 1
    assert dataset[0]['img_path'] == osp.join(
        str(tmp_path), 'img/img_00000003.jpg')


@pytest.mark.parametrize('cls',
                         [DeepFashionCDataset, FLDDataset, FashionDetDataset])
def test_invalid_split(tmp_path, cls):
    with pytest.raises(ValueError) as e:
        cls(data_root=str(tmp_path), split='validation')
    msg = str(e.value)
    assert '"split"' in msg and "'validation'" in msg
    assert "'train', 'val', 'test'" in msg


@pytest.mark.parametrize('extra, words', [
    (dict(sample_interval=2), 'indices='),
    (dict(bbox_file='dets.json', test_mode=True), 'bbox_file')
])
def test_unsupported_mmpose_arguments(tmp_path, extra, words):
    write_dfc_tree(tmp_path)
    with pytest.raises(ValueError, match=words):
        DeepFashionCDataset(data_root=str(tmp_path), **extra)
