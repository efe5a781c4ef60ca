//! Logging. `RUST_LOG` picks what is logged (default `info`); `SAMVERKAN_LOG_FORMAT`
//! is `text` or `json` (one JSON object per line; the default when
//! `SAMVERKAN_ENV=production`). Every GraphQL request is logged once with its request
//! id, operation name, `sub`, organization, outcome, SQL statements and duration.
//! Tokens and commitment texts are never logged. Lines are coloured (ANSI) only when
//! stderr is a terminal: a log file or a collector gets plain text.

use std::io::IsTerminal;

use tracing_subscriber::EnvFilter;

/// Install the global subscriber (once; later calls are ignored).
pub fn init() {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let json = json_logs();
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal());
    let _ = if json {
        builder.json().try_init()
    } else {
        builder.try_init()
    };
}

/// Whether log lines are JSON: `SAMVERKAN_LOG_FORMAT`, else whether
/// `SAMVERKAN_ENV=production`.
pub fn json_logs() -> bool {
    match std::env::var("SAMVERKAN_LOG_FORMAT") {
        Ok(v) => v.eq_ignore_ascii_case("json"),
        Err(_) => {
            std::env::var("SAMVERKAN_ENV").is_ok_and(|v| v.eq_ignore_ascii_case("production"))
        }
    }
}

/// Write `message` to stderr whatever `RUST_LOG` lets through — where the server
/// listens, for people and for the scripts that start it — in the logs' format: a JSON
/// object shaped like the other log lines when logs are JSON.
pub fn announce(message: &str) {
    if json_logs() {
        let line = serde_json::json!({
            "timestamp": chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
            "level": "INFO",
            "fields": { "message": message },
            "target": "samverkan",
        });
        eprintln!("{line}");
    } else {
        eprintln!("{message}");
    }
}
