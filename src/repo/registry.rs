//! Talking to an npm registry: package documents (abbreviated metadata) and tarballs over
//! HTTP, with retries and backoff on server errors and timeouts.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::time::Duration;

use serde::Deserialize;

use super::config::RegistryConfig;
use super::RepoError;

/// The media type of npm's abbreviated package documents ("corgis").
const ABBREVIATED: &str =
    "application/vnd.npm.install-v1+json; q=1.0, application/json; q=0.8, */*";

/// How many times a request is tried before its error is reported.
pub const ATTEMPTS: u32 = 4;

/// One version's entry in a package document (the fields installs need).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct VersionMeta {
    /// Package name.
    pub name: String,
    /// Version string.
    pub version: String,
    /// Runtime dependencies.
    #[serde(deserialize_with = "lenient")]
    pub dependencies: BTreeMap<String, String>,
    /// Dependencies whose failure to install is not an error.
    #[serde(rename = "optionalDependencies")]
    #[serde(deserialize_with = "lenient")]
    pub optional_dependencies: BTreeMap<String, String>,
    /// Dependencies the dependent's parent must provide (installed by npm ≥ 7).
    #[serde(rename = "peerDependencies")]
    #[serde(deserialize_with = "lenient")]
    pub peer_dependencies: BTreeMap<String, String>,
    /// `{name: {optional: true}}` for peers that are not installed automatically.
    #[serde(rename = "peerDependenciesMeta")]
    #[serde(deserialize_with = "lenient")]
    pub peer_dependencies_meta: BTreeMap<String, serde_json::Value>,
    /// Dependencies shipped inside the tarball (`true` for all of them).
    #[serde(rename = "bundleDependencies", alias = "bundledDependencies")]
    pub bundle_dependencies: serde_json::Value,
    /// Operating systems the package supports (`!name` excludes).
    #[serde(deserialize_with = "lenient")]
    pub os: Vec<String>,
    /// CPU architectures the package supports (`!name` excludes).
    #[serde(deserialize_with = "lenient")]
    pub cpu: Vec<String>,
    /// Deprecation message, if deprecated.
    pub deprecated: Option<serde_json::Value>,
    /// Where the tarball is and its hashes.
    pub dist: Dist,
}

impl VersionMeta {
    /// Names of dependencies that ship inside this package's tarball.
    pub fn bundled(&self) -> Vec<String> {
        match &self.bundle_dependencies {
            serde_json::Value::Bool(true) => self.dependencies.keys().cloned().collect(),
            serde_json::Value::Array(list) => list
                .iter()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect(),
            _ => Vec::new(),
        }
    }

    /// Is the package deprecated? (npm treats an empty message as not deprecated.)
    pub fn is_deprecated(&self) -> bool {
        match &self.deprecated {
            Some(serde_json::Value::String(s)) => !s.is_empty(),
            Some(serde_json::Value::Bool(b)) => *b,
            _ => false,
        }
    }
}

/// Reads a field, or its default when an old package has it in another shape (`"os": "linux"`,
/// `"dependencies": []`), so one odd version does not make the whole document unreadable.
fn lenient<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: serde::Deserializer<'de>,
    T: serde::de::DeserializeOwned + Default,
{
    let value = serde_json::Value::deserialize(deserializer)?;
    Ok(serde_json::from_value(value).unwrap_or_default())
}

/// The `dist` object of a version.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct Dist {
    /// Tarball URL.
    pub tarball: String,
    /// Subresource-integrity string (usually `sha512-…`).
    pub integrity: Option<String>,
    /// Legacy hex SHA-1 of the tarball.
    pub shasum: Option<String>,
}

/// A package document: every version's metadata and the dist-tags.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct Packument {
    /// Package name.
    pub name: String,
    /// `latest`, `next`, … → version.
    #[serde(rename = "dist-tags")]
    pub dist_tags: HashMap<String, String>,
    /// Version string → metadata.
    pub versions: BTreeMap<String, VersionMeta>,
}

/// An HTTP client for one registry configuration.
#[derive(Clone)]
pub struct Registry {
    client: reqwest::Client,
    config: Arc<RegistryConfig>,
    backoff: Duration,
}

/// The URL of `name`'s package document under `registry` (scoped names keep `@` and
/// escape the `/`, as npm does).
pub fn packument_url(registry: &str, name: &str) -> String {
    format!("{registry}{}", name.replace('/', "%2f"))
}

