//! The chapters' "Check yourself" questions (`chapters/*/quiz.txt`): each
//! file reads as the page reads it, each chapter page shows its file, and
//! every number a question asks for is the number the chapter's own code
//! computes (one module per chapter).

use std::fs;

use nn_from_scratch::{chapter_dirs, quiz, root};

mod ch01;
mod ch02;
mod ch03;
mod ch04;
mod ch05;
mod ch06;
mod ch07;
mod ch08;
mod ch09;
mod ch10;
mod ch11;
mod ch12;
mod ch13;
mod ch14;

/// The questions of one chapter, e.g. `questions("ch01-neuron")`.
pub fn questions(chapter: &str) -> Vec<quiz::Question> {
    let path = root().join("chapters").join(chapter).join("quiz.txt");
    let source = fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    quiz::parse(&source).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Checks that question `n` (1-based, as the page numbers them) of
/// `chapter` asks for a number and that `computed` — what the chapter's
/// code gives — is accepted as its answer: the number written in the file
/// is the computed one, rounded to the decimals it shows.
pub fn assert_number(chapter: &str, n: usize, computed: f64) {
    let q = &questions(chapter)[n - 1];
    let (written, within) = q
        .number()
        .unwrap_or_else(|| panic!("{chapter} question {n} asks no number"));
    assert!(
        (computed - written).abs() <= within * (1.0 + 1e-9),
        "{chapter} question {n} (quiz.txt line {}): the file says {written}, \
         the chapter's code computes {computed}",
        q.line
    );
}

#[test]
fn every_chapter_has_questions_that_read_as_the_page_reads_them() {
    for dir in chapter_dirs() {
        let name = dir.file_name().unwrap().to_str().unwrap();
        let qs = questions(name);
        assert!(
            (3..=6).contains(&qs.len()),
            "{name}: {} questions; a chapter asks 3 to 6",
            qs.len()
        );
        let source = fs::read_to_string(dir.join("quiz.txt")).unwrap();
        // The page renders math with KaTeX before the script reads the
        // questions: a dollar sign would be taken for math.
        assert!(!source.contains('$'), "{name}/quiz.txt: a `$`");
    }
}

#[test]
fn every_chapter_page_shows_its_questions_under_check_yourself() {
    for dir in chapter_dirs() {
        let name = dir.file_name().unwrap().to_str().unwrap();
        let page = root().join("book/src").join(format!("{name}.md"));
        let text = fs::read_to_string(&page).unwrap();
        let block = format!(
            "<script type=\"text/plain\" class=\"quiz\">\n\
             {{{{#include ../../chapters/{name}/quiz.txt}}}}\n</script>\n"
        );
        let section = text
            .split_once("\n## Check yourself\n")
            .map(|(_, rest)| rest.split("\n## ").next().unwrap())
            .unwrap_or_else(|| panic!("{name}: no \"Check yourself\""));
        assert!(
            section.contains(&block),
            "{name}: \"Check yourself\" does not include quiz.txt as\n{block}"
        );
    }
}

#[test]
fn a_wrong_number_in_a_quiz_is_caught() {
    let caught = std::panic::catch_unwind(|| {
        assert_number("ch01-neuron", 1, 2.56);
    });
    assert!(caught.is_err(), "2.56 passed for 2.5");
}
