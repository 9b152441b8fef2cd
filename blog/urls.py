from django.urls import path

from . import feeds, views

app_name = "blog"

urlpatterns = [
    path("", views.index, name="index"),
    path("feed/", feeds.LatestPostsFeed(), name="feed"),
    path("feed/atom/", feeds.LatestPostsAtomFeed(), name="feed_atom"),
    path("category/<slug:slug>/", views.category, name="category"),
    path("category/<slug:slug>/feed/", feeds.CategoryFeed(), name="category_feed"),
    path("category/<slug:slug>/feed/atom/", feeds.CategoryAtomFeed(), name="category_feed_atom"),
    path("tag/<str:slug>/", views.tag, name="tag"),
    path("tag/<str:slug>/feed/", feeds.TagFeed(), name="tag_feed"),
    path("tag/<str:slug>/feed/atom/", feeds.TagAtomFeed(), name="tag_feed_atom"),
    path("author/<slug:slug>/", views.author, name="author"),
    path("preview/<int:pk>/", views.post_preview, name="preview"),
    path("<int:year>/<int:month>/", views.archive, name="archive"),
    path("<slug:slug>/", views.post_detail, name="post"),
]
