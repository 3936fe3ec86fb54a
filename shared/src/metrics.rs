//! `--metrics FILE`: a training run's numbers, one JSON object per line
//! (JSON Lines), written as each epoch ends, for learners who plot their
//! own curves (`pandas.read_json(FILE, lines=True)`, or any plotting tool).

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use crate::Error;

/// An open metrics file; every line is flushed as it is written, so the
/// file can be read while the run goes on.
pub struct Metrics {
    path: PathBuf,
    out: BufWriter<File>,
    failed: Option<std::io::Error>,
}

impl Metrics {
    /// Creates (or empties) the file, or says in one line why it cannot.
    pub fn create(path: &Path) -> Result<Self, Error> {
        let file = File::create(path).map_err(|source| Error::Io {
            path: path.to_path_buf(),
            source,
        })?;
        Ok(Metrics {
            path: path.to_path_buf(),
            out: BufWriter::new(file),
            failed: None,
        })
    }

    /// One line: `{"name":value,…}`; a value that is not finite is
    /// written as `null`. After a failed write, nothing more is written
    /// and [`Metrics::finish`] reports the failure.
    pub fn line(&mut self, fields: &[(&str, f64)]) {
        if self.failed.is_some() {
            return;
        }
        let written = writeln!(self.out, "{}", json_line(fields))
            .and_then(|()| self.out.flush());
        if let Err(e) = written {
            self.failed = Some(e);
        }
    }

    /// Ends the file: the first write that failed, naming the file.
    pub fn finish(mut self) -> Result<(), Error> {
        let flushed = self.out.flush();
        match self.failed.take().map_or(flushed, Err) {
            Ok(()) => Ok(()),
            Err(source) => Err(Error::Io {
                path: self.path,
                source,
            }),
        }
    }
}

/// The JSON object of one line.
pub fn json_line(fields: &[(&str, f64)]) -> String {
    let parts: Vec<String> = fields
        .iter()
        .map(|(name, v)| match v.is_finite() {
            true => format!("\"{name}\":{v}"),
            false => format!("\"{name}\":null"),
        })
        .collect();
    format!("{{{}}}", parts.join(","))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_epoch_is_one_json_line_and_nan_is_null() {
        let line =
            json_line(&[("epoch", 3.0), ("loss", 0.25), ("x", f64::NAN)]);
        assert_eq!(line, "{\"epoch\":3,\"loss\":0.25,\"x\":null}");
        let path = std::env::temp_dir()
            .join(format!("nnfs-metrics-{}.jsonl", std::process::id()));
        let mut metrics = Metrics::create(&path).unwrap();
        metrics.line(&[("epoch", 1.0)]);
        // Readable while the run goes on: flushed line by line.
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "{\"epoch\":1}\n");
        metrics.line(&[("epoch", 2.0)]);
        metrics.finish().unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert_eq!(text.lines().count(), 2);
        std::fs::remove_file(path).unwrap();
    }

    #[test]
    fn a_file_that_cannot_be_written_is_named() {
        let e = Metrics::create(Path::new("/no/such/folder/m.jsonl"))
            .err()
            .expect("refused");
        assert!(e.to_string().starts_with("/no/such/folder/m.jsonl: "));
        if Path::new("/dev/full").exists() {
            let mut full = Metrics::create(Path::new("/dev/full")).unwrap();
            full.line(&[("epoch", 1.0)]);
            let e = full.finish().expect_err("a full disk is reported");
            assert!(e.to_string().starts_with("/dev/full: "), "{e}");
        }
    }
}
