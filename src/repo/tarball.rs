//! Package tarballs: integrity checking, the shared content cache (one copy per hash, never
//! fetched twice) and safe extraction (no path traversal, no escaping links, sane modes).

use std::collections::HashSet;
use std::io::{Read, Write};
use std::path::{Component, Path, PathBuf};

use ssri::{Algorithm, Integrity};

use super::RepoError;

/// The integrity a version's `dist` promises: `dist.integrity`, else the legacy hex `shasum`.
pub fn expected_integrity(integrity: Option<&str>, shasum: Option<&str>) -> Option<Integrity> {
    if let Some(sri) = integrity.and_then(|s| s.parse::<Integrity>().ok()) {
        return Some(sri);
    }
    shasum.and_then(|hex| Integrity::from_hex(hex, Algorithm::Sha1).ok())
}

/// Checks `data` against `expected`; the error names the package and both hashes.
pub fn verify(data: &[u8], expected: &Integrity, package: &str) -> Result<(), RepoError> {
    expected.check(data).map(|_| ()).map_err(|_| {
        let actual = ssri::IntegrityOpts::new()
            .algorithm(expected.pick_algorithm())
            .chain(data)
            .result();
        RepoError::Integrity {
            package: package.to_string(),
            expected: expected.to_string(),
            actual: actual.to_string(),
        }
    })
}

/// A content-addressed store of verified tarballs, shared by every repo on the machine.
#[derive(Debug, Clone)]
pub struct ContentCache {
    root: PathBuf,
}

impl ContentCache {
    /// A cache under `dir` (its `content/` subdirectory).
    pub fn new(dir: &Path) -> Self {
        ContentCache {
            root: dir.join("content"),
        }
    }

    fn path_for(&self, integrity: &Integrity) -> PathBuf {
        let (algorithm, hex) = integrity.to_hex();
        let algo = format!("{algorithm}");
        self.root
            .join(algo)
            .join(&hex[..2.min(hex.len())])
            .join(&hex)
    }

    /// The cached bytes for `integrity`, if present and still matching.
    pub fn get(&self, integrity: &Integrity) -> Option<Vec<u8>> {
        let path = self.path_for(integrity);
        let data = std::fs::read(&path).ok()?;
        if integrity.check(&data).is_ok() {
            Some(data)
        } else {
            let _ = std::fs::remove_file(&path);
            None
        }
    }

    /// Stores verified bytes (write to a temporary file, then rename: readers never see a
    /// partial file). Failures only cost a future download, so they are ignored.
    pub fn put(&self, integrity: &Integrity, data: &[u8]) {
        let path = self.path_for(integrity);
        if path.exists() {
            return;
        }
        let Some(dir) = path.parent() else { return };
        if std::fs::create_dir_all(dir).is_err() {
            return;
        }
        let tmp = dir.join(format!(".tmp-{}-{}", std::process::id(), unique()));
        if std::fs::write(&tmp, data).is_ok() && std::fs::rename(&tmp, &path).is_ok() {
            return;
        }
        let _ = std::fs::remove_file(&tmp);
    }

    /// Deletes the whole cache.
    pub fn clear(&self) -> std::io::Result<()> {
        match std::fs::remove_dir_all(&self.root) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e),
            _ => Ok(()),
        }
    }
}

/// A process-unique counter for temporary names.
pub fn unique() -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static N: AtomicU64 = AtomicU64::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    format!("{nanos:x}{}", N.fetch_add(1, Ordering::Relaxed))
}

/// Turns a tarball entry path into a path below the package directory: drops the first
/// component (npm's `package/`), refuses absolute paths and `..`.
fn entry_target(raw: &Path) -> Result<Option<PathBuf>, String> {
    let mut out = PathBuf::new();
    let mut components = raw.components();
    // The leading directory (usually `package/`) is dropped, whatever its name, as npm does.
    match components.next() {
        Some(Component::Normal(_)) => {}
        Some(Component::CurDir) => return entry_target(components.as_path()),
        None => return Ok(None),
        Some(_) => return Err(format!("unsafe path '{}'", raw.display())),
    }
    for component in components {
        match component {
            Component::Normal(part) => out.push(part),
            Component::CurDir => {}
            _ => return Err(format!("unsafe path '{}'", raw.display())),
        }
    }
    Ok(if out.as_os_str().is_empty() {
        None
    } else {
        Some(out)
    })
}

