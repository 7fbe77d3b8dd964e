"""Fashion landmarks in the browser: upload a photo, see its landmarks.

    pip install -e .[demo]        # or: pip install -r requirements/demo.txt
    python demo/app.py --pose-config POSE_CONFIG --pose-checkpoint POSE_CKPT \\
        [--det-config DET_CONFIG --det-checkpoint DET_CKPT] \\
        [--device cpu|cuda] [--host 127.0.0.1] [--port 7860] \\
        [--max-pixels 50000000]

then open http://127.0.0.1:7860. A Gradio page around
``gle.apis.FashionLandmarkInferencer`` (as MMPose's
``projects/rtmpose/app.py`` is around ``MMPoseInferencer``): each photo goes
through the clothing detector (or is one item, "whole image"), the drawing
(left landmarks yellow, right red) and the JSON (the schema of
tools/infer.py, docs/inference.md) come back. Bad uploads (not an image, too
many pixels, nothing detected) get a message in the page; a missing or wrong
checkpoint is an error on the command line before the server starts.

The server listens on 127.0.0.1 unless ``--host`` says otherwise, sends no
analytics and makes no share link; the page loads nothing from outside it.
"""
import argparse
import json
import logging
import os
import os.path as osp
import shutil
import socket
import sys
import tempfile
import time
import uuid
from collections import Counter

# before Gradio is imported: no usage statistics, no version check
os.environ['GRADIO_ANALYTICS_ENABLED'] = 'False'
os.environ['HF_HUB_DISABLE_TELEMETRY'] = '1'

DETECTOR, WHOLE_IMAGE = 'Clothing detector', 'Whole image'
#: default pixel limit of an upload (a 48 MP phone photo is 8000 x 6000)
MAX_PIXELS = 50_000_000
#: largest upload, checked by Gradio before our code sees the file
MAX_FILE_SIZE = '50mb'
#: uploads and results are deleted after this long
CACHE_SECONDS = 3600
#: command-line options naming files that must exist before models load
FILE_OPTIONS = ('pose_config', 'pose_checkpoint', 'det_config',
                'det_checkpoint', 'onnx', 'det_onnx')

# the model options of tools/infer.py (standard library only: --help stays
# instant)
sys.path.append(
    osp.join(osp.dirname(osp.dirname(osp.abspath(__file__))), 'tools'))
import infer_args  # noqa: E402

#: ``--backend`` values (``gle.apis.BACKENDS``)
BACKENDS = infer_args.BACKENDS


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description='Browser demo: fashion landmarks (GLE) of an uploaded '
        'photo, drawn and as JSON')
    parser.add_argument(
        '--pose-config', required=True, help='GLE config (configs/gle/)')
    parser.add_argument(
        '--pose-checkpoint', help=infer_args.POSE_CHECKPOINT_HELP)
    infer_args.add_detector_args(parser)
    infer_args.add_device_arg(parser)
    parser.add_argument(
        '--host',
        default='127.0.0.1',
        help='address to listen on (default: 127.0.0.1, this machine '
        'only; 0.0.0.0 serves the network)')
    parser.add_argument(
        '--port', type=int, default=7860, help='port (default: 7860)')
    parser.add_argument(
        '--max-pixels',
        type=int,
        default=MAX_PIXELS,
        help='largest photo accepted, in pixels (default: '
        f'{MAX_PIXELS}); larger ones get a message')
    infer_args.add_backend_args(parser, '--pose-config')
    args = parser.parse_args(argv)
    if args.max_pixels < 1:
        parser.error(f'--max-pixels {args.max_pixels}: must be positive')
    if args.backend == 'pytorch' and not args.pose_checkpoint:
        parser.error('--pose-checkpoint is required with --backend pytorch '
                     '(--backend onnxruntime runs --onnx instead)')
    return args


def inferencer_kwargs(args) -> dict:
    """The ``FashionLandmarkInferencer`` arguments of the command line: the
    one place where options reach the inference API."""
    return dict(
        model=args.pose_config,
        weights=args.pose_checkpoint,
        device=args.device,
        det_model=args.det_config,
        det_weights=args.det_checkpoint,
        backend=args.backend,
        onnx=args.onnx,
        det_onnx=args.det_onnx,
        num_threads=args.num_threads)


def check_files(args) -> None:
    """Refuse missing files by their option before any model is built.

    Raises:
        FileNotFoundError: The option and the path.
    """
    for option in FILE_OPTIONS:
        path = getattr(args, option)
        if path is not None and not osp.isfile(path):
            raise FileNotFoundError(
                f'--{option.replace("_", "-")} {path}: no such file')


def check_address(host: str, port: int) -> None:
    """Refuse a port in use (or an address not of this machine) before the
    models load.

    Raises:
        OSError: Which address, and what to do.
    """
    with socket.socket() as probe:
        # as uvicorn binds: a port left in TIME_WAIT is free
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError:
            raise OSError(_busy(host, port)) from None


