r"""Turn a training checkpoint into a release file, as MMPose's
``tools/misc/publish_model.py`` does, that loads with plain
``torch.load(weights_only=True)``.

::

    python tools/misc/publish_model.py work_dirs/demo/epoch_30.pth \
        checkpoints/td-hm_res18w32-gle2_1xb16-30e_fashion-demo-96x96.pth
    # -> checkpoints/td-hm_..._fashion-demo-96x96-<sha256[:8]>_<YYYYMMDD>.pth

MMPose's own script cannot be used on these checkpoints with torch >= 2.6:
it calls ``torch.load`` without an allow-list, which refuses the numpy and
``HistoryBuffer`` globals of an mmengine checkpoint, and the ``meta`` it
keeps still holds numpy arrays. This one reads the checkpoint inside
``gle.utils.safe_checkpoint_loading()``, keeps ``state_dict`` and the plain
Python values of ``meta`` (epoch, iter, seed, config text, versions), drops
the optimizer, the schedulers, the message hub and numpy-valued meta
(``dataset_meta``: ``mmpose.apis.init_model`` rebuilds it from the config),
names the file ``<out>-<first 8 hex of its sha256>_<date>.pth`` (MMPose's
model-zoo names) and checks that the result loads with torch's default
weights-only unpickler, allow-list-free.
"""
import argparse
import datetime
import hashlib
import os
import os.path as osp
import tempfile

import torch

from gle.utils import safe_checkpoint_loading

PLAIN_TYPES = (str, int, float, bool, type(None))


def is_plain(value):
    """Whether ``value`` is built from str/int/float/bool/None, lists,
    tuples and str-keyed dicts only (what weights-only loading accepts
    without any allow-list)."""
    if isinstance(value, PLAIN_TYPES):
        return True
    if isinstance(value, (list, tuple)):
        return all(is_plain(v) for v in value)
    if type(value) is dict:
        return all(
            isinstance(k, str) and is_plain(v) for k, v in value.items())
    return False


def strip_checkpoint(checkpoint, save_keys=('meta', 'state_dict')):
    """Keep ``save_keys`` and the plain values of ``meta``.

    Args:
        checkpoint (dict): A loaded mmengine checkpoint.
        save_keys (Sequence[str]): Top-level keys to keep.

    Returns:
        tuple[dict, list[str]]: The stripped checkpoint and the names of what
        was dropped (``'optimizer'``, ``'meta.dataset_meta'``, ...).
    """
    if not isinstance(checkpoint, dict) or 'state_dict' not in checkpoint:
        raise ValueError('not an mmengine checkpoint (no "state_dict")')
    out, dropped = {}, []
    for key, value in checkpoint.items():
        if key not in save_keys:
            dropped.append(key)
        elif key == 'meta':
            out['meta'] = {k: v for k, v in value.items() if is_plain(v)}
            dropped += [f'meta.{k}' for k in value if k not in out['meta']]
        else:
            out[key] = value
    state = out.get('state_dict', {})
    bad = [k for k, v in state.items() if not isinstance(v, torch.Tensor)]
    if bad:
        raise ValueError(f'state_dict entry {bad[0]!r} is not a tensor')
    return out, dropped


def publish(in_file,
            out_file,
            save_keys=('meta', 'state_dict'),
            add_hash=True,
            date=None):
    """Write the release file; returns ``(path, sha256 hex)``.

    Args:
        in_file (str): Training checkpoint (``epoch_30.pth``).
        out_file (str): Output name; the hash and date are inserted before
            ``.pth`` unless ``add_hash`` is False.
        save_keys (Sequence[str]): Top-level keys to keep.
        add_hash (bool): Name the file ``<stem>-<sha8>_<date>.pth``.
        date (str, optional): ``YYYYMMDD``; default today.

    Returns:
        tuple[str, str]: Final path and the file's full sha256.
    """
    with safe_checkpoint_loading():
        checkpoint = torch.load(in_file, map_location='cpu', weights_only=True)
    stripped, dropped = strip_checkpoint(checkpoint, save_keys)
    out_dir = osp.dirname(osp.abspath(out_file))
    os.makedirs(out_dir, exist_ok=True)
    fd, tmp = tempfile.mkstemp(suffix='.pth', dir=out_dir)
    os.close(fd)
    try:
        torch.save(stripped, tmp)
        # the promise of this file: no allow-list needed
        torch.load(tmp, map_location='cpu', weights_only=True)
        with open(tmp, 'rb') as f:
            sha = hashlib.sha256(f.read()).hexdigest()
        final = out_file
        if add_hash:
            stem = out_file[:-4] if out_file.endswith('.pth') else out_file
            date = date or datetime.date.today().strftime('%Y%m%d')
            final = f'{stem}-{sha[:8]}_{date}.pth'
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp's 0600 -> a normal file
        os.replace(tmp, final)
    except BaseException:
        if osp.exists(tmp):
            os.remove(tmp)
        raise
    if dropped:
        print(f'dropped: {", ".join(dropped)}')
    return final, sha


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description='Process a checkpoint to be published')
    parser.add_argument('in_file', help='input checkpoint filename')
    parser.add_argument('out_file', help='output checkpoint filename')
    parser.add_argument(
        '--save-keys',
        nargs='+',
        default=['meta', 'state_dict'],
        help='keys to save in the published checkpoint (default: meta '
        'state_dict)')
    parser.add_argument(
        '--no-hash',
        action='store_true',
        help='write OUT_FILE as named (e.g. a local model-zoo file whose '
        'bits depend on the machine that trained it)')
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    final, sha = publish(args.in_file, args.out_file, args.save_keys,
                         not args.no_hash)
    print(f'{final}\nsha256: {sha}')


if __name__ == '__main__':
    main()
