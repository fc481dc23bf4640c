"""Fixtures of the `openai` adapter tests: the local OpenAI-compatible server on 127.0.0.1 and
closing the adapters a test made."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Iterator

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from openai_adapter_support import close_open_adapters  # noqa: E402
from openai_test_server import OpenAITestServer  # noqa: E402


@pytest.fixture
def server() -> Iterator[OpenAITestServer]:
    with OpenAITestServer() as running:
        yield running


@pytest.fixture(autouse=True)
def close_openai_adapters() -> Iterator[None]:
    yield
    close_open_adapters()
