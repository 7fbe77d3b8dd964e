"""tools/dataset_converters/fashion_raw_to_coco.py: raw tree -> COCO json ->
FLDCocoDataset gives the raw reader's data_list field for field; MMPose's
own DeepFashionDataset reads the per-type files and MMPose's browse_dataset
draws them with a stock MMPose config."""
import json
import os
import os.path as osp
import subprocess
import sys

import mmpose
import numpy as np
import pytest
from fashion_tree_utils import write_images, write_tree
from mmpose.datasets import DeepFashionDataset

from gle.datasets import (CLOTHES_TYPE_SLOTS, DeepFashionCDataset,
                          FashionAnnotationError, FLDCocoDataset, FLDDataset)

REPO = osp.abspath(osp.join(osp.dirname(__file__), '..', '..'))
TOOL = osp.join(REPO, 'tools', 'dataset_converters', 'fashion_raw_to_coco.py')
DEMO = osp.join(REPO, 'demo', 'data', 'fashion_demo')
MMPOSE_DIR = osp.join(osp.dirname(mmpose.__file__), '.mim')
TYPES = {1: 'upper', 2: 'lower', 3: 'full'}
SPLITS = ('train', 'val', 'test')

sys.path.insert(0, osp.dirname(TOOL))
import fashion_raw_to_coco  # noqa: E402


@pytest.fixture(scope='module')
def demo_json(tmp_path_factory):
    """The bundled DeepFashion-C-format demo tree, converted with exactly
    the documented command line."""
    out = tmp_path_factory.mktemp('demo_json')
    fashion_raw_to_coco.main(
        [DEMO, '--format', 'deepfashion-c', '--out-dir',
         str(out)])
    return out


def raw_list(dataset_cls, root, split):
    dataset = dataset_cls(
        data_root=str(root), split=split, test_mode=True, serialize_data=False)
    return [dataset.get_data_info(i) for i in range(len(dataset))]


def coco_list(root, files):
    dataset = FLDCocoDataset(
        data_root=str(root),
        ann_file=[str(f) for f in files],
        data_prefix=dict(img=''),
        test_mode=True,
        serialize_data=False)
    return [dataset.get_data_info(i) for i in range(len(dataset))]


def write_fld_rows(root, landmarks, split):
    """An FLD tree of ``landmarks`` rows, every item boxed ``2 2 48 78``
    and in ``split``.

    Returns:
        list[str]: The image names of the rows.
    """
    names = [row.split()[0] for row in landmarks]
    write_tree(
        root,
        landmarks, [f'{n} 2 2 48 78' for n in names],
        [f'{n} {split}' for n in names],
        fld=True)
    return names


def assert_same_entries(raw, coco):
    """Every data_list field but raw_ann_info (the source's own record) and
    the fields mmengine adds per dataset (sample_idx)."""
    assert len(raw) == len(coco) > 0
    skip = {'raw_ann_info', 'sample_idx'}
    for a, b in zip(raw, coco):
        assert set(a) - skip == set(b) - skip
        for key in set(a) - skip:
            if isinstance(a[key], np.ndarray):
                assert a[key].dtype == b[key].dtype, key
                np.testing.assert_array_equal(a[key], b[key], err_msg=key)
            else:
                assert a[key] == b[key], key
                assert isinstance(b[key], type(a[key])), key


def test_demo_round_trip_unified_and_per_type(demo_json):
    names = sorted(os.listdir(demo_json))
    assert names == sorted(f'deepfashion-c_{kind}_{split}.json'
                           for kind in ('upper', 'lower', 'full', 'unified')
                           for split in SPLITS)
    for split in SPLITS:
        raw = raw_list(DeepFashionCDataset, DEMO, split)
        unified = coco_list(
            DEMO, [demo_json / f'deepfashion-c_unified_{split}.json'])
        assert_same_entries(raw, unified)
        per_type = coco_list(DEMO, [
            demo_json / f'deepfashion-c_{t}_{split}.json'
            for t in TYPES.values()
        ])
        assert_same_entries(
            sorted(raw, key=lambda e: (e['clothes_type'], e['id'])), per_type)


def test_per_type_files_follow_mmpose_fld_layout(demo_json):
    data = json.loads((demo_json / 'deepfashion-c_lower_val.json').read_text())
    (cat, ) = data['categories']
    assert cat['id'] == 1 and cat['keypoints'] == [
        'left waistline', 'right waistline', 'left hem', 'right hem'
    ]
    image, ann = data['images'][0], data['annotations'][0]
    assert image['file_name'].startswith('img/Demo_')
    assert osp.isfile(osp.join(DEMO, image['file_name']))
    import cv2
    height, width = cv2.imread(osp.join(DEMO, image['file_name'])).shape[:2]
    assert (image['width'], image['height']) == (width, height)
    assert len(ann['keypoints']) == 12 and ann['category_id'] == 1
    assert ann['num_keypoints'] == sum(v > 0 for v in ann['keypoints'][2::3])


