"""What a sample was asked, as a hash: references + prompt + media identity.

The run key names the samples file from the task definition and the model configuration, but
not from the loaded data: an annotation or clip that changes under the same task name must not
be answered from the old record. Each record stores this fingerprint and a resumed run re-asks
every clip whose fingerprint differs from what is loaded now. Media identity is path + size +
mtime (a stat, not a hash: hashing every clip would slow each resume by reading all the media).
"""

from __future__ import annotations

import hashlib
import json
import os
from typing import Any

from emer_bench.api.requests import GenerationRequest, Reference


def media_identity(path: str | None) -> list[Any] | None:
    if path is None:
        return None
    try:
        st = os.stat(path)
    except OSError:
        return [path, None, None]  # missing now: asked again (and failing) once it appears
    return [path, st.st_size, st.st_mtime_ns]


def request_fingerprint(request: GenerationRequest, reference: Reference) -> str:
    payload = {
        "reference": reference.to_dict(), "prompt": request.prompt, "system_prompt": request.system_prompt,
        "subtitle": request.subtitle, "modalities": [m.value for m in request.modalities],
        "video": media_identity(request.video_path), "audio": media_identity(request.audio_path),
    }
    text = json.dumps(payload, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]
