//! Watch mode's change detection: poll the files' modification times.
//!
//! Polling twice a second costs nothing for eight files and behaves the
//! same on every operating system and editor (some editors save by
//! writing a new file and renaming it over the old one).

use std::path::PathBuf;
use std::time::SystemTime;

/// The files watched and the modification time last seen for each.
pub struct Watcher {
    files: Vec<(PathBuf, Option<SystemTime>)>,
}

fn modified(path: &PathBuf) -> Option<SystemTime> {
    std::fs::metadata(path).and_then(|m| m.modified()).ok()
}

impl Watcher {
    /// Starts watching `files` as they are now.
    pub fn new(files: Vec<PathBuf>) -> Self {
        let files = files
            .into_iter()
            .map(|f| (f.clone(), modified(&f)))
            .collect();
        Watcher { files }
    }

    /// The indices of the files saved since the last call.
    pub fn changed(&mut self) -> Vec<usize> {
        let mut changed = Vec::new();
        for (i, (path, seen)) in self.files.iter_mut().enumerate() {
            let now = modified(path);
            if now != *seen {
                *seen = now;
                changed.push(i);
            }
        }
        changed
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn a_saved_file_is_reported_once() {
        let dir = std::env::temp_dir().join("exercises-watch-test");
        std::fs::create_dir_all(&dir).unwrap();
        let (a, b) = (dir.join("a.rs"), dir.join("b.rs"));
        std::fs::write(&a, "1").unwrap();
        std::fs::write(&b, "1").unwrap();
        let mut watcher = Watcher::new(vec![a.clone(), b]);
        assert!(watcher.changed().is_empty());
        // Past the file system's timestamp resolution.
        std::thread::sleep(Duration::from_millis(20));
        std::fs::write(&a, "2").unwrap();
        let file = std::fs::File::options().write(true).open(&a).unwrap();
        file.set_modified(SystemTime::now() + Duration::from_secs(1))
            .unwrap();
        assert_eq!(watcher.changed(), [0]);
        assert!(watcher.changed().is_empty());
        std::fs::remove_dir_all(dir).unwrap();
    }
}
