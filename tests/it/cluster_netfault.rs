//! Network faults between a node and the database: one node runs in a network namespace of
//! the test's own (a veth pair), the other on the host. The namespace's path to the database
//! gets a bandwidth limit (`tc tbf` on the veth), random packet loss (nftables `numgen random`
//! in the namespace), delay and jitter and connections cut at random (in the test's forwarder:
//! this kernel has no `netem` qdisc), then the link down for longer
//! than a lease. Every acknowledged message is processed once, none is lost, and the cut-off
//! node cannot record work the other took over.

use std::collections::HashMap;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::Command;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::serve::{postgres, project, try_request, Server, JSON};
use super::support::{fnhost, TempDir};

/// Packets dropped at random on the namespace's link during the fault phase.
const LOSS_PERCENT: u32 = 5;

fn sh(args: &[&str]) {
    let out = Command::new(args[0]).args(&args[1..]).output().unwrap();
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A network namespace joined to the host by a veth pair: host side `.1`, namespace `.2`.
struct Netns {
    name: String,
    host_if: String,
    ns_if: String,
    host_ip: String,
    ns_ip: String,
}

impl Netns {
    fn create() -> Netns {
        let id = std::process::id();
        let subnet = format!("10.231.{}", id % 250);
        let n = Netns {
            name: format!("fnhost-nf-{id}"),
            host_if: format!("fnh{id}h"),
            ns_if: format!("fnh{id}n"),
            host_ip: format!("{subnet}.1"),
            ns_ip: format!("{subnet}.2"),
        };
        let _ = Command::new("ip").args(["netns", "del", &n.name]).output();
        let _ = Command::new("ip")
            .args(["link", "del", &n.host_if])
            .output();
        sh(&["ip", "netns", "add", &n.name]);
        sh(&[
            "ip", "link", "add", &n.host_if, "type", "veth", "peer", "name", &n.ns_if,
        ]);
        sh(&["ip", "link", "set", &n.ns_if, "netns", &n.name]);
        sh(&[
            "ip",
            "addr",
            "add",
            &format!("{}/24", n.host_ip),
            "dev",
            &n.host_if,
        ]);
        sh(&["ip", "link", "set", &n.host_if, "up"]);
        n.exec(&[
            "ip",
            "addr",
            "add",
            &format!("{}/24", n.ns_ip),
            "dev",
            &n.ns_if,
        ]);
        n.exec(&["ip", "link", "set", &n.ns_if, "up"]);
        n.exec(&["ip", "link", "set", "lo", "up"]);
        n
    }

    fn exec(&self, args: &[&str]) {
        let mut full = vec!["ip", "netns", "exec", &self.name];
        full.extend_from_slice(args);
        sh(&full);
    }

    /// A bandwidth limit on both directions of the link.
    fn limit_rate(&self, rate: &str) {
        let spec = ["tbf", "rate", rate, "burst", "16kbit", "latency", "200ms"];
        let mut host = vec!["tc", "qdisc", "replace", "dev", &self.host_if, "root"];
        host.extend_from_slice(&spec);
        sh(&host);
        let mut ns = vec!["tc", "qdisc", "replace", "dev", &self.ns_if, "root"];
        ns.extend_from_slice(&spec);
        self.exec(&ns);
    }

    fn clear_rate(&self) {
        let _ = Command::new("tc")
            .args(["qdisc", "del", "dev", &self.host_if, "root"])
            .output();
        let _ = Command::new("ip")
            .args([
                "netns",
                "exec",
                &self.name,
                "tc",
                "qdisc",
                "del",
                "dev",
                &self.ns_if,
                "root",
            ])
            .output();
    }

    /// Drops `percent` % of the packets the namespace receives and sends, at random
    /// (nftables' `numgen random` in the namespace: real loss TCP must recover from).
    fn packet_loss(&self, percent: u32) {
        let _ = Command::new("ip")
            .args([
                "netns",
                "exec",
                &self.name,
                "nft",
                "delete",
                "table",
                "inet",
                "fnhost_loss",
            ])
            .output();
        if percent == 0 {
            return;
        }
        self.exec(&["nft", "add", "table", "inet", "fnhost_loss"]);
        for (chain, hook) in [("in", "input"), ("out", "output")] {
            let spec = format!("{{ type filter hook {hook} priority 0 ; policy accept ; }}");
            self.exec(&["nft", "add", "chain", "inet", "fnhost_loss", chain, &spec]);
            let below = percent.to_string();
            self.exec(&[
                "nft",
                "add",
                "rule",
                "inet",
                "fnhost_loss",
                chain,
                "numgen",
                "random",
                "mod",
                "100",
                "<",
                &below,
                "drop",
            ]);
        }
    }

    fn link(&self, up: bool) {
        sh(&[
            "ip",
            "link",
            "set",
            &self.host_if,
            if up { "up" } else { "down" },
        ]);
    }
}

impl Drop for Netns {
    fn drop(&mut self) {
        let _ = Command::new("ip")
            .args(["netns", "del", &self.name])
            .output();
        let _ = Command::new("ip")
            .args(["link", "del", &self.host_if])
            .output();
    }
}

/// Faults the forwarder injects: a delay with jitter before each chunk it passes on, and a
/// chance (per thousand chunks) of cutting the connection.
#[derive(Default)]
struct Faults {
    delay_ms: AtomicU64,
    jitter_ms: AtomicU64,
    cut_per_mille: AtomicU64,
    cuts: AtomicU64,
}

/// Forwards TCP from `listen` (the host side of the veth) to `target` (the test PostgreSQL on
/// 127.0.0.1), so the namespace's node reaches the database through the faulty link.
fn forward(listen: &str, target: String, faults: Arc<Faults>) -> String {
    let listener = TcpListener::bind(listen).unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    std::thread::spawn(move || {
        let mut seed = 0x2545_F491_4F6C_DD1D_u64;
        for client in listener.incoming().flatten() {
            let Ok(server) = TcpStream::connect(&target) else {
                continue;
            };
            let pipe =
                |mut from: TcpStream, mut to: TcpStream, faults: Arc<Faults>, mut rng: u64| {
                    std::thread::spawn(move || {
                        let mut buf = [0u8; 16384];
                        while let Ok(n) = from.read(&mut buf) {
                            if n == 0 {
                                break;
                            }
                            rng ^= rng << 13;
                            rng ^= rng >> 7;
                            rng ^= rng << 17;
                            let delay = faults.delay_ms.load(Ordering::Relaxed);
                            let jitter = faults.jitter_ms.load(Ordering::Relaxed);
                            if delay > 0 {
                                let j = if jitter > 0 { rng % (2 * jitter) } else { 0 };
                                std::thread::sleep(Duration::from_millis(
                                    delay + j - jitter.min(delay + j),
                                ));
                            }
                            if rng % 1000 < faults.cut_per_mille.load(Ordering::Relaxed) {
                                faults.cuts.fetch_add(1, Ordering::Relaxed);
                                break;
                            }
                            if to.write_all(&buf[..n]).is_err() {
                                break;
                            }
                        }
                        let _ = to.shutdown(std::net::Shutdown::Both);
                        let _ = from.shutdown(std::net::Shutdown::Both);
                    });
                };
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            pipe(
                client.try_clone().unwrap(),
                server.try_clone().unwrap(),
                faults.clone(),
                seed | 1,
            );
            pipe(server, client, faults.clone(), (seed >> 1) | 1);
        }
    });
    addr
}

#[test]
fn a_node_cut_off_from_the_database_loses_and_doubles_nothing() {
    let posts = 600;
    let net = Netns::create();
    let dir = TempDir::new("netfault");
    let tiny = dir.adaptor(
        "tiny",
        "export function fn(f) { return state => f(state); }\nexport function execute(...ops) { return state => ops.reduce((p, op) => p.then(op), Promise.resolve(state)); }\n",
    );
    let yaml = format!(
        r#"
inboxes:
  - name: in
    key: netfault-key-01
jobs:
  - name: echo
    adaptor: "{tiny}"
    expression: |
      fn(state => new Promise(r => setTimeout(() => r({{ data: {{ n: state.data.n }} }}), 20)));
    trigger: {{ webhook: {{ inbox: in }} }}
"#
    );
    let path = project(&dir, &yaml);
    let db = postgres("netfault");
    // the namespace's node reaches PostgreSQL through the veth and the forwarder
    let (prefix, query) = db.split_once('@').unwrap();
    let pg_target = query.split('/').next().unwrap().to_string();
    let faults = Arc::new(Faults::default());
    let forwarded = forward(
        &format!("{}:0", net.host_ip),
        pg_target.clone(),
        faults.clone(),
    );
    let db_via_veth = format!("{prefix}@{forwarded}{}", &query[pg_target.len()..]);
    let lease = ["--lease-seconds", "1", "--workers", "2"];
    let host = Server::start(
        &path,
        &db,
        &[&["--node-id", "host"][..], &lease[..]].concat(),
    );
    let mut in_ns = Command::new("ip");
    in_ns.args(["netns", "exec", &net.name, env!("CARGO_BIN_EXE_fnhost")]);
    let _ = fnhost; // the namespace's node is the same binary, started through `ip netns exec`
    let cut = Server::start_with(
        in_ns,
        &format!("{}:0", net.ns_ip),
        &path,
        &db_via_veth,
        &[&["--node-id", "cut"][..], &lease[..]].concat(),
    );

    let began = Instant::now();
    let mut acked: HashMap<usize, String> = HashMap::new();
    let mut retries = 0;
    let mut phase = 0;
    for n in 0..posts {
        // faults from the first third, the link down for 4 s (4 leases) at two thirds, then a
        // clean link
        if n == posts / 3 && phase == 0 {
            phase = 1;
            net.limit_rate("2mbit");
            faults.delay_ms.store(30, Ordering::SeqCst);
            faults.jitter_ms.store(10, Ordering::SeqCst);
            faults.cut_per_mille.store(20, Ordering::SeqCst);
            net.packet_loss(LOSS_PERCENT);
            eprintln!("netfault: 2 Mbit/s, {LOSS_PERCENT}% packet loss, delay 30±10 ms, 2% of chunks cut their connection, at post {n}");
        }
        if n == 2 * posts / 3 && phase == 1 {
            phase = 2;
            net.link(false);
            eprintln!("netfault: link down at post {n}");
        }
        if phase == 2 && n == 2 * posts / 3 + 100 {
            std::thread::sleep(Duration::from_secs(4));
            net.link(true);
            net.clear_rate();
            net.packet_loss(0);
            faults.delay_ms.store(0, Ordering::SeqCst);
            faults.cut_per_mille.store(0, Ordering::SeqCst);
            phase = 3;
            eprintln!("netfault: link up, faults cleared at post {n}");
        }
        let key = format!("m-{n}");
        let body = format!("{{\"n\": {n}}}");
        let deadline = Instant::now() + Duration::from_secs(120);
        let mut attempt = 0;
        loop {
            assert!(Instant::now() < deadline, "message {n} never acknowledged");
            // alternate nodes; a post the cut-off node cannot answer goes to the other
            let target = if (n + attempt) % 2 == 0 { &host } else { &cut };
            attempt += 1;
            match try_request(
                &target.addr,
                "POST",
                "/inbox/netfault-key-01",
                &[JSON, ("idempotency-key", &key)],
                body.as_bytes(),
            ) {
                Ok(r) if r.status == 200 => {
                    acked.insert(n, r.header("x-fnhost-message-id").unwrap().to_string());
                    break;
                }
                _ => {
                    retries += 1;
                    std::thread::sleep(Duration::from_millis(20));
                }
            }
        }
    }
    net.link(true);
    net.clear_rate();
    net.packet_loss(0);
    faults.delay_ms.store(0, Ordering::SeqCst);
    faults.cut_per_mille.store(0, Ordering::SeqCst);

    // every run ends; count what each message got
    let deadline = Instant::now() + Duration::from_secs(300);
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let pool = rt.block_on(sqlx::postgres::PgPool::connect(&db)).unwrap();
    loop {
        let open: i64 = rt
            .block_on(
                sqlx::query_scalar(
                    "SELECT COUNT(*) FROM runs WHERE status IN ('queued', 'started')",
                )
                .fetch_one(&pool),
            )
            .unwrap();
        if open == 0 {
            break;
        }
        assert!(Instant::now() < deadline, "{open} runs still open");
        std::thread::sleep(Duration::from_millis(500));
    }
    let rows: Vec<(String, String, i64, String, i64, String)> = rt
        .block_on(
            sqlx::query_as(
                "SELECT m.idempotency_key, m.id, COUNT(r.id), COALESCE(string_agg(r.status, ','), ''), \
                 COALESCE(SUM(r.recoveries), 0)::BIGINT, COALESCE(string_agg(r.owner, ','), '') \
                 FROM messages m LEFT JOIN runs r ON r.message_id = m.id GROUP BY m.idempotency_key, m.id",
            )
            .fetch_all(&pool),
        )
        .unwrap();
    assert_eq!(rows.len(), posts, "one stored message per post");
    let mut by_key = HashMap::new();
    let mut recovered = 0;
    let mut owners: HashMap<String, usize> = HashMap::new();
    for (key, id, runs, statuses, recoveries, owner) in rows {
        assert_eq!(runs, 1, "{key}: one run");
        assert_eq!(statuses, "success", "{key}");
        recovered += recoveries;
        *owners.entry(owner).or_default() += 1;
        assert!(
            by_key.insert(key.clone(), id).is_none(),
            "{key} stored twice"
        );
    }
    for (n, id) in &acked {
        assert_eq!(by_key.get(&format!("m-{n}")), Some(id), "message {n}");
    }
    eprintln!(
        "netfault report: {posts} posts to 2 nodes (one behind a veth: 2 Mbit/s, {LOSS_PERCENT}% packet loss, delay 30±10 ms, {} database connections cut, then 4 s link down; lease 1 s); \
         {} acknowledged after {retries} retried posts; runs finished by node: {owners:?}; {recovered} executions interrupted and taken over; \
         every message stored once with one successful run; {:?}",
        faults.cuts.load(Ordering::SeqCst),
        acked.len(),
        began.elapsed()
    );
    assert!(
        recovered > 0 || owners.len() == 2,
        "the fault was felt: {owners:?}"
    );
}