impl Registry {
    /// A client for `config`; `backoff` is the first retry delay (doubled each attempt).
    pub fn new(config: RegistryConfig, backoff: Duration) -> Result<Self, RepoError> {
        let client = reqwest::Client::builder()
            .user_agent(concat!(
                "fnhost/",
                env!("CARGO_PKG_VERSION"),
                " (npm-compatible)"
            ))
            .connect_timeout(Duration::from_secs(10))
            .read_timeout(Duration::from_secs(30))
            .pool_max_idle_per_host(16)
            .build()
            .map_err(|e| RepoError::Network {
                url: config.default.clone(),
                message: e.to_string(),
            })?;
        Ok(Registry {
            client,
            config: Arc::new(config),
            backoff,
        })
    }

    /// The registry configuration in use.
    pub fn config(&self) -> &RegistryConfig {
        &self.config
    }

    /// Fetches `name`'s abbreviated package document.
    pub async fn packument(&self, name: &str) -> Result<Packument, RepoError> {
        let url = packument_url(self.config.for_package(name), name);
        let bytes = self.get(&url, Some(ABBREVIATED)).await?;
        match bytes {
            None => Err(RepoError::UnknownPackage {
                name: name.to_string(),
                registry: self.config.for_package(name).to_string(),
            }),
            Some(bytes) => serde_json::from_slice(&bytes).map_err(|e| RepoError::Network {
                url,
                message: format!("invalid package document: {e}"),
            }),
        }
    }

    /// Downloads a tarball.
    pub async fn tarball(&self, url: &str) -> Result<Vec<u8>, RepoError> {
        match self.get(url, None).await? {
            Some(bytes) => Ok(bytes),
            None => Err(RepoError::Network {
                url: url.to_string(),
                message: "404 Not Found".into(),
            }),
        }
    }

    /// GET with retries: `Ok(None)` on 404; retries connection errors, timeouts, 429 and 5xx.
    async fn get(&self, url: &str, accept: Option<&str>) -> Result<Option<Vec<u8>>, RepoError> {
        let mut delay = self.backoff;
        let mut last = String::new();
        for attempt in 1..=ATTEMPTS {
            let mut request = self.client.get(url);
            if let Some(accept) = accept {
                request = request.header(reqwest::header::ACCEPT, accept);
            }
            let retryable = match request.send().await {
                Ok(response) => {
                    let status = response.status();
                    if status.is_success() {
                        match response.bytes().await {
                            Ok(body) => return Ok(Some(body.to_vec())),
                            Err(e) => {
                                last = describe(&e);
                                true
                            }
                        }
                    } else if status == reqwest::StatusCode::NOT_FOUND {
                        return Ok(None);
                    } else {
                        last = format!("HTTP {status}");
                        status.is_server_error() || status == reqwest::StatusCode::TOO_MANY_REQUESTS
                    }
                }
                Err(e) => {
                    last = describe(&e);
                    // A certificate problem will not go away by asking again.
                    !last.contains("certificate")
                        && (e.is_timeout() || e.is_connect() || e.is_request() || e.is_body())
                }
            };
            if !retryable || attempt == ATTEMPTS {
                break;
            }
            tokio::time::sleep(delay).await;
            delay *= 2;
        }
        Err(RepoError::Network {
            url: url.to_string(),
            message: last,
        })
    }
}

fn describe(e: &reqwest::Error) -> String {
    use std::error::Error;
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scoped_names_escape_the_slash() {
        assert_eq!(
            packument_url("http://r/", "@openfn/language-http"),
            "http://r/@openfn%2flanguage-http"
        );
        assert_eq!(packument_url("http://r/", "lodash"), "http://r/lodash");
    }

    #[test]
    fn abbreviated_document_parses() {
        let doc = r#"{"name":"a","dist-tags":{"latest":"1.0.0"},"modified":"x","versions":{"1.0.0":{
            "name":"a","version":"1.0.0","dependencies":{"b":"^1"},"peerDependenciesMeta":{"c":{"optional":true}},
            "bundleDependencies":true,"deprecated":"","dist":{"tarball":"http://t","integrity":"sha512-xx","shasum":"ab"}}}}"#;
        let p: Packument = serde_json::from_str(doc).unwrap();
        let v = &p.versions["1.0.0"];
        assert_eq!(v.dependencies["b"], "^1");
        assert_eq!(v.bundled(), vec!["b".to_string()]);
        assert!(!v.is_deprecated());
        assert_eq!(p.dist_tags["latest"], "1.0.0");
    }

    #[test]
    fn odd_old_versions_do_not_break_the_document() {
        let doc = r#"{"name":"a","versions":{"0.0.1":{"name":"a","version":"0.0.1","dependencies":[],
            "os":"linux","cpu":null,"dist":{"tarball":"http://t","shasum":"ab"}}}}"#;
        let p: Packument = serde_json::from_str(doc).unwrap();
        assert!(p.versions["0.0.1"].dependencies.is_empty());
        assert!(p.versions["0.0.1"].os.is_empty());
    }
}
