//! `cargo exercises`: every chapter's exercises, graded.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use clap::{Parser, Subcommand};
use exercises::catalog::{self, Chapter, Exercise};
use exercises::grading::{self, Outcome};
use exercises::regions;
use exercises::watch::Watcher;

/// The book's exercises: write each answer in its chapter's
/// `src/exercises.rs`; this grades it.
#[derive(Parser)]
#[command(name = "cargo exercises", bin_name = "cargo exercises")]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Grade everything: every exercise with ✓ or ✗, and the next to do
    /// (what plain `cargo exercises` does).
    List,
    /// Grade one chapter (`check 6`) or one exercise (`check 6.4`), with
    /// the grader's full message for each one not yet passing.
    Check {
        /// A chapter number or an exercise number.
        which: String,
    },
    /// Print an exercise's hints, one step at a time.
    Hint {
        /// The exercise, e.g. 6.4.
        exercise: String,
        /// Show the hints up to this step (default: the first).
        #[arg(long, default_value_t = 1)]
        step: usize,
    },
    /// Re-grade a chapter every time its `src/exercises.rs` is saved.
    Watch,
    /// (maintainers) Check that every shipped stub fails its grader.
    #[command(hide = true)]
    Verify,
    /// (maintainers) Copy an exercise's reference solution over its stub.
    #[command(hide = true)]
    Solve {
        /// The exercise, e.g. 1.1.
        exercise: String,
    },
}

/// The workspace this command was built in.
fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

type Outcomes = BTreeMap<String, Outcome>;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let root = root();
    let chapters = match catalog::load(&root) {
        Ok(chapters) => chapters,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };
    let result = match cli.command.unwrap_or(Command::List) {
        Command::List => {
            let outcomes = grade_all(&root, &chapters);
            print_list(&chapters, &outcomes);
            Ok(())
        }
        Command::Check { which } => check(&root, &chapters, &which),
        Command::Hint { exercise, step } => {
            find(&chapters, &exercise).map(|(_, e)| print_hints(e, step))
        }
        Command::Watch => watch(&root, &chapters),
        Command::Verify => verify(&root, &chapters),
        Command::Solve { exercise } => solve(&chapters, &exercise),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

/// The chapter and exercise named "C.N".
fn find<'a>(
    chapters: &'a [Chapter],
    label: &str,
) -> Result<(&'a Chapter, &'a Exercise), String> {
    chapters
        .iter()
        .flat_map(|c| c.exercises.iter().map(move |e| (c, e)))
        .find(|(_, e)| e.label() == label)
        .ok_or_else(|| {
            format!(
                "no exercise {label:?}: exercises are numbered like 1.1 or \
                 6.4 (`cargo exercises list` shows them all)"
            )
        })
}

fn grade_all(root: &Path, chapters: &[Chapter]) -> Outcomes {
    use std::io::IsTerminal;
    // A progress line for a person watching; none in a log.
    let show = std::io::stderr().is_terminal();
    let mut outcomes = Outcomes::new();
    for chapter in chapters {
        if show {
            eprint!("\rgrading {} … ", chapter.package);
        }
        outcomes.extend(grading::grade(root, chapter, None));
    }
    if show {
        eprint!("\r{:40}\r", "");
    }
    outcomes
}

fn outcome_of<'a>(outcomes: &'a Outcomes, exercise: &Exercise) -> &'a Outcome {
    outcomes
        .get(&exercise.test_name())
        .unwrap_or(&Outcome::NotStarted)
}

fn relative(path: &Path) -> String {
    let root = root();
    let root = root.canonicalize().unwrap_or(root);
    let path = path.canonicalize().unwrap_or(path.to_path_buf());
    path.strip_prefix(&root)
        .unwrap_or(&path)
        .display()
        .to_string()
}

fn print_list(chapters: &[Chapter], outcomes: &Outcomes) {
    let mut done = 0;
    let mut total = 0;
    let mut next: Option<(&Chapter, &Exercise)> = None;
    for chapter in chapters {
        println!(
            "\nChapter {} — {}",
            chapter.number,
            relative(&chapter.exercises_file())
        );
        for exercise in &chapter.exercises {
            let outcome = outcome_of(outcomes, exercise);
            total += 1;
            if *outcome == Outcome::Passed {
                done += 1;
            } else if next.is_none() {
                next = Some((chapter, exercise));
            }
            println!(
                "  {} {:<5} {:<48} {}",
                outcome.mark(),
                exercise.label(),
                exercise.title,
                outcome.summary()
            );
        }
    }
    println!("\n{done} of {total} exercises done.");
    match next {
        None => println!(
            "All done — well done! The solutions, to compare: \
                          chapters/*/solutions/exercises.rs"
        ),
        Some((chapter, exercise)) => {
            let label = exercise.label();
            println!(
                "Next: exercise {label}, {} — write `{}` in {}.\n  \
                 cargo exercises check {label}   grade it, with the \
                 grader's message\n  \
                 cargo exercises hint {label}    a hint, one step at a \
                 time\n  \
                 cargo exercises watch       re-grade on every save",
                exercise.title,
                exercise.function,
                relative(&chapter.exercises_file())
            );
        }
    }
}

