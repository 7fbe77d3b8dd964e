"""Tests for tools/dataset_converters/make_context_fashion_data.py (the
view-dependent synthetic set in the FLD format)."""
import math
import os.path as osp

import cv2
import numpy as np
import pytest
from mmpose.datasets.transforms import (GetBBoxCenterScale, LoadImage,
                                        RandomFlip)
from script_utils import load_script

from gle.datasets import FLDDataset

REPO_ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
CONVERTERS = osp.join(REPO_ROOT, 'tools', 'dataset_converters')
SCRIPT = osp.join(CONVERTERS, 'make_context_fashion_data.py')
BUNDLED = osp.join(REPO_ROOT, 'demo', 'data', 'fashion_context')
N_TRAIN, N_VAL, N_TEST, SIZE = 48, 6, 6, 96
PAIRS = ((0, 1), (2, 3), (4, 5), (6, 7))
SLEEVE_AND_HEM = {1: (2, 3, 4, 5), 2: (2, 3), 3: (2, 3, 6, 7)}

gen = load_script(SCRIPT, 'make_context_fashion_data')
import garment_lists as lists  # noqa: E402 (put on sys.path by gen)
import garment_shapes as shapes  # noqa: E402
import garment_views as views  # noqa: E402


@pytest.fixture(scope='module')
def dataset(tmp_path_factory):
    out = tmp_path_factory.mktemp('fashion_context')
    summary = gen.generate(str(out), N_TRAIN, N_VAL, N_TEST, seed=5, size=SIZE)
    return str(out), summary


def _faces_front(yaw):
    return math.cos(math.radians(yaw)) > 0


def _pair_order_ok(keypoints, codes, facing_front):
    """Every pair with both ends visible or occluded: L left of R when the
    camera sees the front, right of R when it sees the back."""
    checked = 0
    for a, b in PAIRS:
        if codes[a] in (0, 1) and codes[b] in (0, 1):
            if facing_front != (keypoints[a][0] < keypoints[b][0]):
                return False, checked
            checked += 1
    return True, checked


def _build(root, split, pipeline=()):
    return FLDDataset(data_root=root, split=split, pipeline=list(pipeline))


def test_fld_reader_loads_every_split_and_views_cover_them(dataset):
    root, summary = dataset
    view_of = lists.read_views(osp.join(root, 'Anno', 'list_view.txt'))
    assert len(view_of) == N_TRAIN + N_VAL + N_TEST
    for split, n in (('train', N_TRAIN), ('val', N_VAL), ('test', N_TEST)):
        ds = _build(root, split)
        assert len(ds) == n
        for i in range(n):
            info = ds.get_data_info(i)
            assert info['variation_type'] in (1, 2, 3, 4, 5)
            assert info['raw_ann_info']['image_name'] in view_of
    # 60 images: every kind in every view, 60% front views
    assert summary['views'] == dict(front=36, back=12, side=12)
    assert summary['clothes_types'] == {1: 20, 2: 20, 3: 20}
    assert set(summary['visibility']) == {0, 1, 2}
    assert all(summary['visibility'].values())
    assert osp.isfile(osp.join(root, 'README.md'))


def test_left_right_follows_fld_in_front_back_and_side_views(dataset):
    """Front views: L on the image left; back views (and side views seen
    from behind): L on the image right."""
    root, _ = dataset
    view_of = lists.read_views(osp.join(root, 'Anno', 'list_view.txt'))
    checked = {True: 0, False: 0}
    for split in ('train', 'val', 'test'):
        ds = _build(root, split)
        for info in map(ds.get_data_info, range(len(ds))):
            view, yaw = view_of[info['raw_ann_info']['image_name']]
            assert (view == 'front') == (abs(yaw) <= 12)
            assert (view == 'back') == (abs(yaw) >= 168)
            ok, n = _pair_order_ok(info['keypoints'][0],
                                   info['visibility_codes'][0],
                                   _faces_front(yaw))
            assert ok, (info['raw_ann_info'], view, yaw)
            checked[_faces_front(yaw)] += n
    assert checked[True] > 20 and checked[False] > 20


def test_flipped_back_view_keeps_the_convention(dataset):
    """After RandomFlip with the metainfo's flip pairs, a back view seen
    mirrored is still a back view: the landmark labelled left is on the
    image right. A flip without the swap would put it on the left."""
    root, _ = dataset
    view_of = lists.read_views(osp.join(root, 'Anno', 'list_view.txt'))
    ds = _build(root, 'train')
    flip = RandomFlip(prob=1.0, direction='horizontal')
    load, center = LoadImage(), GetBBoxCenterScale(padding=1.0)
    seen = {True: 0, False: 0}
    for i in range(len(ds)):
        info = ds.get_data_info(i)
        _, yaw = view_of[info['raw_ann_info']['image_name']]
        results = center(load(dict(info)))
        image = results['img'].copy()
        keypoints = results['keypoints'][0].copy()
        results = flip(results)
        assert np.array_equal(results['img'], image[:, ::-1])
        flipped = results['keypoints'][0]
        codes = info['visibility_codes'][0][results['flip_indices']]
        ok, n = _pair_order_ok(flipped, codes, _faces_front(yaw))
        assert ok, (info['raw_ann_info'], yaw)
        seen[_faces_front(yaw)] += n
        # the flipped "left" point is the mirror of the original "right"
        w = image.shape[1]
        for a, b in PAIRS:
            if codes[a] >= 0:
                np.testing.assert_allclose(flipped[a][0],
                                           w - 1 - keypoints[b][0])
    assert seen[True] and seen[False]


