"""Demo articles by the four demo therapists, in our own words, with generated hero images."""

from datetime import timedelta
from pathlib import Path

from django.contrib.auth.models import Group
from django.core.files import File
from django.core.files.base import ContentFile
from django.utils import timezone

from bookings.models import Therapist
from core.demo import grant, landscape

from .models import Author, Category, Post, Series
from .services import post_write

# Our own drawn exercise clips (made by demo_assets/make_videos.py), so no demo post points at a video host.
DEMO_ASSETS = Path(__file__).resolve().parent / "demo_assets"

CATEGORIES = [
    ("Blog", "blog", "Everything we write."),
    ("Featured", "featured", "Our favourite long reads, also shown on the home page."),
    ("Rehabilitation", "rehabilitation", "Getting back to what you love after an injury."),
    ("Running", "running", "Massage, mobility and strength for runners."),
    ("Relaxation", "relaxation", "Rest, sleep and the quieter side of massage."),
    ("Pregnancy", "pregnancy", "Comfort and care through every trimester."),
    ("Desk work", "desk-work", "Necks, shoulders and backs that sit all day."),
]

EDITOR_PERMISSIONS = {
    "blog": [
        "add_post", "change_post", "delete_post", "view_post",
        "add_author", "change_author", "view_author",
        "add_category", "change_category", "view_category",
        "change_tag", "delete_tag", "view_tag",
        "add_series", "change_series", "view_series",
        "view_postslughistory",
    ],
}  # fmt: skip
FRONT_DESK_PERMISSIONS = {"blog": ["view_post", "view_author", "view_category", "view_tag", "view_series"]}

LONG_IT_BAND = """\
Almost every runner who comes to see me with pain on the outside of the knee has already read that the
IT band is "tight" and needs to be rolled flat. I understand the appeal: it is something you can do on the
living-room floor tonight. But the iliotibial band is a thick sheet of connective tissue, not a muscle, and no
amount of rolling will make it longer.

## What is really going on

The band runs from the hip to just below the knee. When it rubs or compresses the tissue over the outside of
the knee, it is usually because of *how it is loaded*: the hip drops on each stride, the knee drifts inward and
the band ends up working as a brake it was never meant to be. The usual suspects are a tired gluteus medius,
a sudden jump in weekly mileage and a lot of downhill running.

## What we do in a session

- We watch you stand on one leg, squat and step down from a box. The way the pelvis and knee move tells us more
  than pressing on the sore spot.
- Massage goes where it helps: the muscles that tension the band (tensor fasciae latae and gluteus maximus),
  the quadriceps and the calf. Pressure on the band itself is light.
- You leave with two or three exercises, not twelve.

## Between sessions

Cut your longest run by a third for two weeks, keep your easy runs truly easy and add side-lying leg raises and
single-leg step-downs three times a week. Most runners feel a difference within a month.

If the pain is sharp, wakes you at night or comes with swelling, see a doctor before you see us.
"""

LONG_PRENATAL = """\
Pregnancy changes how you sleep, stand, breathe and carry yourself, sometimes from one week to the next.
Massage can't change that, but it can make the changes easier to live with. Here is what a prenatal session
looks like at our clinic, trimester by trimester.

## First trimester

Many clients feel tired and a little queasy rather than sore. Sessions are shorter and gentler, and we keep the
room cool. Tell us about any smells that bother you: we will leave the oils out.

## Second trimester

This is when most people enjoy massage the most. You lie on your side, supported by pillows between the knees
and under the belly, and we can spend real time on the lower back, hips and the muscles between the shoulder
blades that work harder as posture shifts.

## Third trimester

Comfort comes first. We check in more often, work lightly on swollen legs and feet, and spend time on the
jaw, neck and hands, which are often tense from poor sleep. Side-lying is the rule; you never need to lie on your back.

## When to check with your midwife or doctor

Ask before booking if you have high blood pressure, a history of blood clots, bleeding, or you've been told your
pregnancy is high risk. We are always happy to talk to your care provider.
"""

