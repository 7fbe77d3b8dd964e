"""demo/app.py in a real browser: Debian's headless chromium (selenium) on the
page of the app started on 127.0.0.1 with random-weight checkpoints. A photo
uploaded in detector and whole-image mode comes back drawn with its JSON;
bad uploads and an empty detection get a message in the page; a bad
checkpoint stops the app on the command line. Screenshots of the page go to
the test's tmp folder."""
import json
import os
import os.path as osp
import socket
import subprocess
import sys

import cv2
import numpy as np
import pytest
from image_files import png_header
from random_checkpoints import (DET_CONFIG, POSE_CONFIG, SAMPLE_DIR,
                                SAMPLE_IMAGES)
from script_utils import load_script
from web_demo_utils import (APP, NOTES, REPO, DemoServer, OutboundRecorder,
                            ensure_chromium, requested_urls, start_chromium)

from gle.datasets import FASHION_METAINFO, LANDMARK_NAMES


def _require(module):
    """Import an optional test dependency; in CI its absence is a failure
    (tools/install.sh installs it), elsewhere a skip saying how to get it."""
    try:
        return __import__(module)
    except ImportError:
        if os.environ.get('CI'):
            raise
        pytest.skip(f'{module} is not installed: bash tools/install.sh (or '
                    'pip install -r requirements/demo.txt -r '
                    'requirements/tests.txt)')


PHOTO = osp.join(SAMPLE_DIR, SAMPLE_IMAGES[1])  # 200 x 250, front view
LEFT, RIGHT = (
    tuple(FASHION_METAINFO['keypoint_info'][k]['color']) for k in (0, 1))


@pytest.fixture(scope='module')
def inferencer(checkpoints):
    """The same models in this process: what the page must show."""
    from gle.apis import FashionLandmarkInferencer
    return FashionLandmarkInferencer(
        POSE_CONFIG,
        checkpoints['pose'],
        device='cpu',
        det_model=DET_CONFIG,
        det_weights=checkpoints['det'])


@pytest.fixture(scope='module')
def outbound():
    recorder = OutboundRecorder()
    yield recorder
    recorder.close()


@pytest.fixture(scope='module')
def server(checkpoints, outbound, tmp_path_factory):
    _require('gradio')
    app = DemoServer([
        '--pose-config', POSE_CONFIG, '--pose-checkpoint', checkpoints['pose'],
        '--det-config', DET_CONFIG, '--det-checkpoint', checkpoints['det'],
        '--device', 'cpu'
    ],
                     tmp_path_factory.mktemp('app') / 'app.log',
                     proxy=outbound.url)
    yield app
    app.stop()


class Page:
    """The demo page in chromium, with the actions a person takes."""

    def __init__(self, driver, server):
        from selenium.webdriver.support.ui import WebDriverWait
        self.driver, self.server = driver, server
        self.wait = WebDriverWait(driver, 90, poll_frequency=0.2)
        driver.get(server.url)
        self.wait.until(lambda d: self._find('#photo input[type=file]'))

    def _find(self, css):
        from selenium.webdriver.common.by import By
        return self.driver.find_elements(By.CSS_SELECTOR, css)

    def upload(self, path):
        """Choose ``path`` in the photo's file dialog (the uploaded photo
        is cleared first)."""
        if not self._find('#photo input[type=file]'):
            self._find('#photo button[aria-label="Clear"]')[0].click()
        self.wait.until(lambda d: self._find('#photo input[type=file]'))
        self._find('#photo input[type=file]')[0].send_keys(str(path))

    def set_mode(self, mode):
        self._find(f'#mode [data-testid="{mode}-radio-label"]')[0].click()

    def set_slider(self, elem_id, value):
        from selenium.webdriver.common.keys import Keys
        box = self._find(f'#{elem_id} input[data-testid="number-input"]')[0]
        box.clear()
        box.send_keys(str(value), Keys.TAB)
        self.wait.until(lambda d: float(box.get_attribute('value')) == value)

    def click(self, elem_id):
        self._find(f'#{elem_id}')[0].click()

    def status(self):
        """The status text, white space collapsed (inline code is laid out
        on lines of its own)."""
        return ' '.join(self._find('#status')[0].text.split())

    def wait_status(self, text):
        """Wait until the status line says ``text``; return it."""
        self.wait.until(lambda d: text in self.status(),
                        f'status never said {text!r}')
        return self.status()

    def toasts(self):
        return [e.text for e in self._find('[data-testid="toast-body"]')]

    def drawing(self):
        """The drawn image shown (BGR), or None."""
        images = self._find('#drawing img')
        if not images:
            return None
        data = self.server.get(images[0].get_attribute('src'))
        return cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)

    def json_file(self):
        """The JSON offered for download, parsed, or None."""
        links = self._find('#json-file a[download]')
        if not links:
            return None
        return json.loads(self.server.get(links[0].get_attribute('href')))

    def screenshot(self, path):
        """The whole page as a PNG."""
        height = self.driver.execute_script(
            'return document.documentElement.scrollHeight')
        self.driver.set_window_size(1280, max(800, min(height, 4000)))
        self.driver.save_screenshot(str(path))
        assert osp.getsize(path) > 10_000
        return path


