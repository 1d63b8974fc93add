//! The credential store: named credentials (JSON values) encrypted at rest in the store with
//! AES-256-GCM, referenced by name from jobs (`credential: NAME`) before the project file's
//! inline `credentials:` map.
//!
//! The key (32 bytes) comes from `FNHOST_CREDENTIALS_KEY` (64 hex digits or base64) or from the
//! file `FNHOST_CREDENTIALS_KEY_FILE` names (the same text); it never enters the store: each row
//! keeps the key's fingerprint (`key_id`, the first 16 hex digits of its SHA-256) so a wrong key
//! is named as such. Each value has its own random 96-bit nonce, and the credential's name is
//! the additional authenticated data, so a ciphertext moved to another name does not decrypt.
//! `fnhost credentials rotate-key` re-encrypts every row under a new key in one transaction.
//!
//! Values are secrets: [`secret_strings`] lists the strings of a credential and [`scrub`]
//! replaces them in any text a page, an API answer or a log shows.

use std::sync::OnceLock;

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use base64::Engine as _;
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::store::{now_ms, CredentialRow, Store};

/// The environment variable holding the key.
pub const KEY_ENV: &str = "FNHOST_CREDENTIALS_KEY";
/// The environment variable naming a file holding the key.
pub const KEY_FILE_ENV: &str = "FNHOST_CREDENTIALS_KEY_FILE";

/// An encryption key for the credential store.
#[derive(Clone)]
pub struct Vault {
    key: [u8; 32],
    key_id: String,
}

impl std::fmt::Debug for Vault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Vault({})", self.key_id)
    }
}

impl Vault {
    /// A vault of the key `text` (64 hex digits, or base64 of 32 bytes; surrounding white
    /// space ignored).
    pub fn from_key_text(text: &str) -> Result<Vault, String> {
        let text = text.trim();
        let bytes = if text.len() == 64 && text.chars().all(|c| c.is_ascii_hexdigit()) {
            (0..32)
                .map(|i| u8::from_str_radix(&text[2 * i..2 * i + 2], 16))
                .collect::<Result<Vec<u8>, _>>()
                .map_err(|e| e.to_string())?
        } else {
            base64::engine::general_purpose::STANDARD
                .decode(text)
                .map_err(|_| "the credential key is neither 64 hex digits nor base64".to_string())?
        };
        let key: [u8; 32] = bytes.try_into().map_err(|b: Vec<u8>| {
            format!("the credential key is {} bytes; it must be 32", b.len())
        })?;
        let key_id = Sha256::digest(key)
            .iter()
            .take(8)
            .map(|b| format!("{b:02x}"))
            .collect();
        Ok(Vault { key, key_id })
    }

    /// The vault of `FNHOST_CREDENTIALS_KEY` or `FNHOST_CREDENTIALS_KEY_FILE`, or of
    /// `key_file` when given; `Ok(None)` when no key is configured.
    pub fn from_env(key_file: Option<&std::path::Path>) -> Result<Option<Vault>, String> {
        if let Some(path) = key_file {
            return read_key_file(path).map(Some);
        }
        if let Ok(text) = std::env::var(KEY_ENV) {
            return Vault::from_key_text(&text)
                .map(Some)
                .map_err(|e| format!("{KEY_ENV}: {e}"));
        }
        if let Some(path) = std::env::var_os(KEY_FILE_ENV) {
            return read_key_file(std::path::Path::new(&path)).map(Some);
        }
        Ok(None)
    }

    /// A new random key, as 64 hex digits.
    pub fn generate_key() -> String {
        let mut key = [0u8; 32];
        getrandom::fill(&mut key).expect("the system's randomness");
        key.iter().map(|b| format!("{b:02x}")).collect()
    }

    /// The key's fingerprint.
    pub fn key_id(&self) -> &str {
        &self.key_id
    }

