"""PairAwareHeatmap: bimodal pairs decode to two peaks, everything else
exactly as the wrapped codec, through mmpose's flip test too."""
import copy
import os.path as osp
import pickle

import numpy as np
import pytest
import torch
from mmengine.config import Config
from mmpose.models.heads import HeatmapHead
from mmpose.registry import KEYPOINT_CODECS
from mmpose.structures import PoseDataSample

import gle  # noqa: F401  (registration)
from gle.codecs import PairAwareHeatmap

CONFIGS = osp.join(osp.dirname(__file__), '..', '..', 'configs', 'gle')
# the paper configs' and the demo config's codecs, and two more at stride 1
MSRA_224 = Config.fromfile(
    osp.join(CONFIGS, 'td-hm_vgg16-gle2_1xb50-30e_deepfashion-c-224x224.py')
).codec.to_dict()
EXP_96 = Config.fromfile(
    osp.join(CONFIGS, 'td-hm_res18w32-gle2_1xb16-30e_fashion-demo-96x96.py')
).codec.to_dict()
MSRA_96 = dict(MSRA_224, input_size=(96, 96), heatmap_size=(96, 96), sigma=3)
EXP_224 = dict(
    EXP_96, input_size=(224, 224), heatmap_size=(224, 224), tau=16.0)
STRIDE_1 = [MSRA_96, MSRA_224, EXP_96, EXP_224]
GLE_FLIP = [1, 0, 3, 2, 5, 4, 7, 6]


def build(codec, **kwargs):
    return KEYPOINT_CODECS.build(
        dict(type='PairAwareHeatmap', codec=codec, **kwargs))


def peak(codec, x, y):
    """One channel with a single peak at input point (x, y), height 1."""
    inner = KEYPOINT_CODECS.build(codec)
    return inner.encode(np.array([[[x, y]]], dtype=np.float32))['heatmaps'][0]


def landmarks(codec, points=None):
    """Eight separate single peaks (a well-decoded item)."""
    w, h = codec['input_size']
    if points is None:
        points = [(w * (0.1 + 0.1 * k), h * (0.2 + 0.08 * k))
                  for k in range(8)]
    return np.stack([peak(codec, x, y) for x, y in points])


def hem_pair(codec, left, right):
    """Eight landmarks; the hem channels (6, 7) replaced by ``left`` and
    ``right``, each a list of ((x, y), height) peaks merged by maximum."""
    heatmaps = landmarks(codec)
    for channel, peaks in ((6, left), (7, right)):
        heatmaps[channel] = np.max(
            [height * peak(codec, x, y) for (x, y), height in peaks], axis=0)
    return heatmaps


def scaled(codec, frac_x, frac_y):
    w, h = codec['input_size']
    return (round(w * frac_x), round(h * frac_y))


@pytest.mark.parametrize('codec', STRIDE_1, ids=lambda c: c['type'][:4])
def test_bimodal_pair_decodes_to_two_distinct_peaks(codec):
    a, b = scaled(codec, 0.2, 0.75), scaled(codec, 0.75, 0.75)
    # both channels hold both hems, the left one a little higher everywhere
    heatmaps = hem_pair(codec, [(a, 1.0), (b, 0.9)], [(a, 0.95), (b, 0.9)])
    plain_kpts, plain_scores = KEYPOINT_CODECS.build(codec).decode(heatmaps)
    np.testing.assert_array_equal(plain_kpts[0, 6], a)  # the collapse
    np.testing.assert_array_equal(plain_kpts[0, 7], a)

    kpts, scores = build(codec).decode(heatmaps)
    # exact at stride 1: the peaks' pixel centres, the channels' own heights
    np.testing.assert_array_equal(kpts[0, 6], a)
    np.testing.assert_array_equal(kpts[0, 7], b)
    assert scores[0, 6] == plain_scores[0, 6] == pytest.approx(1.0)
    assert scores[0, 7] == pytest.approx(0.9)
    # the other pairs are untouched
    np.testing.assert_array_equal(kpts[0, :6], plain_kpts[0, :6])
    np.testing.assert_array_equal(scores[0, :6], plain_scores[0, :6])


