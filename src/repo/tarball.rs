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

/// How much one package tarball may unpack. Sizes come from the entries' headers, which a
/// hostile package controls, so they are checked before anything is read or allocated.
#[derive(Debug, Clone, Copy)]
pub struct ExtractLimits {
    /// Largest single file (the biggest files on npm, native binaries and bundled typings,
    /// are tens of MB).
    pub entry_bytes: u64,
    /// Largest total, counting every entry's declared size.
    pub package_bytes: u64,
    /// Most entries (npm's largest packages have some tens of thousands).
    pub entries: usize,
}

impl Default for ExtractLimits {
    fn default() -> Self {
        ExtractLimits {
            entry_bytes: 512 << 20,
            package_bytes: 1 << 30,
            entries: 200_000,
        }
    }
}

/// Extracts a gzipped npm tarball into `dest` (created if needed). Refuses the whole tarball
/// if any entry would land outside `dest` or any link points outside the package; links that
/// stay inside are skipped, as npm skips them. Files get mode 0644, or 0755 when the tarball
/// marks them executable; directories 0755.
///
/// An entry, a total or an entry count above [`ExtractLimits::default`] refuses the tarball
/// before anything is read or allocated for it; file contents are streamed to disk, never
/// buffered whole.
pub fn extract(data: &[u8], dest: &Path, package: &str) -> Result<usize, RepoError> {
    extract_with_limits(data, dest, package, &ExtractLimits::default())
}

/// [`extract`] with explicit limits.
pub fn extract_with_limits(
    data: &[u8],
    dest: &Path,
    package: &str,
    limits: &ExtractLimits,
) -> Result<usize, RepoError> {
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
    let mut entry_count = 0usize;
    let mut unpacked: u64 = 0;
    let entries = archive
        .entries()
        .map_err(|e| unsafe_entry(format!("not a tarball: {e}")))?;
    for entry in entries {
        let mut entry = entry.map_err(|e| unsafe_entry(format!("corrupt tarball: {e}")))?;
        entry_count += 1;
        if entry_count > limits.entries {
            return Err(unsafe_entry(format!(
                "more than {} entries: refused",
                limits.entries
            )));
        }
        // The header's size, not what the stream turns out to hold: checked before reading.
        let size = entry
            .header()
            .entry_size()
            .map_err(|e| unsafe_entry(format!("corrupt tarball: {e}")))?;
        if size > limits.entry_bytes {
            return Err(unsafe_entry(format!(
                "entry '{}' claims {size} bytes, more than the {}-byte limit per file: refused",
                String::from_utf8_lossy(&entry.path_bytes()),
                limits.entry_bytes
            )));
        }
        unpacked = unpacked.saturating_add(size);
        if unpacked > limits.package_bytes {
            return Err(unsafe_entry(format!(
                "unpacked size exceeds the {}-byte limit per package: refused",
                limits.package_bytes
            )));
        }
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
        // A later entry with the same name replaces an earlier one (truncate), as with tar(1).
        write_file(&target, &mut entry, if executable { 0o755 } else { 0o644 }).map_err(
            |e| match e {
                WriteError::Read(e) => unsafe_entry(format!("corrupt tarball: {e}")),
                WriteError::Write(e) => io(&target, e),
            },
        )?;
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

/// Which side of a copy failed: the tarball (corrupt) or the disk.
enum WriteError {
    Read(std::io::Error),
    Write(std::io::Error),
}

/// Streams `content` into a file with `mode` (less the umask) set at creation, in one open.
fn write_file(path: &Path, content: &mut impl Read, mode: u32) -> Result<(), WriteError> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, mode);
    #[cfg(not(unix))]
    let _ = mode;
    let mut file = options.open(path).map_err(WriteError::Write)?;
    let mut buffer = vec![0u8; 64 * 1024];
    loop {
        let n = match content.read(&mut buffer) {
            Ok(0) => return Ok(()),
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(WriteError::Read(e)),
        };
        file.write_all(&buffer[..n]).map_err(WriteError::Write)?;
    }
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

    /// A tarball whose one entry's header claims `size` bytes but carries `carried` bytes.
    fn tgz_claiming(entries: &[(&str, u64)], carried: usize) -> Vec<u8> {
        let mut raw = Vec::new();
        for (path, size) in entries {
            let mut header = tar::Header::new_gnu();
            header.set_path(path).unwrap();
            header.set_size(*size);
            header.set_mode(0o644);
            header.set_entry_type(tar::EntryType::Regular);
            header.set_cksum();
            raw.extend_from_slice(header.as_bytes());
            raw.extend(std::iter::repeat_n(b'x', carried.div_ceil(512) * 512));
        }
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(&raw).unwrap();
        gz.finish().unwrap()
    }

    fn refusal(data: &[u8], dest: &Path) -> String {
        refusal_with(data, dest, &ExtractLimits::default())
    }

    fn refusal_with(data: &[u8], dest: &Path, limits: &ExtractLimits) -> String {
        match extract_with_limits(data, dest, "evil", limits) {
            Err(RepoError::UnsafeTarball { message, .. }) => message,
            other => panic!("expected a refusal, got {other:?}"),
        }
    }

    #[test]
    fn refuses_an_entry_whose_header_claims_a_huge_size_before_allocating() {
        let dir = tmp();
        // 2^62 bytes: trusting the header would abort on allocation
        let data = tgz_claiming(&[("package/big.bin", 1 << 62)], 512);
        let message = refusal(&data, &dir);
        assert!(
            message.contains("claims 4611686018427387904 bytes")
                && message.contains("limit per file"),
            "{message}"
        );
        assert!(!dir.join("big.bin").exists());
        let data = tgz_claiming(
            &[("package/big.bin", ExtractLimits::default().entry_bytes + 1)],
            512,
        );
        assert!(refusal(&data, &dir).contains("limit per file"));
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn refuses_an_absurd_total_unpacked_size() {
        let dir = tmp();
        let limits = ExtractLimits {
            entry_bytes: 1000,
            package_bytes: 2500,
            entries: 10,
        };
        let entries = [
            ("package/a.bin", 1000),
            ("package/b.bin", 1000),
            ("package/c.bin", 1000),
        ];
        let data = tgz_claiming(&entries, 1000);
        let message = refusal_with(&data, &dir, &limits);
        assert!(message.contains("2500-byte limit per package"), "{message}");
        let many: Vec<(String, u64)> = (0..11).map(|i| (format!("package/{i}"), 1)).collect();
        let many: Vec<(&str, u64)> = many.iter().map(|(p, n)| (p.as_str(), *n)).collect();
        let message = refusal_with(&tgz_claiming(&many, 1), &dir, &limits);
        assert!(message.contains("more than 10 entries"), "{message}");
        // within the limits the same tarball extracts
        let limits = ExtractLimits {
            package_bytes: 3000,
            entries: 11,
            ..limits
        };
        assert_eq!(extract_with_limits(&data, &dir, "ok", &limits).unwrap(), 3);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_header_larger_than_its_data_is_a_corrupt_tarball() {
        let dir = tmp();
        let data = tgz_claiming(&[("package/a.js", 100_000)], 512);
        assert!(refusal(&data, &dir).contains("corrupt tarball"));
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
