//! Dependency resolution with npm's rules: picking a version for a spec (ranges, dist-tags,
//! prerelease rules, deprecation) and laying out the whole dependency tree with npm-style
//! hoisting and nesting, so that Node's module resolution finds every package.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::PathBuf;
use std::sync::Arc;

use nodejs_semver::{Range, Version};
use tokio::sync::Semaphore;
use tokio::task::JoinHandle;

use super::registry::{Packument, Registry, VersionMeta};
use super::RepoError;

/// What a dependency spec asks for, after `npm:` aliases are unwrapped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Want {
    /// A semver range (`^1.2`, `1.0.0-rc.12`, `*`, `1.x || >=2.5`).
    Range(String),
    /// A dist-tag (`latest`, `next`).
    Tag(String),
    /// Something only npm itself fetches (git, file:, tarball URL, workspace:).
    Unsupported(String),
}

/// Splits a dependency spec: `npm:real@range` → (`real`, range); anything else keeps `name`.
pub fn parse_dep_spec(name: &str, spec: &str) -> (String, Want) {
    let spec = spec.trim();
    if let Some(alias) = spec.strip_prefix("npm:") {
        let from = usize::from(alias.starts_with('@'));
        return match alias[from..].find('@') {
            Some(i) => (
                alias[..from + i].to_string(),
                want_of(&alias[from + i + 1..]),
            ),
            None => (alias.to_string(), Want::Range("*".into())),
        };
    }
    (name.to_string(), want_of(spec))
}

fn want_of(spec: &str) -> Want {
    let spec = spec.trim();
    if spec.is_empty() || spec == "*" {
        return Want::Range("*".into());
    }
    if spec.contains(':') || spec.contains('/') {
        return Want::Unsupported(spec.to_string());
    }
    if Range::parse(spec).is_ok() {
        return Want::Range(spec.to_string());
    }
    if spec
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
    {
        return Want::Tag(spec.to_string());
    }
    Want::Unsupported(spec.to_string())
}

/// Picks the version npm would install for `want` from `pack` (npm-pick-manifest's rules): a
/// dist-tag's version; for a range, the `latest` tag if it satisfies, else the highest
/// satisfying version, preferring versions that are not deprecated.
pub fn pick_version<'p>(pack: &'p Packument, want: &Want) -> Option<&'p VersionMeta> {
    match want {
        Want::Tag(tag) => pack.dist_tags.get(tag).and_then(|v| pack.versions.get(v)),
        Want::Range(spec) => {
            let range = Range::parse(spec).ok()?;
            if let Some(latest) = pack
                .dist_tags
                .get("latest")
                .and_then(|v| pack.versions.get_key_value(v))
            {
                if spec == "*"
                    || Version::parse(latest.0)
                        .map(|v| range.satisfies(&v))
                        .unwrap_or(false)
                {
                    return Some(latest.1);
                }
            }
            pack.versions
                .iter()
                .filter_map(|(v, meta)| Some((Version::parse(v).ok()?, meta)))
                .filter(|(v, _)| range.satisfies(v))
                .max_by(|(va, ma), (vb, mb)| {
                    (!ma.is_deprecated(), va).cmp(&(!mb.is_deprecated(), vb))
                })
                .map(|(_, meta)| meta)
        }
        Want::Unsupported(_) => None,
    }
}

/// Does an installed `version` meet a dependency's range? (`*` accepts prereleases too, as in
/// npm's dependency validation.)
pub fn version_satisfies(version: &str, range: &str) -> bool {
    if range == "*" || range.is_empty() {
        return true;
    }
    match (Version::parse(version), Range::parse(range)) {
        (Ok(v), Ok(r)) => r.satisfies(&v),
        _ => false,
    }
}

