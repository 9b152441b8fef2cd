"""Draw the demo blog's two exercise videos and their posters (run by hand, output committed).

The demo must not point at somebody else's video (or a made-up id on a video host), so the clinic's
two demo exercise clips are drawn here frame by frame with Pillow and encoded to H.264 MP4 by an
ffmpeg binary. ffmpeg is not a dependency of the site; get one for this script with
``pip install imageio-ffmpeg`` in a scratch virtualenv, or pass its path with ``--ffmpeg``:

    python blog/demo_assets/make_videos.py [--ffmpeg /path/to/ffmpeg]
"""

import argparse
import math
import shutil
import subprocess
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

HERE = Path(__file__).resolve().parent
WIDTH, HEIGHT, FPS = 640, 360, 24
FLOOR = 310
PAPER = (247, 243, 238)
INK = (31, 78, 90)
WOOD = (176, 137, 104)
TEXT = (34, 34, 34)
FONT = ImageFont.load_default(size=22)


def ease(fraction: float) -> float:
    """Slow at both ends, like a person moving with control."""
    fraction = min(max(fraction, 0.0), 1.0)
    return (1 - math.cos(math.pi * fraction)) / 2


def limb(draw: ImageDraw.ImageDraw, *points: tuple[float, float]) -> None:
    draw.line(points, fill=INK, width=9, joint="curve")
    for x, y in (points[0], points[-1]):
        draw.ellipse((x - 4, y - 4, x + 4, y + 4), fill=INK)


def knee(
    hip: tuple[float, float], ankle: tuple[float, float], thigh: float, shin: float, forward: int
) -> tuple[float, float]:
    """Where the knee sits between hip and ankle, bending towards ``forward`` (+1 right, -1 left)."""
    dx, dy = ankle[0] - hip[0], ankle[1] - hip[1]
    reach = min(math.hypot(dx, dy), thigh + shin - 0.01)
    along = (thigh**2 - shin**2 + reach**2) / (2 * reach)
    out = math.sqrt(max(thigh**2 - along**2, 0.0))
    ux, uy = dx / reach, dy / reach
    return hip[0] + ux * along - uy * out * forward, hip[1] + uy * along + ux * out * forward


def frame_with_caption(caption: str) -> tuple[Image.Image, ImageDraw.ImageDraw]:
    image = Image.new("RGB", (WIDTH, HEIGHT), PAPER)
    draw = ImageDraw.Draw(image)
    draw.line((0, FLOOR, WIDTH, FLOOR), fill=(200, 190, 178), width=3)
    draw.text((WIDTH / 2, HEIGHT - 20), caption, font=FONT, fill=TEXT, anchor="ms")
    return image, draw


def head_and_torso(draw, hip, shoulder):
    limb(draw, hip, shoulder)
    dx, dy = shoulder[0] - hip[0], shoulder[1] - hip[1]
    length = math.hypot(dx, dy)
    centre = (shoulder[0] + dx / length * 26, shoulder[1] + dy / length * 26)
    draw.ellipse((centre[0] - 16, centre[1] - 16, centre[0] + 16, centre[1] + 16), fill=INK)


def calf_raise(second: float) -> Image.Image:
    """Rise on both feet, lower on one, slowly: two repetitions in ten seconds."""
    cycle = second % 5
    if cycle < 1:
        lift, one_leg, caption = 0.0, False, "Stand on the edge of a step"
    elif cycle < 2:
        lift, one_leg, caption = ease(cycle - 1), False, "Rise on both feet"
    elif cycle < 4.5:
        lift, one_leg, caption = 1 - ease((cycle - 2) / 2.5), True, "Lower on one foot, slowly"
    else:
        lift, one_leg, caption = 0.0, False, "Three sets of fifteen"
    image, draw = frame_with_caption(caption)
    step_top = FLOOR - 30
    draw.rectangle((300, step_top, 480, FLOOR), fill=WOOD)
    draw.rectangle((410, 80, 418, step_top), fill=WOOD)  # a rail to steady the hand

    ball = (312, step_top - 5)  # the ball of the foot on the edge of the step, the heel over the drop
    angle = math.radians(25 - 60 * lift)  # heel below the step at rest, well above it on the toes
    heel = (ball[0] - 36 * math.cos(angle), ball[1] + 36 * math.sin(angle))
    ankle = (heel[0] + 6 - 12 * math.sin(angle), heel[1] - 14 * math.cos(angle))
    hip = (ankle[0] + 4, ankle[1] - 100)
    limb(draw, heel, (ball[0] + 12, ball[1]))
    limb(draw, hip, knee(hip, ankle, 52, 52, -1), ankle)
    if one_leg:  # the other foot tucked up behind
        limb(draw, hip, (hip[0] + 14, hip[1] + 52), (hip[0] - 22, hip[1] + 84))
    shoulder = (hip[0] + 2, hip[1] - 76)
    head_and_torso(draw, hip, shoulder)
    limb(draw, shoulder, (shoulder[0] + 40, shoulder[1] + 48), (410, shoulder[1] + 40))
    return image


