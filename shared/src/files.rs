//! Writing files so that nothing is ever half-written.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::Error;

/// Writes `bytes` to `path` atomically: first into a temporary file beside
/// it, then a rename. A reader (or a crash) sees the old file or the new
/// one, never a torn one; on error no temporary file is left behind.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), Error> {
    write_all_atomically(&[(path, bytes)])
}

/// Writes several files as one unit: every file's bytes go to a
/// temporary file first, and only when all of them are written are they
/// renamed into place. If any write fails, every temporary file is
/// removed and no file is replaced.
pub fn write_all_atomically(files: &[(&Path, &[u8])]) -> Result<(), Error> {
    let mut temps = Vec::new();
    for (path, bytes) in files {
        let io_error = |source| Error::Io {
            path: path.to_path_buf(),
            source,
        };
        let written = temp_copy(path, bytes);
        match written {
            Ok(temp) => temps.push((temp, *path)),
            Err(e) => {
                for (temp, _) in &temps {
                    let _ = fs::remove_file(temp);
                }
                return Err(io_error(e));
            }
        }
    }
    // A folder where a file should go would stop its rename half-way
    // through the set: refuse before any file is replaced.
    if let Some((_, path)) = temps.iter().find(|(_, path)| path.is_dir()) {
        for (temp, _) in &temps {
            let _ = fs::remove_file(temp);
        }
        return Err(Error::Io {
            path: path.to_path_buf(),
            source: std::io::Error::new(
                std::io::ErrorKind::IsADirectory,
                "a folder is in the way",
            ),
        });
    }
    for (k, (temp, path)) in temps.iter().enumerate() {
        if let Err(source) = fs::rename(temp, path) {
            for (temp, _) in &temps[k..] {
                let _ = fs::remove_file(temp);
            }
            return Err(Error::Io {
                path: path.to_path_buf(),
                source,
            });
        }
        remove_stale_partials(path);
    }
    Ok(())
}

/// `bytes` written and synced to a temporary file beside `path`; its name.
fn temp_copy(path: &Path, bytes: &[u8]) -> std::io::Result<PathBuf> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        fs::create_dir_all(dir)?;
    }
    let mut temp_name = path.file_name().unwrap_or_default().to_os_string();
    temp_name.push(format!(".partial-{}", std::process::id()));
    let temp = path.with_file_name(temp_name);
    let written = fs::File::create(&temp).and_then(|mut file| {
        file.write_all(bytes)?;
        file.sync_all()
    });
    match written {
        Ok(()) => Ok(temp),
        Err(e) => {
            let _ = fs::remove_file(&temp);
            Err(e)
        }
    }
}

/// Removes temporary files that earlier, interrupted writes of `path` left
/// behind (`NAME.partial-PID`, over a minute old, so a write in progress
/// elsewhere is left alone).
fn remove_stale_partials(path: &Path) {
    let (Some(dir), Some(name)) = (path.parent(), path.file_name()) else {
        return;
    };
    let dir = if dir.as_os_str().is_empty() {
        Path::new(".")
    } else {
        dir
    };
    let mut prefix = name.to_os_string();
    prefix.push(".partial-");
    let prefix = prefix.to_string_lossy().into_owned();
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let stale = entry
            .metadata()
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| t.elapsed().ok())
            .is_some_and(|age| age.as_secs() > STALE_SECONDS);
        if stale && entry.file_name().to_string_lossy().starts_with(&prefix) {
            let _ = fs::remove_file(entry.path());
        }
    }
}

/// How old a temporary file must be to count as left behind.
const STALE_SECONDS: u64 = 60;

