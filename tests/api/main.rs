//! End-to-end tests: each spawns the real server on a fresh database and talks HTTP to
//! it, as a client would. Set `TEST_DATABASE_URL` to run them against PostgreSQL.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod auth;
mod browser;
mod concurrency;
mod conformance;
mod cycle;
mod cycle_seeded;
mod drift;
mod exports;
mod files_flow;
mod graphiql;
mod groups_cycle;
mod helpers;
mod http_conformance;
mod jwt;
mod kept_counts;
mod live;
mod matrix;
mod migrations;
mod outage;
mod plain_lists;
mod pool;
mod read;
mod reports;
mod schema;
mod seed_data;
mod startup;
mod statements;
mod transport;
mod writes;
mod ws_protocol;
// Issue 14: indicators, targets, measurements, target groups.
mod targets;
// Issue 15: plans and follow-ups imported from office files.
mod imports;
// Issue 16: a real OpenID Connect provider (tests/oidc) for the tests.
mod oidc;
mod oidc_provider;
// Issue 16: several municipalities on one service.
mod municipalities;
