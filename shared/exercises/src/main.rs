//! `cargo exercises`: every chapter's exercises, graded.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use clap::{Parser, Subcommand};
use exercises::catalog::{self, Chapter, Exercise};
use exercises::grading::{self, Outcome};
use exercises::progress::{self, Progress, bar, frontier, line_of};
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
    /// Every exercise with ✓, ○ or ✗ and the next to do (what plain `cargo
    /// exercises` does). Chapters are graded in order up to the first not
    /// finished; chapter 14 (its own workspace, which builds Burn) only
    /// with `check 14`.
    List {
        /// Grade every chapter (but chapter 14), not only up to the first
        /// unfinished one.
        #[arg(long)]
        all: bool,
    },
    /// The next exercise to do, with its file and the grader's message.
    Next,
    /// Put an exercise back as shipped (its stub, from the repository's
    /// history), after asking.
    Reset {
        /// The exercise, e.g. 6.4.
        exercise: String,
        /// Do not ask.
        #[arg(long)]
        yes: bool,
    },
    /// Show an exercise's reference solution, once the exercise passes.
    Solution {
        /// The exercise, e.g. 6.4.
        exercise: String,
        /// Show it even if the exercise does not pass yet.
        #[arg(long)]
        anyway: bool,
    },
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
    /// Re-grade a chapter every time its `src/exercises.rs` is saved; keys
    /// for next, hint, check, list, reset, solution and quit (one press at
    /// a terminal; a letter, then Enter, from a pipe).
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

