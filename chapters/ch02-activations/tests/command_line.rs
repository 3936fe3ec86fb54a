//! The chapter's program, run as a reader runs it (the binary `cargo test`
//! has just built): its narrated run, its help, and a mistyped option
//! reported in one line.

#[test]
fn the_program_runs_and_rejects_a_bad_argument_in_one_line() {
    shared::testing::check_chapter_binary(
        env!("CARGO_BIN_EXE_ch02-activations"),
        "ch02-activations",
        true,
    );
}