/// Does a link at `at` (relative to the package) pointing to `target` stay inside it?
fn link_stays_inside(at: &Path, target: &Path) -> bool {
    if target.is_absolute() {
        return false;
    }
    let mut depth: i64 = at.components().count() as i64 - 1;
    for component in target.components() {
        match component {
            Component::ParentDir => depth -= 1,
            Component::Normal(_) => depth += 1,
            Component::CurDir => {}
            _ => return false,
        }
        if depth < 0 {
            return false;
        }
    }
    true
}

/// Extracts a gzipped npm tarball into `dest` (created if needed). Refuses the whole tarball
/// if any entry would land outside `dest` or any link points outside the package; links that
/// stay inside are skipped, as npm skips them. Files get mode 0644, or 0755 when the tarball
/// marks them executable; directories 0755.
pub fn extract(data: &[u8], dest: &Path, package: &str) -> Result<usize, RepoError> {
    let unsafe_entry = |message: String| RepoError::UnsafeTarball {
        package: package.to_string(),
        message,
    };
    let io = |path: &Path, e: std::io::Error| RepoError::Io {
        path: path.to_path_buf(),
        message: e.to_string(),
    };
    let mut made = HashSet::new();
    make_dirs(dest, &mut made).map_err(|e| io(dest, e))?;
    let mut archive = tar::Archive::new(flate2::read::GzDecoder::new(data));
    let mut files = 0;
    let entries = archive
        .entries()
        .map_err(|e| unsafe_entry(format!("not a tarball: {e}")))?;
    for entry in entries {
        let mut entry = entry.map_err(|e| unsafe_entry(format!("corrupt tarball: {e}")))?;
        let raw = entry
            .path()
            .map_err(|e| unsafe_entry(format!("bad entry name: {e}")))?
            .into_owned();
        let Some(rel) = entry_target(&raw).map_err(unsafe_entry)? else {
            continue;
        };
        let kind = entry.header().entry_type();
        let target = dest.join(&rel);
        if kind.is_symlink() || kind.is_hard_link() {
            let link = entry
                .link_name()
                .ok()
                .flatten()
                .map(|l| l.into_owned())
                .unwrap_or_default();
            let stays = if kind.is_hard_link() {
                entry_target(&link).is_ok()
            } else {
                link_stays_inside(&rel, &link)
            };
            if !stays {
                return Err(unsafe_entry(format!(
                    "link '{}' points outside the package ('{}')",
                    raw.display(),
                    link.display()
                )));
            }
            continue;
        }
        if kind.is_dir() {
            make_dirs(&target, &mut made).map_err(|e| io(&target, e))?;
            continue;
        }
        if !(kind.is_file()
            || kind == tar::EntryType::Continuous
            || kind == tar::EntryType::GNUSparse)
        {
            // Devices, FIFOs and the like have no place in a package.
            continue;
        }
        if let Some(parent) = target.parent() {
            make_dirs(parent, &mut made).map_err(|e| io(parent, e))?;
        }
        let executable = entry
            .header()
            .mode()
            .map(|m| m & 0o111 != 0)
            .unwrap_or(false);
        let mut content = Vec::with_capacity(entry.size() as usize);
        entry
            .read_to_end(&mut content)
            .map_err(|e| unsafe_entry(format!("corrupt tarball: {e}")))?;
        // A later entry with the same name replaces an earlier one (truncate), as with tar(1).
        write_file(&target, &content, if executable { 0o755 } else { 0o644 })
            .map_err(|e| io(&target, e))?;
        files += 1;
    }
    Ok(files)
}

