"""tools/misc/find_mmcv_wheel.py against a fake wheel index on 127.0.0.1:
the wheel is chosen by this interpreter's tags, and every way of finding
none (no match, HTTP 404, refused or hanging host) fails fast with a
reason."""
import os.path as osp
import subprocess
import sys
import time
import urllib.request

from fake_wheel_index import (closed_port_url, serve_folder, silent_port,
                              this_python_tags, wheel_name, write_index_page)

REPO = osp.abspath(osp.join(osp.dirname(__file__), '..', '..'))
TOOL = osp.join(REPO, 'tools', 'misc', 'find_mmcv_wheel.py')


def run_tool(index, *extra, timeout=5):
    """Run the CLI as tools/install.sh does; returns (rc, stdout, stderr,
    seconds)."""
    start = time.monotonic()
    proc = subprocess.run([
        sys.executable, TOOL, '--mmcv-version', '2.1.0', '--index', index,
        '--torch-version', '2.1.2+cu121', '--cuda', '12.1', '--timeout',
        str(timeout), *extra
    ],
                          capture_output=True,
                          text=True,
                          timeout=60)
    return (proc.returncode, proc.stdout.strip(), proc.stderr.strip(),
            time.monotonic() - start)


def test_picks_the_best_wheel_for_this_interpreter(tmp_path):
    best, worse = this_python_tags()
    other_python = 'cp27' if best.interpreter != 'cp27' else 'cp36'
    links = [
        # absolute link, supported but lower-ranked platform
        'https://mirror.invalid/mmcv/dist/cu121/torch2.1.0/' +
        wheel_name(worse),
        # relative link, this interpreter's best tag, URL-encoded
        'torch2.1.0/' + wheel_name(best).replace('+', '%2B'),
        # wrong Python, wrong platform, wrong version, not a wheel, bad name
        f'torch2.1.0/mmcv-2.1.0-{other_python}-{other_python}-'
        f'{best.platform}.whl',
        f'torch2.1.0/mmcv-2.1.0-{best.interpreter}-{best.abi}-'
        'macosx_10_9_x86_64.whl',
        'torch2.1.0/' + wheel_name(best, version='2.0.1'),
        'torch2.1.0/mmcv-2.1.0.tar.gz',
        'torch2.1.0/mmcv-not-a-wheel.whl',
        'torch2.1.0/mmcv_full-2.1.0-' +
        f'{best.interpreter}-{best.abi}-{best.platform}.whl',
    ]
    write_index_page(
        tmp_path,
        'cu121',
        '2.1',
        links,
        files=['torch2.1.0/' + wheel_name(best)])
    with serve_folder(tmp_path) as base:
        rc, out, err, _ = run_tool(base)
        assert rc == 0, err
        # relative links resolve against the page
        assert out == f'{base}/cu121/torch2.1/torch2.1.0/' + wheel_name(best)
        # the printed URL is the file the index serves
        with urllib.request.urlopen(out, timeout=5) as response:
            assert response.status == 200

        # without the best one, the lower-ranked supported wheel is chosen
        write_index_page(tmp_path, 'cu121', '2.1', links[:1] + links[2:])
        rc, out, err, _ = run_tool(base)
        assert rc == 0, err
        assert out == links[0]


def test_cpu_torch_reads_the_cpu_page(tmp_path):
    best, _ = this_python_tags()
    write_index_page(tmp_path, 'cpu', '2.1', [wheel_name(best)])
    write_index_page(tmp_path, 'cu121', '2.1', [])
    with serve_folder(tmp_path) as base:
        rc, out, err, _ = run_tool(base, '--cuda', 'cpu')
    assert rc == 0, err
    assert out == f'{base}/cpu/torch2.1/{wheel_name(best)}'


def test_no_wheel_for_this_python(tmp_path):
    best, _ = this_python_tags()
    other = 'cp27' if best.interpreter != 'cp27' else 'cp36'
    write_index_page(tmp_path, 'cu121', '2.1', [
        f'mmcv-2.1.0-{other}-{other}-{best.platform}.whl',
        wheel_name(best, version='2.0.0')
    ])
    with serve_folder(tmp_path) as base:
        rc, out, err, _ = run_tool(base)
    assert rc == 1 and out == ''
    assert 'has no mmcv 2.1.0 wheel for this Python/platform' in err
    assert f'{base}/cu121/torch2.1/index.html' in err


def test_http_404_when_no_index_for_this_torch(tmp_path):
    write_index_page(tmp_path, 'cu121', '2.1', [])
    with serve_folder(tmp_path) as base:
        rc, out, err, _ = run_tool(base, '--torch-version', '2.14.1')
    assert rc == 1 and out == ''
    assert 'no prebuilt mmcv index for this torch/CUDA' in err
    assert 'cu121/torch2.14/index.html: HTTP 404' in err


def test_refused_connection_fails_at_once():
    rc, out, err, seconds = run_tool(closed_port_url(), timeout=30)
    assert rc == 1 and out == ''
    assert 'prebuilt mmcv index not reachable' in err
    # a refused connection does not wait for the 30 s timeout
    assert seconds < 20


def test_hanging_host_fails_after_the_timeout():
    with silent_port() as base:
        rc, out, err, seconds = run_tool(base, timeout=1)
    assert rc == 1 and out == ''
    assert 'prebuilt mmcv index not reachable' in err
    assert 'timed out' in err
    assert seconds < 20
