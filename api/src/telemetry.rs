//! Logging. `RUST_LOG` picks what is logged (default `info`); `SAMVERKAN_LOG_FORMAT`
//! is `text` or `json` (one JSON object per line; the default when
//! `SAMVERKAN_ENV=production`). Every GraphQL request is logged once with its request
//! id, operation name, `sub`, organization, outcome, SQL statements and duration.
//! Tokens and commitment texts are never logged.

use tracing_subscriber::EnvFilter;

/// Install the global subscriber (once; later calls are ignored).
pub fn init() {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let production =
        std::env::var("SAMVERKAN_ENV").is_ok_and(|v| v.eq_ignore_ascii_case("production"));
    let json = match std::env::var("SAMVERKAN_LOG_FORMAT") {
        Ok(v) => v.eq_ignore_ascii_case("json"),
        Err(_) => production,
    };
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    let _ = if json {
        builder.json().try_init()
    } else {
        builder.try_init()
    };
}
