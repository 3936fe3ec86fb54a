//! The book and the code agree: every `{{#include}}` resolves to a non-empty
//! region, every figure the book shows exists (and every figure is shown),
//! every chapter has its page, and the output a page prints is what the
//! chapter prints today.

mod common;
mod quiz;

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

use nn_from_scratch::{
    anchor_region, book_pages, chapter_dirs, includes, root,
};

#[test]
fn every_include_resolves_to_a_non_empty_region() {
    let mut count = 0;
    for page in book_pages() {
        let text = fs::read_to_string(&page).unwrap();
        for (path, anchor) in includes(&text) {
            count += 1;
            let file = page.parent().unwrap().join(&path);
            let source = fs::read_to_string(&file).unwrap_or_else(|e| {
                panic!("{}: include {path}: {e}", page.display())
            });
            let lines = match &anchor {
                Some(anchor) => {
                    anchor_region(&source, anchor).unwrap_or_else(|| {
                        panic!(
                            "{}: anchor `{anchor}` not found in {path}",
                            page.display()
                        )
                    })
                }
                None => source.lines().map(String::from).collect(),
            };
            assert!(
                lines.iter().any(|l| !l.trim().is_empty()),
                "{}: include {path}:{anchor:?} is empty",
                page.display()
            );
        }
    }
    assert!(count > 0, "the book includes no code at all");
}

#[test]
fn anchor_regions_are_found_and_checked() {
    let source = "a\n// ANCHOR: x\nbody\n// ANCHOR_END: x\n// ANCHOR: y\n";
    assert_eq!(anchor_region(source, "x"), Some(vec!["body".to_string()]));
    assert_eq!(anchor_region(source, "y"), None, "never closed");
    assert_eq!(anchor_region(source, "z"), None, "missing");
}

/// Figure files a page refers to, as `figures/NAME.svg` (or `.png`, for
/// the draw-a-digit page's screenshot).
fn figure_refs(page: &str) -> Vec<String> {
    page.match_indices("figures/")
        .filter_map(|(start, _)| {
            let rest = &page[start..];
            let end = rest.find([')', '"', ' '])?;
            let name = &rest[..end];
            (name.ends_with(".svg") || name.ends_with(".png"))
                .then(|| name.to_string())
        })
        .collect()
}

#[test]
fn every_figure_shown_exists_and_every_figure_is_shown() {
    let figures_dir = root().join("book/src/figures");
    let mut shown = BTreeSet::new();
    for page in book_pages() {
        let text = fs::read_to_string(&page).unwrap();
        for figure in figure_refs(&text) {
            let path = page.parent().unwrap().join(&figure);
            assert!(path.is_file(), "{}: {figure} is missing", page.display());
            shown.insert(path.file_name().unwrap().to_owned());
        }
    }
    let on_disk: BTreeSet<_> = fs::read_dir(&figures_dir)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    let unshown: Vec<_> = on_disk.difference(&shown).collect();
    assert!(unshown.is_empty(), "figures no page shows: {unshown:?}");
}

/// The page of a chapter: `book/src/chNN-name.md`.
fn page_of(chapter_dir: &Path) -> PathBuf {
    let name = chapter_dir.file_name().unwrap().to_str().unwrap();
    root().join("book/src").join(format!("{name}.md"))
}

#[test]
fn every_chapter_has_a_page_in_the_summary() {
    let summary =
        fs::read_to_string(root().join("book/src/SUMMARY.md")).unwrap();
    for dir in chapter_dirs() {
        let page = page_of(&dir);
        let file = page.file_name().unwrap().to_str().unwrap();
        assert!(page.is_file(), "no page {}", page.display());
        assert!(
            summary.contains(&format!("]({file})")),
            "SUMMARY.md does not link {file}"
        );
    }
}

