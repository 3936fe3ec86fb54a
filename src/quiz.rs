//! The "Check yourself" questions at the end of each chapter page.
//!
//! Each chapter keeps its questions in `chapters/chNN-name/quiz.txt`; the
//! page includes the file inside a `<script type="text/plain" class="quiz">`
//! block and `book/src/quiz/quiz.js` turns it into a form that checks the
//! reader's answers in the browser. This module reads the same format, so
//! the tests can check every file: that it parses as the page will read it,
//! that each question has one right answer, and that the numbers it asks
//! for are the ones the chapter's own code computes (`tests/quiz/`).
//!
//! The format, line by line:
//!
//! ```text
//! ? text     starts a question
//! + text     a right choice (exactly one per multiple-choice question)
//! - text     a wrong choice
//! = 0.27     the answer is a number, accepted within half a unit of the
//!            last decimal written (0.265 to 0.275 here)
//! > text     the explanation, shown once the question is answered (a
//!            bare `>` line starts a new paragraph of it)
//! # text     a comment for whoever edits the file
//! ```        starts or ends a block of code inside the question
//! ```
//!
//! Any other line continues the line above it.

use std::fmt;

/// One question as the page shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct Question {
    /// The 1-based line of the file where the question starts.
    pub line: usize,
    /// The question's words (paragraphs joined by blank lines), with any
    /// code blocks in place, fenced.
    pub text: String,
    /// The choices, `(right, words)`, for a multiple-choice question.
    pub choices: Vec<(bool, String)>,
    /// The number asked for, as written, for a number question.
    pub number: Option<String>,
    /// The explanation shown after an answer.
    pub why: String,
}

impl Question {
    /// The number asked for and how far from it an answer may be: half a
    /// unit of the last decimal written, as the page accepts.
    pub fn number(&self) -> Option<(f64, f64)> {
        let written = self.number.as_deref()?;
        let decimals = written.split_once('.').map_or(0, |(_, d)| d.len());
        let value = written.parse().ok()?;
        Some((value, 0.5 * 10f64.powi(-(decimals as i32))))
    }
}

/// What is wrong with a quiz file, and where.
#[derive(Debug, Clone, PartialEq)]
pub struct QuizError {
    /// The 1-based line.
    pub line: usize,
    /// What is wrong there.
    pub what: String,
}

impl fmt::Display for QuizError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: {}", self.line, self.what)
    }
}

