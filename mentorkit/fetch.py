"""WeasyPrint's URL fetcher, locked down: files inside the program's folder and the package, and data: URLs."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote, urlsplit


def make_fetcher(roots: list[Path]):  # type: ignore[no-untyped-def]
    """A URLFetcher instance that serves only files below `roots` and data: URLs; anything else stops the render."""
    from weasyprint.urls import FatalURLFetchingError, URLFetcher, URLFetcherResponse

    allowed = [r.resolve() for r in roots]

    class Refused(FatalURLFetchingError):
        """A request mentorkit will not make."""

    class SafeFetcher(URLFetcher):
        def __init__(self) -> None:
            super().__init__(allowed_protocols={"file", "data"}, allow_redirects=False, fail_on_errors=True)

        def fetch(self, url: str, headers: dict[str, str] | None = None) -> URLFetcherResponse:
            parts = urlsplit(url)
            scheme = parts.scheme.lower()
            if scheme == "data":
                return super().fetch(url, headers)
            if scheme != "file" or parts.netloc not in ("", "localhost"):
                raise Refused(f"refused to fetch {url!r}: mentorkit fetches nothing from the network")
            path = Path(unquote(parts.path)).resolve()
            if not any(path.is_relative_to(root) for root in allowed):
                raise Refused(f"refused to read {path}: it is outside the program's folder")
            if not path.is_file():
                raise Refused(f"{path} does not exist")
            return URLFetcherResponse(path.as_uri(), body=path.read_bytes())

    return SafeFetcher()
