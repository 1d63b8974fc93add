//! Hashes, HMAC, PBKDF2 and secure random bytes for `node:crypto` and the Web Crypto subset
//! (`crypto.getRandomValues`, `randomUUID`, `subtle.digest`), computed in Rust.

use deno_core::op2;
use deno_core::JsBuffer;
use deno_error::JsErrorBox;
use hmac::{Hmac, Mac};
use sha2::Digest;

fn unknown(alg: &str) -> JsErrorBox {
    JsErrorBox::new(
        "Error",
        format!("ERR_CRYPTO_INVALID_DIGEST: Invalid digest: {alg}"),
    )
}

fn normalise(alg: &str) -> String {
    alg.to_ascii_lowercase()
        .replace("rsa-", "")
        .replace("sha-", "sha")
}

/// Hashes `data` with `alg` (md5, sha1, sha224, sha256, sha384, sha512, sha512-256).
pub fn digest(alg: &str, data: &[u8]) -> Result<Vec<u8>, JsErrorBox> {
    Ok(match normalise(alg).as_str() {
        "md5" => md5::Md5::digest(data).to_vec(),
        "sha1" => sha1::Sha1::digest(data).to_vec(),
        "sha224" => sha2::Sha224::digest(data).to_vec(),
        "sha256" => sha2::Sha256::digest(data).to_vec(),
        "sha384" => sha2::Sha384::digest(data).to_vec(),
        "sha512" => sha2::Sha512::digest(data).to_vec(),
        "sha512-256" => sha2::Sha512_256::digest(data).to_vec(),
        _ => return Err(unknown(alg)),
    })
}

fn mac<M: Mac + hmac::digest::KeyInit>(key: &[u8], data: &[u8]) -> Vec<u8> {
    let mut m =
        <M as hmac::digest::KeyInit>::new_from_slice(key).expect("HMAC takes keys of any length");
    m.update(data);
    m.finalize().into_bytes().to_vec()
}

/// HMAC of `data` under `key` with `alg`.
pub fn hmac_digest(alg: &str, key: &[u8], data: &[u8]) -> Result<Vec<u8>, JsErrorBox> {
    Ok(match normalise(alg).as_str() {
        "md5" => mac::<Hmac<md5::Md5>>(key, data),
        "sha1" => mac::<Hmac<sha1::Sha1>>(key, data),
        "sha224" => mac::<Hmac<sha2::Sha224>>(key, data),
        "sha256" => mac::<Hmac<sha2::Sha256>>(key, data),
        "sha384" => mac::<Hmac<sha2::Sha384>>(key, data),
        "sha512" => mac::<Hmac<sha2::Sha512>>(key, data),
        _ => return Err(unknown(alg)),
    })
}

/// Returns the digest of `data`.
#[op2]
#[buffer]
pub fn op_crypto_hash(
    #[string] alg: &str,
    #[buffer] data: JsBuffer,
) -> Result<Vec<u8>, JsErrorBox> {
    digest(alg, &data)
}

/// Returns the HMAC of `data` under `key`.
#[op2]
#[buffer]
pub fn op_crypto_hmac(
    #[string] alg: &str,
    #[buffer] key: JsBuffer,
    #[buffer] data: JsBuffer,
) -> Result<Vec<u8>, JsErrorBox> {
    hmac_digest(alg, &key, &data)
}

/// PBKDF2 with HMAC-`alg`.
#[op2]
#[buffer]
pub fn op_crypto_pbkdf2(
    #[buffer] password: JsBuffer,
    #[buffer] salt: JsBuffer,
    iterations: u32,
    keylen: u32,
    #[string] alg: &str,
) -> Result<Vec<u8>, JsErrorBox> {
    let mut out = vec![0u8; keylen as usize];
    let (p, s) = (&password[..], &salt[..]);
    match normalise(alg).as_str() {
        "md5" => pbkdf2::pbkdf2_hmac::<md5::Md5>(p, s, iterations, &mut out),
        "sha1" => pbkdf2::pbkdf2_hmac::<sha1::Sha1>(p, s, iterations, &mut out),
        "sha224" => pbkdf2::pbkdf2_hmac::<sha2::Sha224>(p, s, iterations, &mut out),
        "sha256" => pbkdf2::pbkdf2_hmac::<sha2::Sha256>(p, s, iterations, &mut out),
        "sha384" => pbkdf2::pbkdf2_hmac::<sha2::Sha384>(p, s, iterations, &mut out),
        "sha512" => pbkdf2::pbkdf2_hmac::<sha2::Sha512>(p, s, iterations, &mut out),
        _ => return Err(unknown(alg)),
    }
    Ok(out)
}

/// Fills `buf` with cryptographically secure random bytes.
#[op2(fast)]
pub fn op_crypto_random_fill(#[buffer] buf: &mut [u8]) -> Result<(), JsErrorBox> {
    getrandom::fill(buf).map_err(|e| JsErrorBox::generic(format!("no secure random source: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(b: &[u8]) -> String {
        b.iter().map(|x| format!("{x:02x}")).collect()
    }

    #[test]
    fn known_vectors() {
        assert_eq!(
            hex(&digest("md5", b"abc").unwrap()),
            "900150983cd24fb0d6963f7d28e17f72"
        );
        assert_eq!(
            hex(&digest("sha1", b"abc").unwrap()),
            "a9993e364706816aba3e25717850c26c9cd0d89d"
        );
        assert_eq!(
            hex(&digest("SHA-256", b"abc").unwrap()),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(
            hex(&hmac_digest(
                "sha256",
                b"key",
                b"The quick brown fox jumps over the lazy dog"
            )
            .unwrap()),
            "f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8"
        );
        assert!(digest("whirlpool", b"x").is_err());
    }
}