@pytest.mark.parametrize('codec', [MSRA_96, EXP_96], ids=['MSRA', 'Exp'])
def test_assignment_follows_the_channels_own_scores(codec):
    a, b = scaled(codec, 0.2, 0.75), scaled(codec, 0.75, 0.75)
    # both maxima on A, but the left channel is almost as high on B and the
    # right one is not: left -> B, right keeps A
    heatmaps = hem_pair(codec, [(a, 1.0), (b, 0.99)], [(a, 1.0), (b, 0.5)])
    plain_kpts, plain_scores = KEYPOINT_CODECS.build(codec).decode(heatmaps)
    kpts, scores = build(codec).decode(heatmaps)
    np.testing.assert_array_equal(kpts[0, 6], b)
    assert scores[0, 6] == pytest.approx(0.99)
    np.testing.assert_array_equal(kpts[0, 7], plain_kpts[0, 7])
    assert scores[0, 7] == plain_scores[0, 7]


@pytest.mark.parametrize('mirror', [False, True])
def test_exact_tie_puts_left_on_the_image_left(mirror):
    codec = MSRA_96
    a, b = scaled(codec, 0.2, 0.75), scaled(codec, 0.75, 0.75)
    if mirror:  # the higher peak on the image right
        a, b = b, a
    same = [(a, 1.0), (b, 0.9)]
    kpts, _ = build(codec).decode(hem_pair(codec, same, same))
    assert kpts[0, 6, 0] < kpts[0, 7, 0]
    assert {tuple(kpts[0, 6]), tuple(kpts[0, 7])} == {a, b}


@pytest.mark.parametrize('codec', STRIDE_1, ids=lambda c: c['type'][:4])
def test_unimodal_pairs_decode_bit_identically(codec):
    inner = KEYPOINT_CODECS.build(codec)
    wrapper = build(codec)
    a, b = scaled(codec, 0.2, 0.75), scaled(codec, 0.75, 0.75)
    rng = np.random.RandomState(0)
    cases = [
        landmarks(codec),  # every pair apart
        # both hems on one single peak: a collapse with nothing to split
        hem_pair(codec, [(a, 1.0)], [(a, 0.8)]),
        # a second bump under min_peak_ratio (0.5) of the summed map
        hem_pair(codec, [(a, 1.0), (b, 0.3)], [(a, 1.0), (b, 0.3)]),
        # noisy heatmaps of a decent model
        landmarks(codec) + rng.normal(0, 0.02, (8, ) + codec['heatmap_size'])
    ]
    for heatmaps in cases:
        heatmaps = heatmaps.astype(np.float32)
        expected = inner.decode(heatmaps)
        got = wrapper.decode(heatmaps)
        for e, g in zip(expected, got):
            assert e.dtype == g.dtype
            np.testing.assert_array_equal(e, g)
    # switched off: the wrapped codec's output even when it collapses
    heatmaps = hem_pair(codec, [(a, 1.0), (b, 0.9)], [(a, 0.95), (b, 0.9)])
    for e, g in zip(
            inner.decode(heatmaps),
            build(codec, pair_aware=False).decode(heatmaps)):
        np.testing.assert_array_equal(e, g)


def test_stride_4_scales_like_the_wrapped_codec():
    codec = dict(
        type='MSRAHeatmap',
        input_size=(96, 96),
        heatmap_size=(24, 24),
        sigma=2)
    wrapper = build(codec)
    assert wrapper.min_distance == 2  # 5% of 24, at least 2
    a, b = (20, 72), (68, 72)  # heatmap pixels (5, 18) and (17, 18)
    heatmaps = hem_pair(codec, [(a, 1.0), (b, 0.9)], [(a, 0.95), (b, 0.9)])
    kpts, _ = wrapper.decode(heatmaps)
    np.testing.assert_array_equal(kpts[0, 6], a)
    np.testing.assert_array_equal(kpts[0, 7], b)


