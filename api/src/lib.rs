//! Samverkan: the GraphQL API through which the agencies that work together against
//! youth crime keep their collaboration groups, action plans, follow-ups and
//! commitments in one place.
//!
//! The crate is laid out in layers:
//! - [`config`]: typed settings from environment variables;
//! - [`startup`]: building and running the HTTP application;
//! - [`auth`]: bearer tokens (JWT) and roles;
//! - [`graphql`]: the schema — thin resolvers, batch loaders, paging, global IDs;
//! - [`services`]: the rules, as plain functions over a database connection;
//! - [`db`], [`seed`]: connection, migrations, and the demo data;
//! - [`generate`]: a synthetic nation for benchmarks;
//! - [`files`]: office files in and out (XLSX, DOCX, CSV tables and reports);
//! - [`gate`]: how many large results (coverage matrices, export files) are laid out at once;
//! - [`error`]: the one error type and its mapping to GraphQL error codes;
//! - [`http`], [`transport`]: the HTTP surface and the GraphQL-over-HTTP rules;
//! - [`exports_http`]: the exports as downloads (`GET /exports/…`).

pub mod allowlist;
pub mod auth;
pub mod config;
pub mod db;
pub mod error;
pub mod events;
pub mod exports_http;
pub mod files;
pub mod gate;
pub mod generate;
pub mod graphiql;
pub mod graphql;
pub mod http;
pub mod metrics;
pub mod seed;
pub mod services;
pub mod startup;
pub mod telemetry;
pub mod transport;
pub mod ws;