/// Reads a quiz file and checks that the page can ask every question:
/// words to ask, then either two or more choices with exactly one right,
/// or one number written as plain decimals; and an explanation.
pub fn parse(source: &str) -> Result<Vec<Question>, QuizError> {
    #[derive(Clone, Copy)]
    enum Part {
        Text,
        Choice,
        Why,
        None,
    }
    let mut questions: Vec<Question> = Vec::new();
    let mut part = Part::None;
    let mut in_code = false;
    let error = |line: usize, what: &str| QuizError {
        line,
        what: what.to_string(),
    };
    let extend = |words: &mut String, more: &str| {
        if !words.is_empty() && !words.ends_with('\n') {
            words.push(' ');
        }
        words.push_str(more.trim());
    };
    for (i, line) in source.lines().enumerate() {
        let n = i + 1;
        if in_code {
            let q = questions.last_mut().expect("code is inside a question");
            q.text.push_str(line);
            q.text.push('\n');
            if line.trim().starts_with("```") {
                in_code = false;
                part = Part::Text;
            }
            continue;
        }
        let cut = line.len().min(2);
        let (mark, rest) = if line.is_char_boundary(cut) {
            line.split_at(cut)
        } else {
            ("", line)
        };
        if mark == "? " || line == "?" {
            questions.push(Question {
                line: n,
                text: rest.trim().to_string(),
                choices: Vec::new(),
                number: None,
                why: String::new(),
            });
            part = Part::Text;
            continue;
        }
        if line.starts_with('#') {
            continue;
        }
        let Some(q) = questions.last_mut() else {
            if line.trim().is_empty() {
                continue;
            }
            return Err(error(n, "text before the first question (`? `)"));
        };
        let answered = !q.choices.is_empty() || q.number.is_some();
        if line.trim().starts_with("```") {
            if answered || !q.why.is_empty() {
                return Err(error(n, "code belongs in the question's text"));
            }
            if !q.text.is_empty() && !q.text.ends_with('\n') {
                q.text.push('\n');
            }
            q.text.push_str(line.trim());
            q.text.push('\n');
            in_code = true;
        } else if mark == "+ " || mark == "- " {
            if q.number.is_some() || !q.why.is_empty() {
                return Err(error(n, "a choice after the answer or its why"));
            }
            q.choices.push((mark == "+ ", rest.trim().to_string()));
            part = Part::Choice;
        } else if mark == "= " {
            if answered || !q.why.is_empty() {
                return Err(error(n, "a second answer"));
            }
            let written = rest.trim();
            let plain = written.strip_prefix('-').unwrap_or(written);
            let digits = plain.replacen('.', "", 1);
            if digits.is_empty()
                || !digits.chars().all(|c| c.is_ascii_digit())
                || plain.starts_with('.')
                || plain.ends_with('.')
            {
                return Err(error(n, "a number is written as plain decimals"));
            }
            q.number = Some(written.to_string());
            part = Part::None;
        } else if line == ">" {
            if !q.why.is_empty() {
                q.why.push_str("\n\n");
            }
            part = Part::Why;
        } else if mark == "> " {
            extend(&mut q.why, rest);
            part = Part::Why;
        } else if line.trim().is_empty() {
            match part {
                Part::Text if !answered && !q.text.ends_with("\n\n") => {
                    q.text.push_str("\n\n")
                }
                Part::Text => {}
                _ => part = Part::None,
            }
        } else {
            match part {
                Part::Text => extend(&mut q.text, line),
                Part::Choice => {
                    let (_, words) = q.choices.last_mut().expect("a choice");
                    extend(words, line);
                }
                Part::Why => extend(&mut q.why, line),
                Part::None => {
                    return Err(error(n, "a line that belongs to nothing"));
                }
            }
        }
    }
    if in_code {
        return Err(error(source.lines().count(), "a code block never ends"));
    }
    for q in &mut questions {
        q.text = q.text.trim().to_string();
        let rights = q.choices.iter().filter(|(right, _)| *right).count();
        let what = if q.text.is_empty() {
            Some("a question with no words")
        } else if q.number.is_none() && q.choices.is_empty() {
            Some("a question with no answer (`+`/`-` choices or `= number`)")
        } else if q.number.is_none() && q.choices.len() < 2 {
            Some("a multiple-choice question needs two choices or more")
        } else if q.number.is_none() && rights != 1 {
            Some("a multiple-choice question needs exactly one `+` choice")
        } else if q.why.is_empty() {
            Some("a question with no explanation (`> `)")
        } else {
            None
        };
        if let Some(what) = what {
            return Err(error(q.line, what));
        }
    }
    Ok(questions)
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = "\
# a comment
? What is `z` for w = (2, -1), b = 0.5, x = (1, 3)?
Give two decimals.
= -0.50
> z = 2 - 3 + 0.5.

? Which one
is right?

```
let a = 1;
```
- this
  one, continued
+ that
> Because
> it is.
>
> Really.
";

    #[test]
    fn a_good_quiz_reads_as_the_page_reads_it() {
        let q = parse(GOOD).unwrap();
        assert_eq!(q.len(), 2);
        assert_eq!(
            q[0].text,
            "What is `z` for w = (2, -1), b = 0.5, x = (1, 3)? Give two \
             decimals."
        );
        assert_eq!(q[0].number(), Some((-0.5, 0.005)));
        assert_eq!(q[0].line, 2);
        assert_eq!(q[1].text, "Which one is right?\n\n```\nlet a = 1;\n```");
        assert_eq!(
            q[1].choices,
            vec![
                (false, "this one, continued".to_string()),
                (true, "that".to_string())
            ]
        );
        assert_eq!(q[1].why, "Because it is.\n\nReally.");
    }

    #[test]
    fn a_broken_quiz_is_named_with_its_line() {
        let cases = [
            ("? A\n- a\n- b\n> why\n", 1, "exactly one `+`"),
            ("? A\n+ a\n+ b\n> why\n", 1, "exactly one `+`"),
            ("? A\n+ a\n> why\n", 1, "two choices"),
            ("? A\n> why\n", 1, "no answer"),
            ("? A\n= 1e-3\n> why\n", 2, "plain decimals"),
            ("? A\n= .5\n> why\n", 2, "plain decimals"),
            ("? A\n= 0.5\n", 1, "no explanation"),
            ("? A\n= 0.5\n= 0.6\n> why\n", 3, "second answer"),
            ("words\n? A\n", 1, "before the first question"),
            ("? A\n```\ncode\n", 3, "never ends"),
        ];
        for (source, line, what) in cases {
            let e = parse(source).unwrap_err();
            assert_eq!(e.line, line, "{source:?}: {e}");
            assert!(e.what.contains(what), "{source:?}: {e}");
        }
    }

    #[test]
    fn a_number_is_accepted_within_half_its_last_decimal() {
        let q = parse("? A\n= 3\n> w\n? B\n= 0.270\n> w\n").unwrap();
        assert_eq!(q[0].number(), Some((3.0, 0.5)));
        let (value, within) = q[1].number().unwrap();
        assert_eq!(value, 0.27);
        assert!((within - 0.0005).abs() < 1e-15);
    }
}
