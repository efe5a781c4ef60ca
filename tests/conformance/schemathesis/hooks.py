"""Schemathesis hooks of the conformance fuzz run (tests/conformance/run.sh).

Loaded through SCHEMATHESIS_HOOKS=hooks with this directory on PYTHONPATH.
"""

import schemathesis


@schemathesis.check
def no_internal_error(ctx, response, case):
    """No answer carries an error whose extensions.code is INTERNAL."""
    try:
        body = response.json()
    except ValueError:
        return None
    items = body if isinstance(body, list) else [body]
    for item in items:
        if not isinstance(item, dict):
            continue
        for error in item.get("errors") or []:
            if not isinstance(error, dict):
                continue
            extensions = error.get("extensions")
            code = extensions.get("code") if isinstance(extensions, dict) else None
            if code == "INTERNAL":
                raise AssertionError(f"INTERNAL error: {error.get('message')!r}")
    return None


# `Upload` (issue 15) is a file sent as a GraphQL multipart request; schemathesis posts
# JSON, where a file cannot travel. A string literal stands in for it: the server must
# answer it with a GraphQL error (an upload is expected), never a 5xx or INTERNAL.
from hypothesis import strategies as st  # noqa: E402

schemathesis.graphql.scalar(
    "Upload", st.text(max_size=20).map(schemathesis.graphql.nodes.String)
)
