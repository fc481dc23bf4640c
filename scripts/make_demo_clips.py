#!/usr/bin/env python3
"""Makes the bundled demo task's clips and annotations (tasks/emer_demo/).

Each clip: a PIL-drawn cartoon face whose expression matches the clip's emotion, the mouth
moving with the speech loudness and the eyes blinking, the subtitle burned in at the bottom,
and a speech track spoken by espeak-ng with emotion-dependent speed, pitch and loudness.
Encoded by ffmpeg as H.264 yuv420p 256x192 @ 12 fps + AAC mono 32 kbps.

The output is a pure function of `demo_clip_specs.py` (no randomness, single-threaded
encoders, bitexact flags), given the same espeak-ng / ffmpeg builds. Needs `espeak-ng` and
`ffmpeg` on PATH; the harness itself only needs the committed files.

    python3 scripts/make_demo_clips.py [--out tasks/emer_demo] [--preview sheet.png]
"""

from __future__ import annotations

import argparse
import csv
import subprocess
import sys
import tempfile
import wave
from pathlib import Path

import numpy as np
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parent))
from demo_clip_specs import CLIPS, ClipSpec  # noqa: E402
from demo_face import HEIGHT, WIDTH, draw_frame  # noqa: E402

FPS = 12
LEAD_S = 0.35  # silence before the speech starts (face at rest first)
MIN_S, MAX_S = 2.0, 4.0
DEFAULT_OUT = Path(__file__).resolve().parents[1] / "tasks" / "emer_demo"
CSV_COLUMNS = ["name", "subtitle", "explanation", "openset", "label", "valence", "arousal"]


def speak(spec: ClipSpec, wav_path: Path) -> tuple[np.ndarray, int]:
    """espeak-ng speaks the subtitle; returns int16 samples and the sample rate."""
    v = spec.voice
    cmd = ["espeak-ng", "-v", v.voice, "-s", str(v.speed), "-p", str(v.pitch),
           "-a", str(v.amplitude), "-w", str(wav_path), spec.subtitle]
    subprocess.run(cmd, check=True, capture_output=True)
    with wave.open(str(wav_path), "rb") as w:
        rate = w.getframerate()
        samples = np.frombuffer(w.readframes(w.getnframes()), dtype=np.int16)
    return trim_silence(samples), rate


def trim_silence(samples: np.ndarray, threshold: int = 300) -> np.ndarray:
    """espeak-ng pads its output with silence; the clip places the speech itself."""
    loud = np.flatnonzero(np.abs(samples.astype(np.int32)) > threshold)
    return samples[loud[0]:loud[-1] + 1] if len(loud) else samples


def place_speech(speech: np.ndarray, rate: int, clip_id: str) -> tuple[np.ndarray, float]:
    """Pads the speech with lead/tail silence to a clip length within [MIN_S, MAX_S]."""
    speech_s = len(speech) / rate
    duration = max(MIN_S, LEAD_S + speech_s + 0.3)
    if duration > MAX_S:
        raise SystemExit(f"{clip_id}: speech lasts {speech_s:.2f}s; shorten the subtitle or "
                         f"raise the speed so the clip stays <= {MAX_S}s")
    duration = round(duration * FPS) / FPS  # whole number of frames
    track = np.zeros(int(round(duration * rate)), dtype=np.int16)
    start = int(LEAD_S * rate)
    track[start:start + len(speech)] = speech
    return track, duration


def mouth_envelope(track: np.ndarray, rate: int, n_frames: int) -> np.ndarray:
    """Per-frame loudness in 0..1, used to open the mouth while speaking."""
    hop = rate / FPS
    x = track.astype(np.float32) / 32768.0
    rms = np.array([np.sqrt(np.mean(x[int(i * hop):int((i + 1) * hop)] ** 2) + 1e-12)
                    for i in range(n_frames)])
    env = np.clip(rms / max(float(rms.max()), 1e-6), 0.0, 1.0)
    env[env < 0.08] = 0.0  # silence closes the mouth
    return np.sqrt(env)  # quieter syllables still open the mouth visibly


