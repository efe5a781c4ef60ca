//! The service layer: plain functions over a database connection that hold the rules
//! (which rows a filter selects, how data is validated). Resolvers call them and stay
//! thin; tests can call them without HTTP.

pub mod admin;
pub mod audit;
pub mod authz;
pub mod commitments;
pub mod coverage;
pub mod exports;
pub mod follow_ups;
pub mod groups;
pub mod plans;
pub mod provider_groups;
pub mod queries;
pub mod terms;
pub mod tracking;
pub mod write;
// Issue 14: indicators, targets, measurements, target groups.
pub mod targets;
// Issue 14, item 5: groups' follow-ups.
pub mod group_follow_ups;
// The city's cycle (issue 14).
pub mod obligations;
pub mod situations;
// Issue 15: plans and follow-ups imported from office files.
pub mod imports;