/// Is this package usable on this machine (its `os` and `cpu` lists)?
pub fn platform_ok(meta: &VersionMeta) -> bool {
    let os = match std::env::consts::OS {
        "macos" => "darwin",
        "windows" => "win32",
        other => other,
    };
    let cpu = match std::env::consts::ARCH {
        "x86_64" => "x64",
        "aarch64" => "arm64",
        "x86" => "ia32",
        other => other,
    };
    fn allowed(list: &[String], current: &str) -> bool {
        if list.is_empty() {
            return true;
        }
        if list.iter().any(|e| e.strip_prefix('!') == Some(current)) {
            return false;
        }
        let positive: Vec<&String> = list.iter().filter(|e| !e.starts_with('!')).collect();
        positive.is_empty()
            || positive
                .iter()
                .any(|e| e.as_str() == current || e.as_str() == "any")
    }
    allowed(&meta.os, os) && allowed(&meta.cpu, cpu)
}

/// The kind of a dependency edge.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EdgeKind {
    /// `dependencies`.
    Prod,
    /// `optionalDependencies`: skipped when it cannot be installed.
    Optional,
    /// `peerDependencies`: resolved from the dependent's parent.
    Peer,
    /// A peer marked optional: never installed, only used when present.
    PeerOptional,
}

#[derive(Debug, Clone)]
struct Edge {
    name: String,
    range: String,
    peer: bool,
}

/// One package placed in the tree.
#[derive(Debug, Clone)]
pub struct Node {
    /// The name it is installed under (an alias for `npm:` specs).
    pub name: String,
    /// Its metadata (real name, version, tarball).
    pub meta: Arc<VersionMeta>,
    /// Parent node (`None` for the root, the adaptor itself).
    pub parent: Option<usize>,
    /// Packages in this node's `node_modules`.
    pub children: BTreeMap<String, usize>,
    /// Path relative to the root package directory (`""` for the root).
    pub path: PathBuf,
    depth: usize,
    edges: Vec<Edge>,
}

/// A resolved dependency tree; node 0 is the root package.
#[derive(Debug, Clone, Default)]
pub struct Tree {
    /// The nodes; children refer to them by index.
    pub nodes: Vec<Node>,
}

impl Tree {
    fn resolve_from(&self, start: usize, name: &str) -> Option<usize> {
        let mut at = Some(start);
        while let Some(i) = at {
            if let Some(&child) = self.nodes[i].children.get(name) {
                return Some(child);
            }
            at = self.nodes[i].parent;
        }
        None
    }

    fn is_ancestor_or_self(&self, ancestor: usize, mut node: usize) -> bool {
        loop {
            if node == ancestor {
                return true;
            }
            match self.nodes[node].parent {
                Some(p) => node = p,
                None => return false,
            }
        }
    }

    /// Would putting `name@version` in `target`'s `node_modules` change what an already
    /// resolved dependency below it gets, to a version it does not accept?
    fn shadows(&self, target: usize, name: &str, version: &str) -> bool {
        for (i, node) in self.nodes.iter().enumerate() {
            for edge in node.edges.iter().filter(|e| e.name == name) {
                let start = if edge.peer {
                    node.parent.unwrap_or(i)
                } else {
                    i
                };
                if !self.is_ancestor_or_self(target, start) {
                    continue;
                }
                let mut at = start;
                let mut hidden = false;
                while at != target {
                    if self.nodes[at].children.contains_key(name) {
                        hidden = true;
                        break;
                    }
                    at = self.nodes[at].parent.unwrap_or(target);
                }
                if !hidden && !version_satisfies(version, &edge.range) {
                    return true;
                }
            }
        }
        false
    }

    fn add(&mut self, parent: usize, name: &str, meta: Arc<VersionMeta>) -> usize {
        let idx = self.nodes.len();
        let path = self.nodes[parent].path.join("node_modules").join(name);
        let depth = self.nodes[parent].depth + 1;
        self.nodes.push(Node {
            name: name.to_string(),
            meta,
            parent: Some(parent),
            children: BTreeMap::new(),
            path,
            depth,
            edges: Vec::new(),
        });
        self.nodes[parent].children.insert(name.to_string(), idx);
        idx
    }

    /// `name@version` of every package below the root (sorted, duplicates kept once).
    pub fn package_set(&self) -> BTreeSet<String> {
        self.nodes
            .iter()
            .skip(1)
            .map(|n| format!("{}@{}", n.meta.name, n.meta.version))
            .collect()
    }
}