#[test]
fn printed_output_in_the_book_is_what_the_chapter_prints() {
    let mut checked = 0;
    for chapter in common::chapters() {
        let page = root().join(format!("book/src/{}.md", chapter.name));
        let text = fs::read_to_string(&page).unwrap();
        let marker = format!(
            "<!-- output: cargo run -p {} -- --no-figures -->",
            chapter.name
        );
        let Some(at) = text.find(&marker) else {
            panic!("{} shows no output block ({marker})", page.display());
        };
        let block = &text[at + marker.len()..];
        let block = block
            .trim_start()
            .strip_prefix("```text\n")
            .expect("the marker is followed by a ```text block");
        let shown = &block[..block.find("\n```").expect("block is closed")];
        let mut printed = Vec::new();
        shared::chapter::run(
            &chapter,
            ["--no-figures".to_string()],
            &mut printed,
        )
        .unwrap();
        let printed = String::from_utf8(printed).unwrap();
        assert_eq!(
            shown,
            printed.trim_end(),
            "{}: the output shown differs from what the chapter prints; \
             paste in `cargo run -p {} -- --no-figures`",
            page.display(),
            chapter.name
        );
        checked += 1;
    }
    assert!(checked > 0);
    // Chapters that need real data show a real run and its command instead.
    for name in common::DATA_CHAPTERS {
        let page =
            fs::read_to_string(root().join(format!("book/src/{name}.md")))
                .unwrap();
        assert!(
            page.contains(&format!("cargo run --release -p {name}")),
            "{name}.md does not show its command"
        );
        assert!(page.contains("```text"), "{name}.md shows no output");
    }
}

/// The `##` headings every chapter page has, in this order.
const SECTIONS: [&str; 8] = [
    "The idea",
    "The math",
    "The code",
    "Run it",
    "Figures",
    "Exercises",
    "Check yourself",
    "What's next",
];

#[test]
fn every_chapter_page_has_the_same_sections_in_order() {
    for dir in chapter_dirs() {
        let page = page_of(&dir);
        let text = fs::read_to_string(&page).unwrap();
        let mut in_code = false;
        let headings: Vec<&str> = text
            .lines()
            .filter(|line| {
                if line.starts_with("```") {
                    in_code = !in_code;
                }
                !in_code && line.starts_with("## ")
            })
            .map(|line| line.trim_start_matches("## ").trim())
            .collect();
        assert_eq!(headings, SECTIONS, "{}", page.display());
    }
}

#[test]
fn every_figure_has_alt_text_and_a_numbered_caption() {
    for page in book_pages() {
        let text = fs::read_to_string(&page).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        for (i, line) in lines.iter().enumerate() {
            if !line.starts_with("![") {
                continue;
            }
            let alt = &line[2..line.find("](").expect("an image link")];
            assert!(
                alt.len() > 20,
                "{}: image without real alt text: {line}",
                page.display()
            );
            let caption = lines[i + 1..].iter().find(|l| !l.trim().is_empty());
            assert!(
                caption.is_some_and(|c| c.starts_with("*Figure ")),
                "{}: image without a caption: {line}",
                page.display()
            );
        }
    }
}

#[test]
fn the_book_is_published_by_a_workflow_that_builds_it_like_ci() {
    let workflow =
        fs::read_to_string(root().join(".github/workflows/book.yml"))
            .expect("the deploy workflow exists");
    for needed in [
        "branches: [main]",
        "bash book/build.sh",
        "path: book/book",
        "actions/deploy-pages",
        "mdbook --version 0.5.4",
        "mdbook-katex --version 0.10.0",
    ] {
        assert!(workflow.contains(needed), "book.yml lacks `{needed}`");
    }
    let ci = fs::read_to_string(root().join(".ci/run")).unwrap();
    assert!(
        ci.contains("install_tool mdbook 0.5.4"),
        "CI pins the same mdBook"
    );
    assert!(
        ci.contains("bash book/check.sh"),
        "CI runs the browser test"
    );
}

/// The math of a page: the contents of `$$…$$` and `$…$`, outside code.
fn math_spans(page: &str) -> Vec<String> {
    let mut prose = String::new();
    let mut in_fence = false;
    for line in page.lines() {
        if line.trim_start().starts_with("```") {
            in_fence = !in_fence;
        } else if !in_fence {
            // Inline code (`…`) is not math either.
            prose.extend(line.split('`').step_by(2).flat_map(|p| p.chars()));
            prose.push('\n');
        }
    }
    let mut spans = Vec::new();
    let mut rest = prose.as_str();
    while let Some(start) = rest.find('$') {
        let display = rest[start..].starts_with("$$");
        let open = if display { 2 } else { 1 };
        let body = &rest[start + open..];
        let Some(end) = body.find(if display { "$$" } else { "$" }) else {
            break;
        };
        spans.push(body[..end].to_string());
        rest = &body[end + open..];
    }
    spans
}

