//! Which exercises exist: read from the chapters themselves, so a new
//! exercise needs no list kept here.
//!
//! A chapter's graders (`tests/exercises.rs`) name each exercise by its test,
//! `exercise_C_N_function`; its `hints.md` gives the title and the hints,
//! under a heading `## C.N Title`, as a numbered list of steps.

use std::fmt;
use std::fs;
use std::path::{Path, PathBuf};

/// One exercise: a function to write in a chapter's `src/exercises.rs`.
#[derive(Clone, Debug, PartialEq)]
pub struct Exercise {
    /// (chapter, number): exercise 6.4 is (6, 4).
    pub id: (u32, u32),
    /// The function to write, as named in `src/exercises.rs`.
    pub function: String,
    /// A short title, as the book gives it.
    pub title: String,
    /// The hints, in the order to read them.
    pub hints: Vec<String>,
}

impl Exercise {
    /// The grader's test name: `exercise_6_4_backprop`.
    pub fn test_name(&self) -> String {
        let (c, n) = self.id;
        format!("exercise_{c}_{n}_{}", self.function)
    }

    /// "6.4".
    pub fn label(&self) -> String {
        format!("{}.{}", self.id.0, self.id.1)
    }
}

/// One chapter crate and its exercises, in order.
#[derive(Clone, Debug)]
pub struct Chapter {
    /// The chapter's number.
    pub number: u32,
    /// The package name, e.g. `ch06-backprop`.
    pub package: String,
    /// The crate's directory.
    pub dir: PathBuf,
    /// Its exercises, in order.
    pub exercises: Vec<Exercise>,
}

impl Chapter {
    /// Where the learner writes the answers.
    pub fn exercises_file(&self) -> PathBuf {
        self.dir.join("src/exercises.rs")
    }

    /// Where the reference solutions live.
    pub fn solutions_file(&self) -> PathBuf {
        self.dir.join("solutions/exercises.rs")
    }

    /// Whether the chapter is a workspace of its own (chapter 14, which
    /// builds Burn), graded with `--manifest-path` instead of `-p`.
    pub fn has_own_workspace(&self) -> bool {
        fs::read_to_string(self.dir.join("Cargo.toml"))
            .is_ok_and(|manifest| manifest.lines().any(|l| l == "[workspace]"))
    }
}

/// What is wrong with a chapter's exercise files, named.
#[derive(Debug, PartialEq)]
pub struct CatalogError(pub String);

impl fmt::Display for CatalogError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for CatalogError {}

fn read(path: &Path) -> Result<String, CatalogError> {
    fs::read_to_string(path).map_err(|e| {
        CatalogError(format!("cannot read {}: {e}", path.display()))
    })
}

/// Every chapter under `root/chapters` that has exercises, in order.
pub fn load(root: &Path) -> Result<Vec<Chapter>, CatalogError> {
    let chapters_dir = root.join("chapters");
    let entries = fs::read_dir(&chapters_dir).map_err(|e| {
        CatalogError(format!("cannot list {}: {e}", chapters_dir.display()))
    })?;
    let mut dirs: Vec<PathBuf> = entries
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|dir| dir.join("tests/exercises.rs").is_file())
        .collect();
    dirs.sort();
    dirs.iter().map(|dir| load_chapter(dir)).collect()
}

