"""A dataset driven through mmpose's top-down test pipeline."""
import numpy as np
from fashion_tree_utils import write_fld_tree, write_images
from mmengine.registry import init_default_scope

from gle.datasets import FASHION_META_KEYS, FLDDataset


def test_pipeline_carries_types_and_original_frame(tmp_path):
    init_default_scope('mmpose')
    write_fld_tree(tmp_path)
    write_images(
        tmp_path, ['img/img_00000001.jpg', 'img/img_00000002.jpg'],
        size=(60, 80))
    pipeline = [
        dict(type='LoadImage'),
        dict(type='GetBBoxCenterScale'),
        dict(type='TopdownAffine', input_size=(64, 64)),
        dict(type='PackPoseInputs', meta_keys=FASHION_META_KEYS),
    ]
    dataset = FLDDataset(
        data_root=str(tmp_path),
        split='val',
        pipeline=pipeline,
        test_mode=True)
    assert len(dataset) == 2

    upper = dataset[0]
    assert tuple(upper['inputs'].shape) == (3, 64, 64)
    sample = upper['data_samples']
    assert sample.clothes_type == 1 and sample.variation_type == 1
    assert sample.img_path.endswith('img/img_00000001.jpg')
    assert sample.ori_shape == (80, 60)
    # ground truth stays in the original image frame
    np.testing.assert_array_equal(sample.gt_instances.keypoints,
                                  [[[10, 12], [40, 12], [5, 30], [45, 31],
                                    [0, 0], [0, 0], [0, 0], [38, 58]]])
    np.testing.assert_array_equal(sample.gt_instances.keypoints_visible,
                                  [[1, 1, 0, 1, 0, 0, 0, 1]])
    np.testing.assert_array_equal(sample.gt_instances.bboxes, [[2, 4, 50, 62]])

    lower = dataset[1]['data_samples']
    assert lower.clothes_type == 2 and lower.variation_type == 5
    as_dict = lower.to_dict()
    assert as_dict['clothes_type'] == 2 and as_dict['variation_type'] == 5
