//! A search stops at its window and says so: with 20,050 messages in the store and the only
//! match the oldest, the first page of a text search reads its 20,000 messages, shows none,
//! says it stopped there and links to keep searching; the link (and the API's
//! `x-next-cursor`) finds the match on the next page. The API reports `x-scanned` and
//! `x-scan-bound-hit`.

use std::time::Instant;

use super::serve::{project, request, sqlite, Server};
use super::support::TempDir;

const YAML: &str = r#"
inboxes:
  - name: kobo
    key: window-kobo-01
jobs: []
"#;

/// Writes `n` messages (one transaction), the oldest holding `needle`; its id.
fn fill(database: &str, n: usize, needle: &str) -> String {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        // the server's own code makes the schema
        drop(fnhost::store::Store::open(database).await.unwrap());
        sqlx::any::install_default_drivers();
        let pool = sqlx::any::AnyPoolOptions::new()
            .max_connections(1)
            .connect(database)
            .await
            .unwrap();
        let mut tx = pool.begin().await.unwrap();
        let start = 1_764_000_000_000i64;
        let mut first = String::new();
        for i in 0..n {
            let ms = start + i as i64 * 1000;
            let id = format!("{:08x}-{:04x}-7000-8000-{:012x}", ms >> 16, ms & 0xffff, i);
            let body = if i == 0 {
                first = id.clone();
                format!(r#"{{"note": "{needle}", "n": {i}}}"#)
            } else {
                format!(r#"{{"note": "nothing here", "n": {i}}}"#)
            };
            sqlx::query(
                "INSERT INTO messages (id, inbox, received_at, body, headers, method, path, query) \
                 VALUES ($1, 'kobo', $2, $3, '{}', 'POST', '/inbox/x', '{}')",
            )
            .bind(&id)
            .bind(ms)
            .bind(body)
            .execute(&mut *tx)
            .await
            .unwrap();
        }
        tx.commit().await.unwrap();
        first
    })
}

#[test]
fn a_search_stops_at_its_window_says_so_and_goes_on_from_there() {
    let dir = TempDir::new("history-window");
    let database = sqlite(&dir);
    let started = Instant::now();
    let needle_id = fill(&database, 20_050, "Quokka-Needle");
    eprintln!("20,050 messages written in {:?}", started.elapsed());
    let server = Server::start(&project(&dir, YAML), &database, &[]);

    // the page: nothing in the newest 20,000, says so, links on
    let page = server.get("/messages?q=quokka-needle").text();
    assert!(
        page.contains("The search stopped after reading 20000 messages"),
        "{page}"
    );
    assert!(page.contains("Keep searching older messages"), "{page}");
    assert!(!page.contains(&needle_id), "{page}");
    let link_end = page.find("\" rel=\"next\"").expect("a next link");
    let link_start = page[..link_end].rfind("href=\"/messages?").unwrap() + 16;
    let next = page[link_start..link_end].replace("&amp;", "&");
    let second = server.get(&format!("/messages?{next}")).text();
    assert!(second.contains(&needle_id), "{second}");
    assert!(!second.contains("The search stopped"), "{second}");

    // the API: the same, in headers
    let r = request(
        &server.addr,
        "GET",
        "/api/v1/messages?q=quokka-needle",
        &[],
        b"",
    );
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.json().as_array().map(Vec::len), Some(0));
    assert_eq!(r.header("x-scan-bound-hit"), Some("true"));
    assert_eq!(r.header("x-scanned"), Some("20000"));
    let cursor = r.header("x-next-cursor").expect("a cursor").to_string();
    let r = request(
        &server.addr,
        "GET",
        &format!("/api/v1/messages?q=quokka-needle&before={cursor}"),
        &[],
        b"",
    );
    assert_eq!(r.json()[0]["id"], needle_id.as_str(), "{}", r.text());
    assert_eq!(r.header("x-scan-bound-hit"), None);
    assert_eq!(r.header("x-scanned"), Some("50"));
    assert_eq!(r.header("x-next-cursor"), None);
}