def test_dark_refinement_of_the_moved_landmark():
    codec = dict(MSRA_96, unbiased=True, blur_kernel_size=11)
    inner = KEYPOINT_CODECS.build(codec)
    a, b = (20.3, 70.6), (70.4, 70.2)  # sub-pixel points
    heatmaps = hem_pair(codec, [(a, 1.0), (b, 0.9)], [(a, 0.95), (b, 0.9)])
    kpts, _ = build(codec).decode(heatmaps)
    alone, _ = inner.decode(peak(codec, *b)[None])
    np.testing.assert_allclose(kpts[0, 7], alone[0, 0], atol=0.05)
    assert np.abs(kpts[0, 6] - a).max() < 0.5


def _flip_test_head(decoder):
    """mmpose's stock HeatmapHead whose forward returns its input, so that
    hand-made heatmaps go through its flip test and decoding."""
    head = HeatmapHead(
        in_channels=8,
        out_channels=8,
        deconv_out_channels=None,
        final_layer=None,
        decoder=decoder)
    head.forward = lambda feats: feats[-1]
    return head


def test_flip_test_evidence_decides_the_assignment():
    codec = MSRA_96
    a, b = (20, 72), (70, 72)
    # the image: both hem channels identical (a tie: left -> image left)
    image = hem_pair(codec, [(a, 1.0), (b, 0.9)], [(a, 1.0), (b, 0.9)])
    # the flipped image, after flipping back and swapping the channels:
    # left clearly on B, right on A
    back = hem_pair(codec, [(a, 1.0), (b, 1.06)], [(a, 1.0), (b, 0.3)])
    # what the network outputs on the flipped image (before the head flips
    # it back): mirrored and channels swapped
    flipped = back[GLE_FLIP][..., ::-1].copy()
    feats = [(torch.from_numpy(image)[None], ),
             (torch.from_numpy(flipped)[None], )]
    samples = [PoseDataSample(metainfo=dict(flip_indices=GLE_FLIP))]
    test_cfg = dict(flip_test=True, flip_mode='heatmap', shift_heatmap=False)

    def hems(decoder, flip):
        head = _flip_test_head(decoder)
        if flip:
            preds = head.predict(feats, samples, test_cfg)
        else:
            preds = head.predict(feats[0], samples, {})
        return preds[0].keypoints[0, 6:], preds[0].keypoint_scores[0, 6:]

    pair_aware = dict(type='PairAwareHeatmap', codec=codec)
    # the average: left 1.0 at A and 0.98 at B, right 1.0 at A, 0.6 at B
    kpts, _ = hems(codec, flip=True)
    np.testing.assert_array_equal(kpts, [a, a])  # plain: collapsed
    kpts, scores = hems(pair_aware, flip=True)
    np.testing.assert_array_equal(kpts, [b, a])
    assert scores.tolist() == pytest.approx([0.98, 1.0])
    # without the flipped view the tie rule decides
    kpts, _ = hems(pair_aware, flip=False)
    np.testing.assert_array_equal(kpts, [a, b])


@pytest.mark.skipif(not torch.cuda.is_available(), reason='needs CUDA')
def test_cuda_heatmaps_decode_like_cpu():
    codec = MSRA_96
    a, b = (20, 72), (70, 72)
    heatmaps = hem_pair(codec, [(a, 1.0), (b, 0.9)], [(a, 0.95), (b, 0.9)])
    head = _flip_test_head(dict(type='PairAwareHeatmap', codec=codec))
    samples = [PoseDataSample(metainfo=dict(flip_indices=GLE_FLIP))]
    cpu = head.predict((torch.from_numpy(heatmaps)[None], ), samples, {})
    cuda = head.predict((torch.from_numpy(heatmaps)[None].cuda(), ), samples,
                        {})
    np.testing.assert_array_equal(cpu[0].keypoints, cuda[0].keypoints)
    np.testing.assert_array_equal(cuda[0].keypoints[0, 6:], [a, b])


