//! The history UI's queries: message search with keyset paging, inbox traffic, and the rows
//! of users, sign-in sessions and encrypted credentials.
//!
//! Messages are listed newest first, keyed by the message id (time-ordered UUIDv7, so
//! `id < cursor` walks the primary key — or the `(inbox, id)` index for one inbox — and a deep
//! page costs what the first one does); a date range becomes an id range too. A search (text
//! and/or JSON fragment) reads at most [`MessageQuery::scan_limit`] of those rows per page
//! (the window): when the window ends before the page is full, the page says so
//! ([`MessagePage::scan_bound_hit`]) and hands back a cursor to keep searching older
//! messages, so no page costs more than its window, however rare the match.
//!
//! Within the window, SQL decides the text (a substring of the body, case-insensitive for
//! ASCII letters on both back-ends) and narrows a fragment search to bodies holding each of the
//! fragment's keys and strings as written JSON strings (or any escape); the fragment itself is
//! decided in Rust by [`crate::triggers::contains`] — exactly the containment message filters
//! use, PostgreSQL's `jsonb @>`, on both back-ends.

use serde_json::Value;
use sqlx::Row;

use super::{message_from_row, now_ms, Message, Store, StoreError};

/// What to look for among messages.
#[derive(Debug, Clone, Default)]
pub struct MessageQuery {
    /// Only this inbox.
    pub inbox: Option<String>,
    /// Only bodies containing this text (case-insensitive for ASCII letters).
    pub text: Option<String>,
    /// Only bodies that contain this JSON fragment (`jsonb @>` semantics).
    pub fragment: Option<Value>,
    /// Received at or after (epoch ms).
    pub from_ms: Option<i64>,
    /// Received before (epoch ms).
    pub to_ms: Option<i64>,
    /// Older than this message id (the previous page's cursor).
    pub before: Option<String>,
    /// Messages per page.
    pub limit: usize,
    /// Rows a fragment search may read for one page before it stops and hands back a cursor.
    pub scan_limit: usize,
}

/// A page of messages.
#[derive(Debug, Clone)]
pub struct MessagePage {
    /// The messages, newest first.
    pub messages: Vec<Message>,
    /// Where the next (older) page starts, when there may be one.
    pub next: Option<String>,
    /// Rows read to fill this page.
    pub scanned: usize,
    /// The fragment search stopped at its scan bound before filling the page.
    pub scan_bound_hit: bool,
}

/// An inbox's recent traffic.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Traffic {
    /// The inbox's name.
    pub inbox: String,
    /// Messages received since the window's start.
    pub count: i64,
    /// When the newest of them arrived (epoch ms).
    pub last: Option<i64>,
}

/// A local user.
#[derive(Debug, Clone)]
pub struct UserRow {
    /// The sign-in name.
    pub name: String,
    /// The argon2 PHC string of the password.
    pub password_hash: String,
    /// `viewer`, `editor` or `admin`.
    pub role: String,
    /// SHA-256 (hex) of the user's API token, when one was made.
    pub token_hash: Option<String>,
    /// When the user was made (epoch ms).
    pub created_at: i64,
}

/// A sign-in session.
#[derive(Debug, Clone)]
pub struct SessionRow {
    /// Who signed in.
    pub user: String,
    /// Their role.
    pub role: String,
    /// The CSRF token forms of this session carry.
    pub csrf: String,
    /// When it ends (epoch ms).
    pub expires_at: i64,
}

/// An encrypted credential as stored.
#[derive(Debug, Clone)]
pub struct CredentialRow {
    /// Its name, as jobs refer to it.
    pub name: String,
    /// Which key encrypted it (a fingerprint, not the key).
    pub key_id: String,
    /// The AES-GCM nonce, base64.
    pub nonce: String,
    /// The ciphertext with its tag, base64.
    pub ciphertext: String,
    /// When it last changed (epoch ms).
    pub updated_at: i64,
    /// Who last changed it.
    pub updated_by: String,
}

const MESSAGE_COLUMNS: &str =
    "id, inbox, received_at, body, headers, method, path, query, idempotency_key";

/// The UUIDv7 prefix (`xxxxxxxx-xxxx`, the 48-bit millisecond time) of ids made at `ms`: ids
/// compare as strings in time order, so a date bound becomes a primary-key range.
fn id_prefix(ms: i64) -> String {
    let ms = ms.clamp(0, (1i64 << 48) - 1) as u64;
    format!("{:08x}-{:04x}", ms >> 16, ms & 0xffff)
}