    /// `value` encrypted as the row of credential `name`.
    pub fn seal(&self, name: &str, value: &Value, by: &str) -> Result<CredentialRow, String> {
        let cipher = Aes256Gcm::new_from_slice(&self.key).map_err(|e| e.to_string())?;
        let mut nonce = [0u8; 12];
        getrandom::fill(&mut nonce).map_err(|e| format!("no randomness: {e}"))?;
        let plain = serde_json::to_vec(value).map_err(|e| e.to_string())?;
        let sealed = cipher
            .encrypt(
                Nonce::from_slice(&nonce),
                Payload {
                    msg: &plain,
                    aad: name.as_bytes(),
                },
            )
            .map_err(|_| "cannot encrypt".to_string())?;
        let b64 = base64::engine::general_purpose::STANDARD;
        Ok(CredentialRow {
            name: name.to_string(),
            key_id: self.key_id.clone(),
            nonce: b64.encode(nonce),
            ciphertext: b64.encode(sealed),
            updated_at: now_ms(),
            updated_by: by.to_string(),
        })
    }

    /// The value of a row this key sealed.
    pub fn open(&self, row: &CredentialRow) -> Result<Value, String> {
        if row.key_id != self.key_id {
            return Err(format!(
                "credential `{}` was encrypted with key {}, not with this key ({})",
                row.name, row.key_id, self.key_id
            ));
        }
        let b64 = base64::engine::general_purpose::STANDARD;
        let nonce = b64.decode(&row.nonce).map_err(|e| e.to_string())?;
        let sealed = b64.decode(&row.ciphertext).map_err(|e| e.to_string())?;
        if nonce.len() != 12 {
            return Err(format!("credential `{}` has a bad nonce", row.name));
        }
        let cipher = Aes256Gcm::new_from_slice(&self.key).map_err(|e| e.to_string())?;
        let plain = cipher
            .decrypt(
                Nonce::from_slice(&nonce),
                Payload {
                    msg: &sealed,
                    aad: row.name.as_bytes(),
                },
            )
            .map_err(|_| {
                format!(
                    "credential `{}` does not decrypt: tampered with or moved",
                    row.name
                )
            })?;
        serde_json::from_slice(&plain).map_err(|e| e.to_string())
    }

    /// Stores credential `name`.
    pub async fn set(
        &self,
        store: &Store,
        name: &str,
        value: &Value,
        by: &str,
    ) -> Result<(), String> {
        if name.trim().is_empty() {
            return Err("a credential needs a name".into());
        }
        let row = self.seal(name, value, by)?;
        store.put_credential(&row).await.map_err(String::from)
    }

    /// The value of credential `name`, when stored.
    pub async fn get(&self, store: &Store, name: &str) -> Result<Option<Value>, String> {
        match store.credential(name).await.map_err(String::from)? {
            Some(row) => self.open(&row).map(Some),
            None => Ok(None),
        }
    }

    /// Every stored credential's value (those this key opens).
    pub async fn all_values(&self, store: &Store) -> Result<Vec<Value>, String> {
        let rows = store.credentials().await.map_err(String::from)?;
        Ok(rows.iter().filter_map(|r| self.open(r).ok()).collect())
    }

    /// Re-encrypts every credential under `new` in one transaction; how many. A row this key
    /// cannot open stops the rotation before anything is written.
    pub async fn rotate(&self, store: &Store, new: &Vault) -> Result<usize, String> {
        let rows = store.credentials().await.map_err(String::from)?;
        let mut resealed = Vec::new();
        for row in &rows {
            let value = self.open(row)?;
            let mut sealed = new.seal(&row.name, &value, &row.updated_by)?;
            sealed.updated_at = row.updated_at;
            resealed.push(sealed);
        }
        store
            .replace_credentials(&resealed)
            .await
            .map_err(String::from)?;
        Ok(resealed.len())
    }
}

fn read_key_file(path: &std::path::Path) -> Result<Vault, String> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        format!(
            "cannot read the credential key file {}: {e}",
            path.display()
        )
    })?;
    Vault::from_key_text(&text).map_err(|e| format!("{}: {e}", path.display()))
}

static INSTALLED: OnceLock<Vault> = OnceLock::new();

/// Makes `vault` the one runs of this process look credentials up in.
pub fn install(vault: Vault) {
    let _ = INSTALLED.set(vault);
}

/// The vault runs look credentials up in, when the server has a key.
pub fn installed() -> Option<&'static Vault> {
    INSTALLED.get()
}