def test_encoding_attributes_and_errors():
    wrapper = build(EXP_96)
    inner = KEYPOINT_CODECS.build(EXP_96)
    kpts = np.array([[[10.5, 20.], [60., 33.3]]], dtype=np.float32)
    for key, value in inner.encode(kpts).items():
        np.testing.assert_array_equal(wrapper.encode(kpts)[key], value)
    assert wrapper.label_mapping_table == inner.label_mapping_table
    assert wrapper.field_mapping_table == inner.field_mapping_table
    assert wrapper.input_size == (96, 96) and wrapper.tau == 7.0
    assert build(EXP_96, min_distance=3).min_distance == 3
    # pairs from another dataset's metainfo
    coco = build(
        MSRA_96, metainfo=dict(from_file='configs/_base_/datasets/coco.py'))
    assert coco.pairs[0] == (1, 2) and len(coco.pairs) == 8
    with pytest.raises(ValueError, match='set PairAwareHeatmap.metainfo'):
        coco.decode(landmarks(MSRA_96))
    with pytest.raises(ValueError, match='min_peak_ratio'):
        build(MSRA_96, min_peak_ratio=0)
    with pytest.raises(ValueError, match='decodes batches'):
        build(
            dict(
                type='AssociativeEmbedding',
                input_size=(64, 64),
                heatmap_size=(16, 16)))
    with pytest.raises(ValueError, match='wrap the heatmap codec once'):
        build(dict(type='PairAwareHeatmap', codec=MSRA_96))
    assert isinstance(build(MSRA_96), PairAwareHeatmap)
    # models holding it get copied and pickled (EMA, dataloader workers)
    for clone in (copy.deepcopy(wrapper), pickle.loads(pickle.dumps(wrapper))):
        assert clone.tau == 7.0 and clone.pairs == wrapper.pairs
        heatmaps = landmarks(EXP_96)
        np.testing.assert_array_equal(
            clone.decode(heatmaps)[0],
            wrapper.decode(heatmaps)[0])


def _two_peaks_reference(pair_map, min_distance, min_peak_ratio):
    """Every local maximum by brute force, highest first (ties: raster
    order); the first, and the first one far enough from it."""
    height, width = pair_map.shape
    rad = int(np.ceil(min_distance))
    top = pair_map.max()
    peaks = []
    for y in range(height):
        for x in range(width):
            window = pair_map[max(y - rad, 0):y + rad + 1,
                              max(x - rad, 0):x + rad + 1]
            value = pair_map[y, x]
            if value >= window.max() and value >= min_peak_ratio * top:
                peaks.append((-value, y * width + x, (x, y)))
    peaks.sort()
    (ax, ay) = peaks[0][2]
    for _, _, (bx, by) in peaks[1:]:
        if np.hypot(bx - ax, by - ay) >= min_distance:
            return (ax, ay), (bx, by)
    return None


def test_peak_search_matches_brute_force():
    """The fast path (highest pixel away from the first peak, if a local
    maximum) and the dilation path agree with an exhaustive search."""
    codec = dict(MSRA_96, input_size=(40, 40), heatmap_size=(40, 40))
    wrapper = build(codec, min_distance=4)
    rng = np.random.RandomState(1)
    found = 0
    for _ in range(60):
        pair_map = np.zeros((40, 40), dtype=np.float32)
        for _ in range(rng.randint(1, 4)):
            x, y = rng.uniform(0, 40, 2)
            pair_map = np.maximum(pair_map,
                                  rng.uniform(0.2, 1) * peak(codec, x, y))
        pair_map += rng.uniform(0, 0.05, pair_map.shape).astype(np.float32)
        expected = _two_peaks_reference(pair_map, 4, wrapper.min_peak_ratio)
        assert wrapper._two_peaks(pair_map) == expected
        found += expected is not None
    assert 10 < found < 60  # both outcomes exercised