def render_frames(spec: ClipSpec, envelope: np.ndarray) -> list[Image.Image]:
    frames = []
    for i, opening in enumerate(envelope):
        t = i / FPS
        blink = any(b <= t < b + 2.0 / FPS for b in spec.blink_at)
        frames.append(draw_frame(spec.face, spec.subtitle, t, float(opening), blink))
    return frames


def encode(frames: list[Image.Image], wav_path: Path, duration: float, out_path: Path) -> None:
    """Raw RGB frames on stdin + the wav → H.264/AAC mp4, deterministic settings."""
    cmd = ["ffmpeg", "-y", "-hide_banner", "-loglevel", "error",
           "-f", "rawvideo", "-pix_fmt", "rgb24", "-s", f"{WIDTH}x{HEIGHT}", "-framerate",
           str(FPS), "-i", "pipe:0", "-i", str(wav_path),
           "-map", "0:v", "-map", "1:a", "-t", f"{duration:.3f}",
           "-c:v", "libx264", "-preset", "slow", "-crf", "30", "-pix_fmt", "yuv420p",
           "-g", str(FPS * 2), "-threads", "1",
           "-c:a", "aac", "-b:a", "32k", "-ac", "1",
           "-map_metadata", "-1", "-fflags", "+bitexact", "-flags:v", "+bitexact",
           "-flags:a", "+bitexact", "-movflags", "+faststart", str(out_path)]
    raw = b"".join(np.asarray(f, dtype=np.uint8).tobytes() for f in frames)
    subprocess.run(cmd, input=raw, check=True)


def write_wav(path: Path, track: np.ndarray, rate: int) -> None:
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(track.tobytes())


def write_annotations(path: Path, clips: list[ClipSpec]) -> None:
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(CSV_COLUMNS)
        for c in clips:
            writer.writerow([c.clip_id, c.subtitle, c.explanation, str(c.openset), c.label,
                             f"{c.valence:.2f}", f"{c.arousal:.2f}"])


def make_clip(spec: ClipSpec, clips_dir: Path, tmp: Path) -> tuple[Image.Image, float]:
    speech, rate = speak(spec, tmp / f"{spec.clip_id}_speech.wav")
    track, duration = place_speech(speech, rate, spec.clip_id)
    wav_path = tmp / f"{spec.clip_id}.wav"
    write_wav(wav_path, track, rate)
    n_frames = int(round(duration * FPS))
    frames = render_frames(spec, mouth_envelope(track, rate, n_frames))
    encode(frames, wav_path, duration, clips_dir / f"{spec.clip_id}.mp4")
    loudest = int(np.argmax(mouth_envelope(track, rate, n_frames)))
    return frames[loudest], duration


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="task folder to write")
    parser.add_argument("--preview", type=Path, help="also write a contact sheet PNG here")
    args = parser.parse_args(argv)
    clips_dir = args.out / "clips"
    clips_dir.mkdir(parents=True, exist_ok=True)
    stills: list[Image.Image] = []
    with tempfile.TemporaryDirectory() as tmp_name:
        for spec in CLIPS:
            still, duration = make_clip(spec, clips_dir, Path(tmp_name))
            stills.append(still)
            size_kb = (clips_dir / f"{spec.clip_id}.mp4").stat().st_size / 1024
            print(f"{spec.clip_id}: {spec.label:9s} {duration:.2f}s {size_kb:6.1f} KiB")
    write_annotations(args.out / "annotations.csv", CLIPS)
    total = sum(p.stat().st_size for p in clips_dir.glob("*.mp4")) / 1024
    print(f"{len(CLIPS)} clips, {total:.1f} KiB in {clips_dir}")
    if args.preview:
        sheet = Image.new("RGB", (WIDTH * 5, HEIGHT * 2))
        for i, still in enumerate(stills):
            sheet.paste(still, ((i % 5) * WIDTH, (i // 5) * HEIGHT))
        sheet.save(args.preview)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
