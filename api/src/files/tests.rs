//! Tests of the office-files engine: fixtures made by other writers, bad files, round trips,
//! and a property test that no input panics.