@pytest.fixture(scope='module')
def page(server, tmp_path_factory):
    _require('selenium')
    reason = ensure_chromium(log=NOTES.append)
    if reason is not None:
        NOTES.append(f'[web demo test] SKIPPED, no browser: {reason}')
        pytest.skip(f'no chromium for the browser test: {reason}')
    driver = start_chromium(tmp_path_factory.mktemp('chromium-profile'))
    try:
        yield Page(driver, server)
    finally:
        driver.quit()


def check_record(record, name, width, height):
    """The schema of docs/inference.md, 8 landmarks per item."""
    assert record['image'] == name
    assert (record['width'], record['height']) == (width, height)
    for item in record['instances']:
        assert [lm['name'] for lm in item['landmarks']] == list(LANDMARK_NAMES)
        for lm in item['landmarks']:
            assert set(lm) == {'name', 'x', 'y', 'score', 'present'}
            if lm['present']:
                assert 0 <= lm['x'] <= width - 1 and 0 <= lm['y'] <= height - 1


def test_detector_mode(page, inferencer, tmp_path):
    image = cv2.imread(PHOTO)
    height, width = image.shape[:2]
    page.set_mode('Clothing detector')
    page.upload(PHOTO)
    status = page.wait_status('found by the detector (score >= 0.30)')
    drawing = page.drawing()
    assert drawing.shape == image.shape
    changed = np.abs(drawing.astype(int) - image).max(axis=2) > 40
    assert changed.mean() > 0.01  # boxes and labels drawn over the photo
    record = page.json_file()
    check_record(record, osp.basename(PHOTO), width, height)
    expected = next(inferencer(PHOTO, kpt_thr=0.3))['predictions'][0]
    assert len(record['instances']) == len(expected['instances']) > 0
    assert status.startswith(f'{len(expected["instances"])} clothing items')
    for item in record['instances']:
        assert item['box_source'] == 'detector'
        assert item['clothes_type'] in ('upper', 'lower', 'full')
        assert item['det_score'] >= 0.3
    # the JSON is also shown in the page
    shown = page._find('#json')[0].text
    assert osp.basename(PHOTO) in shown and 'detector' in shown
    page.screenshot(tmp_path / 'detector_mode.png')


