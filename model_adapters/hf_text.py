"""Any text-only chat LLM via transformers, over the prompt (which carries the subtitle).

Also the model behind the LLM label extractor and the LLM judges (emer_bench.scoring.llm.tool):
those send text-only requests (modality SUBTITLE, the whole prompt in `prompt`) through
`generate_stream`. Batching: the stream is read in windows of ``batch_size x window_batches``
requests; inside a window requests are sorted by prompt length and generated ``batch_size`` at a
time with left padding, so little compute goes to padding; answers come back in request order.

Media: none (DECODED is declared but nothing is decoded, since only SUBTITLE is taken).
"""

from __future__ import annotations

from typing import Any, ClassVar, Iterable, Iterator

from pydantic import Field

from emer_bench.api.adapter import PreparedRequest
from emer_bench.api.records import Generation
from emer_bench.api.requests import Modality
from emer_bench.errors import ConfigError
from .hf_common import HFAdapter, HFArgs, ModelInput


class HFTextArgs(HFArgs):
    """`--model-args` of hf_text."""

    batch_size: int = Field(8, ge=1)  # text-only prompts batch well
    window_batches: int = Field(8, ge=1)  # look-ahead (in batches) for sorting prompts by length
    # False: feed the prompt as raw text (base models without a chat template).
    apply_chat_template: bool = True


class HFTextAdapter(HFAdapter[HFTextArgs]):
    """Text-only chat LLM: the subtitle-bearing prompt in, text out."""

    name: ClassVar[str] = "hf_text"
    modalities: ClassVar[frozenset[Modality]] = frozenset({Modality.SUBTITLE})
    sort_by_length: ClassVar[bool] = True
    encodes_per_request: ClassVar[bool] = False  # the batch is tokenized at once, with padding

    @property
    def text_args(self) -> HFTextArgs:
        return self.args

    def load_processor(self, path: str) -> Any:
        from transformers import AutoTokenizer

        tokenizer = AutoTokenizer.from_pretrained(path, **self._hub_kwargs())
        if self.text_args.apply_chat_template and not tokenizer.chat_template:
            raise ConfigError(f"model arg pretrained={self.hf_args.pretrained!r}: the tokenizer has no chat "
                              "template; pass apply_chat_template=false to feed the raw prompt")
        return tokenizer

    def load_model(self, path: str, load_kwargs: dict[str, Any]) -> Any:
        from transformers import AutoModelForCausalLM

        return AutoModelForCausalLM.from_pretrained(path, **load_kwargs)

    def render(self, messages: list[dict[str, Any]]) -> str:
        if not self.text_args.apply_chat_template:
            return "\n\n".join(str(m["content"]) for m in messages)
        try:
            return super().render(messages)
        except Exception as exc:
            # Some templates refuse a system turn (e.g. Gemma): fold it into the user turn instead.
            if messages[0]["role"] != "system" or "system" not in str(exc).lower():
                raise
            merged = [{"role": "user", "content": f"{messages[0]['content']}\n\n{messages[1]['content']}"}]
            return super().render(merged)

    def encode(self, items: list[ModelInput]) -> Any:
        # The chat template already wrote BOS etc.; raw prompts get the tokenizer's own specials.
        return self.tokenizer([i.text for i in items], padding=True, return_tensors="pt",
                              add_special_tokens=not self.text_args.apply_chat_template)

    def generate_stream(self, requests: Iterable[PreparedRequest]) -> Iterator[Generation]:
        window: list[PreparedRequest] = []
        limit = self.text_args.batch_size * self.text_args.window_batches
        for prepared in requests:
            window.append(prepared)
            if len(window) >= limit:
                yield from self._safe_generate(window)
                window = []
        if window:
            yield from self._safe_generate(window)
