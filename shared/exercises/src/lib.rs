//! The learners' command, `cargo exercises` (an alias in
//! `.cargo/config.toml`): lists every chapter's exercises with ✓ / ✗ and
//! the next one to do, grades a chapter or one exercise, prints hints one
//! step at a time, and re-grades whenever an exercises file is saved.
//!
//! It knows no exercise by name: [`catalog`] reads them from the chapters,
//! and [`grading`] runs the chapters' own graders.

pub mod catalog;
pub mod grading;
pub mod regions;
pub mod watch;
