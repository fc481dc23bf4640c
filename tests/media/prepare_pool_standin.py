"""Test stand-in for an adapter in a prepare-pool child (tests/media/test_prepare_pool.py): importable
by module and name, as the children need; records the process that prepared each request."""

from __future__ import annotations

import os
import signal
from typing import Any

from emer_bench.api.adapter import AdapterArgs, PreparedRequest


class StandInArgs(AdapterArgs):
    fail_build: bool = False


class StandInPreprocessor:
    def __init__(self, args: StandInArgs) -> None:
        if args.fail_build:
            raise RuntimeError("the stand-in refuses to build")

    def preprocess(self, prepared: PreparedRequest) -> PreparedRequest:
        request = prepared.request
        if request.clip_id.startswith("bad"):
            raise ValueError(f"no payload for {request.clip_id}")
        sigint_ignored = signal.getsignal(signal.SIGINT) is signal.SIG_IGN
        return PreparedRequest(request, prepared.media, payload={"pid": os.getpid(), "clip": request.clip_id,
                                                                 "sigint_ignored": sigint_ignored})


def build(args: Any) -> StandInPreprocessor:
    return StandInPreprocessor(args)
