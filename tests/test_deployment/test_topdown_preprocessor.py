"""TopdownPreprocessor (numpy/cv2) against mmpose's test pipeline +
PoseDataPreprocessor, for the configs' crops and mmpose's aspect-keeping
and UDP warps."""
import copy
import os.path as osp

import cv2
import numpy as np
import pytest
from deploy_checkpoints import DEMO_CONFIG, PAPER_K2, SAMPLE_DIR
from mmengine.config import Config
from mmengine.dataset import Compose, pseudo_collate
from mmpose.registry import MODELS

from gle.deployment import TopdownPreprocessor


def _config(path, affine=None, **affine_kwargs):
    cfg = Config.fromfile(path)
    if affine is not None:
        pipeline = copy.deepcopy(cfg.test_dataloader.dataset.pipeline)
        pipeline[2] = dict(
            type=affine, input_size=pipeline[2]['input_size'], **affine_kwargs)
        cfg.test_dataloader.dataset.pipeline = pipeline
    return cfg


def _reference(cfg, img, boxes):
    """What mmpose.apis.inference_topdown feeds the network."""
    pipeline = Compose(cfg.test_dataloader.dataset.pipeline)
    samples = [
        pipeline(
            dict(
                img=img,
                bbox=box[None].astype(np.float32),
                bbox_score=np.ones(1, np.float32))) for box in boxes
    ]
    preprocessor = MODELS.build(cfg.model.data_preprocessor)
    batch = preprocessor(pseudo_collate(samples), False)
    metas = [s.metainfo for s in batch['data_samples']]
    return batch['inputs'].numpy(), metas


@pytest.fixture(scope='module')
def image():
    return cv2.imread(osp.join(SAMPLE_DIR, 'img_00000132.jpg'))


def _boxes(img):
    h, w = img.shape[:2]
    return np.array(
        [
            [10.3, 20.7, w - 15.2, h - 30.1],  # inside
            [-40., -25., w * 0.6, h * 0.5],  # partly off the image
            [w * 0.5, h * 0.1, w * 0.62, h * 0.95],  # tall and thin
        ],
        dtype=np.float32)


@pytest.mark.parametrize(
    'config, affine, kwargs', [
        (DEMO_CONFIG, None, {}),
        (PAPER_K2, None, {}),
        (PAPER_K2, 'TopdownAffine', {}),
        (DEMO_CONFIG, 'TopdownStretchAffine', dict(use_udp=True)),
        (DEMO_CONFIG, 'TopdownAffine', dict(use_udp=True)),
    ],
    ids=['demo', 'paper', 'aspect', 'stretch-udp', 'aspect-udp'])
def test_matches_mmpose_pipeline_and_data_preprocessor(image, config, affine,
                                                       kwargs):
    cfg = _config(config, affine, **kwargs)
    boxes = _boxes(image)
    ref, metas = _reference(cfg, image, boxes)
    pre = TopdownPreprocessor.from_config(cfg)
    inputs, centers, scales = pre(image, boxes)
    assert inputs.dtype == np.float32 and inputs.shape == ref.shape
    np.testing.assert_allclose(inputs, ref, rtol=0, atol=1e-5)
    np.testing.assert_allclose(
        centers, [m['input_center'] for m in metas], rtol=0, atol=1e-4)
    np.testing.assert_allclose(
        scales, [m['input_scale'] for m in metas], rtol=0, atol=1e-4)
    # the crops differ from box to box (not one constant image)
    assert np.abs(inputs[0] - inputs[1]).max() > 1


def test_settings_read_from_configs():
    demo = TopdownPreprocessor.from_config(Config.fromfile(DEMO_CONFIG))
    assert demo.to_dict() == dict(
        input_size=(96, 96),
        padding=1.2,
        affine='stretch',
        use_udp=False,
        mean=[123.675, 116.28, 103.53],
        std=[58.395, 57.12, 57.375],
        bgr_to_rgb=True)
    paper = TopdownPreprocessor.from_config(Config.fromfile(PAPER_K2))
    assert (paper.input_size, paper.padding) == ((224, 224), 1.0)
    aspect = TopdownPreprocessor.from_config(
        _config(PAPER_K2, 'TopdownAffine'))
    assert aspect.affine == 'aspect'


def test_grayscale_image_is_repeated_to_three_channels(image):
    cfg = Config.fromfile(DEMO_CONFIG)
    gray = cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
    pre = TopdownPreprocessor.from_config(cfg)
    boxes = _boxes(image)
    ref, _ = _reference(cfg, cv2.cvtColor(gray, cv2.COLOR_GRAY2BGR), boxes)
    for img in (gray, gray[..., None]):
        np.testing.assert_allclose(pre(img, boxes)[0], ref, atol=1e-5)


def test_no_boxes_means_the_whole_image(image):
    cfg = Config.fromfile(DEMO_CONFIG)
    pre = TopdownPreprocessor.from_config(cfg)
    h, w = image.shape[:2]
    whole = np.array([[0, 0, w, h]], np.float32)
    np.testing.assert_array_equal(pre(image)[0], pre(image, whole)[0])
    ref, _ = _reference(cfg, image, whole)
    np.testing.assert_allclose(pre(image)[0], ref, atol=1e-5)


def test_keypoints_to_image_inverts_the_crop(image):
    pre = TopdownPreprocessor.from_config(_config(PAPER_K2, 'TopdownAffine'))
    boxes = _boxes(image)
    _, centers, scales = pre(image, boxes)
    # the input's corners map to the corners of the (aspect-fixed) crop
    w, h = pre.input_size
    corners = np.array([[[0, 0], [w, h]]] * len(boxes), np.float32)
    mapped = pre.keypoints_to_image(corners, centers, scales)
    np.testing.assert_allclose(mapped[:, 0], centers - scales / 2, atol=1e-3)
    np.testing.assert_allclose(mapped[:, 1], centers + scales / 2, atol=1e-3)


@pytest.mark.parametrize('boxes, message', [
    ([[10, 10, 10, 50]], 'box 0 is empty'),
    ([[0, 0, 20, 20], [5, 40, 30, 30]], 'box 1 is empty'),
    ([[0, 0, np.nan, 20]], 'box 0 is not finite'),
    ([[0, 0, 20]], 'expected boxes as'),
])
def test_bad_boxes_are_named(image, boxes, message):
    pre = TopdownPreprocessor.from_config(Config.fromfile(DEMO_CONFIG))
    with pytest.raises(ValueError, match=message):
        pre(image, np.array(boxes, dtype=np.float32))


def test_bad_images_and_pipelines():
    pre = TopdownPreprocessor.from_config(Config.fromfile(DEMO_CONFIG))
    with pytest.raises(TypeError, match='numpy array'):
        pre('image.jpg')
    with pytest.raises(ValueError, match='BGR image'):
        pre(np.zeros((8, 8, 4), np.uint8))
    cfg = Config.fromfile(DEMO_CONFIG)
    cfg.test_dataloader.dataset.pipeline.insert(
        2, dict(type='RandomFlip', prob=1.))
    with pytest.raises(ValueError, match='has RandomFlip'):
        TopdownPreprocessor.from_config(cfg)
    cfg = Config.fromfile(DEMO_CONFIG)
    del cfg.test_dataloader.dataset.pipeline[1]
    with pytest.raises(ValueError, match='needs GetBBoxCenterScale'):
        TopdownPreprocessor.from_config(cfg)
