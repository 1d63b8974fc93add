//! `fnhost users add|list|token` and `fnhost credentials set|list|rotate-key|generate-key`:
//! the history's people and the encrypted credential store, managed on the store directly.

use std::path::PathBuf;

use clap::{Args, Subcommand};
use serde_json::Value;

use crate::credentials::Vault;
use crate::server::auth::{hash_password, new_api_token, Role};
use crate::store::Store;

/// `fnhost users`.
#[derive(Args, Debug)]
pub struct UsersArgs {
    #[command(subcommand)]
    command: UsersCommand,
    /// The store (`sqlite://PATH` or `postgres://…`).
    #[arg(
        long,
        env = "FNHOST_DATABASE",
        value_name = "URL",
        global = true,
        default_value = "sqlite://fnhost.db"
    )]
    database: String,
}

#[derive(Subcommand, Debug)]
enum UsersCommand {
    /// Add a user (or set their password and role); the password is read from
    /// `FNHOST_PASSWORD` or the first line of standard input.
    Add {
        /// The sign-in name.
        name: String,
        /// `viewer` (reads), `editor` (also re-runs and cancels) or `admin`.
        #[arg(long, default_value = "viewer")]
        role: String,
    },
    /// List users and their roles.
    List,
    /// Make a new API token for a user (printed once; replaces their previous one).
    Token {
        /// The user.
        name: String,
    },
}

/// `fnhost credentials`.
#[derive(Args, Debug)]
pub struct CredentialsArgs {
    #[command(subcommand)]
    command: CredentialsCommand,
    /// The store (`sqlite://PATH` or `postgres://…`).
    #[arg(
        long,
        env = "FNHOST_DATABASE",
        value_name = "URL",
        global = true,
        default_value = "sqlite://fnhost.db"
    )]
    database: String,
    /// The key file (else `FNHOST_CREDENTIALS_KEY` or `FNHOST_CREDENTIALS_KEY_FILE`).
    #[arg(long, value_name = "FILE", global = true)]
    key_file: Option<PathBuf>,
}

#[derive(Subcommand, Debug)]
enum CredentialsCommand {
    /// Store a credential (a JSON value, from FILE or standard input), encrypted.
    Set {
        /// Its name, as jobs refer to it (`credential: NAME`).
        name: String,
        /// The JSON file (`-` or nothing: standard input).
        file: Option<PathBuf>,
        /// Who is changing it (shown in the history).
        #[arg(long, default_value = "cli")]
        by: String,
    },
    /// List the credentials' names, key and last change (never their values).
    List,
    /// Re-encrypt every credential under a new key (in one transaction).
    RotateKey {
        /// The new key's file (64 hex digits or base64 of 32 bytes).
        #[arg(long, value_name = "FILE")]
        new_key_file: PathBuf,
    },
    /// Print a new random key (64 hex digits) to put in a key file.
    GenerateKey,
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime")
}

fn finish(result: Result<(), String>, what: &str) -> i32 {
    match result {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("fnhost {what}: {e}");
            1
        }
    }
}

fn read_password() -> Result<String, String> {
    if let Ok(p) = std::env::var("FNHOST_PASSWORD") {
        return Ok(p);
    }
    let mut line = String::new();
    std::io::stdin()
        .read_line(&mut line)
        .map_err(|e| format!("cannot read the password: {e}"))?;
    let line = line.trim_end_matches(['\n', '\r']).to_string();
    if line.is_empty() {
        return Err("no password: set FNHOST_PASSWORD or give it on standard input".into());
    }
    Ok(line)
}

/// `fnhost users`.
pub fn users(args: UsersArgs) -> i32 {
    let result = runtime().block_on(async {
        let store = Store::open(&args.database).await.map_err(String::from)?;
        match args.command {
            UsersCommand::Add { name, role } => {
                let role = Role::parse(&role)
                    .ok_or_else(|| format!("`{role}` is not a role: viewer, editor or admin"))?;
                if name.trim().is_empty() || name.contains(char::is_whitespace) {
                    return Err("a user name has no spaces and is not empty".into());
                }
                let password = read_password()?;
                if password.chars().count() < 8 {
                    return Err("the password needs 8 characters or more".into());
                }
                store
                    .put_user(&name, &hash_password(&password)?, role.name())
                    .await
                    .map_err(String::from)?;
                println!("user {name} ({})", role.name());
                Ok(())
            }
            UsersCommand::List => {
                for u in store.users().await.map_err(String::from)? {
                    println!(
                        "{:<24} {:<7} {}",
                        u.name,
                        u.role,
                        if u.token_hash.is_some() {
                            "has an API token"
                        } else {
                            ""
                        }
                    );
                }
                Ok(())
            }
            UsersCommand::Token { name } => {
                match new_api_token(&store, &name).await.map_err(String::from)? {
                    Some(token) => {
                        println!("{token}");
                        Ok(())
                    }
                    None => Err(format!("no user {name}")),
                }
            }
        }
    });
    finish(result, "users")
}

/// `fnhost credentials`.
pub fn credentials(args: CredentialsArgs) -> i32 {
    if let CredentialsCommand::GenerateKey = args.command {
        println!("{}", Vault::generate_key());
        return 0;
    }
    let result = runtime().block_on(async {
        let vault = Vault::from_env(args.key_file.as_deref())?.ok_or_else(|| {
            "no key: give --key-file FILE, or set FNHOST_CREDENTIALS_KEY or FNHOST_CREDENTIALS_KEY_FILE (`fnhost credentials generate-key` makes one)".to_string()
        })?;
        let store = Store::open(&args.database).await.map_err(String::from)?;
        match args.command {
            CredentialsCommand::Set { name, file, by } => {
                let text = match file {
                    Some(p) if p.as_os_str() != "-" => std::fs::read_to_string(&p)
                        .map_err(|e| format!("cannot read {}: {e}", p.display()))?,
                    _ => {
                        use std::io::Read;
                        let mut t = String::new();
                        std::io::stdin()
                            .read_to_string(&mut t)
                            .map_err(|e| format!("cannot read standard input: {e}"))?;
                        t
                    }
                };
                let value: Value = serde_json::from_str(&text)
                    .map_err(|e| format!("the credential is not JSON: {e}"))?;
                vault.set(&store, &name, &value, &by).await?;
                println!("credential {name} stored (key {})", vault.key_id());
                Ok(())
            }
            CredentialsCommand::List => {
                for c in store.credentials().await.map_err(String::from)? {
                    println!(
                        "{:<24} key {}  changed {} by {}",
                        c.name,
                        c.key_id,
                        crate::server::ui::format_time(c.updated_at),
                        c.updated_by
                    );
                }
                Ok(())
            }
            CredentialsCommand::RotateKey { new_key_file } => {
                let text = std::fs::read_to_string(&new_key_file)
                    .map_err(|e| format!("cannot read {}: {e}", new_key_file.display()))?;
                let new = Vault::from_key_text(&text)?;
                let n = vault.rotate(&store, &new).await?;
                println!(
                    "{n} credential(s) re-encrypted from key {} to key {}",
                    vault.key_id(),
                    new.key_id()
                );
                Ok(())
            }
            CredentialsCommand::GenerateKey => Ok(()),
        }
    });
    finish(result, "credentials")
}