/// `text` as a LIKE pattern (lower-cased, `%`, `_` and `\` escaped) matching it anywhere.
fn like_pattern(text: &str) -> String {
    let mut out = String::from("%");
    for c in text.to_ascii_lowercase().chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('%');
    out
}

impl Store {
    /// A page of messages matching `q`, newest first (see the module docs for how).
    pub async fn search_messages(&self, q: &MessageQuery) -> Result<MessagePage, StoreError> {
        let limit = q.limit.clamp(1, 1000);
        // what bounds the rows looked at (the window): inbox, dates, cursor — all on indexes
        let mut base = String::from("1 = 1");
        let mut binds: Vec<BindValue> = Vec::new();
        let param = |binds: &mut Vec<BindValue>, value: BindValue| {
            binds.push(value);
            format!("${}", binds.len())
        };
        if let Some(inbox) = &q.inbox {
            let p = param(&mut binds, BindValue::Text(inbox.clone()));
            base.push_str(&format!(" AND inbox = {p}"));
        }
        if let Some(from) = q.from_ms {
            // the id range lets the primary key skip newer rows; received_at decides exactly
            // (ids are made a moment before the message is stored: a minute's slack)
            let a = param(&mut binds, BindValue::Int(from));
            let b = param(&mut binds, BindValue::Text(id_prefix(from - 60_000)));
            base.push_str(&format!(" AND received_at >= {a} AND id >= {b}"));
        }
        if let Some(to) = q.to_ms {
            let a = param(&mut binds, BindValue::Int(to));
            let b = param(&mut binds, BindValue::Text(id_prefix(to + 60_000)));
            base.push_str(&format!(" AND received_at < {a} AND id < {b}"));
        }
        if let Some(before) = &q.before {
            let p = param(&mut binds, BindValue::Text(before.clone()));
            base.push_str(&format!(" AND id < {p}"));
        }
        let mut page = MessagePage {
            messages: Vec::new(),
            next: None,
            scanned: 0,
            scan_bound_hit: false,
        };
        if q.text.is_none() && q.fragment.is_none() {
            let p = param(&mut binds, BindValue::Int(limit as i64 + 1));
            let sql = format!(
                "SELECT {MESSAGE_COLUMNS} FROM messages WHERE {base} ORDER BY id DESC LIMIT {p}"
            );
            let rows = bound(sqlx::query(&sql), &binds)
                .fetch_all(&self.pool)
                .await?;
            let mut messages = rows
                .iter()
                .map(message_from_row)
                .collect::<Result<Vec<_>, _>>()?;
            page.scanned = messages.len();
            if messages.len() > limit {
                messages.truncate(limit);
                page.next = messages.last().map(|m| m.id.clone());
            }
            page.messages = messages;
            return Ok(page);
        }
        // a search reads at most `scan_limit` rows per page: the window ends at `boundary`
        let scan_limit = q.scan_limit.max(1);
        let base_binds = binds.len();
        let mut window_binds = binds.clone();
        let offset = param(&mut window_binds, BindValue::Int(scan_limit as i64 - 1));
        let window_sql = format!(
            "SELECT id FROM messages WHERE {base} ORDER BY id DESC LIMIT 1 OFFSET {offset}"
        );
        let boundary: Option<String> = bound(sqlx::query(&window_sql), &window_binds)
            .fetch_optional(&self.pool)
            .await?
            .map(|row| row.try_get("id"))
            .transpose()?;
        let mut filter = base.clone();
        if let Some(b) = &boundary {
            let p = param(&mut binds, BindValue::Text(b.clone()));
            filter.push_str(&format!(" AND id >= {p}"));
        }
        if let Some(text) = &q.text {
            let p = param(&mut binds, BindValue::Text(like_pattern(text)));
            // lower() of ASCII letters only on both back-ends (SQLite's lower() is ASCII-only;
            // PostgreSQL's follows the collation unless it is "C")
            let body = if self.sqlite {
                "lower(body)"
            } else {
                "lower(body COLLATE \"C\")"
            };
            filter.push_str(&format!(" AND {body} LIKE {p} ESCAPE '\\'"));
        }
        if let Some(fragment) = &q.fragment {
            // a body containing the fragment holds each of its strings and keys as a JSON
            // string, written as is unless the body uses an escape (then it has a backslash):
            // a cheap test in SQL that only lets through rows the exact check may accept
            let backslash = param(&mut binds, BindValue::Text("\\".into()));
            for needle in fragment_needles(fragment) {
                let p = param(&mut binds, BindValue::Text(needle));
                filter.push_str(&if self.sqlite {
                    format!(" AND (instr(body, {p}) > 0 OR instr(body, {backslash}) > 0)")
                } else {
                    format!(" AND (strpos(body, {p}) > 0 OR strpos(body, {backslash}) > 0)")
                });
            }
        }
        // candidates in batches, newest first; a fragment is decided exactly in Rust
        let batch = if q.fragment.is_some() { 500 } else { limit + 1 };
        let mut cursor: Option<String> = None;
        let mut last_read: Option<String> = None;
        loop {
            let mut batch_binds = binds.clone();
            let mut sql = format!("SELECT {MESSAGE_COLUMNS} FROM messages WHERE {filter}");
            if let Some(c) = &cursor {
                let p = param(&mut batch_binds, BindValue::Text(c.clone()));
                sql.push_str(&format!(" AND id < {p}"));
            }
            let p = param(&mut batch_binds, BindValue::Int(batch as i64));
            sql.push_str(&format!(" ORDER BY id DESC LIMIT {p}"));
            let rows = bound(sqlx::query(&sql), &batch_binds)
                .fetch_all(&self.pool)
                .await?;
            let fetched = rows.len();
            for row in &rows {
                let m = message_from_row(row)?;
                cursor = Some(m.id.clone());
                let matches = match &q.fragment {
                    None => true,
                    Some(fragment) => serde_json::from_str::<Value>(&m.body)
                        .map(|body| crate::triggers::contains(&body, fragment))
                        .unwrap_or(false),
                };
                if matches {
                    if page.messages.len() == limit {
                        // one more than the page holds: there is a next page
                        page.next = page.messages.last().map(|m| m.id.clone());
                        break;
                    }
                    last_read = Some(m.id.clone());
                    page.messages.push(m);
                }
            }
            if page.next.is_some() || fetched < batch {
                break;
            }
        }
        if page.next.is_none() {
            if let Some(b) = &boundary {
                // the window is read to its end: older messages are yet to be searched
                page.next = Some(b.clone());
                page.scan_bound_hit = page.messages.len() < limit;
                page.scanned = scan_limit;
                return Ok(page);
            }
            last_read = None;
        }
        // how many rows of the window were read: those from the newest to the last shown
        // (all of them when the search reached the oldest message)
        let mut count_binds = binds[..base_binds].to_vec();
        let mut count_sql = format!("SELECT COUNT(*) AS n FROM messages WHERE {base}");
        if let Some(last) = last_read.filter(|_| page.next.is_some()) {
            let p = param(&mut count_binds, BindValue::Text(last));
            count_sql.push_str(&format!(" AND id >= {p}"));
        }
        let n: i64 = bound(sqlx::query(&count_sql), &count_binds)
            .fetch_one(&self.pool)
            .await?
            .try_get("n")?;
        page.scanned = n as usize;
        Ok(page)
    }

