"""Blog pages on demo data grown to 1,000 posts: requests per second and queries per request.

Runs in a throwaway database (a separate SQLite file, or <db>_blog_bench on PostgreSQL when
DATABASE_URL points there) that is created and dropped here. Requests go through Django's test
Client in-process: the numbers measure our views, templates and queries, not a web server.

    .venv/bin/python bench/blog.py [--posts 1000] [--requests 200]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/clinic_blog .venv/bin/python bench/blog.py
"""

import argparse
import io
import os
import random
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clinic.settings.test")

import django  # noqa: E402

django.setup()

from bigclinic import TAGS, WORDS  # noqa: E402  (the big clinic's vocabulary)
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402
from django.utils import timezone  # noqa: E402


def grow(total: int) -> None:
    """Add generated posts (bulk, pre-rendered) until there are ``total``."""
    from blog import markup
    from blog.models import Author, Category, Post, PostTag, Tag

    rng = random.Random(42)
    authors = list(Author.objects.all())
    categories = list(Category.objects.all())
    missing = total - Post.objects.count()
    tags = {tag.slug: tag for tag in Tag.objects.all()}
    for slug in TAGS:
        if slug not in tags:
            tags[slug] = Tag.objects.create(slug=slug, name=slug)
    now = timezone.now()
    posts = []
    for number in range(missing):
        words = " ".join(rng.choice(WORDS) for _ in range(120))
        chosen = rng.sample(TAGS, 4)
        body = f"{words.capitalize()}.\n\n" + " ".join(f"#{tag}" for tag in chosen) + f"\n\n{words}."
        rendered = markup.render(body)
        posts.append(
            Post(
                title=f"Generated article {number}: {rng.choice(WORDS)} and {rng.choice(WORDS)}",
                slug=f"generated-{number}",
                author=rng.choice(authors),
                body=body,
                body_html=rendered.html,
                body_excerpt=rendered.excerpt,
                status=Post.Status.PUBLISHED,
                publish_at=now - timedelta(hours=number + 1),
            )
        )
    Post.objects.bulk_create(posts, batch_size=200)
    created = Post.objects.filter(slug__startswith="generated-")
    links, categories_links = [], []
    for post in created:
        for slug, counts in markup.render(post.body).tags.items():
            links.append(PostTag(post=post, tag=tags[slug], spelling=slug, uses=sum(counts.values())))
        for category in rng.sample(categories, 2):
            categories_links.append(Post.categories.through(post_id=post.pk, category_id=category.pk))
    PostTag.objects.bulk_create(links, batch_size=500)
    Post.categories.through.objects.bulk_create(categories_links, batch_size=500)


def measure(client: Client, url: str, requests: int) -> tuple[float, int, int]:
    for _ in range(3):
        client.get(url)
    queries = []
    with connection.execute_wrapper(lambda execute, sql, *rest: queries.append(sql) or execute(sql, *rest)):
        response = client.get(url)
    started = time.perf_counter()
    for _ in range(requests):
        client.get(url)
    elapsed = time.perf_counter() - started
    return requests / elapsed, len(queries), response.status_code


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=1000)
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()

    test_settings = connection.settings_dict["TEST"]
    if connection.vendor == "sqlite":
        test_settings["NAME"] = str(ROOT / ".bench-blog.sqlite3")
    else:
        test_settings["NAME"] = f"{connection.settings_dict['NAME']}_blog_bench"
    setup_test_environment(debug=False)
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        from blog.demo import seed as seed_blog
        from blog.models import Post, Tag
        from bookings.demo import seed as seed_bookings

        quiet = io.StringIO()
        seed_bookings(stdout=quiet)
        seed_blog(stdout=quiet)
        grow(args.posts)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        post = Post.objects.published().get(slug="it-band-pain-is-not-a-tightness-problem")
        tag = Tag.objects.get(slug="runnershealth")
        client = Client()
        print(
            f"{connection.vendor}, {Post.objects.count()} posts, {Tag.objects.count()} tags; "
            f"{args.requests} requests per page through the in-process test Client"
        )
        print(f"{'page':<52} {'req/s':>8} {'queries':>8} {'status':>7}")
        for label, url in [
            ("/blog/", "/blog/"),
            ("/blog/?page=50", "/blog/?page=50"),
            ("a post: " + post.get_absolute_url(), post.get_absolute_url()),
            ("a tag page: " + tag.get_absolute_url(), tag.get_absolute_url()),
            ("search, 1 match: /blog/?q=trimester", "/blog/?q=trimester"),
            ("search, ~980 matches: /blog/?q=marathon", "/blog/?q=marathon"),
            ("/blog/feed/", "/blog/feed/"),
        ]:
            rate, queries, status = measure(client, url, args.requests)
            print(f"{label:<52} {rate:>8.1f} {queries:>8} {status:>7}")
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
