"""Find a prebuilt mmcv wheel for this Python, torch and CUDA on OpenMMLab's
index.

OpenMMLab publishes mmcv wheels per CUDA/torch pair at
``https://download.openmmlab.com/mmcv/dist/<cu121|cpu>/torch<major.minor>/index.html``
(the index ``mim install mmcv`` reads). PyPI only has the source archive, so
``tools/install.sh`` asks this script first and compiles only when it finds
nothing.

Prints the URL of the best compatible wheel and exits 0, or prints why there is
none to stderr and exits 1 (no index for this torch, no wheel for this
Python/platform, index not reachable within ``--timeout`` seconds). Without
network it fails fast, never hangs.

Example::

    python tools/misc/find_mmcv_wheel.py --mmcv-version 2.1.0
"""
import argparse
import re
import sys
import urllib.error
import urllib.request
from html.parser import HTMLParser
from urllib.parse import unquote, urljoin

OPENMMLAB_INDEX = 'https://download.openmmlab.com/mmcv/dist'


def index_url(base, torch_version, cuda_version):
    """The index page of one CUDA/torch pair, e.g.
    ``<base>/cu121/torch2.1/index.html``.

    Args:
        base (str): Root of the wheel index (``OPENMMLAB_INDEX`` or a mirror).
        torch_version (str): ``torch.__version__``, e.g. ``'2.1.2+cu121'``.
        cuda_version (str | None): ``torch.version.cuda`` (``None`` or
            ``'cpu'`` for CPU).
    """
    major, minor = re.match(r'(\d+)\.(\d+)', torch_version).groups()
    device = 'cpu' if cuda_version in (None, '', 'cpu') else \
        'cu' + cuda_version.replace('.', '')
    return f'{base.rstrip("/")}/{device}/torch{major}.{minor}/index.html'


class _LinkParser(HTMLParser):
    """Collects the ``href`` of every ``<a>`` on a PEP 503-style page."""

    def __init__(self):
        super().__init__()
        self.links = []

    def handle_starttag(self, tag, attrs):
        if tag == 'a':
            self.links += [value for key, value in attrs if key == 'href']


def pick_wheel(page_url, html, mmcv_version, supported_tags):
    """The URL of the wheel of ``mmcv_version`` best matching
    ``supported_tags``.

    Args:
        page_url (str): URL the page came from (relative links are resolved on
            it).
        html (str): The index page.
        mmcv_version (str): Wanted version, e.g. ``'2.1.0'``.
        supported_tags (list[packaging.tags.Tag]): This interpreter's tags,
            best first (``list(packaging.tags.sys_tags())``).

    Returns:
        str | None: The wheel URL, or None when no wheel fits.
    """
    from packaging.utils import InvalidWheelFilename, parse_wheel_filename
    from packaging.version import Version

    parser = _LinkParser()
    parser.feed(html)
    rank = {tag: i for i, tag in enumerate(supported_tags)}
    best = None
    for link in parser.links:
        filename = unquote(link.split('#')[0].rsplit('/', 1)[-1])
        if not filename.endswith('.whl'):
            continue
        try:
            name, version, _, tags = parse_wheel_filename(filename)
        except InvalidWheelFilename:
            continue
        if name != 'mmcv' or version != Version(mmcv_version):
            continue
        ranks = [rank[tag] for tag in tags if tag in rank]
        if ranks and (best is None or min(ranks) < best[0]):
            best = (min(ranks), urljoin(page_url, link.split('#')[0]))
    return None if best is None else best[1]


def find_wheel(base, torch_version, cuda_version, mmcv_version, timeout=10.0):
    """Look the wheel up; returns ``(url, None)`` or ``(None, reason)``."""
    from packaging.tags import sys_tags

    page = index_url(base, torch_version, cuda_version)
    try:
        with urllib.request.urlopen(page, timeout=timeout) as response:
            html = response.read().decode('utf-8', 'replace')
    except urllib.error.HTTPError as e:
        return None, ('no prebuilt mmcv index for this torch/CUDA '
                      f'({page}: HTTP {e.code})')
    except (OSError,
            ValueError) as e:  # URLError, timeouts, refused connections
        return None, f'prebuilt mmcv index not reachable ({page}: {e})'
    url = pick_wheel(page, html, mmcv_version, list(sys_tags()))
    if url is None:
        return None, (
            f'{page} has no mmcv {mmcv_version} wheel for this Python/platform'
        )
    return url, None


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--mmcv-version', default='2.1.0')
    parser.add_argument(
        '--index',
        default=OPENMMLAB_INDEX,
        help='root of the wheel index (default: OpenMMLab\'s)')
    parser.add_argument('--torch-version', help='default: the installed torch')
    parser.add_argument(
        '--cuda',
        help='CUDA version torch was built with, or "cpu" '
        '(default: the installed torch\'s; "cpu" forces the CPU wheels)')
    parser.add_argument(
        '--timeout',
        type=float,
        default=10.0,
        help='seconds to wait for the index')
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    torch_version, cuda = args.torch_version, args.cuda
    if torch_version is None or cuda is None:
        import torch
        torch_version = torch_version or torch.__version__
        cuda = cuda or torch.version.cuda or 'cpu'
    url, reason = find_wheel(args.index, torch_version, cuda,
                             args.mmcv_version, args.timeout)
    if url is None:
        print(reason, file=sys.stderr)
        return 1
    print(url)
    return 0


if __name__ == '__main__':
    sys.exit(main())
