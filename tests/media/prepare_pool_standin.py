"""Test stand-in for an adapter in a prepare-pool child (tests/media/test_prepare_pool.py): importable
by module and name, as the children need; records the process that prepared each request."""

from __future__ import annotations

import os
import signal
from typing import Any

from emer_bench.api.adapter import AdapterArgs, PreparedRequest


class StandInArgs(AdapterArgs):
    fail_build: bool = False
    parent_pid: int = 0  # a clip named "die..." kills the process preparing it, unless it is this one


class StandInPreprocessor:
    def __init__(self, args: StandInArgs) -> None:
        self.parent_pid = args.parent_pid
        if args.fail_build:
            raise RuntimeError("the stand-in refuses to build")

    def preprocess(self, prepared: PreparedRequest) -> PreparedRequest:
        request = prepared.request
        if request.clip_id.startswith("die") and os.getpid() != self.parent_pid:
            os._exit(1)  # a child that dies mid-run (out of memory, a crash in a C library)
        if request.clip_id.startswith("bad"):
            raise ValueError(f"no payload for {request.clip_id}")
        sigint_ignored = signal.getsignal(signal.SIGINT) is signal.SIG_IGN
        return PreparedRequest(request, prepared.media, payload={"pid": os.getpid(), "clip": request.clip_id,
                                                                 "sigint_ignored": sigint_ignored})


def build(args: Any) -> StandInPreprocessor:
    return StandInPreprocessor(args)