def _busy(host: str, port: int) -> str:
    return (f'cannot serve on {host}:{port}: the port is in use, or the '
            "address is not one of this machine's. Choose another --port "
            '(or --host)')


class LandmarkDemo:
    """What the page does with one photo, without the page: read and check
    it, run the inferencer, say what came out.

    Args:
        inferencer (FashionLandmarkInferencer): The models.
        max_pixels (int): Largest photo accepted.
        out_dir (str): Where the JSON files offered for download go.
    """

    def __init__(self, inferencer, max_pixels: int, out_dir: str) -> None:
        self.inferencer = inferencer
        self.max_pixels = max_pixels
        self.out_dir = out_dir

    @property
    def has_detector(self) -> bool:
        return self.inferencer.detector is not None

    def predict(self,
                path,
                mode: str = DETECTOR,
                det_thr: float = 0.3,
                kpt_thr: float = 0.3) -> dict:
        """The result of one uploaded photo.

        Args:
            path (str | None): The uploaded file (its name is the upload's).
            mode (str): ``DETECTOR`` or ``WHOLE_IMAGE``.
            det_thr (float): Minimum detection score.
            kpt_thr (float): Minimum landmark score drawn.

        Returns:
            dict: ``drawing`` (RGB array, or None), ``record`` (the JSON of
            docs/inference.md, or None), ``json_file`` (its path, or None),
            ``message`` (Markdown for the page) and ``offer_whole_image``
            (the detector found nothing).
        """
        from gle.apis import IMAGE_EXTS, InputError, image_size

        result = dict(
            drawing=None,
            record=None,
            json_file=None,
            message='',
            offer_whole_image=False)
        if not path:
            result['message'] = 'Upload a photo to start.'
            return result
        path = str(path)
        name = osp.basename(path)
        if osp.splitext(name)[1].lower() not in IMAGE_EXTS:
            result['message'] = _error(
                f'`{name}` is not a photo: upload an image '
                f'({", ".join(IMAGE_EXTS)}).')
            return result
        whole_image = mode == WHOLE_IMAGE or not self.has_detector
        try:
            width, height = image_size(path)
            if width * height > self.max_pixels:
                result['message'] = _error(
                    f'`{name}` is {width} x {height} pixels '
                    f'({width * height / 1e6:.1f} MP); this demo takes '
                    f'photos up to {self.max_pixels / 1e6:.1f} MP '
                    '(`--max-pixels`). Resize it and upload it again.')
                return result
            out = next(
                self.inferencer(
                    path,
                    whole_image=whole_image,
                    bbox_thr=det_thr,
                    kpt_thr=kpt_thr,
                    return_vis=True))
        except (InputError, OSError, ValueError) as e:
            # unreadable images: the message names the file and why
            result['message'] = _error(str(e).replace(path, f'`{name}`'))
            return result
        record = out['predictions'][0]
        result.update(
            drawing=out['visualization'][0],
            record=record,
            json_file=self._save_json(record, name))
        items = record['instances']
        if not items:
            result['offer_whole_image'] = True
            result['message'] = (
                '**No clothing item found** by the detector with a score '
                f'of at least {det_thr:.2f}. Lower the detection threshold, '
                'or run the landmark model on the whole image.')
            return result
        if whole_image:
            found = ('**The whole image** is one item of unknown clothes '
                     'type.')
        else:
            types = Counter(item['clothes_type'] or 'unknown type'
                            for item in items)
            found = (f'**{len(items)} clothing '
                     f'item{"s" if len(items) > 1 else ""}** found by the '
                     f'detector (score >= {det_thr:.2f}): ' +
                     ', '.join(f'{n} {t}'
                               for t, n in types.most_common()) + '.')
        result['message'] = (
            f'{found} Left landmarks yellow, right red; landmarks scoring '
            f'up to {kpt_thr:.2f} are not drawn (the JSON has all 8 slots '
            'of each item).')
        return result

    def answer(self, *args, **kwargs) -> dict:
        """:meth:`predict`, whatever happens: an unexpected error is logged
        with its traceback on the server and named in the page (which stays
        usable)."""
        try:
            return self.predict(*args, **kwargs)
        except Exception as e:  # noqa: BLE001  (the page stays up)
            logging.getLogger('gle.demo').exception('inference failed')
            return dict(
                drawing=None,
                record=None,
                json_file=None,
                offer_whole_image=False,
                message=_error(f'inference failed ({type(e).__name__}: {e}); '
                               'the server log has the details.'))

    def _save_json(self, record: dict, name: str) -> str:
        """``out_dir/<uuid>/<photo stem>.json`` (Gradio serves a copy);
        the files of earlier photos go after an hour, as Gradio's cache."""
        for old in os.listdir(self.out_dir):
            old = osp.join(self.out_dir, old)
            if time.time() - osp.getmtime(old) > CACHE_SECONDS:
                shutil.rmtree(old, ignore_errors=True)
        folder = osp.join(self.out_dir, uuid.uuid4().hex)
        os.makedirs(folder)
        path = osp.join(folder, osp.splitext(name)[0] + '.json')
        with open(path, 'w') as f:
            json.dump(record, f, indent=2)
        return path


