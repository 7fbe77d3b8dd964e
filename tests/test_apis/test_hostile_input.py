"""Bad input to FashionLandmarkInferencer and its readers: boxes off the
image, landmarks outside it, boxes keyed by unknown names, bad image files,
outputs inside the input folder, files sharing a stem."""
import os
import os.path as osp

import cv2
import numpy as np
import pytest
from image_files import png_header
from log_capture import mmengine_messages
from random_checkpoints import (POSE_CONFIG, SAMPLE_DIR, SAMPLE_IMAGES,
                                save_random_checkpoints)

from gle.apis import (FashionLandmarkInferencer, InputError, find_inputs,
                      image_size, list_images, read_image)
from gle.apis.inputs import MAX_IMAGE_PIXELS, prediction_names


@pytest.fixture(scope='module')
def inferencer(tmp_path_factory):
    paths = save_random_checkpoints(tmp_path_factory.mktemp('ckpt'))
    return FashionLandmarkInferencer(POSE_CONFIG, paths['pose'])


@pytest.fixture(scope='module')
def image():
    return cv2.imread(osp.join(SAMPLE_DIR, SAMPLE_IMAGES[0]))  # 200 x 250


def run(inferencer, inputs, **kwargs):
    return [r['predictions'][0] for r in inferencer(inputs, **kwargs)]


def test_boxes_reaching_outside_are_clipped_with_a_warning(inferencer, image):
    with mmengine_messages() as log:
        [result] = run(
            inferencer,
            image,
            bboxes=[[[-10, -5, 150, 300, 'upper'], [20, 10, 180, 240]]])
    clipped, inside = result['instances']
    assert clipped['bbox'] == [0., 0., 150., 250.]
    assert inside['bbox'] == [20., 10., 180., 240.]
    [warning] = [m for m in log if 'reaches outside' in m]
    assert '000000.jpg: box 0 [-10.0, -5.0, 150.0, 300.0]' in warning
    assert '200x250 image' in warning and '[0.0, 0.0, 150.0, 250.0]' in warning


@pytest.mark.parametrize('row', [[300, 10, 400, 100], [-50, -50, -10, -10],
                                 [10, 249.5, 100, 300]])
def test_boxes_off_the_image_are_an_error(inferencer, image, row):
    with pytest.raises(InputError) as info:
        run(inferencer, image, bboxes=[[[20, 10, 180, 240], row]])
    message = str(info.value)
    assert f'000000.jpg: box 1 {[float(v) for v in row]}' in message
    assert 'lies outside the 200x250 image' in message


def test_landmarks_are_kept_inside_the_image_unless_asked(inferencer, image):
    height, width = image.shape[:2]
    [clipped] = run(inferencer, image, return_datasamples=True)
    [kept] = run(inferencer, image, return_datasamples=True, keep_outside=True)
    raw = kept.pred_instances.keypoints
    outside = kept.pred_instances.keypoints_outside
    # random weights on the whole image with a 20% margin: some landmarks
    # are predicted off the image
    assert outside.any() and not outside.all()
    x, y = raw[..., 0], raw[..., 1]
    np.testing.assert_array_equal(outside, (x < 0) | (y < 0) | (x > width - 1)
                                  | (y > height - 1))
    xy = clipped.pred_instances.keypoints
    assert (xy[..., 0] >= 0).all() and (xy[..., 0] <= width - 1).all()
    assert (xy[..., 1] >= 0).all() and (xy[..., 1] <= height - 1).all()
    np.testing.assert_array_equal(xy[~outside], raw[~outside])
    np.testing.assert_array_equal(xy[..., 0], np.clip(x, 0, width - 1))
    np.testing.assert_array_equal(xy[..., 1], np.clip(y, 0, height - 1))