/// Credential `name` from the installed vault's store (`Ok(None)` without a vault or such a
/// row; an error when the row does not decrypt).
pub async fn lookup(store: &Store, name: &str) -> Result<Option<Value>, String> {
    match installed() {
        Some(vault) => vault.get(store, name).await,
        None => Ok(None),
    }
}

/// Fields of a credential that name where and as whom to connect rather than hold a secret:
/// their values stay visible (a job may copy `username` into its output).
const PUBLIC_FIELDS: [&str; 14] = [
    "username",
    "user",
    "email",
    "host",
    "hosturl",
    "baseurl",
    "url",
    "instanceurl",
    "loginurl",
    "server",
    "database",
    "port",
    "domain",
    "apiversion",
];

/// Pushes the strings of `value` worth hiding to `out`: every string leaf of 4 characters or
/// more and every number of 6 digits or more, except the values of [`PUBLIC_FIELDS`].
pub fn secret_strings(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::String(s) if s.chars().count() >= 4 => out.push(s.clone()),
        Value::Number(n) if n.to_string().len() >= 6 => out.push(n.to_string()),
        Value::Array(items) => items.iter().for_each(|v| secret_strings(v, out)),
        Value::Object(map) => map
            .iter()
            .filter(|(k, _)| !PUBLIC_FIELDS.contains(&k.to_ascii_lowercase().as_str()))
            .for_each(|(_, v)| secret_strings(v, out)),
        _ => {}
    }
}

/// `text` with every secret (as is, and as it reads inside a JSON string) replaced by `****`.
pub fn scrub(text: &str, secrets: &[String]) -> String {
    let mut out = text.to_string();
    for s in secrets {
        if s.is_empty() {
            continue;
        }
        if out.contains(s.as_str()) {
            out = out.replace(s.as_str(), "****");
        }
        let escaped = serde_json::to_string(s).unwrap_or_default();
        let escaped = &escaped[1..escaped.len().saturating_sub(1).max(1)];
        if escaped != s && !escaped.is_empty() && out.contains(escaped) {
            out = out.replace(escaped, "****");
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn values_round_trip_and_only_under_their_key_and_name() {
        let v = Vault::from_key_text(&Vault::generate_key()).unwrap();
        let value = json!({"username": "u", "password": "hunter2-very-secret"});
        let row = v.seal("kobo", &value, "admin").unwrap();
        assert!(!row.ciphertext.contains("hunter2"));
        assert_eq!(v.open(&row).unwrap(), value);
        let other = Vault::from_key_text(&Vault::generate_key()).unwrap();
        assert!(other.open(&row).unwrap_err().contains("encrypted with key"));
        let mut moved = row.clone();
        moved.name = "other".into();
        assert!(v.open(&moved).unwrap_err().contains("does not decrypt"));
        let mut tampered = row.clone();
        let mut bytes = base64::engine::general_purpose::STANDARD
            .decode(&tampered.ciphertext)
            .unwrap();
        bytes[0] ^= 1;
        tampered.ciphertext = base64::engine::general_purpose::STANDARD.encode(bytes);
        assert!(v.open(&tampered).is_err());
    }

    #[test]
    fn keys_are_read_as_hex_or_base64_of_32_bytes() {
        let hex = "00".repeat(32);
        let b64 = base64::engine::general_purpose::STANDARD.encode([0u8; 32]);
        assert_eq!(
            Vault::from_key_text(&hex).unwrap().key_id(),
            Vault::from_key_text(&b64).unwrap().key_id()
        );
        assert!(Vault::from_key_text("abcd").unwrap_err().contains("32"));
    }

    #[test]
    fn scrub_hides_secrets_also_inside_json_strings() {
        let mut s = Vec::new();
        secret_strings(
            &json!({"password": "pa\"ss-word", "port": 5432, "id": 1234567}),
            &mut s,
        );
        assert_eq!(s, vec!["pa\"ss-word".to_string(), "1234567".to_string()]);
        assert_eq!(scrub("x pa\"ss-word y", &s), "x **** y");
        assert_eq!(scrub(r#"{"p":"pa\"ss-word"}"#, &s), r#"{"p":"****"}"#);
    }
}
