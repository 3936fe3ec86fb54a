//! The corpora (placeholder until the fetching module lands): read from
//! data/names and data/shakespeare.

use rand::seq::SliceRandom;

/// The boundary symbol of the names stream.
pub const BOUNDARY: char = '.';
/// The seed of the names' split.
pub const SPLIT_SEED: u64 = 12;

/// Which text.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Corpus {
    /// First names.
    Names,
    /// Shakespeare's plays.
    Shakespeare,
}

/// A corpus that could not be had.
#[derive(Debug, thiserror::Error)]
pub enum CorpusError {
    /// Reading failed.
    #[error("{0}")]
    Read(String),
}

impl Corpus {
    /// Its name.
    pub fn name(self) -> &'static str {
        match self {
            Corpus::Names => "names",
            Corpus::Shakespeare => "Shakespeare",
        }
    }

    /// Reads, splits and encodes it.
    pub fn load(self, _log: &mut dyn FnMut(&str)) -> Result<Text, CorpusError> {
        let root = shared::figures::workspace_root().join("data");
        let read = |p: std::path::PathBuf| {
            std::fs::read_to_string(&p)
                .map_err(|e| CorpusError::Read(format!("{}: {e}", p.display())))
        };
        match self {
            Corpus::Names => {
                let mut names: Vec<String> = Vec::new();
                for f in
                    ["female-first-names-en.txt", "male-first-names-en.txt"]
                {
                    let text = read(root.join("names").join(f))?;
                    names.extend(
                        text.lines()
                            .map(|l| l.trim().to_lowercase())
                            .filter(|l| !l.is_empty()),
                    );
                }
                names.sort();
                names.dedup();
                names.shuffle(&mut shared::rng::seeded(SPLIT_SEED));
                let n = names.len();
                let stream = |part: &[String]| format!(".{}.", part.join("."));
                let (a, b) = (n * 8 / 10, n * 9 / 10);
                Ok(Text::from_parts(
                    self,
                    &stream(&names[..a]),
                    &stream(&names[a..b]),
                    &stream(&names[b..]),
                ))
            }
            Corpus::Shakespeare => {
                let text =
                    read(root.join("shakespeare").join("shakespeare.txt"))?;
                let n = text.len();
                let (a, b) = (n * 90 / 100, n * 95 / 100);
                Ok(Text::from_parts(self, &text[..a], &text[a..b], &text[b..]))
            }
        }
    }
}

/// The symbols of a corpus.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Vocab {
    symbols: Vec<char>,
}

impl Vocab {
    /// The distinct characters of a text, boundary first.
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
    /// Its size.
    pub fn len(&self) -> usize {
        self.symbols.len()
    }
    /// Whether it is empty.
    pub fn is_empty(&self) -> bool {
        self.symbols.is_empty()
    }
    /// Token i's symbol.
    pub fn symbol(&self, token: usize) -> char {
        self.symbols[token]
    }
    /// A symbol's token.
    pub fn token(&self, c: char) -> Option<usize> {
        self.symbols.iter().position(|&s| s == c)
    }
    /// Encodes text.
    pub fn encode(&self, text: &str) -> Result<Vec<usize>, String> {
        text.chars()
            .enumerate()
            .map(|(i, c)| {
                self.token(c).ok_or_else(|| {
                    format!("{c:?} at {i} is not in the vocabulary")
                })
            })
            .collect()
    }
    /// Decodes tokens.
    pub fn decode(&self, tokens: &[usize]) -> String {
        tokens.iter().map(|&t| self.symbols[t]).collect()
    }
    /// For the model file.
    pub fn to_metadata(&self) -> String {
        self.symbols
            .iter()
            .map(|c| format!("{:x}", *c as u32))
            .collect::<Vec<_>>()
            .join(" ")
    }
    /// From the model file.
    pub fn from_metadata(text: &str) -> Result<Vocab, String> {
        let symbols = text
            .split(' ')
            .map(|h| {
                u32::from_str_radix(h, 16)
                    .ok()
                    .and_then(char::from_u32)
                    .ok_or_else(|| format!("bad symbol '{h}'"))
            })
            .collect::<Result<Vec<char>, String>>()?;
        Ok(Vocab { symbols })
    }
}

/// A corpus split three ways.
#[derive(Clone, Debug)]
pub struct Text {
    /// Which.
    pub corpus: Corpus,
    /// Its symbols.
    pub vocab: Vocab,
    /// Training tokens.
    pub train: Vec<usize>,
    /// Validation tokens.
    pub validation: Vec<usize>,
    /// Test tokens.
    pub test: Vec<usize>,
}

impl Text {
    /// From three strings.
    pub fn from_parts(
        corpus: Corpus,
        train: &str,
        validation: &str,
        test: &str,
    ) -> Text {
        let vocab = Vocab::from_text(&format!("{train}{validation}{test}"));
        let enc = |s: &str| vocab.encode(s).expect("own vocabulary");
        Text {
            corpus,
            train: enc(train),
            validation: enc(validation),
            test: enc(test),
            vocab,
        }
    }
}
