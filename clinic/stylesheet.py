"""The site's Bootstrap: only the components and utilities the pages use, compiled from Bootstrap's Sass.

``clinic/sass/bootstrap.scss`` says what is kept; ``manage.py build_css`` compiles it with libsass
into ``clinic/static/clinic/css/bootstrap.min.css``, which is committed, so running the site needs
neither Node nor Sass. Bootstrap's Sass sources come from the npm registry's ``bootstrap``
package, fetched with npm once into ``.cache/`` and checked against the pinned integrity hash.

The built file's first line stamps the digest of what it was built from; the tests compare that
stamp with the sources, and rebuild to check the file byte for byte.
"""

import base64
import fcntl
import hashlib
import re
import shutil
import subprocess
import tarfile
import tempfile
from pathlib import Path

BOOTSTRAP_VERSION = "5.3.8"
# npm's "integrity" for bootstrap-5.3.8.tgz (`npm view bootstrap@5.3.8 dist.integrity`).
BOOTSTRAP_INTEGRITY = "sha512-HP1SZDqaLDPwsNiqRqi5NcP0SSXciX2s9E+RyqJIIqGo+vJeN5AJVM98CXmW/Wux0nQ5L7jeWUdplCEf0Ee+tg=="

BASE_DIR = Path(__file__).resolve().parent.parent
SOURCE = BASE_DIR / "clinic" / "sass" / "bootstrap.scss"
OUTPUT = BASE_DIR / "clinic" / "static" / "clinic" / "css" / "bootstrap.min.css"
CACHE_DIR = BASE_DIR / ".cache"

# Parts of the imported components that no page uses, built by Bootstrap inside partials we need
# (.nav-tabs beside .nav-link, .was-validated beside .is-invalid): after compiling, a selector that
# names one of these classes is dropped, and a rule left without selectors goes with it. A name
# ending in "-" stands for every class it starts (offset- for .offset-md-2).
UNUSED_CLASSES = (
    "was-validated",
    "invalid-tooltip",
    "valid-tooltip",
    "nav-tabs",
    "nav-pills",
    "nav-underline",
    "nav-justified",
    "card-group",
    "card-header-tabs",
    "card-header-pills",
    "card-img-overlay",
    "card-img-bottom",
    "form-switch",
    "form-check-reverse",
    "form-control-color",
    "form-control-plaintext",
    "form-control-lg",
    "form-select-lg",
    "form-select-sm",
    "input-group-lg",
    "input-group-sm",
    "offset-",
    "table-striped",
    "table-striped-columns",
    "table-hover",
    "table-active",
    "table-borderless",
    "table-group-divider",
    "caption-top",
    "navbar-dark",
    "navbar-nav-scroll",
    "navbar-text",
    "navbar-expand",
    "pagination-lg",
    "pagination-sm",
    "btn-check",
    "btn-group",
    "btn-group-vertical",
    "dropdown-menu",
    "dropdown-toggle",
    "offcanvas-",
    "display-1",
    "display-2",
    "display-3",
    "display-4",
    "blockquote",
    "blockquote-footer",
    "figure",
    "figure-img",
    "figure-caption",
    "initialism",
    "img-thumbnail",
    "row-cols-auto",
    "gx-",
    "gy-",
    "form-floating",
    "col-form-label-lg",
    "col-form-label-sm",
    "btn-close",
)
_UNUSED = re.compile(
    "|".join(
        rf"\.{re.escape(name)}" if name.endswith("-") else rf"\.{re.escape(name)}(?![\w-])" for name in UNUSED_CLASSES
    )
)

_STAMP = re.compile(r"^/\* Built by manage\.py build_css from sources sha256:([0-9a-f]{64}) \*/$")


class StylesheetBuildError(Exception):
    """The stylesheet cannot be built here: npm or libsass is missing, or the download is not Bootstrap's."""


