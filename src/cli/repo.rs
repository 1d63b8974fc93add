//! `fnhost repo …` (install, list, clean, pwd) and the autoinstall step of `execute`: the
//! command-line face of [`crate::repo`].

use std::path::{Path, PathBuf};

use clap::{Args, Subcommand};

use crate::repo::install::{install, InstallOptions, InstallSpec};
use crate::repo::{self, AdaptorSpec};

/// Arguments of `fnhost repo`.
#[derive(Args, Debug)]
pub struct RepoArgs {
    #[command(subcommand)]
    command: RepoCommand,
    /// Directory holding installed adaptors (default `~/.fnhost/repo`).
    #[arg(long, env = "FNHOST_REPO_DIR", value_name = "DIR", global = true)]
    repo_dir: Option<PathBuf>,
    /// npm registry URL (default: `$FNHOST_REGISTRY`, the `registry=` of `.npmrc`, or npm's).
    #[arg(long, value_name = "URL", global = true)]
    registry: Option<String>,
}

#[derive(Subcommand, Debug)]
enum RepoCommand {
    /// Install adaptors and their dependencies: `common`, `http@7.2.10`, `@openfn/language-http@^7`.
    Install {
        /// Adaptor specs.
        #[arg(required = true, value_name = "SPEC")]
        specs: Vec<String>,
    },
    /// List installed adaptors.
    List,
    /// Remove every installed adaptor.
    Clean {
        /// Also empty the shared download cache.
        #[arg(long)]
        cache: bool,
    },
    /// Print the repo directory.
    Pwd,
}

/// Runs `fnhost repo …`; returns the exit code.
pub fn run(args: RepoArgs) -> i32 {
    let repo_dir = args.repo_dir.clone().unwrap_or_else(repo::default_repo_dir);
    match args.command {
        RepoCommand::Install { specs } => {
            let parsed: Result<Vec<InstallSpec>, _> =
                specs.iter().map(|s| InstallSpec::parse(s)).collect();
            let parsed = match parsed {
                Ok(p) => p,
                Err(e) => {
                    eprintln!("fnhost: {e}");
                    return 2;
                }
            };
            let options = InstallOptions::new(repo_dir, args.registry.as_deref());
            match install(&parsed, &options) {
                Ok(done) => {
                    for item in done {
                        if item.fresh {
                            println!(
                                "Installed {}@{} ({} dependencies) in {}",
                                item.name,
                                item.version,
                                item.dependencies,
                                item.dir.display()
                            );
                        } else {
                            println!(
                                "{}@{} is already installed in {}",
                                item.name,
                                item.version,
                                item.dir.display()
                            );
                        }
                    }
                    0
                }
                Err(e) => {
                    eprintln!("fnhost: {e}");
                    1
                }
            }
        }
        RepoCommand::List => {
            let listed = repo::list(&repo_dir);
            if listed.is_empty() {
                eprintln!("No adaptors installed in {}", repo_dir.display());
            }
            for item in listed {
                println!("{}@{}", item.name, item.version);
            }
            0
        }
        RepoCommand::Clean { cache } => {
            let mut result = repo::clean(&repo_dir).map_err(|e| e.to_string());
            if cache && result.is_ok() {
                let dir = repo::config::default_cache_dir();
                result = repo::tarball::ContentCache::new(&dir)
                    .clear()
                    .map_err(|e| format!("{}: {e}", dir.display()));
            }
            match result {
                Ok(()) => {
                    println!("Removed the adaptors in {}", repo_dir.display());
                    0
                }
                Err(e) => {
                    eprintln!("fnhost: {e}");
                    1
                }
            }
        }
        RepoCommand::Pwd => {
            println!("{}", repo_dir.display());
            0
        }
    }
}

/// The adaptor specs a run needs: `defaults` (`-a`), plus for a workflow file every step's
/// `adaptor`/`adaptors`.
fn wanted_specs(path: &Path, defaults: &[String]) -> Vec<String> {
    let mut specs = defaults.to_vec();
    if path.extension().and_then(|e| e.to_str()) == Some("json") {
        let doc: Option<serde_json::Value> = std::fs::read_to_string(path)
            .ok()
            .and_then(|t| serde_json::from_str(&t).ok());
        if let Some(doc) = doc {
            let steps = doc.pointer("/workflow/steps").or_else(|| doc.get("steps"));
            for step in steps.and_then(|s| s.as_array()).into_iter().flatten() {
                if let Some(a) = step.get("adaptor").and_then(|a| a.as_str()) {
                    specs.push(a.to_string());
                }
                for a in step
                    .get("adaptors")
                    .and_then(|a| a.as_array())
                    .into_iter()
                    .flatten()
                {
                    if let Some(a) = a.as_str() {
                        specs.push(a.to_string());
                    }
                }
            }
        }
    }
    specs
}

/// Installs every adaptor the job or workflow at `path` needs that the repo lacks. An
/// adaptor that is already installed (any version, for a version-less spec) costs no network.
pub fn autoinstall(
    path: &Path,
    defaults: &[String],
    repo_dir: &Path,
    registry: Option<&str>,
    log: &dyn Fn(&str, &str),
) -> Result<(), String> {
    let mut missing: Vec<InstallSpec> = Vec::new();
    for text in wanted_specs(path, defaults) {
        let Ok(spec) = AdaptorSpec::parse(&text) else {
            continue;
        };
        if spec.path.is_some() || repo::locate(&spec, repo_dir).is_ok() {
            continue;
        }
        let install_spec = InstallSpec::parse(&text).map_err(|e| e.to_string())?;
        if !missing.contains(&install_spec) {
            missing.push(install_spec);
        }
    }
    if missing.is_empty() {
        return Ok(());
    }
    let names: Vec<String> = missing.iter().map(|s| s.to_string()).collect();
    log("info", &format!("Auto-installing {}", names.join(", ")));
    let options = InstallOptions::new(repo_dir.to_path_buf(), registry);
    let done = install(&missing, &options).map_err(|e| format!("Auto-install failed: {e}"))?;
    for item in done.iter().filter(|d| d.fresh) {
        log(
            "success",
            &format!(
                "Installed {}@{} ({} dependencies)",
                item.name, item.version, item.dependencies
            ),
        );
    }
    Ok(())
}
