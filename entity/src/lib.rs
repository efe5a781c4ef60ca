//! Samverkan's sea-orm entities: one module per table, nothing else.
//!
//! The entities describe the schema as it is now; the `migration` crate holds its history.

pub mod action_plan;
pub mod activity;
pub mod activity_group;
pub mod activity_method;
pub mod audit_event;
pub mod cause;
pub mod cause_analysis;
pub mod cause_finding;
pub mod collaboration_area;
pub mod collaboration_group;
pub mod collaboration_group_kind;
pub mod commitment;
pub mod district;
pub mod enums;
pub mod finding;
pub mod focus_area;
pub mod follow_up;
pub mod group_follow_up;
pub mod indicator;
pub mod measurement;
pub mod method;
pub mod municipality;
pub mod obligation;
pub mod organization;
pub mod organization_district;
pub mod participation;
pub mod priority_area;
pub mod provenance;
pub mod provider_group;
pub mod responsibility;
pub mod situation_picture;
pub mod situation_picture_district;
pub mod situation_source;
pub mod source_document;
pub mod strategy;
pub mod target;
pub mod target_group;
