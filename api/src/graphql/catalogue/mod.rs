//! The catalogue: the places, organizations, strategies and methods that plans, groups
//! and reports refer to.

pub mod organizations;
pub mod places;
pub mod strategies;