    /// Messages per inbox received since `since_ms`, and the newest one's time.
    pub async fn traffic(&self, since_ms: i64) -> Result<Vec<Traffic>, StoreError> {
        let rows = sqlx::query(
            "SELECT inbox, COUNT(*) AS n, MAX(received_at) AS last FROM messages \
             WHERE received_at >= $1 GROUP BY inbox ORDER BY inbox",
        )
        .bind(since_ms)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(Traffic {
                    inbox: r.try_get("inbox")?,
                    count: r.try_get("n")?,
                    last: r.try_get("last")?,
                })
            })
            .collect()
    }

    /// Adds a user, or replaces their password and role.
    pub async fn put_user(
        &self,
        name: &str,
        password_hash: &str,
        role: &str,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO users (name, password_hash, role, created_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (name) DO UPDATE SET password_hash = excluded.password_hash, role = excluded.role",
        )
        .bind(name)
        .bind(password_hash)
        .bind(role)
        .bind(now_ms())
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// A user by name.
    pub async fn user(&self, name: &str) -> Result<Option<UserRow>, StoreError> {
        let row = sqlx::query(
            "SELECT name, password_hash, role, token_hash, created_at FROM users WHERE name = $1",
        )
        .bind(name)
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(user_from_row).transpose()
    }

    /// The user whose API token hashes to `token_hash`.
    pub async fn user_by_token(&self, token_hash: &str) -> Result<Option<UserRow>, StoreError> {
        let row = sqlx::query(
            "SELECT name, password_hash, role, token_hash, created_at FROM users WHERE token_hash = $1",
        )
        .bind(token_hash)
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(user_from_row).transpose()
    }

    /// Every user, by name.
    pub async fn users(&self) -> Result<Vec<UserRow>, StoreError> {
        let rows = sqlx::query(
            "SELECT name, password_hash, role, token_hash, created_at FROM users ORDER BY name",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(user_from_row).collect()
    }

    /// Sets a user's API token hash (replacing the previous token); false when no such user.
    pub async fn set_token_hash(&self, name: &str, token_hash: &str) -> Result<bool, StoreError> {
        let done = sqlx::query("UPDATE users SET token_hash = $1 WHERE name = $2")
            .bind(token_hash)
            .bind(name)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() > 0)
    }

    /// Records a sign-in session.
    pub async fn create_session(
        &self,
        id_hash: &str,
        user: &str,
        csrf: &str,
        expires_at: i64,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO sessions (id_hash, user_name, csrf, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(id_hash)
        .bind(user)
        .bind(csrf)
        .bind(now_ms())
        .bind(expires_at)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// A session that has not expired, with its user's current role.
    pub async fn session(&self, id_hash: &str) -> Result<Option<SessionRow>, StoreError> {
        let row = sqlx::query(
            "SELECT s.user_name, u.role, s.csrf, s.expires_at FROM sessions s JOIN users u ON u.name = s.user_name \
             WHERE s.id_hash = $1 AND s.expires_at > $2",
        )
        .bind(id_hash)
        .bind(now_ms())
        .fetch_optional(&self.pool)
        .await?;
        row.map(|r| {
            Ok(SessionRow {
                user: r.try_get("user_name")?,
                role: r.try_get("role")?,
                csrf: r.try_get("csrf")?,
                expires_at: r.try_get("expires_at")?,
            })
        })
        .transpose()
    }

    /// Ends a session.
    pub async fn delete_session(&self, id_hash: &str) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM sessions WHERE id_hash = $1 OR expires_at <= $2")
            .bind(id_hash)
            .bind(now_ms())
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Stores (or replaces) an encrypted credential.
    pub async fn put_credential(&self, row: &CredentialRow) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO credentials (name, key_id, nonce, ciphertext, updated_at, updated_by) VALUES ($1, $2, $3, $4, $5, $6) \
             ON CONFLICT (name) DO UPDATE SET key_id = excluded.key_id, nonce = excluded.nonce, ciphertext = excluded.ciphertext, \
             updated_at = excluded.updated_at, updated_by = excluded.updated_by",
        )
        .bind(&row.name)
        .bind(&row.key_id)
        .bind(&row.nonce)
        .bind(&row.ciphertext)
        .bind(row.updated_at)
        .bind(&row.updated_by)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Replaces the given credentials' rows in one transaction (a key rotation).
    pub async fn replace_credentials(&self, rows: &[CredentialRow]) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await?;
        for row in rows {
            sqlx::query(
                "UPDATE credentials SET key_id = $1, nonce = $2, ciphertext = $3, updated_at = $4, updated_by = $5 WHERE name = $6",
            )
            .bind(&row.key_id)
            .bind(&row.nonce)
            .bind(&row.ciphertext)
            .bind(row.updated_at)
            .bind(&row.updated_by)
            .bind(&row.name)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// One encrypted credential.
    pub async fn credential(&self, name: &str) -> Result<Option<CredentialRow>, StoreError> {
        let row = sqlx::query(
            "SELECT name, key_id, nonce, ciphertext, updated_at, updated_by FROM credentials WHERE name = $1",
        )
        .bind(name)
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(credential_from_row).transpose()
    }

    /// Every encrypted credential, by name.
    pub async fn credentials(&self) -> Result<Vec<CredentialRow>, StoreError> {
        let rows = sqlx::query(
            "SELECT name, key_id, nonce, ciphertext, updated_at, updated_by FROM credentials ORDER BY name",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(credential_from_row).collect()
    }
}

impl Store {
    /// A run's log lines after `seq`, in order (what a live log has not shown yet).
    pub async fn logs_after(
        &self,
        run_id: &str,
        seq: i64,
    ) -> Result<Vec<super::LogRecord>, StoreError> {
        let rows = sqlx::query(
            "SELECT seq, at, level, source, message FROM run_logs WHERE run_id = $1 AND seq > $2 ORDER BY seq LIMIT 1000",
        )
        .bind(run_id)
        .bind(seq)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(super::LogRecord {
                    seq: r.try_get("seq")?,
                    at: r.try_get("at")?,
                    level: r.try_get("level")?,
                    source: r.try_get("source")?,
                    message: r.try_get("message")?,
                })
            })
            .collect()
    }

    /// Enqueues a run that starts its workflow at `start_step` (with `run.input_state` as
    /// that step's input), in one statement so no node claims it without its start step.
    pub async fn enqueue_from_step(
        &self,
        run: &super::NewRun,
        start_step: &str,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO runs (id, job, message_id, inbox, trigger_kind, parent_run, status, attempt, recoveries, created_at, not_before, input_state, start_step, cancel_requested) \
             VALUES ($1, $2, $3, $4, $5, $6, 'queued', $7, 0, $8, $9, $10, $11, 0)",
        )
        .bind(&run.id)
        .bind(&run.job)
        .bind(&run.message_id)
        .bind(&run.inbox)
        .bind(&run.trigger)
        .bind(&run.parent_run)
        .bind(run.attempt.max(1))
        .bind(now_ms())
        .bind(run.not_before)
        .bind(&run.input_state)
        .bind(start_step)
        .execute(&self.pool)
        .await?;
        Ok(())
    }
}