/// Fetches package documents once each, several at a time, ahead of need.
pub struct Fetcher {
    registry: Registry,
    done: HashMap<String, Result<Arc<Packument>, RepoError>>,
    pending: HashMap<String, JoinHandle<Result<Packument, RepoError>>>,
    limit: Arc<Semaphore>,
}

impl Fetcher {
    /// A fetcher running at most `concurrency` requests at once.
    pub fn new(registry: Registry, concurrency: usize) -> Self {
        Fetcher {
            registry,
            done: HashMap::new(),
            pending: HashMap::new(),
            limit: Arc::new(Semaphore::new(concurrency.max(1))),
        }
    }

    /// Starts fetching `name` in the background unless it is known or under way.
    pub fn prefetch(&mut self, name: &str) {
        if self.done.contains_key(name) || self.pending.contains_key(name) {
            return;
        }
        let registry = self.registry.clone();
        let limit = self.limit.clone();
        let owned = name.to_string();
        let handle = tokio::spawn(async move {
            let _permit = limit.acquire_owned().await;
            registry.packument(&owned).await
        });
        self.pending.insert(name.to_string(), handle);
    }

    /// `name`'s package document.
    pub async fn get(&mut self, name: &str) -> Result<Arc<Packument>, RepoError> {
        if !self.done.contains_key(name) {
            self.prefetch(name);
            let handle = self.pending.remove(name).expect("prefetched");
            let result = match handle.await {
                Ok(r) => r.map(Arc::new),
                Err(e) => Err(RepoError::Other(format!("fetch task failed: {e}"))),
            };
            self.done.insert(name.to_string(), result);
        }
        self.done[name].clone()
    }

    /// How many package documents have been fetched so far.
    pub fn fetched(&self) -> usize {
        self.done.len()
    }
}

impl Drop for Fetcher {
    fn drop(&mut self) {
        for handle in self.pending.values() {
            handle.abort();
        }
    }
}

fn edges_of(meta: &VersionMeta) -> Vec<(String, String, EdgeKind)> {
    let bundled = meta.bundled();
    let mut map: BTreeMap<String, (String, EdgeKind)> = BTreeMap::new();
    for (name, spec) in &meta.peer_dependencies {
        let optional = meta
            .peer_dependencies_meta
            .get(name)
            .and_then(|m| m.get("optional"))
            .and_then(|o| o.as_bool())
            == Some(true);
        map.insert(
            name.clone(),
            (
                spec.clone(),
                if optional {
                    EdgeKind::PeerOptional
                } else {
                    EdgeKind::Peer
                },
            ),
        );
    }
    for (name, spec) in &meta.dependencies {
        map.insert(name.clone(), (spec.clone(), EdgeKind::Prod));
    }
    for (name, spec) in &meta.optional_dependencies {
        map.insert(name.clone(), (spec.clone(), EdgeKind::Optional));
    }
    map.into_iter()
        .filter(|(name, _)| !bundled.contains(name))
        .map(|(name, (spec, kind))| (name, spec, kind))
        .collect()
}

/// Builds the dependency tree under `root` (the adaptor's own metadata), breadth first in
/// npm's order (depth, then path), placing each new package as high as it can go without
/// conflicting with a package already there or changing what an already resolved dependency
/// gets. `progress(resolved)` is called as packages are added.
pub async fn build_tree(
    root_name: &str,
    root: Arc<VersionMeta>,
    fetcher: &mut Fetcher,
    progress: &mut dyn FnMut(usize),
) -> Result<Tree, RepoError> {
    let mut tree = Tree {
        nodes: vec![Node {
            name: root_name.to_string(),
            meta: root,
            parent: None,
            children: BTreeMap::new(),
            path: PathBuf::new(),
            depth: 0,
            edges: Vec::new(),
        }],
    };
    let mut queue: BTreeSet<(usize, PathBuf, usize)> = BTreeSet::new();
    queue.insert((0, PathBuf::new(), 0));
    while let Some(item) = queue.pop_first() {
        let node = item.2;
        let edges = edges_of(&tree.nodes[node].meta);
        for (name, spec, _) in &edges {
            let (real, _) = parse_dep_spec(name, spec);
            fetcher.prefetch(&real);
        }
        for (name, spec, kind) in edges {
            if let Some(added) = place_edge(&mut tree, node, &name, &spec, kind, fetcher).await? {
                queue.insert((
                    tree.nodes[added].depth,
                    tree.nodes[added].path.clone(),
                    added,
                ));
                for (dep, dep_spec, _) in edges_of(&tree.nodes[added].meta) {
                    fetcher.prefetch(&parse_dep_spec(&dep, &dep_spec).0);
                }
                progress(tree.nodes.len() - 1);
            }
        }
    }
    Ok(tree)
}