/// Words of three or more letters in TeX that are not commands, nor the
/// text inside `\text{…}`, `\operatorname{…}` and the like: in math, such a
/// word is almost always a command that lost its backslash (`\nabla`
/// written with `\n` read as a line break leaves "abla").
fn stray_words(math: &str) -> Vec<String> {
    const WITH_TEXT: &[&str] = &[
        "text",
        "operatorname",
        "mathrm",
        "mathbf",
        "textbf",
        "begin",
        "end",
    ];
    let chars: Vec<char> = math.chars().collect();
    let (mut words, mut word, mut i) = (Vec::new(), String::new(), 0);
    let mut flush = |word: &mut String| {
        if word.chars().count() >= 3 {
            words.push(word.clone());
        }
        word.clear();
    };
    while i < chars.len() {
        if chars[i] == '\\' {
            flush(&mut word);
            let start = i + 1;
            i = start;
            while i < chars.len() && chars[i].is_ascii_alphabetic() {
                i += 1;
            }
            let command: String = chars[start..i].iter().collect();
            if command.is_empty() {
                i += 1; // a one-character command: `\,`, `\\`, `\{`
            } else if WITH_TEXT.contains(&command.as_str())
                && chars.get(i) == Some(&'{')
            {
                while i < chars.len() && chars[i] != '}' {
                    i += 1;
                }
            }
            continue;
        }
        if chars[i].is_ascii_alphabetic() {
            word.push(chars[i]);
        } else {
            flush(&mut word);
        }
        i += 1;
    }
    flush(&mut word);
    words
}

#[test]
fn no_math_has_a_command_without_its_backslash() {
    let mut checked = 0;
    for page in book_pages() {
        let text = fs::read_to_string(&page).unwrap();
        for math in math_spans(&text) {
            let stray = stray_words(&math);
            assert!(
                stray.is_empty(),
                "{}: {stray:?} in ${math}$",
                page.display()
            );
            checked += 1;
        }
    }
    assert!(checked > 200, "only {checked} formulas found");
}

#[test]
fn the_math_check_catches_a_lost_backslash() {
    // The appendix once read `$W \leftarrow W - \eta` + line break +
    // `abla W$`: `\nabla` written in a string where `\n` became a newline.
    let broken = "The update $W \\leftarrow W - \\eta\nabla W$ runs.";
    let spans = math_spans(broken);
    assert_eq!(spans.len(), 1);
    assert_eq!(stray_words(&spans[0]), ["abla"]);
    let fixed = "$W \\leftarrow W - \\eta \\nabla W$, $\\text{softmax}(z)$";
    assert!(math_spans(fixed).iter().all(|m| stray_words(m).is_empty()));
    assert_eq!(math_spans("`$HOME` and $x$\n```\n$y$\n```\n"), ["x"]);
}

/// Each exercise, under its own title, shows the stub, then its hints and
/// its reference solution folded away — from the files `cargo exercises`
/// reads, so the book and the command cannot disagree.
#[test]
fn every_exercise_is_in_the_book_with_its_hints_and_solution() {
    let chapters = exercises::catalog::load(root()).unwrap();
    assert_eq!(chapters.len(), chapter_dirs().len());
    for chapter in &chapters {
        let page = fs::read_to_string(page_of(&chapter.dir)).unwrap();
        let package = &chapter.package;
        let section = &page[page.find("## Exercises").unwrap()..];
        for exercise in &chapter.exercises {
            let label = exercise.label();
            let function = &exercise.function;
            let anchor = format!("e{}", label.replace('.', "_"));
            for needle in [
                format!("**Exercise {label} — {}.**", exercise.title),
                format!("{package}/src/exercises.rs:{function}}}}}"),
                format!("{package}/hints.md:{anchor}}}}}"),
                format!("{package}/solutions/exercises.rs:{function}}}}}"),
            ] {
                let flat = section.replace('\n', " ");
                assert!(flat.contains(&needle), "{package}: no {needle:?}");
            }
        }
    }
}

/// An `{{#include}}` pastes its lines without the indentation around it, so
/// an indented one (in a list item) would end the item and spill the code
/// out of its block. Every include starts its line.
#[test]
fn no_include_is_indented() {
    for page in book_pages() {
        let text = fs::read_to_string(&page).unwrap();
        for (n, line) in text.lines().enumerate() {
            assert!(
                !(line.starts_with(' ')
                    && line.trim_start().starts_with("{{#include")),
                "{}:{}: an indented include: {line}",
                page.display(),
                n + 1
            );
        }
    }
}

