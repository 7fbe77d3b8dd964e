"""Writing a synthetic set in the DeepFashion-C / FLD raw list format.

Shared by ``make_demo_fashion_data.py`` (DeepFashion-C layout, no
``variation_type``) and ``make_context_fashion_data.py`` (FLD layout): their
common options and argument checks, the start (old set removed, splits drawn)
and end (README, size, time) of a run, the JPEG files and the lists. The
lists are written with ``gle.datasets.raw_annotation.write_table``, padded
like the real ones: image names left-aligned in a fixed column, integers
zero-padded to 3 digits.
"""
import hashlib
import os
import os.path as osp
import shutil
import time

import cv2
import numpy as np

from gle.datasets.raw_annotation import read_table, write_table

REPO_ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
#: the real files pad image_name to a fixed column with spaces
NAME_WIDTH = 56
#: the view list of the context set (not an FLD file; the readers ignore it)
VIEW_FILE = osp.join('Anno', 'list_view.txt')
VIEWS = ('front', 'back', 'side')


def add_set_arguments(parser, out_dir, num_train, num_val, num_test, seed):
    """Add the options both generators take, with the generator's defaults:
    ``--out-dir``, ``--num-train``, ``--num-val``, ``--num-test``,
    ``--seed``, ``--size`` and ``--jpeg-quality``.

    Args:
        parser (argparse.ArgumentParser): The generator's parser.
        out_dir (str): Default ``--out-dir``, in the repository.
        num_train (int): Default ``--num-train``.
        num_val (int): Default ``--num-val``.
        num_test (int): Default ``--num-test``.
        seed (int): Default ``--seed``.
    """
    parser.add_argument(
        '--out-dir',
        default=out_dir,
        help='output dataset root (default: '
        f'{osp.relpath(out_dir, REPO_ROOT)} in the repo)')
    parser.add_argument('--num-train', type=int, default=num_train)
    parser.add_argument('--num-val', type=int, default=num_val)
    parser.add_argument('--num-test', type=int, default=num_test)
    parser.add_argument('--seed', type=int, default=seed)
    parser.add_argument(
        '--size', type=int, default=160, help='longer image side in pixels')
    parser.add_argument('--jpeg-quality', type=int, default=90)


def set_arguments(args):
    """The options :func:`add_set_arguments` added, as the keyword
    arguments of the generators' ``generate``."""
    names = ('out_dir', 'num_train', 'num_val', 'num_test', 'seed', 'size',
             'jpeg_quality')
    return {name: getattr(args, name) for name in names}


def check_set_arguments(num_train, num_val, num_test, seed, size):
    """Raise ``ValueError`` for negative split sizes or seed, or an image
    size outside [48, 999]."""
    if min(num_train, num_val, num_test) < 0:
        raise ValueError('split sizes must be >= 0')
    if seed < 0:
        raise ValueError('seed must be >= 0')
    if size < 48 or size > 999:
        raise ValueError('size must be in [48, 999]')


def draw_splits(num_train, num_val, num_test, seed):
    """The split of each image, shuffled by ``seed``.

    Args:
        num_train (int): Number of train images.
        num_val (int): Number of val images.
        num_test (int): Number of test images.
        seed (int): The generator's seed.

    Returns:
        np.ndarray: (num_train + num_val + num_test, ) of ``'train'``,
        ``'val'`` and ``'test'``.
    """
    n = num_train + num_val + num_test
    split_rng = np.random.default_rng(np.random.SeedSequence([seed, 1]))
    status = np.array(['train'] * num_train + ['val'] * num_val +
                      ['test'] * num_test)
    return status[split_rng.permutation(n)] if n else status


def start_set(out_dir, subdirs, num_train, num_val, num_test, seed, size):
    """Check the arguments, remove the previous set's ``subdirs`` of
    ``out_dir`` and draw the splits.

    Args:
        out_dir (str): The dataset root.
        subdirs (Sequence[str]): Its folders the generator writes.
        num_train (int): Number of train images.
        num_val (int): Number of val images.
        num_test (int): Number of test images.
        seed (int): The generator's seed.
        size (int): The longer image side.

    Returns:
        tuple[str, np.ndarray]: ``out_dir`` made absolute, and the split of
        each image (:func:`draw_splits`).
    """
    check_set_arguments(num_train, num_val, num_test, seed, size)
    out_dir = osp.abspath(out_dir)
    for sub in subdirs:
        if osp.isdir(osp.join(out_dir, sub)):
            shutil.rmtree(osp.join(out_dir, sub))
    return out_dir, draw_splits(num_train, num_val, num_test, seed)


def split_summary(out_dir, status):
    """The first fields of a generator's summary: ``out_dir``,
    ``num_images`` and ``splits`` (images per split) of ``status``
    (:func:`draw_splits`)."""
    return dict(
        out_dir=out_dir,
        num_images=len(status),
        splits={s: int((status == s).sum())
                for s in ('train', 'val', 'test')})


def finish_set(out_dir, readme, summary, start):
    """Write ``README.md`` into ``out_dir`` and add ``total_bytes`` (of the
    folder) and ``seconds`` (since ``start``, a ``time.time()``) to
    ``summary``.

    Returns:
        dict: ``summary``.
    """
    with open(osp.join(out_dir, 'README.md'), 'w', newline='\n') as f:
        f.write(readme)
    summary['total_bytes'] = folder_bytes(out_dir)
    summary['seconds'] = time.time() - start
    return summary