#[derive(Clone)]
enum BindValue {
    Text(String),
    Int(i64),
}

/// `query` with `binds` bound in order.
fn bound<'q>(
    mut query: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>,
    binds: &[BindValue],
) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>> {
    for b in binds {
        query = match b {
            BindValue::Text(s) => query.bind(s.clone()),
            BindValue::Int(i) => query.bind(*i),
        };
    }
    query
}

/// The JSON strings (`"text"`, quotes included) a body containing `fragment` holds when it
/// writes its strings without escapes: the fragment's object keys and string values.
fn fragment_needles(fragment: &Value) -> Vec<String> {
    fn walk(v: &Value, out: &mut Vec<String>) {
        match v {
            Value::String(s) => out.push(format!("\"{s}\"")),
            Value::Array(items) => items.iter().for_each(|i| walk(i, out)),
            Value::Object(map) => {
                for (k, v) in map {
                    out.push(format!("\"{k}\""));
                    walk(v, out);
                }
            }
            _ => {}
        }
    }
    let mut out = Vec::new();
    walk(fragment, &mut out);
    out.sort();
    out.dedup();
    out
}

fn user_from_row(r: &sqlx::any::AnyRow) -> Result<UserRow, StoreError> {
    Ok(UserRow {
        name: r.try_get("name")?,
        password_hash: r.try_get("password_hash")?,
        role: r.try_get("role")?,
        token_hash: r.try_get("token_hash")?,
        created_at: r.try_get("created_at")?,
    })
}

fn credential_from_row(r: &sqlx::any::AnyRow) -> Result<CredentialRow, StoreError> {
    Ok(CredentialRow {
        name: r.try_get("name")?,
        key_id: r.try_get("key_id")?,
        nonce: r.try_get("nonce")?,
        ciphertext: r.try_get("ciphertext")?,
        updated_at: r.try_get("updated_at")?,
        updated_by: r.try_get("updated_by")?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn id_prefixes_order_as_the_ids_they_bound() {
        let ms = 1_764_800_000_123i64;
        let id = uuid::Uuid::new_v7(uuid::Timestamp::from_unix(
            uuid::NoContext,
            (ms / 1000) as u64,
            ((ms % 1000) * 1_000_000) as u32,
        ))
        .to_string();
        assert!(id.starts_with(&id_prefix(ms)), "{id} {}", id_prefix(ms));
        assert!(id_prefix(ms - 1).as_str() < id.as_str());
        assert!(id_prefix(ms + 1).as_str() > id.as_str());
    }

    #[test]
    fn like_patterns_escape_wildcards() {
        assert_eq!(like_pattern("A_b%c\\"), "%a\\_b\\%c\\\\%");
    }
}
