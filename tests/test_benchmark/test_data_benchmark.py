"""gle.benchmark data part: the benchmark data written from the demo tree,
and the authors'-style reference pipeline."""
import cv2
import numpy as np

from gle.benchmark import (AuthorsStylePipeline, prepare_fashion_data,
                           skimage_like_resize)


def test_authors_style_pipeline(tmp_path):
    dataset = prepare_fashion_data(str(tmp_path), 1)
    info = dataset.get_data_info(0)
    image, heatmaps, landmarks, visible = AuthorsStylePipeline()(info)
    assert image.shape == (3, 224, 224) and heatmaps.shape == (8, 224, 224)
    for k in np.flatnonzero(visible.numpy()):
        x, y = landmarks[k].tolist()
        if 0 <= x < 224 and 0 <= y < 224:  # exp(-d/16): ~1 at the landmark
            assert heatmaps[k, int(round(y)), int(round(x))] > 0.95
    img = np.random.default_rng(0).random((300, 150, 3))
    out = skimage_like_resize(img, (224, 224))
    assert out.shape == (224, 224, 3)
    assert img.min() <= out.min() and out.max() <= img.max()


def test_prepared_images_have_the_deepfashion_size(tmp_path):
    dataset = prepare_fashion_data(str(tmp_path), 2, longer_side=300)
    assert len(dataset) == 2
    for i in range(2):
        info = dataset.get_data_info(i)
        h, w = cv2.imread(info['img_path']).shape[:2]
        assert max(h, w) == 300
        x1, y1, x2, y2 = info['bbox'][0]
        assert 0 <= x1 < x2 <= w and 0 <= y1 < y2 <= h
