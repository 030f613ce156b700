"""Text recognition on the CPU with the models that ship inside ``rapidocr-onnxruntime``.

One engine per process, loaded on first use (about a second) and run one picture at a time:
recognition keeps a core busy for most of a second, and a worker that ran several at once would
only make each slower. Nothing is downloaded at run time.
"""

from __future__ import annotations

import logging
import threading

import numpy as np
from PIL import Image

from lostfound.domain.documents import Line

# Recognition reads a card well at this size; a larger photo only costs time.
LONG_SIDE = 1600

_engine = None
_lock = threading.Lock()


class RecognitionUnavailable(RuntimeError):
    """The recognition engine cannot load here (OpenCV wants the system's libGL and GLib)."""


def _load():  # type: ignore[no-untyped-def]
    global _engine
    if _engine is None:
        try:  # a heavy import, paid only where documents are read
            from rapidocr_onnxruntime import RapidOCR
        except (ImportError, OSError) as exc:
            raise RecognitionUnavailable(str(exc)) from exc

        logging.getLogger("RapidOCR").setLevel(logging.WARNING)
        _engine = RapidOCR(intra_op_num_threads=1, inter_op_num_threads=1)
    return _engine


def recognise(image: Image.Image) -> list[Line]:
    """The lines of text on a picture, each with its confidence and its box in the picture's pixels."""
    picture = image.convert("RGB")
    scale = 1.0
    if max(picture.size) > LONG_SIDE:
        scale = max(picture.size) / LONG_SIDE
        picture = picture.resize(
            (round(picture.width / scale), round(picture.height / scale)), Image.Resampling.LANCZOS
        )
    with _lock:
        found, _elapsed = _load()(np.asarray(picture)[:, :, ::-1])  # the engine takes BGR, as OpenCV reads
    lines = []
    for corners, text, confidence in found or []:
        xs = [point[0] * scale for point in corners]
        ys = [point[1] * scale for point in corners]
        lines.append(Line(str(text), float(confidence), (min(xs), min(ys), max(xs), max(ys))))
    return lines
