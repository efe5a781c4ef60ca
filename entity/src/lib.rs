//! Samverkan's sea-orm entities: one module per table, nothing else.
//!
//! The entities describe the schema as it is now; the `migration` crate holds its history.

pub mod enums;
pub mod municipality;
pub mod district;
pub mod organization;
pub mod organization_district;
pub mod strategy;
pub mod priority_area;
pub mod focus_area;
pub mod method;
pub mod action_plan;
pub mod activity;
pub mod activity_method;
pub mod responsibility;
pub mod follow_up;
pub mod collaboration_area;
pub mod collaboration_group;
pub mod participation;
pub mod commitment;
pub mod audit_event;