LONG_DESK = """\
If you work at a desk, you probably know the feeling: by mid-afternoon a dull ache settles between the shoulder
blades and the neck feels a size too short. It is rarely one bad posture that causes it. It is the *same*
posture, held for hours.

## Three small changes that add up

1. **Move the screen, not your head.** The top of the screen should sit at eye level, an arm's length away.
   Laptop users: a stand and a separate keyboard are the best twenty dollars you will spend.
2. **Set a reminder to stand.** Every 30–40 minutes, stand up, roll the shoulders back five times and look at
   something far away.
3. **Breathe low.** Shallow breathing into the upper chest keeps the neck muscles working all day. Put a hand on
   your belly and let it rise first.

## What massage adds

Neuromuscular work on the upper trapezius, levator scapulae and the small muscles at the base of the skull eases
the constant guarding. Work on the chest muscles helps the shoulders settle back without effort. Most clients
find a monthly session, plus the changes above, keeps the ache away.
"""

SHORT_POSTS = [
    {
        "slug": "glute-medius-wake-up",
        "title": "Wake up your glute medius",
        "author": "maya-okafor",
        "categories": ["blog", "running", "rehabilitation"],
        "days_ago": 40,
        "body": (
            "Three sets of ten side-lying leg raises before your run. Slow on the way down, toes pointing forward, "
            "no rolling back. #glutemedius #runnershealth #itband\n\n"
            "If the outside of your knee complains after long runs, this is where we start."
        ),
    },
    {
        "slug": "marathon-week-checklist",
        "title": "Marathon week: what to book and when",
        "author": "maya-okafor",
        "categories": ["blog", "running"],
        "days_ago": 30,
        "body": (
            "Racing #Bostonmarathon ! Book your last deep session 5–7 days out, then only a light flush massage. "
            "Nothing new on race week: not shoes, not gels, not a new kind of massage. #runnershealth #taper\n\n"
            "After the race, wait 48 hours before anything firmer than gentle work. #BostonMarathon #recovery"
        ),
    },
    {
        "slug": "hot-stone-sunday",
        "title": "Why we warm the stones to 50 °C",
        "author": "daniel-reyes",
        "categories": ["blog", "relaxation"],
        "days_ago": 22,
        "body": (
            "Warm, not hot: the stones sit at about 50 °C so muscles soften before the hands go deeper. "
            "Tell us straight away if anything feels too warm. #hotstone #relaxation #selfcare"
        ),
    },
    {
        "slug": "pregnancy-pillow-setup",
        "title": "Our side-lying pillow setup",
        "author": "priya-natarajan",
        "categories": ["blog", "pregnancy"],
        "days_ago": 12,
        "body": (
            "One pillow between the knees, one under the belly, one to hug. That's how every prenatal session "
            "starts, and it works at home for sleep too. #prenatalmassage #pregnancy #sleep"
        ),
    },
]

SERIES_POSTS = [
    {
        "slug": "healing-the-stride-part-1",
        "title": "Healing the stride, part 1: the calf raise",
        "part": 1,
        "days_ago": 18,
        "body": (
            "Part 1 of 2 of #healingthestride. After a lower-leg injury the first thing to rebuild is calf "
            "strength. Stand on a step, rise on both feet, lower on one, slowly. Three sets of fifteen. "
            "#calves #achilles #runnershealth"
        ),
        "video": "calf-raise",
    },
    {
        "slug": "healing-the-stride-part-2",
        "title": "Healing the stride, part 2: single-leg balance",
        "part": 2,
        "days_ago": 8,
        "body": (
            "Part 2 of 2 of #healingthestride. Keep doing the calf raises from the first exercise two posts ago, "
            "and add this: stand on one leg for 30 seconds, eyes open, then eyes closed. When that is easy, "
            "stand on a folded towel. #balance #runnershealth #itband"
        ),
    },
]


