//! Samverkan's sea-orm entities: one module per table, nothing else.
//!
//! The entities describe the schema as it is now; the `migration` crate holds its history.

pub mod action_plan;
pub mod activity;
pub mod activity_method;
pub mod audit_event;
pub mod collaboration_area;
pub mod collaboration_group;
pub mod commitment;
pub mod district;
pub mod enums;
pub mod focus_area;
pub mod follow_up;
pub mod method;
pub mod municipality;
pub mod organization;
pub mod organization_district;
pub mod participation;
pub mod priority_area;
pub mod responsibility;
pub mod strategy;
