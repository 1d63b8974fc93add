//! Message search of the history against brute force, on SQLite and PostgreSQL: every search
//! (text, JSON fragment, inbox, dates, and their mixes), paged to its end through the store's
//! cursors with a small scan window, finds exactly the messages a check of every body finds,
//! newest first, each once — including bodies that write their strings with escapes, which
//! the SQL pre-test must let through, and non-ASCII text, which is matched as is.

use serde_json::{json, Value};

use fnhost::store::{Message, MessageQuery, Store};
use fnhost::triggers::contains;

use super::serve::postgres;
use super::serve_harness::Rng;
use super::support::TempDir;

const NAMES: [&str; 6] = ["Amina", "amina", "AMINA Otieno", "Zoë", "ZOË", "Kamau"];

/// Body text: mostly plain JSON, some with escapes a fragment's strings must still match
/// through (`\u0041mina`, `group1\/name`), some not JSON objects at all.
fn body(rng: &mut Rng, n: u64) -> String {
    let name = NAMES[rng.below(NAMES.len() as u64) as usize];
    let form = ["household", "wash", "visit"][rng.below(3) as usize];
    let size = rng.below(6);
    match rng.below(10) {
        0 => format!(r#"{{"form":"{form}","group1\/name":"\u0041mina","size":{size},"n":{n}}}"#),
        1 => format!(r#"[{{"form":"{form}"}},"{name}",{n}]"#),
        2 => format!(
            r#"{{"form":"{form}","tags":["{name}","x"],"n":{n},"nested":{{"size":{size}}}}}"#
        ),
        _ => json!({"form": form, "group1/name": name, "size": size, "n": n}).to_string(),
    }
}

fn message(id: String, inbox: &str, received_at: i64, body: String) -> Message {
    Message {
        id,
        inbox: inbox.into(),
        received_at,
        body,
        headers: "{}".into(),
        method: "POST".into(),
        path: "/inbox/x".into(),
        query: "{}".into(),
        idempotency_key: None,
    }
}

/// Every message `q` matches, by checking each one.
fn brute_force(all: &[Message], q: &MessageQuery) -> Vec<String> {
    let mut out: Vec<&Message> = all
        .iter()
        .filter(|m| q.inbox.as_ref().is_none_or(|i| &m.inbox == i))
        .filter(|m| q.from_ms.is_none_or(|f| m.received_at >= f))
        .filter(|m| q.to_ms.is_none_or(|t| m.received_at < t))
        .filter(|m| {
            q.text.as_ref().is_none_or(|t| {
                m.body
                    .to_ascii_lowercase()
                    .contains(&t.to_ascii_lowercase())
            })
        })
        .filter(|m| {
            q.fragment.as_ref().is_none_or(|f| {
                serde_json::from_str::<Value>(&m.body).is_ok_and(|b| contains(&b, f))
            })
        })
        .collect();
    out.sort_by(|a, b| b.id.cmp(&a.id));
    out.into_iter().map(|m| m.id.clone()).collect()
}

async fn check(url: &str) {
    let store = Store::open(url).await.unwrap();
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let start = 1_764_000_000_000i64;
    let mut all = Vec::new();
    for n in 0..700u64 {
        let ms = start + n as i64 * 60_000 + rng.below(50_000) as i64;
        let id = format!(
            "{:08x}-{:04x}-7{:03x}-8000-{:012x}",
            ms >> 16,
            ms & 0xffff,
            rng.below(4096),
            n
        );
        let inbox = match rng.below(20) {
            0 => "rare",
            1..=9 => "commcare",
            _ => "kobo",
        };
        let m = message(id, inbox, ms, body(&mut rng, n));
        store.insert_message(&m, &[]).await.unwrap();
        all.push(m);
    }
    let fragments = [
        json!({"form": "wash"}),
        json!({"group1/name": "Amina"}),
        json!({"size": 3}),
        json!({"nested": {"size": 2}, "form": "visit"}),
        json!({"tags": ["Zoë"]}),
        json!(["x"]),
        json!({"form": "household", "group1/name": "amina"}),
        json!({"no such key": "none"}),
    ];
    let texts = [
        "amina",
        "AMINA",
        "zoë",
        "ZOË",
        "\"size\":5",
        "100%",
        "kamau",
    ];
    let mut queries = Vec::new();
    for f in &fragments {
        queries.push(MessageQuery {
            fragment: Some(f.clone()),
            ..MessageQuery::default()
        });
    }
    for t in texts {
        queries.push(MessageQuery {
            text: Some(t.into()),
            ..MessageQuery::default()
        });
    }
    queries.push(MessageQuery {
        text: Some("amina".into()),
        fragment: Some(json!({"form": "wash"})),
        inbox: Some("kobo".into()),
        ..MessageQuery::default()
    });
    queries.push(MessageQuery {
        inbox: Some("rare".into()),
        ..MessageQuery::default()
    });
    queries.push(MessageQuery {
        fragment: Some(json!({"size": 1})),
        inbox: Some("rare".into()),
        ..MessageQuery::default()
    });
    queries.push(MessageQuery {
        text: Some("household".into()),
        from_ms: Some(start + 100 * 60_000),
        to_ms: Some(start + 400 * 60_000),
        ..MessageQuery::default()
    });
    for (i, mut q) in queries.into_iter().enumerate() {
        q.limit = 7;
        q.scan_limit = 45;
        let expected = brute_force(&all, &q);
        let mut found: Vec<String> = Vec::new();
        let mut pages = 0;
        loop {
            let page = store.search_messages(&q).await.unwrap();
            pages += 1;
            assert!(page.messages.len() <= 7, "query {i}");
            let searching = q.text.is_some() || q.fragment.is_some();
            if searching {
                assert!(page.scanned <= 45, "query {i}: read {}", page.scanned);
            }
            if page.scan_bound_hit {
                assert!(page.messages.len() < 7 && page.next.is_some(), "query {i}");
                assert_eq!(page.scanned, 45, "query {i}");
            }
            found.extend(page.messages.iter().map(|m| m.id.clone()));
            match page.next {
                Some(next) => q.before = Some(next),
                None => break,
            }
            assert!(pages < 1000, "query {i} does not end");
        }
        assert_eq!(found, expected, "query {i}: {q:?}");
    }
    // a search whose match is rarer than one per window stops at the bound, says so, and the
    // cursor it hands back goes on from there
    let rare = MessageQuery {
        fragment: Some(json!({"n": 5})),
        limit: 7,
        scan_limit: 45,
        ..MessageQuery::default()
    };
    let first = store.search_messages(&rare).await.unwrap();
    assert!(
        first.scan_bound_hit && first.messages.is_empty(),
        "{first:?}"
    );
    assert_eq!(first.scanned, 45);
}

fn run(url: &str) {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(check(url));
}

#[test]
fn searches_page_to_exactly_what_brute_force_finds_on_sqlite() {
    let dir = TempDir::new("history-search");
    run(&format!("sqlite://{}", dir.0.join("s.db").display()));
}

#[test]
fn searches_page_to_exactly_what_brute_force_finds_on_postgres() {
    run(&postgres("search"));
}