/// The glossary has one row per term: a term defined twice would say two
/// things, or point to two chapters.
#[test]
fn the_glossary_has_one_row_per_term() {
    let text = fs::read_to_string(root().join("book/src/glossary.md")).unwrap();
    let mut seen = std::collections::BTreeSet::new();
    let mut rows = 0;
    for line in text.lines().filter(|l| l.starts_with("| ")) {
        let term = line.split('|').nth(1).unwrap_or("").trim().to_string();
        if term == "English" {
            continue;
        }
        assert!(
            seen.insert(term.clone()),
            "the glossary defines '{term}' twice"
        );
        let cells = line.split('|').count();
        assert_eq!(cells, 6, "a glossary row with {} cells: {line}", cells - 2);
        rows += 1;
    }
    assert!(rows > 100, "only {rows} glossary rows found");
}

/// The ways a glossary row's English cell may be written in a page: each
/// alternative (split at ",", ";" and " / ", and what is in brackets),
/// lower case, without backticks.
fn glossary_forms(english: &str) -> Vec<String> {
    let text = english.replace('`', "").to_lowercase();
    let mut parts: Vec<String> = Vec::new();
    let mut outside = String::new();
    let mut inside = String::new();
    let mut depth = 0;
    for c in text.chars() {
        match c {
            '(' => depth += 1,
            ')' => {
                depth -= 1;
                parts.push(std::mem::take(&mut inside));
            }
            _ if depth > 0 => inside.push(c),
            _ => outside.push(c),
        }
    }
    parts.push(outside);
    parts
        .iter()
        .flat_map(|p| {
            p.split([',', ';', '/']).map(str::trim).collect::<Vec<_>>()
        })
        .filter(|f| !f.is_empty())
        .map(str::to_string)
        .collect()
}

/// Hyphens and runs of white space as one space: "feed-forward" and
/// "feed forward" are one spelling.
fn spaced(text: &str) -> String {
    let mut out = String::new();
    for word in text.split(|c: char| c == '-' || c.is_whitespace()) {
        if !word.is_empty() {
            out.push_str(word);
            out.push(' ');
        }
    }
    out
}

/// Whether a page (lower-cased and spaced) uses one of the forms (a
/// trailing "s" may be dropped: "weights" is used where "weight" is).
fn page_uses(page: &str, forms: &[String]) -> bool {
    forms.iter().any(|f| {
        let f = spaced(f);
        let f = f.trim_end();
        let singular = f.strip_suffix('s');
        page.contains(f) || singular.is_some_and(|s| page.contains(s))
    })
}

/// Every glossary row points to chapters whose pages use its term: a
/// reader sent to chapter 3 for "input layer" finds it there.
#[test]
fn every_glossary_term_is_used_where_the_glossary_points() {
    let text = fs::read_to_string(root().join("book/src/glossary.md")).unwrap();
    let pages: Vec<(usize, String)> = book_pages()
        .iter()
        .filter_map(|p| {
            let name = p.file_name()?.to_str()?;
            let n: usize = name.strip_prefix("ch")?.get(..2)?.parse().ok()?;
            let page = fs::read_to_string(p).ok()?.to_lowercase();
            Some((n, spaced(&page)))
        })
        .collect();
    let mut wrong = Vec::new();
    let mut pointers = 0;
    for line in text.lines().filter(|l| l.starts_with("| ")).skip(1) {
        let cells: Vec<&str> = line.split('|').map(str::trim).collect();
        let forms = glossary_forms(cells[1]);
        for chapter in cells[4].split(',').map(str::trim) {
            let n: usize = match chapter.parse() {
                Ok(n) => n,
                Err(_) => {
                    wrong.push(format!("'{}': chapter '{chapter}'", cells[1]));
                    continue;
                }
            };
            pointers += 1;
            let page = pages.iter().find(|(m, _)| *m == n);
            if !page.is_some_and(|(_, text)| page_uses(text, &forms)) {
                wrong
                    .push(format!("'{}' is not used in chapter {n}", cells[1]));
            }
        }
    }
    assert!(pointers > 120, "only {pointers} chapter pointers found");
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

/// The check above catches a term sent to a page that does not use it.
#[test]
fn the_glossary_check_catches_a_wrong_pointer() {
    let page = spaced("a feed-forward network has an input layer");
    assert!(!page_uses(&page, &glossary_forms("feedforward network")));
    assert!(page_uses(&page, &glossary_forms("feed-forward network")));
    assert!(page_uses(&page, &glossary_forms("input layers (输入层)")));
    assert!(!page_uses(&page, &glossary_forms("output layer")));
    assert_eq!(
        glossary_forms("ReLU (rectified linear unit)"),
        ["rectified linear unit", "relu"]
    );
}
