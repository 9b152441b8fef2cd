"""Recent articles an issue may list: sources register here, so the newsletter never imports them."""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class Article:
    """A piece of published content an issue may list under "recent articles"."""

    title: str
    url: str
    excerpt: str
    publish_at: datetime


ArticleSource = Callable[[datetime], Iterable[Article]]
_article_sources: list[ArticleSource] = []


def article_source_register(source: ArticleSource) -> None:
    """Called once by an app that publishes articles (the blog, from its AppConfig.ready())."""
    if source not in _article_sources:
        _article_sources.append(source)


def articles_published_since(since: datetime) -> list[Article]:
    """Every registered source's articles published after ``since``, newest first."""
    articles = [article for source in _article_sources for article in source(since)]
    return sorted(articles, key=lambda article: article.publish_at, reverse=True)