fn load_chapter(dir: &Path) -> Result<Chapter, CatalogError> {
    let package = dir
        .file_name()
        .and_then(|name| name.to_str())
        .unwrap_or_default()
        .to_string();
    let number = package
        .strip_prefix("ch")
        .and_then(|rest| rest.get(..2))
        .and_then(|digits| digits.parse().ok())
        .ok_or_else(|| {
            CatalogError(format!("{package}: not named chNN-name"))
        })?;
    let graders = read(&dir.join("tests/exercises.rs"))?;
    let hints = read(&dir.join("hints.md"))?;
    let graded = graded_exercises(&graders);
    let sections = hint_sections(&hints);
    let mut exercises = Vec::new();
    for (id, function) in graded {
        let section =
            sections.iter().find(|s| s.id == id).ok_or_else(|| {
                CatalogError(format!(
                    "{package}: exercise {}.{} is graded but hints.md has no \
                 `## {}.{} Title` section",
                    id.0, id.1, id.0, id.1
                ))
            })?;
        if section.hints.is_empty() {
            return Err(CatalogError(format!(
                "{package}: exercise {}.{} has no hints",
                id.0, id.1
            )));
        }
        exercises.push(Exercise {
            id,
            function,
            title: section.title.clone(),
            hints: section.hints.clone(),
        });
    }
    if let Some(extra) = sections
        .iter()
        .find(|s| !exercises.iter().any(|e| e.id == s.id))
    {
        return Err(CatalogError(format!(
            "{package}: hints.md has exercise {}.{}, which no test grades",
            extra.id.0, extra.id.1
        )));
    }
    Ok(Chapter {
        number,
        package,
        dir: dir.to_path_buf(),
        exercises,
    })
}

/// The names of the `pub fn`s declared in a source file.
pub fn pub_fns(source: &str) -> std::collections::BTreeSet<String> {
    source
        .lines()
        .filter_map(|line| line.trim_start().strip_prefix("pub fn "))
        .filter_map(|rest| Some(rest[..rest.find(['(', '<'])?].to_string()))
        .collect()
}

/// What is wrong with a chapter's exercises *as shipped*: each stub has
/// one `// TODO:`, no hint in its comments (hints come on request), and
/// the same functions as the reference solutions. (Once a learner starts,
/// the TODOs go, so only `cargo exercises verify` checks this.)
pub fn shipped_problems(
    chapter: &Chapter,
) -> Result<Vec<String>, CatalogError> {
    let stubs = read(&chapter.exercises_file())?;
    let solutions = read(&chapter.solutions_file())?;
    let name = &chapter.package;
    let mut problems = Vec::new();
    let todos = stubs.matches("// TODO:").count();
    if todos != chapter.exercises.len() {
        problems.push(format!(
            "{name}: {todos} `// TODO:`s for {} exercises",
            chapter.exercises.len()
        ));
    }
    if stubs.contains("Hint:") {
        problems.push(format!("{name}: a hint in src/exercises.rs"));
    }
    if pub_fns(&stubs) != pub_fns(&solutions) {
        problems.push(format!(
            "{name}: src/exercises.rs and solutions/exercises.rs declare \
             different functions"
        ));
    }
    Ok(problems)
}

/// (id, function) for every `fn exercise_C_N_function` in a grader file,
/// in order.
pub fn graded_exercises(source: &str) -> Vec<((u32, u32), String)> {
    source
        .lines()
        .filter_map(|line| line.trim_start().strip_prefix("fn exercise_"))
        .filter_map(|rest| {
            let name = &rest[..rest.find('(')?];
            let mut parts = name.splitn(3, '_');
            let chapter = parts.next()?.parse().ok()?;
            let number = parts.next()?.parse().ok()?;
            Some(((chapter, number), parts.next()?.to_string()))
        })
        .collect()
}

/// One `## C.N Title` section of a hints file.
#[derive(Debug, PartialEq)]
pub struct HintSection {
    /// (chapter, number).
    pub id: (u32, u32),
    /// The heading's title.
    pub title: String,
    /// The numbered steps, each with its continuation lines joined.
    pub hints: Vec<String>,
}