def bootstrap_package(*, cache_dir: Path = CACHE_DIR) -> Path:
    """The unpacked ``bootstrap`` npm package (its ``scss/`` and ``dist/``), fetched once per cache folder.

    A file lock lets two test workers ask at once; the folder appears whole or not at all.
    """
    package = cache_dir / f"bootstrap-{BOOTSTRAP_VERSION}"
    if (package / "scss" / "bootstrap.scss").exists():
        return package
    cache_dir.mkdir(parents=True, exist_ok=True)
    with open(cache_dir / f"bootstrap-{BOOTSTRAP_VERSION}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if (package / "scss" / "bootstrap.scss").exists():
            return package
        with tempfile.TemporaryDirectory(dir=cache_dir) as work:
            tarball = _npm_pack(Path(work))
            unpacked = Path(work) / "unpacked"
            with tarfile.open(tarball) as archive:
                archive.extractall(unpacked, filter="data")
            shutil.rmtree(package, ignore_errors=True)
            (unpacked / "package").rename(package)
    return package


def _npm_pack(folder: Path) -> Path:
    npm = shutil.which("npm")
    if npm is None:
        raise StylesheetBuildError(
            "Building the stylesheet needs npm to fetch Bootstrap's Sass sources: install Node's npm "
            "(Debian: apt-get install npm, or run `bash .ci/venv --dev`)."
        )
    command = [npm, "pack", f"bootstrap@{BOOTSTRAP_VERSION}", "--pack-destination", str(folder), "--silent"]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    tarball = folder / f"bootstrap-{BOOTSTRAP_VERSION}.tgz"
    if result.returncode != 0 or not tarball.exists():
        raise StylesheetBuildError(f"`npm pack bootstrap@{BOOTSTRAP_VERSION}` failed: {result.stderr.strip()}")
    digest = base64.b64encode(hashlib.sha512(tarball.read_bytes()).digest()).decode()
    if f"sha512-{digest}" != BOOTSTRAP_INTEGRITY:
        raise StylesheetBuildError(f"the downloaded bootstrap@{BOOTSTRAP_VERSION} does not match its pinned integrity")
    return tarball


def sources_digest() -> str:
    """What the built file depends on: our Sass, the unused classes, the Bootstrap release and libsass."""
    digest = hashlib.sha256()
    parts = (SOURCE.read_bytes(), " ".join(UNUSED_CLASSES).encode(), BOOTSTRAP_VERSION.encode())
    for part in (*parts, _libsass().libsass_version.encode()):
        digest.update(hashlib.sha256(part).digest())
    return digest.hexdigest()


def stamped_digest(css: str) -> str | None:
    """The sources digest a built stylesheet says it came from, or None when it carries no stamp."""
    match = _STAMP.match(css.split("\n", 1)[0])
    return match.group(1) if match else None


def stylesheet_build(*, package: Path) -> str:
    """Compile ``SOURCE`` against the unpacked Bootstrap ``package``: the text of the file to ship."""
    css = _libsass().compile(filename=str(SOURCE), output_style="compressed", include_paths=[str(package / "scss")])
    return f"/* Built by manage.py build_css from sources sha256:{sources_digest()} */\n{without_unused(css)}"


def without_unused(css: str) -> str:
    """``css`` (compressed: no whitespace between rules) less the selectors naming ``UNUSED_CLASSES``.

    Blocks of rules (@media, @supports) are pruned inside and dropped when empty; other at-rules
    (@keyframes) and comments are kept as they are. Declarations hold no braces in Bootstrap's CSS.
    """
    kept, position = [], 0
    while position < len(css):
        if css[position].isspace():
            kept.append(css[position])
            position += 1
            continue
        if css.startswith("/*", position):
            end = css.index("*/", position) + 2
            kept.append(css[position:end])
            position = end
            continue
        brace = css.index("{", position)
        semicolon = css.find(";", position)
        if css.startswith("@", position) and -1 < semicolon < brace:  # @charset "UTF-8";
            kept.append(css[position : semicolon + 1])
            position = semicolon + 1
            continue
        prelude = css[position:brace]
        if prelude.startswith(("@media", "@supports")):
            end = _matching_brace(css, brace)
            inner = without_unused(css[brace + 1 : end])
            kept.append(f"{prelude}{{{inner}}}" if inner else "")
        elif prelude.startswith("@"):
            end = _matching_brace(css, brace)
            kept.append(css[position : end + 1])
        else:
            end = css.index("}", brace)
            selectors = [selector for selector in _selectors(prelude) if not _names_unused(selector)]
            kept.append(",".join(selectors) + css[brace : end + 1] if selectors else "")
        position = end + 1
    return "".join(kept)


def _names_unused(selector: str) -> bool:
    """Whether the selector styles an unused class; ``:not(.dropdown-toggle)`` only mentions one."""
    return _UNUSED.search(re.sub(r":not\([^()]*\)", "", selector)) is not None


def _matching_brace(css: str, opening: int) -> int:
    depth = 0
    for position in range(opening, len(css)):
        depth += {"{": 1, "}": -1}.get(css[position], 0)
        if depth == 0:
            return position
    raise ValueError("unbalanced braces in the compiled CSS")


def _selectors(prelude: str) -> list[str]:
    """A selector list split at its top-level commas (not those inside :not(…) or :is(…))."""
    selectors, depth, start = [], 0, 0
    for position, character in enumerate(prelude):
        depth += {"(": 1, ")": -1}.get(character, 0)
        if character == "," and depth == 0:
            selectors.append(prelude[start:position])
            start = position + 1
    return [*selectors, prelude[start:]]


def stylesheet_write() -> Path:
    """Fetch Bootstrap if needed, build, and write ``OUTPUT``."""
    OUTPUT.write_text(stylesheet_build(package=bootstrap_package()))
    return OUTPUT


def _libsass():
    try:
        import sass
    except ImportError as error:
        raise StylesheetBuildError(
            "Building the stylesheet needs libsass (in requirements-dev.txt): run `bash .ci/venv --dev`."
        ) from error
    return sass