def test_front_back_details_are_far_from_cuffs_and_hems():
    """What tells front from back (details and the neckline) stays at least a
    quarter of the garment height away from the hem landmarks and 0.06 away
    from the cuffs (the closest: a jumpsuit's long sleeves end next to its
    back pockets), for every kind (canonical frame, height 1)."""
    for kind, ctype in shapes.CLOTHES_TYPE.items():
        names = {1: 6, 2: 4, 3: 8}[ctype]
        hems = [names - 2, names - 1]
        cuffs = [2, 3] if ctype != 2 else []
        for front in (True, False):
            for seed in range(40):
                rng = np.random.default_rng(seed)
                neck = (
                    views.FRONT_NECK_DEPTH if front else views.BACK_NECK_DEPTH)
                g = shapes.make_garment(rng, kind, neck)
                n_parts = len(g.parts)
                views.add_view_details(rng, g, kind, front)
                details = [
                    views.densify(p, r != 'seam') for p, r in g.parts[n_parts:]
                ]
                assert details, (kind, front)
                assert all(t == 'detail' for t in g.tags[n_parts:])
                pts = np.concatenate(details)

                def dist(idx):
                    return np.linalg.norm(
                        pts[:, None] - g.landmarks[idx][None], axis=2).min()

                assert dist(hems) >= 0.25, (kind, front, seed)
                if cuffs:
                    assert dist(cuffs) >= 0.06, (kind, front, seed)
                if g.neck is not None:  # deep at the front, shallow behind
                    depth = g.neck[:, 1].max() / g.anchors['scale']
                    lo, hi = neck
                    assert lo - 1e-9 <= depth <= hi + 1e-9


def test_back_view_is_the_mirrored_front_geometry():
    """The same garment turned to yaw 180 has every landmark at -x."""
    rng = np.random.default_rng(3)
    g = shapes.make_garment(rng, 'dress')
    front = g.landmarks.copy()
    views.turn(g, 180.0)
    np.testing.assert_allclose(g.landmarks[:, 0], -front[:, 0], atol=1e-9)
    np.testing.assert_allclose(g.landmarks[:, 1], front[:, 1])


def test_side_view_draws_the_far_sleeve_behind_the_body():
    rng = np.random.default_rng(4)
    g = shapes.make_garment(rng, 'tee')
    views.turn(g, 40.0)  # the right side (x > 0) turns away
    assert g.tags[:2] == ['sleeve_1', 'sleeve_1'] and g.tags[2] is None
    g = shapes.make_garment(np.random.default_rng(4), 'tee')
    views.turn(g, 180.0 + 40.0)  # seen from behind: the left side is far
    assert g.tags[:2] == ['sleeve_0', 'sleeve_0']


def test_variation_types():
    info = dict(landmarks=[(0, 1, 1)] * 4, truncation=None, rotation_deg=3)
    assert gen.variation_type('front', 2.0, info) == 1
    assert gen.variation_type('back', 171.0, info) == 1
    assert gen.variation_type('back', -168.0, info) == 2
    assert gen.variation_type('side', 40.0, info) == 2
    assert gen.variation_type('side', 40.0, dict(info, rotation_deg=15)) == 3
    one_out = dict(info, landmarks=[(2, 0, 0)] + [(0, 1, 1)] * 3)
    assert gen.variation_type('front', 0.0, one_out) == 4
    assert gen.variation_type('front', 0.0, dict(info,
                                                 truncation='top-left')) == 5


def test_deterministic_and_seed_dependent(tmp_path):
    a, b, c = tmp_path / 'a', tmp_path / 'b', tmp_path / 'c'
    for out, seed in ((a, 3), (b, 3), (c, 4)):
        gen.generate(str(out), 4, 1, 1, seed=seed, size=64)
    digest = lists.dataset_digest
    assert digest(str(a)) == digest(str(b)) != digest(str(c))


def test_read_views_rejects_malformed_rows(tmp_path):
    path = tmp_path / 'list_view.txt'
    path.write_text('1\nimage_name view yaw\nimg/a.jpg top 0\n')
    with pytest.raises(ValueError, match=r'list_view.txt:3: .*front, back'):
        lists.read_views(str(path))
    path.write_text('1\nimage_name view yaw\nimg/a.jpg back x\n')
    with pytest.raises(ValueError, match='yaw'):
        lists.read_views(str(path))


def test_contact_sheet_shows_every_view(dataset, tmp_path):
    root, _ = dataset
    out = gen.contact_sheet(root, str(tmp_path / 'sheet.png'), per_view=3)
    sheet = cv2.imread(out)
    assert sheet is not None
    # three rows of up to three cells of 2x zoomed images
    assert sheet.shape[0] > 3 * 2 * SIZE * 0.6
    assert sheet.shape[1] > 3 * 2 * SIZE * 0.6


@pytest.mark.skipif(
    not osp.isdir(BUNDLED), reason='bundled context set not present')
def test_bundled_set_matches_its_readme_command(tmp_path):
    """The first 18 images of the README's command are byte-identical to
    the bundled ones (image i depends only on seed, i and size)."""
    with open(osp.join(BUNDLED, 'README.md')) as f:
        cmd = next(ln for ln in f if 'make_context_fashion_data.py' in ln
                   and '--seed' in ln).split()
    args = gen.parse_args(cmd[2:])
    gen.generate(
        str(tmp_path), 18, 0, 0, args.seed, args.size, args.jpeg_quality)
    for i in range(1, 19):
        rel = osp.join('img', f'img_{i:08d}.jpg')
        with open(osp.join(BUNDLED, rel), 'rb') as f:
            assert (tmp_path / rel).read_bytes() == f.read(), rel
