"""The browser-demo test's machinery: Debian's chromium driven by selenium,
demo/app.py as a server on 127.0.0.1, and a proxy that records what the
server tries to reach outside.

Chromium and its driver come from apt (``chromium``, ``chromium-driver``),
installed when missing by tests/test_utils/apt_packages.py, as Slurm is for
tests/test_cluster/local_slurm.py.
"""
import os
import os.path as osp
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

from apt_packages import apt_install

REPO = osp.normpath(osp.join(osp.dirname(__file__), '..', '..'))
APP = osp.join(REPO, 'demo', 'app.py')
APT_PACKAGES = ('chromium', 'chromium-driver')
CHROMIUM, CHROMEDRIVER = '/usr/bin/chromium', '/usr/bin/chromedriver'
#: flags that work in a container without a display or a GPU; nothing of
#: Chromium's own reaches the network
CHROMIUM_FLAGS = ('--headless', '--no-sandbox', '--disable-gpu',
                  '--disable-quic', '--no-first-run',
                  '--disable-background-networking',
                  '--disable-component-update', '--disable-sync',
                  '--window-size=1280,1100')
#: lines for the end of the pytest report (install, or why skipped)
NOTES = []
#: this process talks to the app directly, whatever proxy is set
_LOCAL = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def missing_browser():
    return [p for p in (CHROMIUM, CHROMEDRIVER) if not osp.isfile(p)]


def ensure_chromium(log=print):
    """Install chromium and chromium-driver with apt-get if missing.

    Returns:
        str | None: None when ready, else why it cannot be (the exact
        error).
    """
    return apt_install(APT_PACKAGES, missing_browser, '[web demo test]', 600,
                       log)


def start_chromium(user_data_dir):
    """A selenium driver of headless Debian chromium with a fresh profile;
    it logs every network request (``performance`` log)."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    options.add_argument(f'--user-data-dir={user_data_dir}')
    options.set_capability('goog:loggingPrefs', {'performance': 'ALL'})
    # the driver given: selenium's own driver download is never tried
    return webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)


def requested_urls(driver):
    """Every URL the page asked for since the last call."""
    import json
    urls = []
    for entry in driver.get_log('performance'):
        message = json.loads(entry['message'])['message']
        if message['method'] == 'Network.requestWillBeSent':
            urls.append(message['params']['request']['url'])
    return urls


def free_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


class OutboundRecorder:
    """An HTTP(S) proxy on 127.0.0.1 that refuses everything and records the
    first line of each request (``CONNECT api.example.org:443 ...``): set as
    the proxy of a process, it shows what that process tries to reach."""

    def __init__(self):
        self.requests = []
        self._server = socket.socket()
        self._server.bind(('127.0.0.1', 0))
        self._server.listen(8)
        self._server.settimeout(0.5)
        self.url = f'http://127.0.0.1:{self._server.getsockname()[1]}'
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self):
        while not self._stop.is_set():
            try:
                conn, _ = self._server.accept()
            except socket.timeout:
                continue
            with conn:
                conn.settimeout(2)
                try:
                    line = conn.recv(4096).split(b'\r\n', 1)[0]
                    self.requests.append(line.decode(errors='replace'))
                    conn.sendall(b'HTTP/1.1 403 Forbidden\r\n'
                                 b'Content-Length: 0\r\n\r\n')
                except OSError:
                    pass

    def close(self):
        self._stop.set()
        self._thread.join(timeout=5)
        self._server.close()


class DemoServer:
    """``python demo/app.py ARGS --port PORT`` in the background, its output
    in ``log_path``; every outbound HTTP(S) request goes to ``proxy``."""

    def __init__(self, args, log_path, proxy, timeout=180):
        self.port = free_port()
        self.url = f'http://127.0.0.1:{self.port}/'
        self.log_path = str(log_path)
        env = dict(
            os.environ,
            OMP_NUM_THREADS='1',
            HTTP_PROXY=proxy,
            HTTPS_PROXY=proxy,
            http_proxy=proxy,
            https_proxy=proxy,
            NO_PROXY='127.0.0.1,localhost',
            no_proxy='127.0.0.1,localhost',
            GRADIO_TEMP_DIR=tempfile.mkdtemp(prefix='gle-demo-test-'))
        self._gradio_tmp = env['GRADIO_TEMP_DIR']
        with open(self.log_path, 'w') as log:
            self.proc = subprocess.Popen(
                [sys.executable, APP, *args, '--port',
                 str(self.port)],
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                cwd=REPO,
                env=env)
        self._wait(timeout)

    def log(self):
        with open(self.log_path, errors='replace') as f:
            return f.read()

    def _wait(self, timeout):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(
                    f'demo/app.py exited with {self.proc.returncode}:\n'
                    f'{self.log()[-5000:]}')
            try:
                with _LOCAL.open(self.url, timeout=2) as r:
                    if r.status == 200:
                        return
            except OSError:
                time.sleep(0.5)
        self.stop()
        raise RuntimeError(f'demo/app.py did not answer on {self.url} in '
                           f'{timeout}s:\n{self.log()[-5000:]}')

    def get(self, url):
        """The bytes behind a URL of the page (on this server only)."""
        assert url.startswith(self.url), url
        with _LOCAL.open(url, timeout=30) as r:
            return r.read()

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        shutil.rmtree(self._gradio_tmp, ignore_errors=True)
