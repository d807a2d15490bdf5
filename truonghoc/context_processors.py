from .links import frame_urls


def frame(request) -> dict:
    """The page frame's fixed links (`frame_urls.forums_index`), reversed once per process, not per page."""
    return {"frame_urls": frame_urls()}
