"""Writers of tiny raw DeepFashion-C / FLD trees for the tests.

Rows are written exactly as given (tests control whitespace, zero padding and
mistakes); only the row-count line and the header are generated, and either
can be overridden.
"""
import os
import os.path as osp

import numpy as np

from gle.datasets.raw_annotation import write_table

LANDMARK_COLUMNS = ' '.join(f'landmark_visibility_{i} landmark_location_x_{i} '
                            f'landmark_location_y_{i}' for i in range(1, 9))
DFC_HEADER = 'image_name  clothes_type  ' + LANDMARK_COLUMNS
FLD_HEADER = 'image_name  clothes_type  variation_type  ' + LANDMARK_COLUMNS
BBOX_HEADER = 'image_name  x_1  y_1  x_2  y_2'
PARTITION_HEADER = 'image_name  evaluation_status'


def write_tree(root,
               landmark_rows,
               bbox_rows,
               partition_rows,
               fld=False,
               landmark_header=None,
               counts=(None, None, None)):
    """Write Anno/list_landmarks.txt, Anno/list_bbox.txt and
    Eval/list_eval_partition.txt under ``root``; return their paths."""
    root = str(root)
    paths = (osp.join(root, 'Anno', 'list_landmarks.txt'),
             osp.join(root, 'Anno', 'list_bbox.txt'),
             osp.join(root, 'Eval', 'list_eval_partition.txt'))
    if landmark_header is None:
        landmark_header = FLD_HEADER if fld else DFC_HEADER
    write_table(paths[0], landmark_header, landmark_rows, counts[0])
    write_table(paths[1], BBOX_HEADER, bbox_rows, counts[1])
    write_table(paths[2], PARTITION_HEADER, partition_rows, counts[2])
    return paths


def write_images(root, names, size=(60, 80), gray=()):
    """Write a small image (width, height) = ``size`` for every name;
    names in ``gray`` are written single-channel."""
    import cv2
    rng = np.random.RandomState(0)
    for name in names:
        path = osp.join(str(root), name)
        os.makedirs(osp.dirname(path), exist_ok=True)
        w, h = size
        img = rng.randint(0, 255, (h, w, 3), dtype=np.uint8)
        if name in gray:
            img = img[..., 0]
        assert cv2.imwrite(path, img)


# A DeepFashion-C tree: every clothes type, every visibility code, a box at
# (0, 0), irregular whitespace, zero-padded integers, a row padded to 8.
DFC_LANDMARKS = [
    # upper: codes 0 0 1 2 0 0, zero-padded coordinates, tabs
    'img/Sheer_Pleated-Front_Blouse/img_00000001.jpg\t1  0 146 102 0 173 095 '
    '1 094 242 2 000 000 0 136 229   0 171 229',
    # lower, padded with four "0 0 0" triples up to 8, box at (0, 0)
    'img/Striped_A-Line_Skirt/img_00000001.jpg  02 0 010 020 1 30 20 0 12 80 '
    '0 28 82 0 0 0 0 0 0 0 0 0 0 0 0',
    # full: codes 0 1 0 0 2 0 1 0
    'img/Floral_Maxi_Dress/img_00000002.jpg 3 0 50 10 1 70 11 0 40 30 0 80 31 '
    '2 0 0 0 75 50 1 45 90 0 78 92',
    # upper with a box at (0, 0): absent waistline slots stay invisible
    'img/Basic_Tee/img_00000003.jpg 1 0 5 6 0 25 6 0 2 20 0 30 20 0 8 50 '
    '0 22 50   ',
]
DFC_BBOXES = [
    'img/Sheer_Pleated-Front_Blouse/img_00000001.jpg  072 079 232 273',
    'img/Striped_A-Line_Skirt/img_00000001.jpg      000 000 040 090',
    'img/Floral_Maxi_Dress/img_00000002.jpg 30 5 90 100',
    'img/Basic_Tee/img_00000003.jpg 0 0 35 55',
]
DFC_PARTITION = [
    'img/Sheer_Pleated-Front_Blouse/img_00000001.jpg   train',
    'img/Striped_A-Line_Skirt/img_00000001.jpg train',
    'img/Floral_Maxi_Dress/img_00000002.jpg      test',
    'img/Basic_Tee/img_00000003.jpg test',
]

# An FLD tree (variation_type column).
FLD_LANDMARKS = [
    'img/img_00000001.jpg 1 1 0 10 12 0 40 12 1 5 30 0 45 31 2 0 0 0 38 58',
    'img/img_00000002.jpg  2  5  0 12 5 0 40 6 1 10 70 0 41 71',
    'img/img_00000003.jpg 3 03 0 20 8 0 35 8 0 12 25 0 44 26 0 22 40 1 36 41 '
    '0 18 75 0 40 76',
]
FLD_BBOXES = [
    'img/img_00000001.jpg 2 4 50 62',
    'img/img_00000002.jpg 0 0 50 75',
    'img/img_00000003.jpg 10 5 50 78',
]
FLD_PARTITION = [
    'img/img_00000001.jpg val',
    'img/img_00000002.jpg val',
    'img/img_00000003.jpg train',
]


def write_dfc_tree(root):
    return write_tree(root, DFC_LANDMARKS, DFC_BBOXES, DFC_PARTITION)


def write_fld_tree(root):
    return write_tree(root, FLD_LANDMARKS, FLD_BBOXES, FLD_PARTITION, fld=True)