def print_summary(summary, details):
    """Print what a run wrote: the images, where and how fast, the
    generator's ``details`` lines, and the size on disk."""
    print(f"wrote {summary['num_images']} images to {summary['out_dir']} "
          f"in {summary['seconds']:.1f} s")
    print(details)
    print(f"total size: {summary['total_bytes'] / 1e6:.2f} MB "
          f"({summary['total_bytes']} bytes)")


def write_jpeg(path, img, jpeg_quality):
    """Write ``img`` (H, W, 3) BGR uint8 to ``path`` as a JPEG.

    Returns:
        int: The file's size in bytes.
    """
    ok, buf = cv2.imencode('.jpg', img,
                           [cv2.IMWRITE_JPEG_QUALITY,
                            int(jpeg_quality)])
    assert ok
    with open(path, 'wb') as f:
        f.write(buf.tobytes())
    return len(buf)


def landmark_header(with_variation):
    """Column names of ``Anno/list_landmarks.txt`` (8 triples, as in the
    real files)."""
    cols = ['image_name', 'clothes_type']
    if with_variation:
        cols.append('variation_type')
    for i in range(1, 9):
        cols += [
            f'landmark_visibility_{i}', f'landmark_location_x_{i}',
            f'landmark_location_y_{i}'
        ]
    return '  '.join(cols)


def padded_name(image_name):
    """``image_name`` padded to the fixed name column."""
    return image_name.ljust(NAME_WIDTH - 1) + ' '


def write_lists(out_dir, records, with_variation):
    """Write the landmark, box and partition lists of ``records``.

    Args:
        out_dir (str): The dataset root (``Anno/`` and ``Eval/`` go here).
        records (list[dict]): In file order, each with ``image_name``,
            ``clothes_type``, ``landmarks`` [(code, x, y)], ``bbox``
            [x1, y1, x2, y2], ``split`` and, with ``with_variation``,
            ``variation_type``.
        with_variation (bool): FLD layout (a ``variation_type`` column).
    """
    lm_rows, box_rows, part_rows = [], [], []
    for r in records:
        name = padded_name(r['image_name'])
        lm = '  '.join(f'{v} {x:03d} {y:03d}' for v, x, y in r['landmarks'])
        types = f"{r['clothes_type']}  "
        if with_variation:
            types += f"{r['variation_type']}  "
        lm_rows.append(f'{name}{types}{lm}')
        box_rows.append(name + ' '.join(f'{c:03d}' for c in r['bbox']))
        part_rows.append(name + r['split'])
    write_table(
        osp.join(out_dir, 'Anno', 'list_landmarks.txt'),
        landmark_header(with_variation), lm_rows)
    write_table(
        osp.join(out_dir, 'Anno', 'list_bbox.txt'),
        'image_name  x_1  y_1  x_2  y_2', box_rows)
    write_table(
        osp.join(out_dir, 'Eval', 'list_eval_partition.txt'),
        'image_name  evaluation_status', part_rows)


def write_views(out_dir, records):
    """Write ``Anno/list_view.txt``: ``image_name view yaw`` per record
    (``view`` in :data:`VIEWS`, ``yaw`` in degrees, 0 front, 180 back)."""
    write_table(
        osp.join(out_dir, VIEW_FILE), 'image_name  view  yaw', [
            f"{padded_name(r['image_name'])}{r['view']:<5}  {r['yaw']:+.1f}"
            for r in records
        ])


def read_views(path):
    """Read a view list: image name -> (view, yaw).

    Raises:
        FashionAnnotationError: The file is missing or malformed (from
            ``read_table``).
        ValueError: A malformed row, naming the file and line.
    """
    _, rows = read_table(path)
    out = {}
    for line_no, tokens in rows:
        if len(tokens) != 3 or tokens[1] not in VIEWS:
            raise ValueError(
                f'{path}:{line_no}: expected "image_name view yaw" with view '
                f'in {", ".join(VIEWS)}, got {" ".join(tokens)!r}; '
                'regenerate the set')
        try:
            out[tokens[0]] = (tokens[1], float(tokens[2]))
        except ValueError:
            raise ValueError(f'{path}:{line_no}: yaw {tokens[2]!r} is not a '
                             'number; regenerate the set') from None
    return out


def visibility_counts(records):
    """Number of landmarks per visibility code (0, 1, 2)."""
    vis = {0: 0, 1: 0, 2: 0}
    for r in records:
        for v, _, _ in r['landmarks']:
            vis[v] += 1
    return vis


def clothes_type_counts(records):
    """Number of records per clothes type (1 upper, 2 lower, 3 full)."""
    return {t: sum(r['clothes_type'] == t for r in records) for t in (1, 2, 3)}


def folder_bytes(root):
    """Total size of the files below ``root``."""
    total = 0
    for folder, _, files in os.walk(root):
        total += sum(osp.getsize(osp.join(folder, f)) for f in files)
    return total


def dataset_digest(out_dir):
    """sha256 over every file (relative path + bytes) below ``out_dir``."""
    h = hashlib.sha256()
    for root, dirs, files in os.walk(out_dir):
        dirs.sort()
        for f in sorted(files):
            p = osp.join(root, f)
            h.update(osp.relpath(p, out_dir).encode())
            with open(p, 'rb') as fh:
                h.update(fh.read())
    return h.hexdigest()