def back_stretch(second: float) -> Image.Image:
    """Hands on the counter, walk the feet back, let the back lengthen, hold, walk back in."""
    if second < 1.5:
        reach, caption = 0.0, "Hands on the counter, knees soft"
    elif second < 5:
        reach, caption = ease((second - 1.5) / 3.5), "Walk the feet back"
    elif second < 8:
        reach, caption = 1.0, "Let the back lengthen: three slow breaths"
    else:
        reach, caption = 1 - ease((second - 8) / 2), "Walk back in"
    image, draw = frame_with_caption(caption)
    counter_top = 190
    draw.rectangle((500, counter_top, 640, FLOOR), fill=WOOD)

    hand = (505, counter_top - 4)
    feet_x = 410 - 140 * reach
    hip = (feet_x + 6, FLOOR - 144 + 6 * reach)
    torso, arm = 110, 95
    dx, dy = hand[0] - hip[0], hand[1] - hip[1]
    distance = min(math.hypot(dx, dy), torso + arm - 0.01)
    along = (torso**2 - arm**2 + distance**2) / (2 * distance)
    up = math.sqrt(max(torso**2 - along**2, 0.0))
    ux, uy = dx / distance, dy / distance
    shoulder = (hip[0] + ux * along + uy * up, hip[1] + uy * along - ux * up)

    for offset in (-6, 6):
        ankle = (feet_x + offset, FLOOR - 12)
        limb(draw, (ankle[0] - 8, FLOOR - 4), (ankle[0] + 24, FLOOR - 4))
        limb(draw, hip, knee(hip, ankle, 70, 66, -1), ankle)
    head_and_torso(draw, hip, shoulder)
    limb(draw, shoulder, hand)
    return image


def encode(ffmpeg: str, draw_frame, seconds: float, name: str) -> None:
    frames = [draw_frame(index / FPS) for index in range(int(seconds * FPS))]
    command = [
        ffmpeg, "-y", "-loglevel", "error",
        "-f", "rawvideo", "-pix_fmt", "rgb24", "-s", f"{WIDTH}x{HEIGHT}", "-r", str(FPS), "-i", "-",
        "-c:v", "libx264", "-preset", "slow", "-crf", "30", "-pix_fmt", "yuv420p",
        "-movflags", "+faststart", "-an", str(HERE / f"{name}.mp4"),
    ]  # fmt: skip
    subprocess.run(command, input=b"".join(frame.tobytes() for frame in frames), check=True)
    poster = frames[int(len(frames) * 0.6)]
    poster.save(HERE / f"{name}.jpg", quality=82, optimize=True)
    print(
        f"{name}.mp4 {(HERE / f'{name}.mp4').stat().st_size // 1024} KB, {name}.jpg {(HERE / f'{name}.jpg').stat().st_size // 1024} KB"
    )


def find_ffmpeg() -> str | None:
    try:
        import imageio_ffmpeg
    except ImportError:
        return shutil.which("ffmpeg")
    return imageio_ffmpeg.get_ffmpeg_exe()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ffmpeg", default=find_ffmpeg(), help="path to an ffmpeg with libx264")
    options = parser.parse_args()
    if not options.ffmpeg:
        parser.error("no ffmpeg found: pip install imageio-ffmpeg, or pass --ffmpeg")
    encode(options.ffmpeg, calf_raise, 10, "calf-raise")
    encode(options.ffmpeg, back_stretch, 10, "back-stretch")


if __name__ == "__main__":
    main()