def test_box_keys_matching_no_input_are_named(inferencer, tmp_path, image):
    for name in ('a/x.jpg', 'b/x.jpg', 'c.jpg'):
        os.makedirs(tmp_path / osp.dirname(name), exist_ok=True)
        cv2.imwrite(str(tmp_path / name), image)
    boxes = {
        'c.jpg': [[0, 0, 50, 50]],
        'x.jpg': [[0, 0, 60, 60]],
        'nowhere.jpg': [],
        'a/missing.png': []
    }
    with mmengine_messages() as log:
        results = run(inferencer, str(tmp_path), bboxes=boxes)
    [unmatched] = [m for m in log if 'not among the inputs' in m]
    assert "2 image(s)" in unmatched
    assert "'nowhere.jpg', 'a/missing.png'" in unmatched
    [ambiguous] = [m for m in log if 'used for 2 images' in m]
    assert "'x.jpg'" in ambiguous
    assert [r['image'] for r in results] == ['a/x.jpg', 'b/x.jpg', 'c.jpg']
    assert [r['instances'][0]['bbox'] for r in results] == [[0, 0, 60, 60],
                                                            [0, 0, 60, 60],
                                                            [0, 0, 50, 50]]


def test_bad_image_files(tmp_path, image):
    empty = tmp_path / 'empty.jpg'
    empty.write_bytes(b'')
    with pytest.raises(InputError, match=r'empty\.jpg: the file is empty'):
        read_image(str(empty))
    corrupt = tmp_path / 'corrupt.png'
    corrupt.write_bytes(b'\x89PNG not really')
    with pytest.raises(InputError, match='corrupt.png: not an image'):
        read_image(str(corrupt))
    # above our limit, under Pillow's own
    side = int(MAX_IMAGE_PIXELS**0.5) + 100
    png_header(tmp_path / 'big.png', side, side)
    # the size comes from the header, nothing is decoded
    assert image_size(str(tmp_path / 'big.png')) == (side, side)
    with pytest.raises(InputError, match=f'big.png: {side}x{side} pixels'):
        read_image(str(tmp_path / 'big.png'))
    # a header Pillow itself calls a decompression bomb
    png_header(tmp_path / 'bomb.png', 60000, 60000)
    with pytest.raises(InputError, match='bomb.png: too large'):
        read_image(str(tmp_path / 'bomb.png'))
    with pytest.raises(InputError, match='bomb.png: too large'):
        image_size(str(tmp_path / 'bomb.png'))
    # grayscale, 16-bit and RGBA files are read as 3-channel 8-bit BGR
    gray = cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
    cv2.imwrite(str(tmp_path / 'gray.png'), gray)
    cv2.imwrite(str(tmp_path / 'deep.png'), image.astype(np.uint16) * 257)
    cv2.imwrite(
        str(tmp_path / 'alpha.png'), cv2.cvtColor(image, cv2.COLOR_BGR2BGRA))
    for name in ('gray.png', 'deep.png', 'alpha.png'):
        read = read_image(str(tmp_path / name))
        assert read.shape == image.shape and read.dtype == np.uint8
    np.testing.assert_array_equal(
        read_image(str(tmp_path / 'deep.png')), image)


def test_folder_listing(tmp_path, image):
    for name in ('x.jpg', 'x.png', 'sub/y.JPG', '.hidden.jpg', 'notes.txt',
                 'out/vis/x.jpg', 'out/predictions/x.json'):
        os.makedirs(tmp_path / osp.dirname(name), exist_ok=True)
        if name.endswith(('jpg', 'JPG', 'png')):
            cv2.imwrite(str(tmp_path / name), image)
        else:
            (tmp_path / name).write_text('{}')
    assert list_images(
        str(tmp_path)) == ['out/vis/x.jpg', 'sub/y.JPG', 'x.jpg', 'x.png']
    out = tmp_path / 'out'
    kind, paths = find_inputs(
        str(tmp_path), str(out / 'vis'), str(out / 'predictions'))
    assert kind == 'folder'
    assert paths == [
        str(tmp_path / n) for n in ('sub/y.JPG', 'x.jpg', 'x.png')
    ]
    with pytest.raises(InputError, match='would overwrite the inputs'):
        find_inputs(str(out / 'vis'), str(out / 'vis'))
    assert prediction_names(['x.jpg', 'x.png', 'sub/y.JPG', 'sub/X.bmp']) == {
        'x.jpg': 'x.jpg.json',
        'x.png': 'x.png.json',
        'sub/y.JPG': 'sub/y.json',
        'sub/X.bmp': 'sub/X.json'
    }
    os.symlink('..', tmp_path / 'sub' / 'up')
    with pytest.raises(InputError, match='links to folders are followed'):
        list_images(str(tmp_path))