fn print_outcome(exercise: &Exercise, outcome: &Outcome) {
    let label = exercise.label();
    let status = match outcome {
        Outcome::Failed(_) => "not yet".to_string(),
        _ => outcome.summary(),
    };
    println!("{} {label} {}: {status}", outcome.mark(), exercise.title);
    match outcome {
        Outcome::Passed => {}
        Outcome::NotStarted => println!(
            "  Replace the `todo!()` in `{}` with your answer \
             (`cargo exercises hint {label}` if stuck).",
            exercise.function
        ),
        Outcome::Failed(message) => {
            println!("  The grader says:");
            for line in message.lines() {
                println!("    {line}");
            }
        }
        Outcome::DoesNotCompile(errors) => {
            println!("  The compiler says:");
            for line in errors.lines().take(40) {
                println!("    {line}");
            }
        }
    }
}

fn check(root: &Path, chapters: &[Chapter], which: &str) -> Result<(), String> {
    let (chapter, only) = if which.contains('.') {
        let (chapter, exercise) = find(chapters, which)?;
        (chapter, Some(exercise))
    } else {
        let number: Option<u32> = which.parse().ok();
        let chapter = chapters
            .iter()
            .find(|c| Some(c.number) == number)
            .ok_or_else(|| {
                format!(
                    "no chapter {which:?} with exercises (1–{})",
                    chapters.len()
                )
            })?;
        (chapter, None)
    };
    let test = only.map(|e| e.test_name());
    let outcomes = grading::grade(root, chapter, test.as_deref());
    let mut passing = true;
    let mut compiler_shown = false;
    for exercise in &chapter.exercises {
        if only.is_some_and(|o| o != exercise) {
            continue;
        }
        let outcome = outcome_of(&outcomes, exercise);
        passing &= *outcome == Outcome::Passed;
        if matches!(outcome, Outcome::DoesNotCompile(_)) {
            // One compiler error stops every exercise of the chapter.
            if compiler_shown {
                println!(
                    "{} {} {}: {}",
                    outcome.mark(),
                    exercise.label(),
                    exercise.title,
                    outcome.summary()
                );
                continue;
            }
            compiler_shown = true;
        }
        print_outcome(exercise, outcome);
    }
    if passing {
        Ok(())
    } else {
        Err("not all passing yet".into())
    }
}

fn print_hints(exercise: &Exercise, step: usize) {
    let total = exercise.hints.len();
    let shown = step.clamp(1, total);
    println!("Exercise {} — {}\n", exercise.label(), exercise.title);
    for (i, hint) in exercise.hints.iter().take(shown).enumerate() {
        println!("Hint {} of {total}:", i + 1);
        for line in hint.lines() {
            println!("  {line}");
        }
    }
    if shown < total {
        println!(
            "\nStill stuck? cargo exercises hint {} --step {}",
            exercise.label(),
            shown + 1
        );
    }
}

fn watch(root: &Path, chapters: &[Chapter]) -> Result<(), String> {
    let mut outcomes = grade_all(root, chapters);
    print_list(chapters, &outcomes);
    let files = chapters.iter().map(|c| c.exercises_file()).collect();
    let mut watcher = Watcher::new(files);
    println!(
        "\nWatching the exercises files; save one to re-grade (Ctrl-C quits)."
    );
    loop {
        std::thread::sleep(Duration::from_millis(500));
        for i in watcher.changed() {
            let chapter = &chapters[i];
            println!(
                "\n── {} saved: re-grading ──",
                relative(&chapter.exercises_file())
            );
            let fresh = grading::grade(root, chapter, None);
            for exercise in &chapter.exercises {
                let outcome = outcome_of(&fresh, exercise);
                if !matches!(outcome, Outcome::NotStarted) {
                    print_outcome(exercise, outcome);
                }
            }
            outcomes.extend(fresh);
            print_list(chapters, &outcomes);
            println!("\nWatching; save again to re-grade (Ctrl-C quits).");
        }
    }
}

/// Every shipped stub must fail its grader through its `todo!()`: no
/// exercise passes before the learner writes it, and none fails for
/// another reason (a grader that cannot compile, say). And the stubs are
/// as shipped: one TODO each, no hints, mirrored by the solutions.
fn verify(root: &Path, chapters: &[Chapter]) -> Result<(), String> {
    let mut wrong = Vec::new();
    for chapter in chapters {
        wrong.extend(catalog::shipped_problems(chapter).map_err(|e| e.0)?);
    }
    let outcomes = grade_all(root, chapters);
    let mut total = 0;
    for chapter in chapters {
        for exercise in &chapter.exercises {
            total += 1;
            let outcome = outcome_of(&outcomes, exercise);
            if !outcomes.contains_key(&exercise.test_name())
                || *outcome != Outcome::NotStarted
            {
                wrong.push(format!(
                    "{}: {}",
                    exercise.label(),
                    outcome.summary()
                ));
            }
        }
    }
    if wrong.is_empty() {
        println!("All {total} shipped stubs fail their graders at todo!().");
        Ok(())
    } else {
        Err(format!(
            "stubs not failing at todo!(): {}",
            wrong.join("; ")
        ))
    }
}

fn solve(chapters: &[Chapter], label: &str) -> Result<(), String> {
    let (chapter, exercise) = find(chapters, label)?;
    let read = |path: PathBuf| {
        std::fs::read_to_string(&path)
            .map_err(|e| format!("cannot read {}: {e}", path.display()))
    };
    let stubs = read(chapter.exercises_file())?;
    let solutions = read(chapter.solutions_file())?;
    let solved = regions::replace(&stubs, &solutions, &exercise.function)
        .ok_or_else(|| {
            format!(
                "no `// ANCHOR: {}` region in both files",
                exercise.function
            )
        })?;
    std::fs::write(chapter.exercises_file(), solved)
        .map_err(|e| format!("cannot write: {e}"))?;
    println!(
        "copied the solution of {label} into {}",
        relative(&chapter.exercises_file())
    );
    Ok(())
}
