"""The package's default metainfo, the config file that exposes it for
``from_file``, and where it is read."""
import os.path as osp
import subprocess
import sys

from mmengine.config import Config
from mmpose.datasets.datasets.utils import parse_pose_metainfo

from gle.datasets import (FASHION_METAINFO, LANDMARK_NAMES,
                          DeepFashionCDataset, FLDCocoDataset, FLDDataset)

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
CONFIG_FILE = osp.join(REPO, 'configs', '_base_', 'datasets',
                       'gle_fashion_landmarks.py')


def test_config_file_agrees_with_the_package():
    from_config = Config.fromfile(CONFIG_FILE).dataset_info.to_dict()
    assert from_config == FASHION_METAINFO
    # and both parse to the same mmpose metainfo (from_file path too)
    from_file = parse_pose_metainfo(dict(from_file=CONFIG_FILE))
    from_package = parse_pose_metainfo(dict(FASHION_METAINFO))
    assert from_file.keys() == from_package.keys()
    for key in ('keypoint_id2name', 'flip_indices', 'flip_pairs',
                'skeleton_links', 'dataset_name'):
        assert from_file[key] == from_package[key], key


def test_metainfo_follows_the_layout():
    info = FASHION_METAINFO['keypoint_info']
    assert [info[i]['name'] for i in range(8)] == list(LANDMARK_NAMES)
    for i in range(0, 8, 2):
        assert info[i]['swap'] == info[i + 1]['name']
        assert info[i]['color'] == [255, 255, 0]  # left yellow
        assert info[i + 1]['color'] == [255, 0, 0]  # right red


def test_datasets_read_no_file_for_their_metainfo(tmp_path):
    """Building the metainfo from a copy of the package without configs/
    works (an installed, non-editable package has no configs/)."""
    code = ('import builtins, gle\n'
            'real_open = builtins.open\n'
            'def guarded(path, *a, **k):\n'
            '    assert "configs" not in str(path), path\n'
            '    return real_open(path, *a, **k)\n'
            'builtins.open = guarded\n'
            'from gle.datasets import DeepFashionCDataset, FLDCocoDataset, '
            'FLDDataset\n'
            'for cls in (DeepFashionCDataset, FLDDataset, FLDCocoDataset):\n'
            '    meta = cls._load_metainfo()\n'
            '    assert meta["num_keypoints"] == 8, meta\n'
            'print("ok")\n')
    out = subprocess.run([sys.executable, '-c', code],
                         cwd=str(tmp_path),
                         text=True,
                         stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT)
    assert out.returncode == 0 and 'ok' in out.stdout, out.stdout
    for cls in (DeepFashionCDataset, FLDDataset, FLDCocoDataset):
        assert 'from_file' not in cls.METAINFO