/// Resolves one edge of `node`; returns the index of a newly placed package, if any.
async fn place_edge(
    tree: &mut Tree,
    node: usize,
    name: &str,
    spec: &str,
    kind: EdgeKind,
    fetcher: &mut Fetcher,
) -> Result<Option<usize>, RepoError> {
    let peer = matches!(kind, EdgeKind::Peer | EdgeKind::PeerOptional);
    let optional = matches!(kind, EdgeKind::Optional | EdgeKind::PeerOptional);
    let start = if peer {
        tree.nodes[node].parent.unwrap_or(node)
    } else {
        node
    };
    let dependent = format!(
        "{}@{}",
        tree.nodes[node].meta.name, tree.nodes[node].meta.version
    );
    let (real, want) = parse_dep_spec(name, spec);
    let range = match &want {
        Want::Range(r) => r.clone(),
        Want::Tag(tag) => match fetcher.get(&real).await {
            Ok(pack) => pack
                .dist_tags
                .get(tag)
                .cloned()
                .unwrap_or_else(|| tag.clone()),
            Err(e) if optional => {
                let _ = e;
                return Ok(None);
            }
            Err(e) => return Err(e),
        },
        Want::Unsupported(s) => {
            if optional {
                return Ok(None);
            }
            return Err(RepoError::Other(format!(
                "{dependent} depends on {name}@{s}, which only npm itself can fetch"
            )));
        }
    };
    let record = |tree: &mut Tree| {
        tree.nodes[node].edges.push(Edge {
            name: name.to_string(),
            range: range.clone(),
            peer,
        })
    };
    if let Some(existing) = tree.resolve_from(start, name) {
        let meta = &tree.nodes[existing].meta;
        if meta.name == real && version_satisfies(&meta.version, &range) {
            record(tree);
            return Ok(None);
        }
    }
    if kind == EdgeKind::PeerOptional {
        return Ok(None);
    }
    let pack = match fetcher.get(&real).await {
        Ok(p) => p,
        Err(_) if optional => return Ok(None),
        Err(e @ RepoError::UnknownPackage { .. }) => {
            return Err(RepoError::Other(format!("{e} (required by {dependent})")))
        }
        Err(e) => return Err(e),
    };
    let meta = match pick_version(&pack, &Want::Range(range.clone())) {
        Some(m) => m,
        None if optional => return Ok(None),
        None => {
            return Err(RepoError::NoMatchingVersion {
                name: real.clone(),
                spec: format!("{range} (required by {dependent})"),
            })
        }
    };
    if optional && !platform_ok(meta) {
        return Ok(None);
    }
    let mut target = None;
    let mut at = Some(start);
    while let Some(t) = at {
        if tree.nodes[t].children.contains_key(name) || tree.shadows(t, name, &meta.version) {
            break;
        }
        target = Some(t);
        at = tree.nodes[t].parent;
    }
    let Some(target) = target else {
        if optional {
            return Ok(None);
        }
        return Err(RepoError::Other(format!(
            "dependency conflict: {dependent} needs {name}@{range} but another version of {name} is already in its node_modules"
        )));
    };
    let added = tree.add(target, name, Arc::new(meta.clone()));
    record(tree);
    Ok(Some(added))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::repo::registry::Dist;

    fn pack(versions: &[&str], latest: &str) -> Packument {
        let mut p = Packument {
            name: "p".into(),
            ..Default::default()
        };
        for v in versions {
            p.versions.insert(
                v.to_string(),
                VersionMeta {
                    name: "p".into(),
                    version: v.to_string(),
                    dist: Dist::default(),
                    ..Default::default()
                },
            );
        }
        p.dist_tags.insert("latest".into(), latest.into());
        p
    }

    fn pick(p: &Packument, spec: &str) -> Option<String> {
        pick_version(p, &parse_dep_spec("p", spec).1).map(|m| m.version.clone())
    }

    #[test]
    fn ranges_follow_npm() {
        let p = pack(
            &[
                "1.0.0",
                "1.2.0",
                "1.10.0",
                "2.0.0-rc.1",
                "2.0.0",
                "2.1.0",
                "3.0.0-beta.2",
            ],
            "2.0.0",
        );
        // `latest` wins when it satisfies, even if a higher version does too.
        assert_eq!(pick(&p, "^2").as_deref(), Some("2.0.0"));
        assert_eq!(pick(&p, "*").as_deref(), Some("2.0.0"));
        assert_eq!(pick(&p, "").as_deref(), Some("2.0.0"));
        // Numeric, not string, order.
        assert_eq!(pick(&p, "^1").as_deref(), Some("1.10.0"));
        assert_eq!(pick(&p, "~1.2").as_deref(), Some("1.2.0"));
        assert_eq!(pick(&p, "1.x || >=2.1").as_deref(), Some("2.1.0"));
        // Prereleases only match a range that names that exact tuple's prerelease.
        assert_eq!(
            pick(&p, ">=2.0.0-rc.0 <2.0.0").as_deref(),
            Some("2.0.0-rc.1")
        );
        assert_eq!(pick(&p, ">2.1").as_deref(), None);
        assert_eq!(pick(&p, "3.0.0-beta.2").as_deref(), Some("3.0.0-beta.2"));
        assert_eq!(pick(&p, "latest").as_deref(), Some("2.0.0"));
        assert_eq!(pick(&p, "nosuchtag"), None);
    }

    #[test]
    fn deprecated_versions_are_avoided() {
        let mut p = pack(&["1.0.0", "1.1.0"], "2.0.0");
        p.versions.get_mut("1.1.0").unwrap().deprecated = Some(serde_json::json!("broken"));
        assert_eq!(pick(&p, "^1").as_deref(), Some("1.0.0"));
    }

    #[test]
    fn dep_specs() {
        assert_eq!(
            parse_dep_spec("x", "npm:@s/y@^2"),
            ("@s/y".into(), Want::Range("^2".into()))
        );
        assert_eq!(
            parse_dep_spec("x", "npm:y"),
            ("y".into(), Want::Range("*".into()))
        );
        assert_eq!(
            parse_dep_spec("x", "next"),
            ("x".into(), Want::Tag("next".into()))
        );
        assert!(matches!(
            parse_dep_spec("x", "github:a/b").1,
            Want::Unsupported(_)
        ));
        assert!(matches!(
            parse_dep_spec("x", "file:../b").1,
            Want::Unsupported(_)
        ));
    }

    #[test]
    fn satisfaction() {
        assert!(version_satisfies("1.0.0-rc.12", "1.0.0-rc.12"));
        assert!(version_satisfies("1.0.0-rc.12", "*"));
        assert!(!version_satisfies("1.0.0-rc.12", "^0.22"));
        assert!(version_satisfies("4.17.21", "^4.17.15"));
        assert!(!version_satisfies("5.0.0", "^4"));
    }

    #[test]
    fn platform_lists() {
        let mut m = VersionMeta::default();
        assert!(platform_ok(&m));
        m.os = vec!["!".to_string() + std::env::consts::OS, "nothing".into()];
        if std::env::consts::OS == "linux" {
            assert!(!platform_ok(&m));
        }
        m.os = vec!["aix".into()];
        assert!(!platform_ok(&m));
    }
}