def test_unreadable_files_of_a_folder_are_skipped(inferencer, tmp_path, image):
    cv2.imwrite(str(tmp_path / 'good.jpg'), image)
    (tmp_path / 'empty.jpg').write_bytes(b'')
    png_header(tmp_path / 'bomb.png', 60000, 60000)
    with mmengine_messages() as log:
        results = run(inferencer, str(tmp_path))
    assert [r['image'] for r in results] == ['good.jpg']
    assert inferencer.skipped == ['bomb.png', 'empty.jpg']
    skipped = [m for m in log if m.startswith('skipped: ')]
    assert len(skipped) == 2 and 'bomb.png: too large' in skipped[0]
    # one image given by itself: its error is raised
    with pytest.raises(InputError, match='the file is empty'):
        run(inferencer, str(tmp_path / 'empty.jpg'))


def test_a_list_of_files_is_named_from_their_common_folder(
        inferencer, tmp_path, image):
    for name in ('a/x.jpg', 'b/x.jpg'):
        os.makedirs(tmp_path / osp.dirname(name))
        cv2.imwrite(str(tmp_path / name), image)
    out = tmp_path / 'out'
    results = run(
        inferencer, [str(tmp_path / 'a/x.jpg'),
                     str(tmp_path / 'b/x.jpg')],
        pred_out_dir=str(out / 'pred'),
        vis_out_dir=str(out / 'vis'))
    assert [r['image'] for r in results] == ['a/x.jpg', 'b/x.jpg']
    for name in ('pred/a/x.json', 'pred/b/x.json', 'vis/a/x.jpg',
                 'vis/b/x.jpg'):
        assert (out / name).is_file()


def _video(path, image, frames=3):
    height, width = image.shape[:2]
    writer = cv2.VideoWriter(
        str(path), cv2.VideoWriter_fourcc(*'MJPG'), 5, (width, height))
    for i in range(frames):
        writer.write(np.roll(image, 4 * i, axis=1))
    writer.release()
    return str(path)


def test_a_video_box_is_clipped_with_one_warning(inferencer, tmp_path, image):
    video = _video(tmp_path / 'clip.avi', image)
    with mmengine_messages() as log:
        frames = run(
            inferencer, video, bboxes={'clip.avi': [[-10, 0, 100, 100]]})
    assert [f['frame'] for f in frames] == [1, 2, 3]
    assert all(f['instances'][0]['bbox'] == [0, 0, 100, 100] for f in frames)
    [warning] = [m for m in log if 'reaches outside' in m]
    assert warning.startswith('clip.avi frame 1: box 0')


def test_an_interrupted_video_leaves_no_json(inferencer, tmp_path, image):
    video = _video(tmp_path / 'clip.avi', image)
    out = tmp_path / 'out'
    results = inferencer(
        video, pred_out_dir=str(out / 'pred'), vis_out_dir=str(out / 'vis'))
    next(results)
    assert (out / 'pred' / 'clip.json.part').is_file()  # streamed
    results.close()  # the caller stops after one frame
    assert list((out / 'pred').iterdir()) == []
    cap = cv2.VideoCapture(str(out / 'vis' / 'clip.avi'))
    assert cap.read()[0]  # the drawn frames so far are a playable video
    for _ in inferencer(video, pred_out_dir=str(out / 'pred')):
        pass
    assert [p.name for p in (out / 'pred').iterdir()] == ['clip.json']
