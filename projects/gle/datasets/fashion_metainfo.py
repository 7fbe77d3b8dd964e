"""Default metainfo of the fashion-landmark datasets (the unified 8 slots).

The datasets' ``METAINFO`` is this dict, in the format of mmpose's
``configs/_base_/datasets/*.py`` files (``parse_pose_metainfo`` reads it
directly), so the package needs no file outside itself.
``configs/_base_/datasets/gle_fashion_landmarks.py`` reads this module as an
mmengine base config and exposes the dict as ``dataset_info`` for configs and
tools that take a ``from_file`` path: keep this module plain assignments (no
imports, no code), as a config file is.

Every clothing item uses the same 8 slots whatever its clothes type:
upper-body items fill slots 0, 1, 2, 3, 6, 7; lower-body items fill 4, 5, 6,
7; full-body items fill all 8. Slots a clothes type does not have are marked
absent (never visible) by the dataset readers. Colours are RGB, as in the
paper's figures: left landmarks yellow, right landmarks red. The skeleton
joins each left/right pair (both ends always exist for a given clothes type).
``sigmas``: MMPose's deepfashion configs leave them empty and NE does not use
them. 0.025 (COCO's eye value, a small well-defined point) is a documented
placeholder so that OKS-based tools (CocoMetric, OKS NMS) can run; OKS/AP
numbers computed with it are not benchmark results.
"""

FASHION_METAINFO: dict = dict(
    dataset_name='gle_fashion_landmarks',
    paper_info=dict(
        author='Lee, Sumin and Oh, Sungchan and Jung, Chanho '
        'and Kim, Changick',
        title='A Global-Local Embedding Module for Fashion Landmark Detection',
        container='IEEE/CVF International Conference on Computer Vision '
        'Workshops (ICCVW)',
        year='2019',
        homepage='https://github.com/shumming/GLE_FLD',
    ),
    keypoint_info={
        0:
        dict(
            name='left_collar',
            id=0,
            color=[255, 255, 0],
            type='upper',
            swap='right_collar'),
        1:
        dict(
            name='right_collar',
            id=1,
            color=[255, 0, 0],
            type='upper',
            swap='left_collar'),
        2:
        dict(
            name='left_sleeve',
            id=2,
            color=[255, 255, 0],
            type='upper',
            swap='right_sleeve'),
        3:
        dict(
            name='right_sleeve',
            id=3,
            color=[255, 0, 0],
            type='upper',
            swap='left_sleeve'),
        4:
        dict(
            name='left_waistline',
            id=4,
            color=[255, 255, 0],
            type='lower',
            swap='right_waistline'),
        5:
        dict(
            name='right_waistline',
            id=5,
            color=[255, 0, 0],
            type='lower',
            swap='left_waistline'),
        6:
        dict(
            name='left_hem',
            id=6,
            color=[255, 255, 0],
            type='lower',
            swap='right_hem'),
        7:
        dict(
            name='right_hem',
            id=7,
            color=[255, 0, 0],
            type='lower',
            swap='left_hem'),
    },
    skeleton_info={
        0:
        dict(link=('left_collar', 'right_collar'), id=0, color=[255, 128, 0]),
        1:
        dict(link=('left_sleeve', 'right_sleeve'), id=1, color=[255, 128, 0]),
        2:
        dict(
            link=('left_waistline', 'right_waistline'),
            id=2,
            color=[255, 128, 0]),
        3:
        dict(link=('left_hem', 'right_hem'), id=3, color=[255, 128, 0]),
    },
    joint_weights=[1.] * 8,
    sigmas=[0.025] * 8)
