"""Draws one frame of the demo's cartoon face with PIL (used by `make_demo_clips.py`).

The expression comes from a `FaceStyle`; per frame the caller passes how far the mouth is open
(from the speech loudness), whether the eyes are blinking, and the time (for head motion).
"""

from __future__ import annotations

import math
import textwrap

from PIL import Image, ImageDraw, ImageFont

from demo_clip_specs import FaceStyle

WIDTH, HEIGHT = 256, 192
SUBTITLE_BAND = 34  # dark strip at the bottom with the burned-in subtitle
INK = (40, 30, 30)
MOUTH_INSIDE = (120, 30, 40)


def head_offset(style: FaceStyle, t: float) -> tuple[float, float]:
    """Small head motion that goes with the emotion (bouncing, shaking, trembling)."""
    if style.head_motion == "bob":
        return 0.0, -3.0 * abs(math.sin(2 * math.pi * 1.5 * t))
    if style.head_motion == "shake":
        return 3.0 * math.sin(2 * math.pi * 1.6 * t), 0.0
    if style.head_motion == "tremble":
        return 1.5 * math.sin(2 * math.pi * 7.0 * t), 0.8 * math.sin(2 * math.pi * 5.0 * t)
    if style.head_motion == "nod":
        return 0.0, 2.0 * math.sin(2 * math.pi * 0.8 * t)
    return 0.0, 0.0


def _draw_brows(draw: ImageDraw.ImageDraw, style: FaceStyle, cx: float, eye_y: float) -> None:
    base = eye_y - 18 - style.brow_lift
    for side in (-1, 1):  # -1: left brow, +1: right brow
        inner_x, outer_x = cx + side * 9, cx + side * 33
        inner_y = base - style.brow_tilt
        outer_y = base + style.brow_tilt * 0.3
        if side == -1:
            inner_y += style.brow_asym
            outer_y += style.brow_asym
        draw.line([(inner_x, inner_y), (outer_x, outer_y)], fill=INK, width=4)


def _draw_eyes(draw: ImageDraw.ImageDraw, style: FaceStyle, cx: float, eye_y: float,
               blink: bool) -> None:
    for side in (-1, 1):
        ex = cx + side * 21
        if style.eye_shape == "crescent":  # smiling eyes: an upward arch
            draw.arc([ex - 10, eye_y - 6, ex + 10, eye_y + 10], start=200, end=340, fill=INK,
                     width=3)
            continue
        ry = 9.0 * style.eye_open * (0.12 if blink else 1.0)
        if ry < 2.0:  # closed or nearly closed: a lid line
            draw.line([(ex - 10, eye_y), (ex + 10, eye_y)], fill=INK, width=3)
            continue
        draw.ellipse([ex - 10, eye_y - ry, ex + 10, eye_y + ry], fill="white", outline=INK,
                     width=2)
        pr = min(4.5 * style.pupil_scale, ry)
        px, py = ex + style.gaze_dx, eye_y + min(style.gaze_dy, ry - pr)
        draw.ellipse([px - pr, py - pr, px + pr, py + pr], fill=INK)


def _lip_curve(style: FaceStyle, cx: float, y0: float, n: int = 13) -> list[tuple[float, float]]:
    """Upper lip line: corners at y0, centre pushed down by a smile (up by a frown)."""
    half = style.mouth_width / 2
    points = []
    for i in range(n):
        u = -1 + 2 * i / (n - 1)  # -1 (left corner) ... +1 (right corner)
        y = y0 + style.mouth_curve * (1 - u * u)
        if style.mouth_shape == "wavy":
            y += 2.5 * math.sin(u * 3 * math.pi)
        elif style.mouth_shape == "sneer":  # left side of the upper lip raised
            y -= 5 * max(0.0, -u)
        points.append((cx + u * half, y))
    return points


