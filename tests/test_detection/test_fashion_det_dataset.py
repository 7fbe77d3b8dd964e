"""FashionDetDataset: the raw trees read as an mmdet detection dataset."""
import os
import os.path as osp

import pytest
from fashion_tree_utils import (DFC_LANDMARKS, FLD_LANDMARKS, write_dfc_tree,
                                write_fld_tree, write_images)
from mmdet.registry import DATASETS
from mmengine.registry import DefaultScope

import gle  # noqa: F401  (registration)
from gle.datasets import FashionAnnotationError, ImageFileError
from gle.detection import FashionDetDataset


def _names(rows):
    return [r.split()[0] for r in rows]


def test_registered_in_mmdet_with_metainfo():
    assert DATASETS.get('FashionDetDataset') is FashionDetDataset
    meta = FashionDetDataset.METAINFO
    assert meta['classes'] == ('upper', 'lower', 'full')
    assert len(meta['palette']) == 3


def test_deepfashion_c_tree(tmp_path):
    write_dfc_tree(tmp_path)
    write_images(tmp_path, _names(DFC_LANDMARKS), size=(300, 200))
    # as mmdet configs build it (default_scope='mmdet'), whatever scope
    # earlier tests left
    with DefaultScope.overwrite_default_scope('mmdet'):
        ds = DATASETS.build(
            dict(
                type='FashionDetDataset',
                data_root=str(tmp_path),
                split='test'))
    assert len(ds) == 2
    dress, tee = ds.get_data_info(0), ds.get_data_info(1)
    assert dress['img_id'] == 3 and tee['img_id'] == 4  # landmark file rows
    assert dress['img_path'] == osp.join(
        str(tmp_path), 'img/Floral_Maxi_Dress/img_00000002.jpg')
    assert (dress['width'], dress['height']) == (300, 200)
    assert dress['instances'] == [
        dict(bbox=[30., 5., 90., 100.], bbox_label=2, ignore_flag=0)
    ]
    assert tee['instances'][0]['bbox_label'] == 0  # upper
    assert tee['clothes_type'] == 1 and tee['variation_type'] == 0
    assert ds.get_cat_ids(0) == [2]

    train = FashionDetDataset(str(tmp_path), split='train')
    assert [d['instances'][0]['bbox_label'] for d in train] == [0, 1]


def test_fld_tree_and_format_check(tmp_path):
    write_fld_tree(tmp_path)
    write_images(tmp_path, _names(FLD_LANDMARKS), size=(60, 80))
    ds = FashionDetDataset(
        str(tmp_path), split='val', fmt='fld', num_workers=1)
    assert [d['instances'][0]['bbox_label'] for d in ds] == [0, 1]
    assert [d['variation_type'] for d in ds] == [1, 5]
    # the shared parser's error: an FLD file is not DeepFashion-C
    with pytest.raises(FashionAnnotationError, match='variation_type'):
        FashionDetDataset(str(tmp_path), split='val', fmt='deepfashion-c')
    with pytest.raises(ValueError, match='fmt'):
        FashionDetDataset(str(tmp_path), fmt='coco')
    # metainfo without reading anything (what init_detector does)
    lazy = FashionDetDataset(str(tmp_path / 'missing'), lazy_init=True)
    assert lazy.metainfo['classes'] == ('upper', 'lower', 'full')


def test_unreadable_image_located_or_skipped(tmp_path):
    write_fld_tree(tmp_path)
    write_images(tmp_path, _names(FLD_LANDMARKS), size=(60, 80))
    os.remove(tmp_path / 'img' / 'img_00000002.jpg')
    with pytest.raises(FashionAnnotationError) as info:
        FashionDetDataset(str(tmp_path), split='val', fmt='fld')
    message = str(info.value)
    assert 'list_bbox.txt:4' in message and 'img_00000002.jpg' in message
    assert 'skip_invalid=True' in message
    with pytest.warns(UserWarning, match='skipped 1 unreadable'):
        ds = FashionDetDataset(
            str(tmp_path), split='val', fmt='fld', skip_invalid=True)
    assert [d['img_id'] for d in ds] == [1]


def test_box_off_image_follows_the_geometry_policy(tmp_path):
    write_dfc_tree(tmp_path)
    # 60 px wide: the blouse box (x1 = 72) lies outside its image
    write_images(tmp_path, _names(DFC_LANDMARKS), size=(60, 300))
    with pytest.raises(FashionAnnotationError, match='list_bbox.txt:3'):
        FashionDetDataset(str(tmp_path), split='train')
    with pytest.warns(UserWarning, match='box off the image'):
        ds = FashionDetDataset(str(tmp_path), split='train', skip_invalid=True)
    assert [d['img_id'] for d in ds] == [2]


def test_empty_split_and_truncated_image(tmp_path):
    write_fld_tree(tmp_path)
    write_images(tmp_path, _names(FLD_LANDMARKS), size=(60, 80))
    with pytest.raises(FashionAnnotationError) as info:
        FashionDetDataset(str(tmp_path), split='test', fmt='fld')
    assert "split 'test' is empty" in str(info.value)
    assert info.value.file.endswith('list_eval_partition.txt')
    # the header (all the dataset reads at load time) survives a truncation,
    # the pipeline's decoder does not
    path = tmp_path / 'img' / 'img_00000003.jpg'
    data = path.read_bytes()
    path.write_bytes(data[:len(data) // 2])
    ds = FashionDetDataset(
        str(tmp_path),
        split='train',
        fmt='fld',
        pipeline=[dict(type='mmdet.LoadImageFromFile')])
    with pytest.raises(
            ImageFileError,
            match='img_00000003.jpg: the image '
            'file is unreadable'):
        ds[0]