def test_mmpose_deepfashion_dataset_reads_the_per_type_files(demo_json):
    for ctype, subset in TYPES.items():
        raw = [
            e for e in raw_list(DeepFashionCDataset, DEMO, 'test')
            if e['clothes_type'] == ctype
        ]
        dataset = DeepFashionDataset(
            ann_file=str(demo_json / f'deepfashion-c_{subset}_test.json'),
            subset=subset,
            data_root=DEMO,
            data_prefix=dict(img=''),
            test_mode=True,
            serialize_data=False)
        assert dataset.metainfo['num_keypoints'] == len(
            CLOTHES_TYPE_SLOTS[ctype])
        ours = {e['id']: e for e in raw}
        theirs = [dataset.get_data_info(i) for i in range(len(dataset))]
        # MMPose drops items with no labelled landmark (COCO num_keypoints
        # 0); the demo has none
        assert sorted(e['id'] for e in theirs) == sorted(ours)
        for entry in theirs:
            mine = ours[entry['id']]
            slots = list(CLOTHES_TYPE_SLOTS[ctype])
            assert osp.abspath(entry['img_path']) == mine['img_path']
            np.testing.assert_array_equal(entry['keypoints'],
                                          mine['keypoints'][:, slots])
            # MMPose's visibility is v > 0: visible or occluded
            np.testing.assert_array_equal(
                entry['keypoints_visible'],
                np.isin(mine['visibility_codes'][:, slots],
                        (0, 1)).astype(np.float32))
            np.testing.assert_array_equal(entry['bbox'], mine['bbox'])


def test_fld_tree_keeps_variation_occlusion_and_truncated_coords(
        tmp_path, monkeypatch):
    # the worker pool and progress bar of big trees, on this small one
    monkeypatch.setattr(fashion_raw_to_coco, 'PROGRESS_MIN_IMAGES', 1)
    root = tmp_path / 'fld'
    landmarks = [
        # upper, variation 4; right sleeve truncated WITH coordinates
        'img/img_00000001.jpg 1 4 0 10 12 0 40 12 1 5 30 2 45 31 0 8 58 '
        '0 38 58',
        # lower, variation 2; truncated at 0 0 (MMPose's 0, 0, 0)
        'img/img_00000002.jpg 2 2 0 12 5 2 0 0 1 10 70 0 41 71',
        # full, variation 5, all occluded: kept, never visible
        'img/img_00000003.jpg 3 5 ' + ' '.join(['1 20 20'] * 8),
    ]
    names = write_fld_rows(root, landmarks, 'test')
    write_images(root, names, size=(50, 80))
    written = fashion_raw_to_coco.convert(
        str(root), 'fld', str(tmp_path / 'out'), splits=['test'], workers=2)
    assert set(map(osp.basename, written)) == {
        f'fld_{t}_test.json'
        for t in ('upper', 'lower', 'full', 'unified')
    }
    raw = raw_list(FLDDataset, root, 'test')
    coco = coco_list(root, [tmp_path / 'out' / 'fld_unified_test.json'])
    assert_same_entries(raw, coco)
    assert [e['variation_type'] for e in coco] == [4, 2, 5]
    upper = json.loads((tmp_path / 'out' / 'fld_upper_test.json').read_text())
    # v: visible 2, occluded 1, truncated 0 (coordinates as annotated)
    assert upper['annotations'][0]['keypoints'][9:12] == [45, 31, 0]
    assert upper['annotations'][0]['keypoints'][6:9] == [5, 30, 1]
    assert upper['annotations'][0]['num_keypoints'] == 5
    lower = json.loads((tmp_path / 'out' / 'fld_lower_test.json').read_text())
    assert lower['annotations'][0]['keypoints'][3:6] == [0, 0, 0]


