//! Who may read and steer the history: local users with roles, sign-in sessions, CSRF tokens
//! and per-user API tokens.
//!
//! - **Users** live in the store (`fnhost users add NAME --role viewer|editor|admin`), their
//!   passwords as argon2id PHC strings.
//! - **Roles**: `viewer` reads everything the UI and the API show; `editor` may also re-run,
//!   cancel and retry runs; `admin` may also manage users' tokens and credentials.
//! - **Sessions**: signing in at `/login` sets `fnhost_session` (random 256 bits; only its
//!   SHA-256 is stored), `HttpOnly; Secure; SameSite=Strict`, for 12 hours.
//! - **CSRF**: every state-changing request made with a session cookie must carry the
//!   session's token (the `csrf` form field or an `x-csrf-token` header), else 403; a request
//!   a browser marks `Sec-Fetch-Site: cross-site` is refused whatever it carries.
//! - **API tokens** (`Authorization: Bearer …`) are per user, random 256 bits, stored as
//!   SHA-256 (a token is not a password: it cannot be guessed, so a slow hash adds nothing).
//! - `--no-auth` (only when listening on a loopback address) makes every request an admin's.

use std::sync::Arc;

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use axum::body::{to_bytes, Body};
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use sha2::{Digest, Sha256};

use super::App;
use crate::store::{now_ms, Store, StoreError};

/// The session cookie's name.
pub const COOKIE: &str = "fnhost_session";
/// How long a session lasts.
pub const SESSION_MS: i64 = 12 * 3600 * 1000;
/// Largest form body the CSRF check reads.
const MAX_FORM_BYTES: usize = 1 << 20;

/// A user's role, each including the ones before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Role {
    /// Reads pages and the API.
    Viewer,
    /// Also re-runs, retries and cancels.
    Editor,
    /// Also manages credentials and tokens.
    Admin,
}

impl Role {
    /// The role named `name`.
    pub fn parse(name: &str) -> Option<Role> {
        match name {
            "viewer" => Some(Role::Viewer),
            "editor" => Some(Role::Editor),
            "admin" => Some(Role::Admin),
            _ => None,
        }
    }

    /// Its name.
    pub fn name(self) -> &'static str {
        match self {
            Role::Viewer => "viewer",
            Role::Editor => "editor",
            Role::Admin => "admin",
        }
    }
}

/// How the server checks requests.
#[derive(Debug, Clone, Default)]
pub struct AuthConfig {
    /// `--no-auth`: every request is an admin's (loopback only).
    pub disabled: bool,
    /// The server-wide `--api-token` (an admin's bearer token).
    pub api_token: Option<String>,
}

/// Who made a request (an extension set by [`middleware`]).
#[derive(Debug, Clone)]
pub struct Principal {
    /// The user's name (`local` without auth, `api-token` for the server-wide token).
    pub user: String,
    /// Their role.
    pub role: Role,
    /// The session's CSRF token, when the request came with a session cookie.
    pub csrf: Option<String>,
}

impl Principal {
    /// `Err(403)` unless the role is at least `role`.
    pub fn require(&self, role: Role) -> Result<(), Box<Response>> {
        if self.role >= role {
            Ok(())
        } else {
            Err(Box::new(
                (
                    StatusCode::FORBIDDEN,
                    [(header::CONTENT_TYPE, "application/json")],
                    serde_json::json!({"error": format!("this needs the {} role; {} is a {}", role.name(), self.user, self.role.name())}).to_string(),
                )
                    .into_response(),
            ))
        }
    }
}

/// The argon2id PHC string of `password`.
pub fn hash_password(password: &str) -> Result<String, String> {
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt).map_err(|e| format!("no randomness: {e}"))?;
    let salt = SaltString::encode_b64(&salt).map_err(|e| e.to_string())?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| e.to_string())
}

/// Whether `password` matches the PHC string `hash`.
pub fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash)
        .map(|h| {
            Argon2::default()
                .verify_password(password.as_bytes(), &h)
                .is_ok()
        })
        .unwrap_or(false)
}

