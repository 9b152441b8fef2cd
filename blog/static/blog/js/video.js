// Click-to-load videos: nothing is requested from the video host until the visitor presses play.
(function () {
  "use strict";
  document.querySelectorAll(".video-facade[data-embed-url]").forEach(function (figure) {
    var button = figure.querySelector(".video-facade__play");
    if (!button) {
      return;
    }
    button.hidden = false;
    button.addEventListener("click", function () {
      var iframe = document.createElement("iframe");
      iframe.src = figure.dataset.embedUrl;
      iframe.title = figure.dataset.videoTitle || "Video";
      iframe.allow = "autoplay; fullscreen; picture-in-picture; encrypted-media";
      iframe.allowFullscreen = true;
      iframe.referrerPolicy = "strict-origin-when-cross-origin";
      iframe.className = "video-facade__iframe";
      figure.querySelector(".video-facade__frame").replaceChildren(iframe);
      iframe.focus();
    });
  });
  // An uploaded video without a still image: the play card becomes the player, already playing.
  document.querySelectorAll(".video-card__play[data-video-src]").forEach(function (link) {
    link.addEventListener("click", function (event) {
      event.preventDefault();
      var video = document.createElement("video");
      video.src = link.dataset.videoSrc;
      video.controls = true;
      video.autoplay = true;
      video.playsInline = true;
      video.className = "video-card__video";
      video.setAttribute("aria-label", link.dataset.videoTitle || "Video");
      link.replaceWith(video);
      video.focus();
    });
  });
})();