/// The sections of a hints file. Lines that are neither headings nor list
/// items (HTML comments, the book's anchors, blank lines) are skipped.
pub fn hint_sections(markdown: &str) -> Vec<HintSection> {
    let mut sections: Vec<HintSection> = Vec::new();
    for line in markdown.lines() {
        if let Some(heading) = line.strip_prefix("## ") {
            let (label, title) =
                heading.split_once(' ').unwrap_or((heading, ""));
            if let Some((c, n)) = label.split_once('.')
                && let (Ok(c), Ok(n)) = (c.parse(), n.parse())
            {
                sections.push(HintSection {
                    id: (c, n),
                    title: title.trim().to_string(),
                    hints: Vec::new(),
                });
            }
            continue;
        }
        let Some(section) = sections.last_mut() else {
            continue;
        };
        if let Some(step) = list_item(line) {
            section.hints.push(step.to_string());
        } else if line.starts_with("   ")
            && !line.trim().is_empty()
            && let Some(last) = section.hints.last_mut()
        {
            last.push('\n');
            last.push_str(line.trim());
        }
    }
    sections
}

/// The text of a numbered list item, `1. text`.
fn list_item(line: &str) -> Option<&str> {
    let (number, text) = line.split_once(". ")?;
    number.parse::<u32>().ok()?;
    Some(text.trim())
}

#[cfg(test)]
mod tests {
    use super::*;

    const HINTS: &str = "\
<!-- hints -->

## 1.1 The weighted sum by hand

<!-- ANCHOR: e1_1 -->
1. Start from the bias.
2. Walk both slices
   together.
<!-- ANCHOR_END: e1_1 -->

## 1.2 AND

1. A threshold.
";

    #[test]
    fn hint_sections_read_titles_and_steps() {
        let sections = hint_sections(HINTS);
        assert_eq!(sections.len(), 2);
        assert_eq!(sections[0].id, (1, 1));
        assert_eq!(sections[0].title, "The weighted sum by hand");
        assert_eq!(
            sections[0].hints,
            ["Start from the bias.", "Walk both slices\ntogether."]
        );
        assert_eq!(sections[1].hints, ["A threshold."]);
    }

    #[test]
    fn graded_exercises_come_from_test_names() {
        let source = "#[test]\nfn exercise_6_4_backprop() {}\n\
                      fn helper() {}\nfn exercise_10_12_a_b_c() {}\n";
        assert_eq!(
            graded_exercises(source),
            [((6, 4), "backprop".to_string()), ((10, 12), "a_b_c".into())]
        );
    }

    #[test]
    fn the_catalog_lists_every_chapter_with_three_or_more_exercises() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
        let chapters = load(&root).unwrap();
        let on_disk = fs::read_dir(root.join("chapters")).unwrap().count();
        assert!(on_disk >= 9, "{on_disk} chapter folders");
        assert_eq!(chapters.len(), on_disk);
        // In book order, each number once (chapter 13 may be missing
        // while it is being written).
        let numbers: Vec<u32> = chapters.iter().map(|c| c.number).collect();
        assert!(numbers.windows(2).all(|w| w[0] < w[1]), "{numbers:?}");
        assert_eq!(&numbers[..12], &(1..=12).collect::<Vec<_>>()[..]);
        for chapter in &chapters {
            let number = chapter.number;
            assert!(chapter.exercises.len() >= 3, "{}", chapter.package);
            // Only chapter 14 (Burn) is a workspace of its own.
            let own = chapter.package == "ch14-burn";
            assert_eq!(chapter.has_own_workspace(), own, "{}", chapter.package);
            for (exercise, n) in chapter.exercises.iter().zip(1..) {
                assert_eq!(exercise.id, (number, n), "{}", exercise.title);
            }
        }
    }

    #[test]
    fn a_graded_exercise_without_hints_is_named() {
        let dir = std::env::temp_dir().join("exercises-catalog-test/ch01-x");
        fs::create_dir_all(dir.join("tests")).unwrap();
        fs::write(dir.join("tests/exercises.rs"), "fn exercise_1_1_f() {}\n")
            .unwrap();
        fs::write(dir.join("hints.md"), "## 1.2 Other\n\n1. Step.\n").unwrap();
        let err = load_chapter(&dir).unwrap_err();
        assert!(err.0.contains("exercise 1.1 is graded but"), "{err}");
        fs::remove_dir_all(dir.parent().unwrap()).unwrap();
    }
}
