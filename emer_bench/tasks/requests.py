"""Build the typed generation requests of a task from its documents (the adapter never sees references)."""

from __future__ import annotations

from typing import Any

from emer_bench.api.requests import GenerationRequest, Modality
from emer_bench.tasks.annotations import TaskDocument
from emer_bench.tasks.loader import LoadedTask


def render_prompt(task: LoadedTask, doc: TaskDocument) -> str:
    prompt = task.spec.prompt
    gives_subtitle = Modality.SUBTITLE in task.spec.modalities
    template = prompt.template if gives_subtitle or not prompt.template_without_subtitle else prompt.template_without_subtitle
    # Plain replacement, not str.format: prompts may contain literal braces.
    return template.replace("{subtitle}", (doc.subtitle or "") if gives_subtitle else "").replace("{clip_id}", doc.clip_id)


def build_requests(task: LoadedTask, docs: list[TaskDocument], gen_kwargs: dict[str, Any]) -> list[GenerationRequest]:
    modalities = tuple(task.spec.modalities)
    return [
        GenerationRequest(
            task=task.name, index=i, clip_id=doc.clip_id, prompt=render_prompt(task, doc),
            modalities=modalities, video_path=doc.video_path, audio_path=doc.audio_path,
            subtitle=doc.subtitle if Modality.SUBTITLE in modalities else None,
            system_prompt=task.spec.prompt.system, gen_kwargs=dict(gen_kwargs),
        )
        for i, doc in enumerate(docs)
    ]
