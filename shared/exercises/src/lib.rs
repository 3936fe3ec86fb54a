//! The learners' command, `cargo exercises` (an alias in
//! `.cargo/config.toml`): lists the exercises with ✓ / ✗ and the next one
//! to do (grading chapters in order only as far as the first unfinished
//! one), grades a chapter or one exercise, prints hints one step at a
//! time, puts an exercise back to its stub, shows a solution after a pass,
//! and watches the files, re-grading on every save, with keys.
//!
//! It knows no exercise by name: [`catalog`] reads them from the chapters,
//! and [`grading`] runs the chapters' own graders.

pub mod catalog;
pub mod grading;
pub mod progress;
pub mod regions;
pub mod watch;