/// 256 random bits, hex.
pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).expect("the system's randomness");
    hex(&bytes)
}

/// SHA-256 of `text`, hex (how session ids and API tokens are stored).
pub fn sha256_hex(text: &str) -> String {
    hex(&Sha256::digest(text.as_bytes()))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Makes a new API token for `user` (replacing theirs); the token, shown once.
pub async fn new_api_token(store: &Store, user: &str) -> Result<Option<String>, StoreError> {
    let token = format!("fnh_{}", random_token());
    Ok(store
        .set_token_hash(user, &sha256_hex(&token))
        .await?
        .then_some(token))
}

/// Signs `user` in when the password matches: the session id (for the cookie) and its CSRF
/// token.
pub async fn sign_in(
    store: &Store,
    user: &str,
    password: &str,
) -> Result<Option<(String, String)>, StoreError> {
    let Some(row) = store.user(user).await? else {
        // the same work as a real check, so a missing user takes as long as a wrong password
        let _ = verify_password(password, dummy_hash());
        return Ok(None);
    };
    if !verify_password(password, &row.password_hash) {
        return Ok(None);
    }
    let id = random_token();
    let csrf = random_token();
    store
        .create_session(&sha256_hex(&id), &row.name, &csrf, now_ms() + SESSION_MS)
        .await?;
    Ok(Some((id, csrf)))
}

/// An argon2id hash of a random password, checked against when a user does not exist.
fn dummy_hash() -> &'static str {
    static HASH: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    HASH.get_or_init(|| hash_password(&random_token()).unwrap_or_default())
}

/// The `Set-Cookie` value of a session.
pub fn session_cookie(id: &str) -> String {
    format!(
        "{COOKIE}={id}; Path=/; HttpOnly; Secure; SameSite=Strict; Max-Age={}",
        SESSION_MS / 1000
    )
}

/// The `Set-Cookie` value that ends a session in the browser.
pub fn clear_cookie() -> String {
    format!("{COOKIE}=; Path=/; HttpOnly; Secure; SameSite=Strict; Max-Age=0")
}

/// The session id a request's cookies carry.
pub fn cookie_session(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == COOKIE)
        .map(|(_, value)| value.to_string())
        .filter(|v| !v.is_empty())
}

/// Paths anyone may reach: the inbox, health, metrics, the sign-in page and static assets.
fn is_public(path: &str) -> bool {
    path.starts_with("/inbox/")
        || path == "/healthz"
        || path == "/metrics"
        || path == "/login"
        || path.starts_with("/static/")
}

fn unauthorized(path: &str) -> Response {
    if path.starts_with("/api/") {
        (
            StatusCode::UNAUTHORIZED,
            [
                (header::CONTENT_TYPE, "application/json"),
                (header::WWW_AUTHENTICATE, "Bearer"),
            ],
            serde_json::json!({"error": "sign in: a session cookie or `Authorization: Bearer <token>` (`fnhost users token NAME`)"}).to_string(),
        )
            .into_response()
    } else {
        let next: String = form_urlencoded::byte_serialize(path.as_bytes()).collect();
        Redirect::to(&format!("/login?next={next}")).into_response()
    }
}

fn forbidden(message: &str) -> Response {
    (
        StatusCode::FORBIDDEN,
        [(header::CONTENT_TYPE, "application/json")],
        serde_json::json!({ "error": message }).to_string(),
    )
        .into_response()
}