def test_whole_image_mode(page, inferencer, tmp_path):
    image = cv2.imread(PHOTO)
    height, width = image.shape[:2]
    page.set_mode('Whole image')
    page.set_slider('kpt-thr', 0)  # random weights: low landmark scores
    page.click('run')
    page.wait_status('The whole image is one item')
    [item] = page.json_file()['instances']
    assert item['box_source'] == 'whole_image'
    assert item['bbox'] == [0, 0, width, height]
    assert all(lm['present'] for lm in item['landmarks'])
    # the page shows exactly what the inference API gives
    out = next(
        inferencer(PHOTO, whole_image=True, kpt_thr=0.0, return_vis=True))
    assert page.json_file() == out['predictions'][0]
    drawing = page.drawing()
    np.testing.assert_array_equal(drawing, out['visualization'][0][..., ::-1])
    assert not np.array_equal(drawing, image)
    page.screenshot(tmp_path / 'whole_image_mode.png')
    # left collar yellow, right collar red (RGB in the metainfo)
    for k, color in ((0, LEFT), (1, RIGHT)):
        lm = item['landmarks'][k]
        assert lm['score'] > 0
        x, y = round(lm['x']), round(lm['y'])
        assert tuple(drawing[y, x][::-1]) == color, LANDMARK_NAMES[k]
    page.set_slider('kpt-thr', 0.3)


def test_no_detection_offers_the_whole_image(page, tmp_path):
    page.set_mode('Clothing detector')
    page.set_slider('det-thr', 1)  # random weights score about 0.52
    page.click('run')
    status = page.wait_status('No clothing item found')
    assert 'score of at least 1.00' in status
    assert page.json_file()['instances'] == []
    page.screenshot(tmp_path / 'no_detection.png')
    page.click('whole-image')
    page.wait_status('The whole image is one item')
    assert page._find('#mode input[value="Whole image"]')[0].is_selected()
    assert page.json_file()['instances'][0]['box_source'] == 'whole_image'
    page.set_slider('det-thr', 0.3)


def test_bad_uploads_get_a_message_in_the_page(page, tmp_path):
    fake = tmp_path / 'holiday.jpg'
    fake.write_text('not a photo')
    page.upload(fake)
    status = page.wait_status('cannot read image holiday.jpg')
    assert status.startswith('Error:') and 'not an image' in status
    assert page.drawing() is None and page.json_file() is None
    page.screenshot(tmp_path / 'not_an_image.png')
    # a header claiming 10000 x 10000 pixels: refused before decoding
    png_header(tmp_path / 'huge.png', 10000, 10000)
    page.upload(tmp_path / 'huge.png')
    status = page.wait_status('10000 x 10000 pixels')
    assert 'up to 50.0 MP' in status and '--max-pixels' in status
    page.screenshot(tmp_path / 'huge_image.png')
    # not an image file type: the file dialog's filter says so
    notes = tmp_path / 'notes.txt'
    notes.write_text('hello')
    page.upload(notes)
    page.wait_status('Upload a photo to start.')  # cleared with the photo
    page.wait.until(lambda d: any('notes.txt' in t for t in page.toasts()))
    [toast] = [t for t in page.toasts() if 'notes.txt' in t]
    assert 'Invalid file type' in toast
    page.screenshot(tmp_path / 'wrong_file_type.png')
    # over the upload limit: Gradio refuses it before sending it
    big = tmp_path / 'big.jpg'
    with open(big, 'wb') as f:
        f.truncate(60 * 2**20)  # sparse: only its size is read
    page.upload(big)
    page.wait.until(lambda d: any('big.jpg' in t for t in page.toasts()))
    assert any('exceed the maximum allowed size of 50.0 Mb' in t
               for t in page.toasts())
    html = page.driver.page_source
    assert 'Traceback' not in html and 'File "' not in html


def test_the_page_and_the_server_stay_on_this_machine(page, server, outbound):
    """Everything the page loaded came from the app; the app tried to reach
    nothing outside (no analytics, version check or share link)."""
    page.driver.get(server.url)
    page.wait.until(lambda d: page._find('#photo input[type=file]'))
    urls = requested_urls(page.driver)
    assert urls
    # network requests (chrome:// pages are the browser's own, local)
    here = server.url.split('://', 1)[1]
    outside = [
        u for u in urls if u.split('://')[0] in ('http', 'https', 'ws', 'wss')
        and not u.split('://', 1)[1].startswith(here)
    ]
    assert outside == [], outside
    assert outbound.requests == [], outbound.requests
    assert 'Running on local URL:  http://127.0.0.1' in server.log()
    assert 'Traceback' not in server.log()