def _error(text: str) -> str:
    return f'**Error:** {text}'


def build_page(demo: LandmarkDemo):
    """The Gradio page of ``demo``.

    Returns:
        gr.Blocks: Not launched yet.
    """
    import gradio as gr

    from gle.apis import IMAGE_EXTS

    modes = [DETECTOR, WHOLE_IMAGE] if demo.has_detector else [WHOLE_IMAGE]
    with gr.Blocks(
            title='GLE fashion landmarks',
            analytics_enabled=False,
            delete_cache=(CACHE_SECONDS, CACHE_SECONDS)) as page:
        gr.Markdown(
            '## GLE fashion landmarks\n'
            'Upload a photo: the clothing detector finds each item (or the '
            'whole photo is one item) and the landmark model draws its 8 '
            'landmarks, left ones yellow, right ones red. The JSON below is '
            'what `tools/infer.py` writes.')
        with gr.Row():
            with gr.Column(scale=1):
                photo = gr.File(
                    label='Photo',
                    file_types=list(IMAGE_EXTS),
                    type='filepath',
                    elem_id='photo')
                mode = gr.Radio(
                    modes,
                    value=modes[0],
                    label='Boxes',
                    info=None if demo.has_detector else
                    'no detector loaded (start with --det-config and '
                    '--det-checkpoint)',
                    elem_id='mode')
                det_thr = gr.Slider(
                    0,
                    1,
                    value=0.3,
                    step=0.01,
                    label='Detection score threshold',
                    elem_id='det-thr')
                kpt_thr = gr.Slider(
                    0,
                    1,
                    value=0.3,
                    step=0.01,
                    label='Landmark score threshold (drawing)',
                    elem_id='kpt-thr')
                run = gr.Button(
                    'Detect landmarks', variant='primary', elem_id='run')
                status = gr.Markdown(
                    'Upload a photo to start.', elem_id='status')
                whole = gr.Button(
                    'Use the whole image',
                    visible=False,
                    elem_id='whole-image')
            with gr.Column(scale=2):
                drawing = gr.Image(
                    label='Landmarks',
                    type='numpy',
                    format='png',
                    interactive=False,
                    height=480,
                    buttons=['download', 'fullscreen'],
                    elem_id='drawing')
                json_file = gr.File(
                    label='JSON file', interactive=False, elem_id='json-file')
                record = gr.JSON(label='JSON', elem_id='json')

        def on_photo(path, mode, det_thr, kpt_thr):
            out = demo.answer(path, mode, det_thr, kpt_thr)
            return (out['drawing'], out['record'],
                    out['json_file'], out['message'],
                    gr.Button(visible=out['offer_whole_image']))

        outputs = [drawing, record, json_file, status, whole]
        options = dict(concurrency_id='inference', concurrency_limit=1)
        inputs = [photo, mode, det_thr, kpt_thr]
        photo.upload(on_photo, inputs, outputs, **options)
        photo.clear(
            lambda: (None, None, None, 'Upload a photo to start.',
                     gr.Button(visible=False)), None, outputs)
        run.click(on_photo, inputs, outputs, **options)
        whole.click(lambda: WHOLE_IMAGE, None,
                    mode).then(on_photo, inputs, outputs, **options)
    return page


def main(argv=None) -> int:
    args = parse_args(argv)
    try:
        import gradio  # noqa: F401
    except ImportError:
        print(
            'error: the browser demo needs Gradio: pip install -e .[demo] '
            '(or pip install -r requirements/demo.txt)',
            file=sys.stderr)
        return 1
    try:
        check_files(args)
        check_address(args.host, args.port)
        from gle.apis import FashionLandmarkInferencer
        inferencer = FashionLandmarkInferencer(**inferencer_kwargs(args))
    except (OSError, ValueError) as e:
        # missing files, a busy port, CheckpointMismatchError: the message
        # says which
        print(f'error: {e}', file=sys.stderr)
        return 1
    out_dir = tempfile.mkdtemp(prefix='gle-demo-')
    page = build_page(LandmarkDemo(inferencer, args.max_pixels,
                                   out_dir)).queue()
    try:
        page.launch(
            server_name=args.host,
            server_port=args.port,
            share=False,
            inbrowser=False,
            max_file_size=MAX_FILE_SIZE)
    except OSError:  # taken meanwhile; Gradio's message names its own API
        print(f'error: {_busy(args.host, args.port)}', file=sys.stderr)
        return 1
    finally:
        shutil.rmtree(out_dir, ignore_errors=True)
    return 0


if __name__ == '__main__':
    sys.exit(main())