/// Creates `dir` and its parents (mode 0755), remembering what exists to save system calls.
fn make_dirs(dir: &Path, made: &mut HashSet<PathBuf>) -> std::io::Result<()> {
    if made.contains(dir) {
        return Ok(());
    }
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o755);
    builder.create(dir)?;
    let mut at = Some(dir);
    while let Some(d) = at.filter(|d| !d.as_os_str().is_empty()) {
        if !made.insert(d.to_path_buf()) {
            break;
        }
        at = d.parent();
    }
    Ok(())
}

/// Writes a file with `mode` (less the umask) set at creation, in one open.
fn write_file(path: &Path, content: &[u8], mode: u32) -> std::io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, mode);
    #[cfg(not(unix))]
    let _ = mode;
    options.open(path)?.write_all(content)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tgz(entries: &[(&str, &[u8])]) -> Vec<u8> {
        let mut builder = tar::Builder::new(flate2::write::GzEncoder::new(
            Vec::new(),
            flate2::Compression::fast(),
        ));
        for (path, data) in entries {
            let mut header = tar::Header::new_gnu();
            header.set_size(data.len() as u64);
            header.set_mode(0o644);
            header.set_entry_type(tar::EntryType::Regular);
            // Bypass the builder's own path checks to build hostile archives.
            let name = header.as_old_mut().name.as_mut();
            name[..path.len()].copy_from_slice(path.as_bytes());
            header.set_cksum();
            builder.append(&header, *data).unwrap();
        }
        builder.into_inner().unwrap().finish().unwrap()
    }

    fn tmp() -> PathBuf {
        let dir = std::env::temp_dir().join(format!("fnhost-tarball-{}", unique()));
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn extracts_below_package_prefix() {
        let dir = tmp();
        let data = tgz(&[("package/package.json", b"{}"), ("package/lib/a.js", b"1")]);
        assert_eq!(extract(&data, &dir, "p").unwrap(), 2);
        assert_eq!(std::fs::read(dir.join("lib/a.js")).unwrap(), b"1");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn refuses_traversal() {
        let dir = tmp();
        let data = tgz(&[("package/../../evil.js", b"x")]);
        assert!(matches!(
            extract(&data, &dir.join("pkg"), "p"),
            Err(RepoError::UnsafeTarball { .. })
        ));
        assert!(!dir.join("evil.js").exists());
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn paths_and_links() {
        assert_eq!(
            entry_target(Path::new("package/a/b.js")).unwrap(),
            Some(PathBuf::from("a/b.js"))
        );
        assert_eq!(
            entry_target(Path::new("./package/a.js")).unwrap(),
            Some(PathBuf::from("a.js"))
        );
        assert!(entry_target(Path::new("/etc/passwd")).is_err());
        assert!(entry_target(Path::new("package/a/../../x")).is_err());
        assert!(link_stays_inside(Path::new("a/b"), Path::new("../c")));
        assert!(!link_stays_inside(Path::new("a/b"), Path::new("../../c")));
        assert!(!link_stays_inside(Path::new("a"), Path::new("/etc/passwd")));
    }

    #[test]
    fn integrity_and_cache() {
        let data = b"tarball bytes";
        let sri = ssri::IntegrityOpts::new()
            .algorithm(Algorithm::Sha512)
            .chain(data)
            .result();
        verify(data, &sri, "p").unwrap();
        assert!(matches!(
            verify(b"other", &sri, "p"),
            Err(RepoError::Integrity { .. })
        ));
        let sha1 = ssri::IntegrityOpts::new()
            .algorithm(Algorithm::Sha1)
            .chain(data)
            .result();
        let hex = sha1.to_hex().1;
        assert_eq!(expected_integrity(None, Some(&hex)), Some(sha1));
        let dir = tmp();
        let cache = ContentCache::new(&dir);
        assert!(cache.get(&sri).is_none());
        cache.put(&sri, data);
        assert_eq!(cache.get(&sri).as_deref(), Some(&data[..]));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
