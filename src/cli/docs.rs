//! `fnhost docs ADAPTOR [FUNCTION]`: an adaptor's functions, or one function's signature,
//! description and examples, printed as OpenFn's `openfn docs` prints them (or as JSON with
//! `--json`). Read offline from the installed adaptor's `ast.json`, or from the JSDoc of its
//! source when it has none, with `--from-source`, or in the monorepo ([`crate::repo::docs`]).

use std::path::PathBuf;

use clap::Args;

use crate::repo::docs::{FunctionDoc, PackageDocs};
use crate::repo::AdaptorSpec;

/// Arguments of `fnhost docs`.
#[derive(Args, Debug)]
pub struct DocsArgs {
    /// Adaptor: `common`, `http@7.2.10`, `@openfn/language-http`, or `NAME=DIR`.
    adaptor: String,
    /// A function to describe; without it, every function is listed.
    function: Option<String>,
    /// Print JSON (the package's functions, or the one function) for tools.
    #[arg(long)]
    json: bool,
    /// Directory holding installed adaptors.
    #[arg(long, env = "FNHOST_REPO_DIR", value_name = "DIR")]
    repo_dir: Option<PathBuf>,
    /// Read the JSDoc of the adaptor's source (`src/`) even when it has an `ast.json`.
    #[arg(long)]
    from_source: bool,
    /// The adaptor is in the adaptors monorepo named by `$OPENFN_ADAPTORS_REPO` (read from
    /// source).
    #[arg(short = 'm', long = "use-adaptors-monorepo")]
    use_monorepo: bool,
    /// The adaptor is in the adaptors monorepo at DIR (read from source).
    #[arg(long, value_name = "DIR", num_args = 0..=1, default_missing_value = "")]
    monorepo: Option<PathBuf>,
}

/// Runs `fnhost docs`; returns the exit code.
pub fn run(args: DocsArgs) -> i32 {
    let monorepo = match super::monorepo_dir(&args.monorepo, args.use_monorepo) {
        Ok(dir) => dir,
        Err(e) => return e.report(),
    };
    match docs(&args, monorepo) {
        Ok(()) => 0,
        Err(message) => {
            eprintln!("[CLI] ✘ {message}");
            1
        }
    }
}

fn docs(args: &DocsArgs, monorepo: Option<PathBuf>) -> Result<(), String> {
    let mut spec = AdaptorSpec::parse(&args.adaptor)?;
    let repo_dir = args
        .repo_dir
        .clone()
        .unwrap_or_else(crate::repo::default_repo_dir);
    if let (Some(root), None) = (&monorepo, &spec.path) {
        spec.path = Some(crate::runtime::from_source::monorepo_package(
            root, &spec.name,
        ));
    }
    let found = crate::repo::locate(&spec, &repo_dir)?;
    let mut docs = PackageDocs::load(&found.dir, args.from_source || monorepo.is_some())?;
    if docs.name.is_empty() {
        docs.name = spec.name.clone();
    }
    let Some(name) = &args.function else {
        if args.json {
            println!("{}", to_json(&docs)?);
        } else {
            eprintln!("[CLI] ♦ Available functions:\n");
            println!("{}", describe_package(&docs));
            eprintln!(
                "[CLI] ♦ For more details on a specfic functions, use:\n    \n    fnhost docs {} <fn>\n",
                docs.name
            );
        }
        return Ok(());
    };
    let Some(function) = docs.function(name) else {
        let message = format!("Failed to find {name} in {}", docs.name);
        if args.json {
            // fnhost's own output for tools: an error
            return Err(message);
        }
        // OpenFn's CLI logs the error, prints its missing description as `undefined` and
        // exits 0: the same here
        eprintln!("[CLI] ✘ {message}");
        println!("undefined");
        return Ok(());
    };
    if args.json {
        println!("{}", to_json(function)?);
    } else {
        println!("{}", describe_function(&docs.name, function));
    }
    Ok(())
}

fn to_json(value: &impl serde::Serialize) -> Result<String, String> {
    serde_json::to_string_pretty(value).map_err(|e| e.to_string())
}

/// The list OpenFn's `describeLib` prints: a heading, then `  name (params)` sorted.
fn describe_package(docs: &PackageDocs) -> String {
    let mut lines: Vec<String> = docs
        .functions
        .iter()
        .map(|f| format!("  {} ({})", f.name, param_names(f, ", ")))
        .collect();
    lines.sort();
    format!(
        "## {} {}\n\n{}\n",
        docs.name,
        docs.version,
        lines.join("\n")
    )
}

/// One function as OpenFn's `describeFn` prints it.
fn describe_function(package: &str, f: &FunctionDoc) -> String {
    let examples = if f.examples.is_empty() {
        "None".to_string()
    } else {
        f.examples
            .iter()
            .map(|e| match &e.caption {
                Some(caption) => format!("{caption}:\n{}", e.code),
                None => e.code.clone(),
            })
            .collect::<Vec<_>>()
            .join("\n\n")
    };
    let short = package.strip_prefix("@openfn/language-").unwrap_or(package);
    [
        format!("## {}({})", f.name, param_names(f, ",")),
        f.description.clone(),
        "### Usage Examples".to_string(),
        examples,
        "### API Reference".to_string(),
        format!(
            "https://docs.openfn.org/adaptors/packages/{short}-docs#{}\n",
            f.name
        ),
    ]
    .join("\n\n")
}

fn param_names(f: &FunctionDoc, sep: &str) -> String {
    f.parameters
        .iter()
        .map(|p| p.name.as_str())
        .collect::<Vec<_>>()
        .join(sep)
}