def run_app(*args):
    return subprocess.run([sys.executable, APP, *args],
                          capture_output=True,
                          text=True,
                          cwd=REPO,
                          env=dict(os.environ, OMP_NUM_THREADS='1'),
                          timeout=300)


def test_start_up_errors_stop_the_app_on_the_command_line(checkpoints):
    _require('gradio')
    missing = run_app('--pose-config', POSE_CONFIG, '--pose-checkpoint',
                      'work_dirs/nope.pth')
    assert missing.returncode == 1
    assert missing.stderr.strip().splitlines()[-1] == (
        'error: --pose-checkpoint work_dirs/nope.pth: no such file')
    # the detector's checkpoint given as the landmark model's
    wrong = run_app('--pose-config', POSE_CONFIG, '--pose-checkpoint',
                    checkpoints['det'])
    assert wrong.returncode == 1
    last = wrong.stderr.strip().splitlines()[-1]
    assert last.startswith('error: the pose (landmark) checkpoint')
    assert 'DETECTOR checkpoint' in last
    # the port taken by another server
    with socket.socket() as taken:
        taken.bind(('127.0.0.1', 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        busy = run_app('--pose-config', POSE_CONFIG, '--pose-checkpoint',
                       checkpoints['pose'], '--port', str(port))
    assert busy.returncode == 1
    assert busy.stderr.strip().splitlines()[-1].startswith(
        f'error: cannot serve on 127.0.0.1:{port}: the port is in use')
    for proc in (missing, wrong, busy):
        assert 'Traceback' not in proc.stderr
        assert 'Running on' not in proc.stdout


def load_app():
    """demo/app.py as a module (it is a script, not part of ``gle``)."""
    return load_script(APP, 'gle_demo_app')


def test_without_a_detector_every_photo_is_one_item(checkpoints, tmp_path):
    gr = _require('gradio')
    from gle.apis import FashionLandmarkInferencer
    app = load_app()
    demo = app.LandmarkDemo(
        FashionLandmarkInferencer(
            POSE_CONFIG, checkpoints['pose'], device='cpu'),
        max_pixels=app.MAX_PIXELS,
        out_dir=str(tmp_path))
    old = tmp_path / 'an-hour-ago'
    old.mkdir()
    os.utime(old, (0, 0))
    out = demo.predict(PHOTO, app.DETECTOR)
    assert not old.exists()  # earlier JSON files are removed after an hour
    [item] = out['record']['instances']
    assert item['box_source'] == 'whole_image'
    assert out['message'].startswith('**The whole image** is one item')
    with open(out['json_file']) as f:
        assert json.load(f) == out['record']
    # the page offers the whole image only
    [radio] = [
        b for b in app.build_page(demo).blocks.values()
        if isinstance(b, gr.Radio)
    ]
    assert [value for _, value in radio.choices] == [app.WHOLE_IMAGE]
    assert demo.predict(None)['message'] == 'Upload a photo to start.'
    assert demo.predict(str(tmp_path / 'clip.mp4'))['message'].startswith(
        '**Error:** `clip.mp4` is not a photo')


def test_an_unexpected_error_is_named_in_the_page(tmp_path):
    app = load_app()

    class Broken:
        detector = None

        def __call__(self, *args, **kwargs):
            raise RuntimeError('out of memory')

    out = app.LandmarkDemo(Broken(), app.MAX_PIXELS,
                           str(tmp_path)).answer(PHOTO, app.WHOLE_IMAGE)
    assert out['drawing'] is None and out['record'] is None
    assert out['message'] == (
        '**Error:** inference failed (RuntimeError: out of memory); the '
        'server log has the details.')


def test_a_missing_browser_is_reported_with_the_reason(monkeypatch):
    import web_demo_utils
    monkeypatch.setattr(web_demo_utils, 'missing_browser',
                        lambda: ['/usr/bin/chromium'])
    monkeypatch.setattr(web_demo_utils.os, 'geteuid', lambda: 1000)
    assert web_demo_utils.ensure_chromium(log=lambda line: None) == (
        "missing ['/usr/bin/chromium'] and not root, so apt-get install is "
        'impossible')
