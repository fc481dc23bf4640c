"""A local stand-in for raw.githubusercontent.com: a static file server on 127.0.0.1 holding the
upstream layout of the emotion-wheel files (copied from ../shared into a temp dir)."""

from __future__ import annotations

import http.server
import shutil
import threading
from pathlib import Path

from emer_bench.resources.wheel_tables import RESOURCE_FILES
from emer_bench.resources.emotion_wheel import VERSIONS


class MirrorServer:
    """Serves `root` on 127.0.0.1 and records the request paths; use as a context manager."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.requests: list[str] = []
        requests = self.requests

        class Handler(http.server.SimpleHTTPRequestHandler):
            def __init__(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
                super().__init__(*args, directory=str(root), **kwargs)

            def do_GET(self) -> None:  # noqa: N802
                requests.append(self.path)
                super().do_GET()

            def log_message(self, *args) -> None:  # type: ignore[no-untyped-def]
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def __enter__(self) -> "MirrorServer":
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(timeout=5)


def build_mirror(shared_dir: Path, root: Path) -> Path:
    """Both versions under their upstream paths, as the pinned commit has them."""
    for version in VERSIONS.values():
        source = shared_dir / "data" / "emotion_wheel" / version.name
        target = root / version.upstream_path
        target.mkdir(parents=True)
        for name in RESOURCE_FILES:
            shutil.copyfile(source / name, target / name)
    return root