/// Whether output goes to a person (progress lines, screen clearing).
fn on_terminal() -> bool {
    use std::io::IsTerminal;
    std::io::stdout().is_terminal()
}

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
    let result = match cli.command.unwrap_or(Command::List { all: false }) {
        Command::List { all } => {
            let progress = grade_frontier(&root, &chapters, all);
            print_list(&chapters, &progress);
            Ok(())
        }
        Command::Next => next(&root, &chapters),
        Command::Reset { exercise, yes } => {
            reset(&root, &chapters, &exercise, yes)
        }
        Command::Solution { exercise, anyway } => {
            show_solution(&root, &chapters, &exercise, anyway)
        }
        Command::Check { which } => check(&root, &chapters, &which),
        Command::Hint { exercise, step } => {
            find(&chapters, &exercise).map(|(_, e)| {
                let label = e.label();
                print_hints(e, step, |n| {
                    format!("cargo exercises hint {label} --step {n}")
                })
            })
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

/// Chapters graded in order up to the first unfinished one (every one
/// with `all`), with a progress line for a person watching.
fn grade_frontier(root: &Path, chapters: &[Chapter], all: bool) -> Progress {
    use std::io::IsTerminal;
    let show = std::io::stderr().is_terminal();
    let progress = frontier(
        chapters,
        all,
        |c| progress::grade_chapter(root, c),
        |c| {
            if show {
                eprint!("\rgrading {} … ", c.package);
            }
        },
    );
    if show {
        eprint!("\r{:40}\r", "");
    }
    progress
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

/// `file:line` of the exercise's function, for a terminal to link.
fn location(chapter: &Chapter, exercise: &Exercise) -> String {
    let file = chapter.exercises_file();
    let source = std::fs::read_to_string(&file).unwrap_or_default();
    match line_of(&source, &exercise.function) {
        Some(line) => format!("{}:{line}", relative(&file)),
        None => relative(&file),
    }
}

fn print_list(chapters: &[Chapter], progress: &Progress) {
    for chapter in chapters {
        println!(
            "\nChapter {} — {}",
            chapter.number,
            relative(&chapter.exercises_file())
        );
        if progress.graded.contains(&chapter.number) {
            for exercise in &chapter.exercises {
                let outcome = progress
                    .of(chapter, exercise)
                    .unwrap_or(&Outcome::NotStarted);
                println!(
                    "  {} {:<5} {:<48} {}",
                    outcome.mark(),
                    exercise.label(),
                    exercise.title,
                    outcome.summary()
                );
            }
        } else if chapter.has_own_workspace() {
            println!(
                "  · {} exercises, not checked: `cargo exercises check {}` \
                 grades them (its first build compiles Burn, about 18 \
                 minutes on 2 cores)",
                chapter.exercises.len(),
                chapter.number
            );
        } else {
            println!(
                "  · {} exercises, not checked yet (`cargo exercises check \
                 {}`, or `list --all`)",
                chapter.exercises.len(),
                chapter.number
            );
        }
    }
    let (done, total) = progress.counts(chapters);
    println!(
        "\n{done} of {total} exercises done.  {}",
        bar(done, total, 30)
    );
    match progress.next(chapters) {
        None => println!(
            "All done — well done! The solutions, to compare: \
             chapters/*/solutions/exercises.rs"
        ),
        Some((chapter, exercise)) => {
            let label = exercise.label();
            println!(
                "Next: exercise {label}, {} — write `{}` at {}.\n  \
                 cargo exercises check {label}   grade it, with the \
                 grader's message\n  \
                 cargo exercises hint {label}    a hint, one step at a \
                 time\n  \
                 cargo exercises watch       re-grade on every save, with keys",
                exercise.title,
                exercise.function,
                location(chapter, exercise)
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
        Outcome::Passed => println!(
            "  Compare with the reference: cargo exercises solution {label}"
        ),
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
    if chapter.has_own_workspace() {
        println!(
            "Chapter {} is a workspace of its own: its first build compiles \
             Burn, about 18 minutes on 2 cores; later checks take seconds.",
            chapter.number
        );
    }
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

/// The hints up to `step`; `more(n)` says how to ask for hint n.
fn print_hints(
    exercise: &Exercise,
    step: usize,
    more: impl Fn(usize) -> String,
) {
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
        println!("\nStill stuck? {}", more(shown + 1));
    }
}

/// `next`: the first exercise not passing, graded, with where to write it.
fn next(root: &Path, chapters: &[Chapter]) -> Result<(), String> {
    let progress = grade_frontier(root, chapters, false);
    let (done, total) = progress.counts(chapters);
    println!(
        "{done} of {total} exercises done.  {}",
        bar(done, total, 30)
    );
    match progress.next(chapters) {
        None => println!("All done — well done!"),
        Some((chapter, exercise)) => {
            show_exercise(chapter, exercise, &progress)
        }
    }
    Ok(())
}

/// An exercise, where to write it, and how it stands.
fn show_exercise(chapter: &Chapter, exercise: &Exercise, progress: &Progress) {
    println!(
        "\nExercise {} — {}: write `{}` at {}",
        exercise.label(),
        exercise.title,
        exercise.function,
        location(chapter, exercise)
    );
    match progress.of(chapter, exercise) {
        Some(outcome) => print_outcome(exercise, outcome),
        None => println!("  (its chapter is not checked yet)"),
    }
}

/// Asks a yes-or-no question on standard input; only "y" or "yes" is yes.
fn confirm(question: &str) -> bool {
    use std::io::Write as _;
    print!("{question} [y/N] ");
    let _ = std::io::stdout().flush();
    let mut answer = String::new();
    let _ = std::io::stdin().read_line(&mut answer);
    matches!(answer.trim().to_lowercase().as_str(), "y" | "yes")
}

/// `reset N.M`: the exercise's region back as shipped.
fn reset(
    root: &Path,
    chapters: &[Chapter],
    label: &str,
    yes: bool,
) -> Result<(), String> {
    let (chapter, exercise) = find(chapters, label)?;
    let file = chapter.exercises_file();
    let question = format!(
        "Put exercise {label} (`{}`) in {} back as shipped? Your answer \
         there is lost.",
        exercise.function,
        relative(&file)
    );
    if !yes && !confirm(&question) {
        println!("Kept your answer.");
        return Ok(());
    }
    put_back(root, chapter, exercise)
}

fn put_back(
    root: &Path,
    chapter: &Chapter,
    exercise: &Exercise,
) -> Result<(), String> {
    let file = chapter.exercises_file();
    let stub = progress::shipped_stub(root, chapter, exercise)?;
    let current = std::fs::read_to_string(&file)
        .map_err(|e| format!("cannot read {}: {e}", relative(&file)))?;
    let reset = progress::with_stub(&current, &stub, &exercise.function)
        .ok_or_else(|| {
            format!(
                "{} has no `// ANCHOR: {}` region to put back",
                relative(&file),
                exercise.function
            )
        })?;
    if reset == current {
        println!("Exercise {} is already as shipped.", exercise.label());
        return Ok(());
    }
    std::fs::write(&file, reset)
        .map_err(|e| format!("cannot write {}: {e}", relative(&file)))?;
    println!(
        "Exercise {} is back as shipped, at {}.",
        exercise.label(),
        location(chapter, exercise)
    );
    Ok(())
}

/// `solution N.M`: the reference, once the exercise passes.
fn show_solution(
    root: &Path,
    chapters: &[Chapter],
    label: &str,
    anyway: bool,
) -> Result<(), String> {
    let (chapter, exercise) = find(chapters, label)?;
    if !anyway {
        let test = exercise.test_name();
        let outcomes = grading::grade(root, chapter, Some(&test));
        let outcome = outcome_of(&outcomes, exercise);
        if *outcome != Outcome::Passed {
            return Err(format!(
                "exercise {label} does not pass yet ({}); its reference \
                 solution is shown once it does (or with --anyway)",
                outcome.summary()
            ));
        }
    }
    println!(
        "The reference solution of exercise {label}, from {}:\n",
        relative(&chapter.solutions_file())
    );
    print!("{}", progress::solution(chapter, exercise)?);
    Ok(())
}

/// The keys typed on standard input, as they come; none after its end (a
/// watcher with no keyboard still watches). At a terminal each key counts
/// at once, with no Enter (see [`SingleKeys`]); from a pipe, a key is a
/// line.
fn keys(single: bool) -> std::sync::mpsc::Receiver<String> {
    use std::io::Read;
    let (send, receive) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        if single {
            let mut byte = [0u8; 1];
            let mut stdin = std::io::stdin().lock();
            while let Ok(1) = stdin.read(&mut byte) {
                let key = match byte[0] {
                    // Ctrl-C and Ctrl-D: the terminal sends them as bytes
                    // now; they quit, as q does.
                    3 | 4 => "q".to_string(),
                    b => char::from(b).to_string(),
                };
                if send.send(key).is_err() {
                    break;
                }
            }
        } else {
            for line in std::io::stdin().lines() {
                let Ok(line) = line else { break };
                if send.send(line).is_err() {
                    break;
                }
            }
        }
    });
    receive
}

/// The terminal in single-key mode while `watch` runs: no Enter needed, no
/// echo, Ctrl-C read as a key (so quitting always puts the terminal back).
/// The settings as they were are restored when this is dropped, also on a
/// panic. Uses `stty`, as any Unix terminal has; without it (or not at a
/// terminal) keys are lines, as before.
struct SingleKeys {
    saved: String,
}

impl SingleKeys {
    fn start() -> Option<SingleKeys> {
        use std::io::IsTerminal;
        if !std::io::stdin().is_terminal() || !on_terminal() {
            return None;
        }
        let saved = stty(&["-g"])?;
        stty(&["-icanon", "-echo", "-isig", "min", "1", "time", "0"])?;
        Some(SingleKeys {
            saved: saved.trim().to_string(),
        })
    }
}

impl Drop for SingleKeys {
    fn drop(&mut self) {
        let _ = stty(&[self.saved.as_str()]);
    }
}

/// Runs `stty` on the terminal of standard input; its output, if it ran.
fn stty(args: &[&str]) -> Option<String> {
    let out = std::process::Command::new("stty")
        .args(args)
        .stdin(std::process::Stdio::inherit())
        .stderr(std::process::Stdio::null())
        .output()
        .ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}

const KEYS: &str = "Keys: n next · h hint · c check the chapter · l list · \
                    r reset · s solution · q quit";

/// The watch screen: the progress bar, the exercise being worked on and
/// how it stands, and the keys.
fn screen(chapters: &[Chapter], progress: &Progress, at: (usize, usize)) {
    if on_terminal() {
        print!("\x1b[2J\x1b[H"); // a clear screen, the cursor at the top
    }
    let (done, total) = progress.counts(chapters);
    println!(
        "{done} of {total} exercises done.  {}",
        bar(done, total, 30)
    );
    let chapter = &chapters[at.0];
    show_exercise(chapter, &chapter.exercises[at.1], progress);
    println!("\n{KEYS}");
}

/// The (chapter, exercise) indices of an exercise.
fn index_of(chapters: &[Chapter], exercise: &Exercise) -> (usize, usize) {
    let c = chapters
        .iter()
        .position(|c| c.number == exercise.id.0)
        .unwrap_or(0);
    let e = chapters[c]
        .exercises
        .iter()
        .position(|e| e == exercise)
        .unwrap_or(0);
    (c, e)
}

fn watch(root: &Path, chapters: &[Chapter]) -> Result<(), String> {
    let mut progress = grade_frontier(root, chapters, false);
    let mut at = match progress.next(chapters) {
        Some((_, exercise)) => index_of(chapters, exercise),
        None => (
            chapters.len() - 1,
            chapters[chapters.len() - 1].exercises.len() - 1,
        ),
    };
    screen(chapters, &progress, at);
    let files = chapters.iter().map(|c| c.exercises_file()).collect();
    let mut watcher = Watcher::new(files);
    let single = SingleKeys::start();
    println!(
        "Watching the exercises files; save one to re-grade.{}",
        if single.is_some() {
            ""
        } else {
            " (Keys: a letter, then Enter.)"
        }
    );
    let typed = keys(single.is_some());
    let mut hint_step = 0;
    let mut resetting = false;
    loop {
        std::thread::sleep(Duration::from_millis(300));
        for i in watcher.changed() {
            let chapter = &chapters[i];
            println!(
                "\n── {} saved: re-grading ──",
                relative(&chapter.exercises_file())
            );
            progress.record(chapter, progress::grade_chapter(root, chapter));
            let current = &chapters[at.0].exercises[at.1];
            if i == at.0
                && progress.of(chapter, current) == Some(&Outcome::Passed)
            {
                println!(
                    "✓ {} passes. s shows the reference solution, n moves on.",
                    current.label()
                );
            }
            screen(chapters, &progress, at);
        }
        while let Ok(line) = typed.try_recv() {
            let key = line.trim().to_lowercase();
            let chapter = &chapters[at.0];
            let exercise = &chapter.exercises[at.1];
            if resetting {
                resetting = false;
                match key.as_str() {
                    "y" | "yes" => {
                        if let Err(e) = put_back(root, chapter, exercise) {
                            println!("error: {e}");
                        }
                    }
                    _ => println!("Kept your answer."),
                }
                continue;
            }
            match key.as_str() {
                "q" => return Ok(()),
                "n" => {
                    at = match at.1 + 1 < chapter.exercises.len() {
                        true => (at.0, at.1 + 1),
                        false => ((at.0 + 1) % chapters.len(), 0),
                    };
                    hint_step = 0;
                    let chapter = &chapters[at.0];
                    if !progress.graded.contains(&chapter.number)
                        && progress::graded_by_default(chapter)
                    {
                        println!("grading {} …", chapter.package);
                        progress.record(
                            chapter,
                            progress::grade_chapter(root, chapter),
                        );
                    }
                    screen(chapters, &progress, at);
                }
                "h" => {
                    hint_step += 1;
                    print_hints(exercise, hint_step, |_| {
                        "press h again.".into()
                    });
                }
                "c" => {
                    println!("grading {} …", chapter.package);
                    progress.record(
                        chapter,
                        progress::grade_chapter(root, chapter),
                    );
                    screen(chapters, &progress, at);
                }
                "l" => print_list(chapters, &progress),
                "r" => {
                    resetting = true;
                    println!(
                        "Put exercise {} back as shipped? Your answer is lost. \
                         Type y to confirm, anything else keeps it.",
                        exercise.label()
                    );
                }
                "s" => match progress.of(chapter, exercise) {
                    Some(Outcome::Passed) => {
                        match progress::solution(chapter, exercise) {
                            Ok(text) => {
                                println!("\nThe reference solution:\n\n{text}")
                            }
                            Err(e) => println!("error: {e}"),
                        }
                    }
                    _ => println!(
                        "The reference solution is shown once {} passes.",
                        exercise.label()
                    ),
                },
                "" => {}
                other => println!("No key {other:?}. {KEYS}"),
            }
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