def _draw_mouth(draw: ImageDraw.ImageDraw, style: FaceStyle, cx: float, y0: float,
                openness: float) -> None:
    if style.mouth_shape == "oval":
        rx, ry = style.mouth_width / 2, max(3.0, openness / 2 + 2)
        draw.ellipse([cx - rx, y0 - ry, cx + rx, y0 + ry], fill=MOUTH_INSIDE, outline=INK,
                     width=2)
        return
    upper = _lip_curve(style, cx, y0)
    if openness < 1.5:
        draw.line(upper, fill=INK, width=3, joint="curve")
        return
    # Lower lip: the upper line pushed down most in the middle, so the corners stay joined.
    n = len(upper)
    lower = [(x, y + openness * (1 - (-1 + 2 * i / (n - 1)) ** 2)) for i, (x, y) in enumerate(upper)]
    draw.polygon(upper + lower[::-1], fill=MOUTH_INSIDE, outline=INK)
    if openness > 7 and style.mouth_curve > 2:  # a big grin shows the upper teeth
        teeth = [(x, y + 1) for x, y in upper[3:-3]]
        draw.line(teeth, fill="white", width=3)


def _draw_extras(draw: ImageDraw.ImageDraw, style: FaceStyle, cx: float, cy: float,
                 eye_y: float) -> None:
    if "blush" in style.extras:
        for side in (-1, 1):
            x = cx + side * 34
            draw.ellipse([x - 9, eye_y + 12, x + 9, eye_y + 20], fill=(240, 150, 150))
    if "tear" in style.extras:
        x, y = cx + 24, eye_y + 12
        draw.polygon([(x, y), (x - 4, y + 9), (x + 4, y + 9)], fill=(110, 170, 240))
        draw.ellipse([x - 4, y + 6, x + 4, y + 14], fill=(110, 170, 240))
    if "sweat" in style.extras:
        x, y = cx + 40, cy - 40
        draw.polygon([(x, y), (x - 4, y + 8), (x + 4, y + 8)], fill=(140, 200, 250))
        draw.ellipse([x - 4, y + 5, x + 4, y + 13], fill=(140, 200, 250))
    if "wrinkle" in style.extras:  # creases over the bridge of the nose
        for dy in (0, 5):
            draw.arc([cx - 8, eye_y + 4 + dy, cx + 8, eye_y + 10 + dy], start=200, end=340,
                      fill=INK, width=1)


def _draw_subtitle(draw: ImageDraw.ImageDraw, subtitle: str) -> None:
    draw.rectangle([0, HEIGHT - SUBTITLE_BAND, WIDTH, HEIGHT], fill=(20, 20, 20))
    font = ImageFont.load_default(size=11)
    lines = textwrap.wrap(subtitle, width=40)[:2]
    for i, line in enumerate(lines):
        w = draw.textlength(line, font=font)
        y = HEIGHT - SUBTITLE_BAND + 4 + i * 14
        draw.text(((WIDTH - w) / 2, y), line, fill=(255, 255, 255), font=font)


def draw_frame(style: FaceStyle, subtitle: str, t: float, mouth_open: float,
               blink: bool) -> Image.Image:
    """One RGB frame. `mouth_open` is 0..1 (speech loudness), `t` the frame time in seconds."""
    image = Image.new("RGB", (WIDTH, HEIGHT), style.background)
    draw = ImageDraw.Draw(image)
    dx, dy = head_offset(style, t)
    cx, cy = WIDTH / 2 + dx, 80 + dy
    draw.ellipse([cx - 8, cy + 50, cx + 8, cy + 72], fill=style.skin)  # neck
    draw.ellipse([cx - 58, cy - 66, cx + 58, cy + 62], fill=style.skin, outline=INK, width=2)
    draw.chord([cx - 60, cy - 70, cx + 60, cy - 30], start=180, end=360, fill=(90, 60, 40))  # hair
    eye_y = cy - 10
    _draw_brows(draw, style, cx, eye_y)
    _draw_eyes(draw, style, cx, eye_y, blink)
    draw.line([(cx, eye_y + 6), (cx - 4, eye_y + 20), (cx + 2, eye_y + 21)], fill=INK, width=2)
    openness = style.mouth_rest + style.mouth_talk * mouth_open
    _draw_mouth(draw, style, cx, cy + 30, openness)
    _draw_extras(draw, style, cx, cy, eye_y)
    _draw_subtitle(draw, subtitle)
    return image
