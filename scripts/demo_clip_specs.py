"""What each bundled demo clip shows, says and is annotated with (all text written by the team).

Used by `make_demo_clips.py`. One `ClipSpec` per clip: the cartoon face's expression, the
espeak-ng voice settings, and the EMER-style reference annotation written to annotations.csv.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class FaceStyle:
    """Expression parameters of the cartoon face (pixels are for the 256x192 frame)."""

    brow_tilt: float = 0.0  # > 0: inner ends raised (sad, worried); < 0: lowered (angry)
    brow_lift: float = 0.0  # whole brows raised (surprise, fear)
    brow_asym: float = 0.0  # extra lowering of the left brow only (disgust, doubt)
    eye_open: float = 1.0  # eye height factor (0.4 squint ... 1.5 wide)
    eye_shape: str = "round"  # "round" | "crescent" (smiling eyes)
    pupil_scale: float = 1.0
    gaze_dx: float = 0.0  # pupils shifted sideways (looking away)
    gaze_dy: float = 0.0  # pupils shifted down (> 0) or up (< 0)
    mouth_curve: float = 0.0  # > 0 smile (corners up), < 0 frown
    mouth_width: float = 40.0
    mouth_shape: str = "curve"  # "curve" | "oval" | "wavy" | "sneer"
    mouth_rest: float = 0.0  # openness when silent (pixels)
    mouth_talk: float = 10.0  # extra openness at full speech loudness (pixels)
    head_motion: str = "still"  # "still" | "bob" | "shake" | "tremble" | "nod"
    extras: tuple[str, ...] = ()  # "blush", "tear", "sweat", "wrinkle"
    skin: tuple[int, int, int] = (244, 208, 170)
    background: tuple[int, int, int] = (200, 215, 230)


@dataclass(frozen=True)
class VoiceStyle:
    """espeak-ng settings: -v voice, -s words per minute, -p pitch 0-99, -a amplitude 0-200."""

    voice: str = "en-us+m3"
    speed: int = 160
    pitch: int = 50
    amplitude: int = 100

    @property
    def pronoun(self) -> str:
        return "she" if "+f" in self.voice else "he"


@dataclass(frozen=True)
class ClipSpec:
    clip_id: str
    subtitle: str
    explanation: str
    openset: list[str]
    label: str
    valence: float
    arousal: float
    face: FaceStyle
    voice: VoiceStyle
    blink_at: tuple[float, ...] = field(default=(1.3,))  # seconds at which the eyes blink


FEMALE, MALE = "en-us+f3", "en-us+m3"

CLIPS: list[ClipSpec] = [
    ClipSpec(
        "demo_01", "I got the job! They called me this morning.",
        "In the video, the character's mouth curves up into a wide smile, her eyes narrow into "
        "crescents, her eyebrows are slightly raised and her cheeks are rosy. Her voice is bright, "
        "high-pitched and lively. She says \"I got the job! They called me this morning,\" sharing "
        "good news. Therefore, it can be inferred that her emotional state is happy and delighted.",
        ["happy", "delighted", "joyful"], "happy", 0.8, 0.5,
        FaceStyle(brow_lift=4, eye_shape="crescent", mouth_curve=9, mouth_width=46, mouth_talk=9,
                  head_motion="nod", extras=("blush",), background=(250, 226, 170)),
        VoiceStyle(FEMALE, speed=180, pitch=72, amplitude=120), blink_at=()),
    ClipSpec(
        "demo_02", "I miss her so much. The house is so empty.",
        "In the video, the character's inner eyebrows are raised and drawn together, his eyes are "
        "half closed and look down, the corners of his mouth turn down, and a tear runs down his "
        "cheek. His voice is low, slow and quiet. He says \"I miss her so much. The house is so "
        "empty,\" expressing loss and loneliness. Therefore, it can be inferred that his "
        "emotional state is sad and lonely.",
        ["sad", "lonely", "grieving"], "sad", -0.7, -0.5,
        FaceStyle(brow_tilt=8, eye_open=0.55, gaze_dy=3, mouth_curve=-7, mouth_width=34,
                  mouth_talk=5, head_motion="still", extras=("tear",), background=(170, 185, 205)),
        VoiceStyle(MALE, speed=140, pitch=28, amplitude=70), blink_at=(1.6,)),
    ClipSpec(
        "demo_03", "Stop lying to me! I saw what you did!",
        "In the video, the character's eyebrows are pulled down hard toward the nose, his eyes "
        "narrow into a glare, his mouth opens wide with the corners turned down, and his head "
        "shakes. His voice is loud, fast and forceful. He says \"Stop lying to me! I saw what you "
        "did!\", accusing the other person. Therefore, it can be inferred that his emotional state "
        "is angry and furious.",
        ["angry", "furious", "accusing"], "angry", -0.8, 0.85,
        FaceStyle(brow_tilt=-11, eye_open=0.7, pupil_scale=0.8, mouth_curve=-6, mouth_width=44,
                  mouth_rest=2, mouth_talk=14, head_motion="shake", skin=(246, 190, 160),
                  background=(225, 150, 140)),
        VoiceStyle(MALE, speed=205, pitch=38, amplitude=125), blink_at=()),
    ClipSpec(
        "demo_04", "Wait, you are here? I thought you were in Paris!",
        "In the video, the character's eyebrows shoot up high, her eyes open very wide, and her "
        "mouth drops open into a round O. Her voice rises sharply in pitch. She says \"Wait, you are "
        "here? I thought you were in Paris!\", reacting to something unexpected. Therefore, it can "
        "be inferred that her emotional state is surprised and astonished.",
        ["surprised", "astonished", "amazed"], "surprise", 0.2, 0.7,
        FaceStyle(brow_lift=10, eye_open=1.45, pupil_scale=0.8, mouth_shape="oval",
                  mouth_width=26, mouth_rest=10, mouth_talk=8, head_motion="bob",
                  background=(205, 230, 205)),
        VoiceStyle(FEMALE, speed=170, pitch=85, amplitude=130), blink_at=(2.4,)),
    ClipSpec(
        "demo_05", "No results yet. What if something is wrong?",
        "In the video, the character's eyebrows are raised in the middle and knitted together, her "
        "eyes glance to the side, her lips form a tight wavy line, and a drop of sweat appears on "
        "her forehead. Her voice is hesitant and somewhat unsteady. She says \"No results yet. "
        "What if something is wrong?\", fearing bad news. Therefore, it can be inferred "
        "that her emotional state is worried and anxious.",
        ["worried", "anxious", "uneasy"], "worried", -0.5, 0.35,
        FaceStyle(brow_tilt=7, brow_lift=2, eye_open=1.0, gaze_dx=4, mouth_shape="wavy",
                  mouth_width=34, mouth_talk=6, head_motion="still", extras=("sweat",),
                  background=(215, 210, 235)),
        VoiceStyle(FEMALE, speed=170, pitch=58, amplitude=85), blink_at=(0.9, 2.2)),
    ClipSpec(
        "demo_06", "Did you hear that? Someone is outside the door.",
        "In the video, the character's eyebrows are raised and pulled together, his eyes are wide "
        "open with small pupils, his mouth is stretched open, and his head trembles. His voice is "
        "quiet, quick and breathy, close to a whisper. He says \"Did you hear that? Someone is "
        "outside the door,\" sensing a threat. Therefore, it can be inferred that his emotional "
        "state is fearful and scared.",
        ["fearful", "scared", "nervous"], "fear", -0.7, 0.7,
        FaceStyle(brow_tilt=6, brow_lift=8, eye_open=1.4, pupil_scale=0.55, mouth_curve=-3,
                  mouth_width=40, mouth_rest=5, mouth_talk=6, head_motion="tremble",
                  skin=(236, 214, 190), background=(150, 160, 180)),
        VoiceStyle(MALE, speed=185, pitch=66, amplitude=55), blink_at=()),
    ClipSpec(
        "demo_07", "Ugh, what is that smell? The milk went bad.",
        "In the video, the character wrinkles her nose, one eyebrow is lowered, her eyes squint, "
        "and her upper lip is raised on one side. Her voice is flat and drawn out. She says \"Ugh, "
        "what is that smell? The milk went bad,\" reacting to something unpleasant. Therefore, "
        "it can be inferred that her emotional state is disgusted and repulsed.",
        ["disgusted", "repulsed", "displeased"], "disgust", -0.6, 0.2,
        FaceStyle(brow_tilt=-4, brow_asym=5, eye_open=0.5, mouth_shape="sneer", mouth_curve=-3,
                  mouth_width=38, mouth_talk=6, head_motion="still", extras=("wrinkle",),
                  background=(205, 220, 170)),
        VoiceStyle(FEMALE, speed=155, pitch=42, amplitude=100), blink_at=(2.6,)),
    ClipSpec(
        "demo_08", "The meeting starts at three. Please bring the report.",
        "In the video, the character's face is relaxed: his eyebrows are level, his eyes are open "
        "and steady, and his mouth is a straight line. His voice is even, with normal speed and "
        "volume. He says \"The meeting starts at three. Please bring the report,\" simply stating "
        "facts. Therefore, it can be inferred that his emotional state is neutral and calm.",
        ["neutral", "calm"], "neutral", 0.0, -0.25,
        FaceStyle(mouth_width=36, mouth_talk=7, background=(220, 220, 220)),
        VoiceStyle(MALE, speed=165, pitch=50, amplitude=100), blink_at=(1.0, 2.5)),
    ClipSpec(
        "demo_09", "We won! We actually won the final! Let's celebrate!",
        "In the video, the character's eyebrows are raised high, her eyes sparkle in smiling "
        "crescents, her mouth is open in a big grin, her cheeks are flushed, and she bounces up and "
        "down. Her voice is loud, fast and very high-pitched. She says \"We won! We actually won "
        "the final! Let's celebrate!\", cheering. Therefore, it can be inferred that her emotional "
        "state is excited, happy and thrilled.",
        ["excited", "happy", "thrilled"], "happy", 0.9, 0.9,
        FaceStyle(brow_lift=7, eye_shape="crescent", mouth_curve=10, mouth_width=50, mouth_rest=6,
                  mouth_talk=10, head_motion="bob", extras=("blush",), background=(255, 200, 150)),
        VoiceStyle(FEMALE, speed=195, pitch=92, amplitude=135), blink_at=()),
    ClipSpec(
        "demo_10", "I have tried this ten times and it still does not work.",
        "In the video, the character's eyebrows are lowered and slightly knitted, his eyes are half "
        "closed, his lips are pressed together with the corners pulled down, and he shakes his "
        "head slowly. His voice is tense and heavy, with a sigh-like fall at the end. He says \"I "
        "have tried this ten times and it still does not work,\" complaining about repeated "
        "failure. Therefore, it can be inferred that his emotional state is frustrated, annoyed "
        "and helpless.",
        ["frustrated", "annoyed", "helpless"], "angry", -0.6, 0.4,
        FaceStyle(brow_tilt=-6, eye_open=0.6, gaze_dy=2, mouth_curve=-5, mouth_width=36,
                  mouth_talk=5, head_motion="shake", background=(200, 190, 175)),
        VoiceStyle(MALE, speed=175, pitch=34, amplitude=125), blink_at=(1.8,)),
]