/// Finds who makes each request (session cookie, bearer token, or `--no-auth`), refuses it
/// when nobody (401 for `/api`, a redirect to `/login` for pages), and checks the CSRF token
/// of state-changing requests made with a session.
pub async fn middleware(State(app): State<Arc<App>>, request: Request, next: Next) -> Response {
    let path = request.uri().path().to_string();
    let changes = !matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    );
    if changes
        && !path.starts_with("/inbox/")
        && request
            .headers()
            .get("sec-fetch-site")
            .and_then(|v| v.to_str().ok())
            == Some("cross-site")
    {
        return forbidden("a cross-site request may not change anything here");
    }
    if is_public(&path) {
        return next.run(request).await;
    }
    let principal = match identify(&app, request.headers()).await {
        Ok(Some(p)) => p,
        Ok(None) => return unauthorized(&path),
        Err(e) => return super::inbox::error(StatusCode::SERVICE_UNAVAILABLE, e.to_string()),
    };
    let mut principal = principal;
    if app.auth.disabled && !path.starts_with("/api/") {
        // without sign-in, the UI's forms still carry the server's token (another site's
        // page cannot read it)
        principal.csrf = Some(app.local_csrf.clone());
    }
    let mut request = request;
    if changes {
        if let Some(expected) = principal.csrf.clone() {
            let (parts, body) = request.into_parts();
            let header_token = parts
                .headers
                .get("x-csrf-token")
                .and_then(|v| v.to_str().ok())
                .map(str::to_string);
            let bytes = match to_bytes(body, MAX_FORM_BYTES).await {
                Ok(b) => b,
                Err(_) => return forbidden("the form is too large"),
            };
            let form_token = form_urlencoded::parse(&bytes)
                .find(|(k, _)| k == "csrf")
                .map(|(_, v)| v.into_owned());
            let given = header_token.or(form_token);
            if !given.is_some_and(|g| constant_time_eq(g.as_bytes(), expected.as_bytes())) {
                return forbidden("missing or wrong CSRF token: reload the page and try again");
            }
            request = Request::from_parts(parts, Body::from(bytes));
        }
    }
    request.extensions_mut().insert(principal);
    next.run(request).await
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Who the headers say made the request, if anyone.
async fn identify(app: &App, headers: &HeaderMap) -> Result<Option<Principal>, StoreError> {
    if app.auth.disabled {
        return Ok(Some(Principal {
            user: "local".into(),
            role: Role::Admin,
            csrf: None,
        }));
    }
    let store = app.runner.store();
    if let Some(id) = cookie_session(headers) {
        if let Some(session) = store.session(&sha256_hex(&id)).await? {
            return Ok(Some(Principal {
                user: session.user,
                role: Role::parse(&session.role).unwrap_or(Role::Viewer),
                csrf: Some(session.csrf),
            }));
        }
    }
    let bearer = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim);
    if let Some(token) = bearer {
        if let Some(server_token) = &app.auth.api_token {
            if constant_time_eq(token.as_bytes(), server_token.as_bytes()) {
                return Ok(Some(Principal {
                    user: "api-token".into(),
                    role: Role::Admin,
                    csrf: None,
                }));
            }
        }
        if let Some(user) = store.user_by_token(&sha256_hex(token)).await? {
            return Ok(Some(Principal {
                user: user.name,
                role: Role::parse(&user.role).unwrap_or(Role::Viewer),
                csrf: None,
            }));
        }
    }
    Ok(None)
}

/// The CSRF token pages put in their forms for this request.
pub fn csrf_for(principal: &Principal, app: &App) -> String {
    principal
        .csrf
        .clone()
        .unwrap_or_else(|| app.local_csrf.clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_verify_only_against_their_hash() {
        let h = hash_password("correct horse").unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(verify_password("correct horse", &h));
        assert!(!verify_password("correct hors", &h));
        assert!(!verify_password("x", dummy_hash()));
    }

    #[test]
    fn roles_include_the_ones_below() {
        assert!(Role::Admin > Role::Editor && Role::Editor > Role::Viewer);
        assert_eq!(Role::parse("editor"), Some(Role::Editor));
        assert_eq!(Role::parse("root"), None);
    }

    #[test]
    fn the_session_cookie_is_read_among_others() {
        let mut h = HeaderMap::new();
        h.insert(
            header::COOKIE,
            "a=1; fnhost_session=abc; b=2".parse().unwrap(),
        );
        assert_eq!(cookie_session(&h).as_deref(), Some("abc"));
    }
}
