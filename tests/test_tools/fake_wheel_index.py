"""A PEP 503-style wheel index served on 127.0.0.1 from a temporary folder,
laid out like OpenMMLab's (``<device>/torch<major.minor>/index.html``)."""
import functools
import os
import socket
import threading
from contextlib import contextmanager
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

from packaging.tags import sys_tags


class _QuietHandler(SimpleHTTPRequestHandler):

    def log_message(self, *args):
        pass


@contextmanager
def serve_folder(root):
    """Serve ``root`` over HTTP on 127.0.0.1; yields the base URL."""
    handler = functools.partial(_QuietHandler, directory=str(root))
    server = ThreadingHTTPServer(('127.0.0.1', 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f'http://127.0.0.1:{server.server_address[1]}'
    finally:
        server.shutdown()
        server.server_close()


def write_index_page(root, device, torch_mm, links, files=()):
    """Write ``root/<device>/torch<torch_mm>/index.html`` listing ``links``
    (hrefs, absolute or relative) and create the relative ``files`` beside
    it (empty wheels)."""
    page_dir = os.path.join(str(root), device, f'torch{torch_mm}')
    os.makedirs(page_dir, exist_ok=True)
    body = '\n'.join(f'<a href="{href}">{href.rsplit("/", 1)[-1]}</a><br/>'
                     for href in links)
    with open(os.path.join(page_dir, 'index.html'), 'w') as f:
        f.write(f'<html><body>\n{body}\n</body></html>\n')
    for name in files:
        path = os.path.join(page_dir, name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        open(path, 'wb').close()
    return page_dir


def wheel_name(tag, version='2.1.0'):
    """The mmcv wheel file name for a ``packaging.tags.Tag``."""
    return f'mmcv-{version}-{tag.interpreter}-{tag.abi}-{tag.platform}.whl'


def this_python_tags():
    """(best, worse) tags this interpreter supports, same interpreter and
    ABI, different platform ranks."""
    tags = list(sys_tags())
    best = tags[0]
    worse = next(t for t in tags[1:]
                 if (t.interpreter, t.abi) == (best.interpreter, best.abi))
    return best, worse


@contextmanager
def silent_port():
    """A port on 127.0.0.1 that accepts connections and never answers
    (a host that hangs); yields its base URL."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(('127.0.0.1', 0))
    sock.listen(8)
    try:
        yield f'http://127.0.0.1:{sock.getsockname()[1]}'
    finally:
        sock.close()


def closed_port_url():
    """The base URL of a port on 127.0.0.1 nobody listens on."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(('127.0.0.1', 0))
    port = sock.getsockname()[1]
    sock.close()
    return f'http://127.0.0.1:{port}'