/// Reads a whole file, as `std::fs::read` does, but only a regular file:
/// a FIFO, a terminal or a device (`/dev/zero`) would block or never end,
/// so it is refused with an error saying what it is not.
pub fn read_regular(path: &Path) -> std::io::Result<Vec<u8>> {
    let metadata = fs::metadata(path)?;
    let what = match metadata.file_type() {
        t if t.is_file() => return fs::read(path),
        t if t.is_dir() => "a directory, not a regular file",
        _ => "not a regular file (a pipe or a device)",
    };
    Err(std::io::Error::new(std::io::ErrorKind::InvalidInput, what))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch_dir(name: &str) -> std::path::PathBuf {
        let dir = std::env::temp_dir()
            .join(format!("shared-files-{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        dir
    }

    #[test]
    fn a_write_clears_what_interrupted_writes_left_behind() {
        let dir = scratch_dir("stale");
        let path = dir.join("model.bin");
        write_atomically(&path, b"first").unwrap();
        let old = dir.join("model.bin.partial-99999");
        let recent = dir.join("model.bin.partial-88888");
        let other = dir.join("other.bin.partial-77777");
        for file in [&old, &recent, &other] {
            fs::write(file, b"torn").unwrap();
        }
        let long_ago =
            std::time::SystemTime::now() - std::time::Duration::from_secs(3600);
        for file in [&old, &other] {
            fs::File::options()
                .write(true)
                .open(file)
                .unwrap()
                .set_modified(long_ago)
                .unwrap();
        }
        write_atomically(&path, b"second").unwrap();
        assert!(!old.exists(), "an old partial of this file is removed");
        assert!(recent.exists(), "a write in progress is left alone");
        assert!(other.exists(), "another file's partial is left alone");
        fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn writes_and_replaces_leaving_no_temporary_file() {
        let dir = scratch_dir("replace");
        let path = dir.join("nested").join("out.txt");
        write_atomically(&path, b"first").unwrap();
        write_atomically(&path, b"second").unwrap();
        assert_eq!(fs::read(&path).unwrap(), b"second");
        let names: Vec<_> = fs::read_dir(path.parent().unwrap())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, ["out.txt"]);
        fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn a_failed_write_names_the_file_and_leaves_the_old_one() {
        let dir = scratch_dir("fail");
        fs::create_dir_all(&dir).unwrap();
        // A directory where the file should go: the rename must fail.
        let path = dir.join("taken");
        fs::create_dir_all(path.join("inside")).unwrap();
        let err = write_atomically(&path, b"data").unwrap_err();
        assert!(err.to_string().contains("taken"), "{err}");
        let names: Vec<_> = fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, ["taken"]);
        fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn files_written_as_one_unit_are_all_replaced_or_none() {
        let dir = scratch_dir("unit");
        fs::create_dir_all(&dir).unwrap();
        let (a, b) = (dir.join("a.txt"), dir.join("b.txt"));
        write_all_atomically(&[(&a, b"one"), (&b, b"two")]).unwrap();
        assert_eq!(fs::read(&a).unwrap(), b"one");
        assert_eq!(fs::read(&b).unwrap(), b"two");
        // The second cannot be written (a folder stands in the way of its
        // temporary file): the first keeps its old bytes.
        let blocked = dir.join("c.txt");
        let mut temp = blocked.file_name().unwrap().to_os_string();
        temp.push(format!(".partial-{}", std::process::id()));
        fs::create_dir_all(dir.join(temp).join("x")).unwrap();
        let err = write_all_atomically(&[(&a, b"new"), (&blocked, b"c")])
            .unwrap_err();
        assert!(err.to_string().contains("c.txt"), "{err}");
        assert_eq!(fs::read(&a).unwrap(), b"one", "nothing replaced");
        let a_temp = format!("a.txt.partial-{}", std::process::id());
        assert!(!dir.join(a_temp).exists(), "no temporary file left");
        fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn only_regular_files_are_read() {
        let dir = std::env::temp_dir()
            .join(format!("nnfs-regular-{}", std::process::id()));
        fs::create_dir_all(&dir).unwrap();
        let file = dir.join("f");
        fs::write(&file, b"bytes").unwrap();
        assert_eq!(read_regular(&file).unwrap(), b"bytes");
        let err = read_regular(&dir).unwrap_err().to_string();
        assert!(err.contains("a directory"), "{err}");
        #[cfg(unix)]
        {
            let err = read_regular(Path::new("/dev/zero")).unwrap_err();
            assert!(err.to_string().contains("not a regular file"));
        }
        fs::remove_dir_all(&dir).unwrap();
    }
}