def test_img_prefix_makes_paths_relative_to_the_image_folder(tmp_path):
    written = fashion_raw_to_coco.convert(
        DEMO,
        'deepfashion-c',
        str(tmp_path),
        prefix='demo',
        splits=['val'],
        img_prefix='img/')
    assert osp.join(str(tmp_path), 'demo_full_val.json') in written
    data = json.loads((tmp_path / 'demo_unified_val.json').read_text())
    assert data['images'][0]['file_name'].startswith('Demo_')
    dataset = FLDCocoDataset(
        data_root=DEMO,
        ann_file=str(tmp_path / 'demo_unified_val.json'),
        data_prefix=dict(img='img/'),
        test_mode=True)
    assert_same_entries(
        raw_list(DeepFashionCDataset, DEMO, 'val'),
        [dataset.get_data_info(i) for i in range(len(dataset))])
    with pytest.raises(SystemExit, match="not under --img-prefix 'images/'"):
        fashion_raw_to_coco.convert(
            DEMO,
            'deepfashion-c',
            str(tmp_path),
            splits=['val'],
            img_prefix='images/')


def test_missing_image_and_malformed_line_are_named(tmp_path):
    root = tmp_path / 'fld'
    landmarks = [
        'img/img_00000001.jpg 1 1 ' + ' '.join(['0 10 10'] * 6),
        'img/img_00000002.jpg 2 1 ' + ' '.join(['0 10 10'] * 4),
    ]
    names = write_fld_rows(root, landmarks, 'train')
    write_images(root, names[:1])
    with pytest.raises(SystemExit) as error:
        fashion_raw_to_coco.main(
            [str(root), '--format', 'fld', '--out-dir',
             str(tmp_path / 'out')])
    message = str(error.value)
    assert '1 listed image(s) are missing or unreadable' in message
    assert osp.join(str(root), 'img', 'img_00000002.jpg') in message
    assert 'Fix: unpack img.zip' in message

    write_fld_rows(root, [landmarks[0], 'img/img_00000002.jpg 2 1 0 10'],
                   'train')
    with pytest.raises(FashionAnnotationError, match='list_landmarks.txt:4'):
        fashion_raw_to_coco.convert(str(root), 'fld', str(tmp_path / 'out'))


def test_mmpose_stock_config_browses_converted_deepfashion_c(
        demo_json, tmp_path):
    """The README command: MMPose's stock FLD config on DeepFashion-C json,
    drawn by MMPose's browse_dataset."""
    config = osp.join(MMPOSE_DIR, 'configs', 'fashion_2d_keypoint',
                      'topdown_heatmap', 'deepfashion',
                      'td-hm_res50_8xb64-210e_deepfashion_upper-256x192.py')
    proc = subprocess.run([
        sys.executable,
        osp.join(MMPOSE_DIR, 'tools', 'misc', 'browse_dataset.py'), config,
        '--output-dir', 'vis', '--not-show', '--phase', 'train', '--mode',
        'original', '--max-item-per-dataset', '2', '--cfg-options',
        f'train_dataloader.dataset.data_root={DEMO}',
        'train_dataloader.dataset.ann_file=' +
        str(demo_json / 'deepfashion-c_upper_train.json'),
        'train_dataloader.dataset.data_prefix.img='
    ],
                          cwd=str(tmp_path),
                          capture_output=True,
                          text=True,
                          timeout=300)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    files = sorted((tmp_path / 'vis').glob('*.jpg'))
    assert len(files) == 2
    import cv2
    img = cv2.imread(str(files[0]))
    assert img is not None and img.shape[0] > 100


def test_readme_overrides_build_stock_train_val_test_sets(tmp_path):
    """README: the stock FLD configs train on converted DeepFashion-C with
    data_root / ann_file overrides only (--img-prefix img/ matches their
    data_prefix)."""
    from mmengine.config import Config
    from mmpose.registry import DATASETS
    fashion_raw_to_coco.convert(
        DEMO, 'deepfashion-c', str(tmp_path), img_prefix='img/')
    for ctype, subset in TYPES.items():
        cfg = Config.fromfile(
            osp.join(
                MMPOSE_DIR, 'configs', 'fashion_2d_keypoint',
                'topdown_heatmap', 'deepfashion',
                f'td-hm_res50_8xb64-210e_deepfashion_{subset}-256x192.py'))
        overrides = {}
        for split in SPLITS:
            overrides[f'{split}_dataloader.dataset.data_root'] = DEMO
            overrides[f'{split}_dataloader.dataset.ann_file'] = str(
                tmp_path / f'deepfashion-c_{subset}_{split}.json')
        cfg.merge_from_dict(overrides)
        for split in SPLITS:
            dataset = DATASETS.build(cfg[f'{split}_dataloader'].dataset)
            raw = [
                e for e in raw_list(DeepFashionCDataset, DEMO, split)
                if e['clothes_type'] == ctype
            ]
            assert len(dataset) == len(raw) > 0
            sample = dataset[0]  # the stock pipeline loads the image
            assert sample['inputs'].shape[-2:] == (256, 192)
