//! The command line, run as a reader runs it: help, and a mistake in one
//! line naming what was wrong.

#[test]
fn the_program_has_help_and_rejects_a_bad_argument_in_one_line() {
    // The narrated run needs MNIST: CI's smoke run does it (`--quick`).
    shared::testing::check_chapter_binary(
        env!("CARGO_BIN_EXE_ch11-autodiff"),
        "ch11-autodiff",
        false,
    );
}
