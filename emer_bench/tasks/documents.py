"""Compatibility names: the annotation side moved to `annotations.py` (+ file formats in
`readers.py`), the request side to `requests.py`. Kept so code written against the old module
keeps importing; new code imports from the split modules."""

from emer_bench.tasks.annotations import PathContext, TaskDocument, expand_path, load_documents
from emer_bench.tasks.requests import build_requests, render_prompt

__all__ = ["PathContext", "TaskDocument", "build_requests", "expand_path", "load_documents", "render_prompt"]
