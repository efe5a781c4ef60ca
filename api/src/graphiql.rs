//! GraphiQL, served from the binary: on a network without internet it works as well as
//! anywhere, and no request leaves for a CDN.
//!
//! `GET /graphql` from a browser (when GraphiQL is enabled) answers our own small page
//! (`api/assets/graphiql/index.html`), whose `Content-Security-Policy` lets it load
//! scripts, styles and data from this server only. The page loads GraphiQL's browser
//! bundle, React and ReactDOM — vendored byte for byte from their npm packages (see
//! `api/assets/graphiql/README.md`) — and a small script of ours that starts GraphiQL,
//! all from `GET /graphql/assets/{name}`.
//!
//! Asset URLs carry a digest of their content (`?v=…`), so they are cached for a year
//! (`immutable`) and a new build's assets are fetched afresh; the page itself is
//! revalidated on every load.

use std::sync::LazyLock;

use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest, Sha256};

use crate::error::AppError;
use crate::http::{AppState, error_response};

/// The page's Content-Security-Policy: everything from this server only (`data:` URIs
/// are GraphiQL's stylesheet's embedded fonts and icons, which fetch nothing); no
/// inline script, no plugins, no framing, no form posts elsewhere. The one inline
/// style allowed is the one GraphiQL's dialogs add while open (to keep the page from
/// scrolling), which carries the page's `nonce`.
fn content_security_policy(nonce: &str) -> String {
    format!(
        "default-src 'none'; script-src 'self'; style-src 'self' 'nonce-{nonce}'; \
         img-src 'self' data:; font-src 'self' data:; connect-src 'self'; \
         base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
    )
}

/// How long a browser keeps an asset: a year; its URL changes with its content.
const ASSET_CACHE: &str = "public, max-age=31536000, immutable";

/// One file served under `/graphql/assets/`.
struct Asset {
    name: &'static str,
    content_type: &'static str,
    body: &'static [u8],
}

const JS: &str = "text/javascript; charset=utf-8";
const CSS: &str = "text/css; charset=utf-8";

/// Every asset the page loads.
const ASSETS: &[Asset] = &[
    Asset {
        name: "react.production.min.js",
        content_type: JS,
        body: include_bytes!("../assets/graphiql/react.production.min.js"),
    },
    Asset {
        name: "react-dom.production.min.js",
        content_type: JS,
        body: include_bytes!("../assets/graphiql/react-dom.production.min.js"),
    },
    Asset {
        name: "graphiql.min.js",
        content_type: JS,
        body: include_bytes!("../assets/graphiql/graphiql.min.js"),
    },
    Asset {
        name: "graphiql.min.css",
        content_type: CSS,
        body: include_bytes!("../assets/graphiql/graphiql.min.css"),
    },
    Asset {
        name: "samverkan-graphiql.js",
        content_type: JS,
        body: include_bytes!("../assets/graphiql/samverkan-graphiql.js"),
    },
    Asset {
        name: "samverkan-graphiql.css",
        content_type: CSS,
        body: include_bytes!("../assets/graphiql/samverkan-graphiql.css"),
    },
];

/// An asset's digest: its version in URLs and its ETag.
fn digest(body: &[u8]) -> String {
    Sha256::digest(body)
        .iter()
        .take(8)
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The digest of every asset, in the order of [`ASSETS`].
static DIGESTS: LazyLock<Vec<String>> =
    LazyLock::new(|| ASSETS.iter().map(|a| digest(a.body)).collect());

/// The page, with each `{{name}}` replaced by that asset's versioned URL (relative to
/// the page, so a path prefix in front of the server keeps working).
static PAGE: LazyLock<String> = LazyLock::new(|| {
    let mut page = include_str!("../assets/graphiql/index.html").to_owned();
    for (asset, digest) in ASSETS.iter().zip(DIGESTS.iter()) {
        page = page.replace(
            &format!("{{{{{}}}}}", asset.name),
            &format!("graphql/assets/{}?v={digest}", asset.name),
        );
    }
    page
});

/// The GraphiQL page, with its Content-Security-Policy and a fresh nonce for its
/// styles (our script hands it to GraphiQL: see `samverkan-graphiql.js`).
pub(crate) fn page() -> Response {
    let nonce = URL_SAFE_NO_PAD.encode(rand::random::<[u8; 16]>());
    let mut response = (
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (header::CACHE_CONTROL, "no-cache"),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
            (header::REFERRER_POLICY, "no-referrer"),
        ],
        PAGE.replace("{{nonce}}", &nonce),
    )
        .into_response();
    if let Ok(csp) = HeaderValue::from_str(&content_security_policy(&nonce)) {
        response
            .headers_mut()
            .insert(header::CONTENT_SECURITY_POLICY, csp);
    }
    response
}

/// `GET /graphql/assets/{name}`: one of GraphiQL's files, when GraphiQL is enabled.
pub(crate) async fn asset(
    State(state): State<AppState>,
    Path(name): Path<String>,
    headers: HeaderMap,
) -> Response {
    let found = ASSETS
        .iter()
        .zip(DIGESTS.iter())
        .find(|(asset, _)| asset.name == name);
    let Some((asset, digest)) = found.filter(|_| state.graphiql) else {
        return error_response(
            StatusCode::NOT_FOUND,
            AppError::not_found("path", format!("no GraphiQL asset named {name:?}")),
        );
    };
    let etag = format!("\"{digest}\"");
    let cached = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|tags| {
            tags.split(',')
                .any(|t| t.trim().trim_start_matches("W/") == etag)
        });
    let mut response = if cached {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        ([(header::CONTENT_TYPE, asset.content_type)], asset.body).into_response()
    };
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(ASSET_CACHE));
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    if let Ok(etag) = HeaderValue::from_str(&etag) {
        headers.insert(header::ETAG, etag);
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_page_names_every_asset_by_its_version() {
        for (asset, digest) in ASSETS.iter().zip(DIGESTS.iter()) {
            let url = format!("graphql/assets/{}?v={digest}", asset.name);
            assert!(PAGE.contains(&url), "{url} missing from the page");
        }
        let page = PAGE.replace("{{nonce}}", "n");
        assert!(!page.contains("{{"), "a placeholder is left: {page}");
        assert!(!PAGE.contains("http"), "the page names another host");
    }
}