def seed(*, stdout) -> None:
    editors, _ = Group.objects.get_or_create(name="Editors")
    front_desk, _ = Group.objects.get_or_create(name="Front desk")
    grant(editors, EDITOR_PERMISSIONS)
    grant(front_desk, FRONT_DESK_PERMISSIONS)

    categories = {}
    for name, slug, description in CATEGORIES:
        categories[slug], _ = Category.objects.get_or_create(
            slug=slug, defaults={"name": name, "description": description}
        )

    authors = {}
    for therapist in Therapist.objects.filter(
        slug__in=["maya-okafor", "daniel-reyes", "priya-natarajan", "tom-lindqvist"]
    ):
        authors[therapist.slug], _ = Author.objects.get_or_create(
            slug=therapist.slug,
            # The blog shows the therapist's own profile; the author needs only a name of its own.
            defaults={"name": therapist.name, "therapist": therapist, "user": therapist.user},
        )
    if len(authors) < 4:
        stdout.write("Blog: demo therapists missing; run the bookings demo first.")
        return

    series, _ = Series.objects.get_or_create(
        slug="healing-the-stride",
        defaults={"title": "Healing the stride", "description": "Four weeks of exercises to get back to running."},
    )
    now = timezone.now()
    posts = [
        {
            "slug": "it-band-pain-is-not-a-tightness-problem",
            "title": "IT band pain is not a tightness problem",
            "author": "maya-okafor",
            "categories": ["blog", "featured", "rehabilitation", "running"],
            "days_ago": 60,
            "body": LONG_IT_BAND,
            "hero": ("A quiet path along a river at dawn", 1),
        },
        {
            "slug": "prenatal-massage-trimester-by-trimester",
            "title": "Prenatal massage, trimester by trimester",
            "author": "priya-natarajan",
            "categories": ["blog", "featured", "pregnancy", "relaxation"],
            "days_ago": 45,
            "body": LONG_PRENATAL,
            "hero": ("Soft morning light over a sandy beach", 2),
        },
        {
            "slug": "the-desk-neck-and-what-to-do-about-it",
            "title": "The desk neck, and what to do about it",
            "author": "daniel-reyes",
            "categories": ["blog", "desk-work", "featured"],
            "days_ago": 26,
            "body": LONG_DESK,
            "hero": ("Green hills under a pale sky", 3),
        },
        *SHORT_POSTS,
        *[{**post, "author": "maya-okafor", "categories": ["blog", "running", "rehabilitation"], "series": series}
          for post in SERIES_POSTS],
        {
            "slug": "video-a-back-stretch-for-the-end-of-the-shift",
            "title": "Video: a back stretch for the end of the shift",
            "author": "tom-lindqvist",
            "categories": ["blog", "desk-work"],
            "days_ago": 4,
            "body": (
                "This is the stretch I give everyone who lifts for a living. Watch the video above, then do it "
                "after every shift: knees soft, hands on the counter, walk the feet back and let the back lengthen. "
                "#backpain #stretching #tradeswork"
            ),
            "video": "back-stretch",
        },
        {
            "slug": "spring-race-season-open-slots",
            "title": "Spring race season: extra sports massage hours",
            "author": "maya-okafor",
            "categories": ["blog", "running"],
            "days_ago": -10,
            "body": "From next month we add early-morning sports massage slots on Saturdays. #runnershealth #news",
        },
    ]  # fmt: skip
    created = 0
    for data in posts:
        if Post.objects.filter(slug=data["slug"]).exists():
            continue
        post = Post(
            slug=data["slug"],
            title=data["title"],
            author=authors[data["author"]],
            body=data["body"],
            status=Post.Status.PUBLISHED,
            publish_at=now - timedelta(days=data["days_ago"]),
            series=data.get("series"),
            series_part=data.get("part"),
        )
        if "hero" in data:
            alt, image_seed = data["hero"]
            post.hero_alt = alt
            post.hero_image.save(f"{data['slug']}.jpg", landscape(image_seed), save=False)
        if "video" in data:
            # Assigned, not saved here: the video's name takes the extension its content proves
            # (core.uploads.VideoUploadTo) only when the content is there as the post is saved.
            post.video_file = ContentFile((DEMO_ASSETS / f"{data['video']}.mp4").read_bytes(), f"{data['video']}.mp4")
            with (DEMO_ASSETS / f"{data['video']}.jpg").open("rb") as asset:
                post.video_poster.save(f"{data['video']}.jpg", File(asset), save=False)
        post_write(post=post)
        post.categories.set([categories[slug] for slug in data["categories"]])
        created += 1
    stdout.write(f"Blog: {Post.objects.count()} posts ({created} new), {len(authors)} authors.")
