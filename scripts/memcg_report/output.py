"""Where the report writes: whole files only, and the plots beside the page."""

import os

from .errors import ReportError
from .formatting import safe_name


def write_file(path, data):
    """Write @data (str or bytes) under a temporary name and rename it into
    place, as the harness does: a file that exists is complete."""
    tmp = os.path.join(os.path.dirname(path), f".{os.path.basename(path)}.tmp{os.getpid()}")
    mode = "wb" if isinstance(data, bytes) else "w"
    try:
        with open(tmp, mode, **({} if isinstance(data, bytes) else {"encoding": "utf-8"})) as f:
            f.write(data)
        os.replace(tmp, path)
    except OSError as e:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise ReportError(f"{path}: cannot write: {e.strerror}") from None


class PlotWriter:
    """Writes each plot beside the page as <stem>-<scenario>-<kind>.png."""

    def __init__(self, out):
        self.dir = os.path.dirname(os.path.abspath(out))
        self.stem = os.path.splitext(os.path.basename(out))[0]

    def write(self, key, kind, png):
        name, rep = key
        suffix = "" if rep == 1 else f"-{rep}"
        path = os.path.join(self.dir, f"{self.stem}-{safe_name(name)}{suffix}-{kind}.png")
        write_file(path, png)
        return path
