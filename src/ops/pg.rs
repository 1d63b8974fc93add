//! PostgreSQL for the `pg` bridge (adaptors/pg): one op family over a host-provided driver that
//! speaks the wire protocol in Rust. The bridge keeps node-postgres' API and type parsing in
//! JavaScript; these ops move bytes and messages: connect (TLS, authentication), send a query,
//! read what the server answers in batches of events and rows.
//!
//! Values travel in PostgreSQL's text format, as node-postgres asks for them, so the bridge's
//! parsers see exactly the strings node-postgres' parsers see.
//!
//! The driver itself lives in the runtime (`src/runtime/pg_driver.rs`) behind [`PgDriver`], so
//! `build.rs` can register these ops without compiling a network stack.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use deno_core::futures::future::LocalBoxFuture;
use deno_core::op2;
use deno_core::serde_v8::StringOrBuffer;
use deno_core::OpState;
use deno_error::JsErrorBox;
use serde::{Deserialize, Serialize};

/// TLS settings of a connection (node-postgres' `ssl` object, as the bridge normalises it).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PgTls {
    /// Trusted CA certificates (PEM) instead of the system's.
    pub ca: Option<String>,
    /// Client certificate chain (PEM).
    pub cert: Option<String>,
    /// Client private key (PEM).
    pub key: Option<String>,
    /// `false` accepts any server certificate.
    #[serde(default = "yes")]
    pub reject_unauthorized: bool,
    /// Name checked against the certificate (default: the host).
    pub servername: Option<String>,
}

fn yes() -> bool {
    true
}

/// Where and how to connect.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PgConnectOptions {
    /// Host name or address; a path starting with `/` is a Unix socket directory.
    pub host: String,
    /// TCP port (also names the Unix socket file).
    pub port: u16,
    /// The startup parameters, in order (`user`, `database`, `application_name`, …).
    pub params: Vec<(String, String)>,
    /// The password, when the server asks for one.
    pub password: Option<String>,
    /// TLS, when set.
    pub tls: Option<PgTls>,
    /// Give up connecting after this long (node-postgres' `connectionTimeoutMillis`).
    pub connect_timeout_ms: Option<u64>,
}

/// A connection that is up: the backend's identity.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PgHello {
    /// Handle for the other ops.
    pub rid: u32,
    /// Backend process id.
    pub process_id: i32,
    /// Cancellation key.
    pub secret_key: i32,
    /// Notices the server sent while the connection started.
    pub events: Vec<PgEvent>,
}

/// Why a connection or an exchange failed.
#[derive(Debug, Serialize)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum PgFailure {
    /// The server answered with an ErrorResponse (while connecting).
    Server {
        /// Field code (`S`, `C`, `M`, …) and value, in the order sent.
        fields: Vec<(String, String)>,
        /// The message's length field.
        length: u32,
    },
    /// A socket or TLS failure with Node's code (`ECONNREFUSED`, `SELF_SIGNED_CERT_IN_CHAIN`…).
    Net {
        /// Node's error code.
        code: String,
        /// Node's message text (for TLS) or the system's description.
        message: String,
    },
    /// Anything else, with node-postgres' message.
    Other {
        /// The message.
        message: String,
    },
}

impl PgFailure {
    /// A failure with node-postgres' message.
    pub fn other(message: impl Into<String>) -> PgFailure {
        PgFailure::Other {
            message: message.into(),
        }
    }
}

/// One column of a RowDescription, as node-postgres' `Field`.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PgField {
    /// Column name.
    pub name: String,
    /// Table OID (0 when not a table column).
    #[serde(rename = "tableID")]
    pub table_id: u32,
    /// Column number in its table.
    #[serde(rename = "columnID")]
    pub column_id: i16,
    /// Type OID.
    #[serde(rename = "dataTypeID")]
    pub data_type_id: u32,
    /// Type size.
    pub data_type_size: i16,
    /// Type modifier.
    pub data_type_modifier: i32,
    /// `text` or `binary`.
    pub format: &'static str,
}

/// What the server said, in order. Rows are not events: `Rows { count }` says how many of the
/// batch's rows come next.
#[derive(Debug, Serialize)]
#[serde(tag = "t", rename_all = "camelCase", rename_all_fields = "camelCase")]
pub enum PgEvent {
    /// RowDescription.
    Fields {
        /// The columns.
        fields: Vec<PgField>,
    },
    /// The batch's next `count` rows (see [`PgBatch::layout`]).
    Rows {
        /// How many.
        count: u32,
    },
    /// CommandComplete with its tag (`INSERT 0 1`).
    Complete {
        /// The command tag.
        text: String,
    },
    /// EmptyQueryResponse.
    Empty,
    /// ParseComplete.
    ParseComplete,
    /// NoData (a portal or statement that returns no rows).
    NoData,
    /// PortalSuspended (a row limit was reached).
    Suspended,
    /// ErrorResponse.
    Error {
        /// Field code and value, in the order sent.
        fields: Vec<(String, String)>,
        /// The message's length field.
        length: u32,
    },
    /// NoticeResponse.
    Notice {
        /// Field code and value, in the order sent.
        fields: Vec<(String, String)>,
        /// The message's length field.
        length: u32,
    },
    /// NotificationResponse (LISTEN/NOTIFY).
    Notification {
        /// The notifying backend.
        process_id: i32,
        /// The channel.
        channel: String,
        /// The payload.
        payload: String,
        /// The message's length field.
        length: u32,
    },
    /// CopyInResponse: the server waits for COPY data.
    CopyIn,
    /// ReadyForQuery with the transaction status (`I`, `T`, `E`).
    Ready {
        /// Transaction status.
        status: String,
    },
    /// The server closed the connection.
    End,
    /// The connection failed (reset, TLS alert…); the connection is over.
    Failed {
        /// What failed.
        failure: PgFailure,
    },
}

/// What one read returns: events, and the rows they count.
///
/// The rows travel packed, because one JavaScript string per cell made a big `SELECT` slower than
/// node-postgres reading its socket in JavaScript: every cell's text one after the other in
/// [`PgBatch::text`], and [`PgBatch::layout`] saying how to cut it (the bridge takes substrings,
/// which V8 makes without copying).
#[derive(Debug, Default, Serialize)]
pub struct PgBatch {
    /// Events in order.
    pub events: Vec<PgEvent>,
    /// The text of every non-NULL cell of the batch's rows, in order.
    pub text: String,
    /// Per row: the number of cells, then each cell's length in UTF-16 units (-1 for NULL).
    pub layout: RowLayout,
    /// How many rows the batch holds.
    #[serde(skip)]
    pub row_count: usize,
}

impl PgBatch {
    /// Adds a row whose cells are `cells` (`None` for NULL).
    pub fn push_row<'a>(&mut self, cells: impl ExactSizeIterator<Item = Option<&'a str>>) {
        self.layout.0.push(cells.len() as i32);
        for cell in cells {
            match cell {
                None => self.layout.0.push(-1),
                Some(text) => {
                    let units = if text.is_ascii() {
                        text.len()
                    } else {
                        text.encode_utf16().count()
                    };
                    self.layout.0.push(units as i32);
                    self.text.push_str(text);
                }
            }
        }
        self.row_count += 1;
    }
}

/// [`PgBatch::layout`]: reaches JavaScript as the bytes of an `Int32Array` (native byte order).
#[derive(Debug, Default)]
pub struct RowLayout(pub Vec<i32>);

impl Serialize for RowLayout {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let bytes: Vec<u8> = self.0.iter().flat_map(|n| n.to_ne_bytes()).collect();
        deno_core::ToJsBuffer::from(bytes).serialize(serializer)
    }
}

/// A request the bridge sends: frontend messages, written together.
#[derive(Debug, Deserialize)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum PgRequest {
    /// Messages in order (node-postgres' `Connection` calls between two flushes).
    Messages {
        /// The messages.
        messages: Vec<PgMessage>,
        /// The values of the batch's Bind (the op's separate argument).
        #[serde(skip)]
        values: Vec<Option<PgValue>>,
    },
    /// Terminate, then close the socket.
    Terminate,
}

/// One frontend message.
#[derive(Debug, Deserialize)]
#[serde(tag = "m", rename_all = "camelCase", rename_all_fields = "camelCase")]
pub enum PgMessage {
    /// Query (the simple protocol).
    Query {
        /// The SQL.
        text: String,
    },
    /// Parse.
    Parse {
        /// Statement name (empty: unnamed).
        #[serde(default)]
        name: String,
        /// The SQL.
        text: String,
        /// Parameter type OIDs (usually none).
        #[serde(default)]
        types: Vec<u32>,
    },
    /// Bind, with the request's values.
    Bind {
        /// Portal name.
        #[serde(default)]
        portal: String,
        /// Statement name.
        #[serde(default)]
        statement: String,
        /// Ask for every result column in binary format.
        #[serde(default)]
        binary: bool,
    },
    /// Describe a portal (`P`) or statement (`S`).
    Describe {
        /// `P` or `S`.
        kind: String,
        /// Its name.
        #[serde(default)]
        name: String,
    },
    /// Execute a portal for `rows` rows (0: all).
    Execute {
        /// Portal name.
        #[serde(default)]
        portal: String,
        /// Row limit.
        #[serde(default)]
        rows: u32,
    },
    /// Close a portal (`P`) or statement (`S`).
    Close {
        /// `P` or `S`.
        kind: String,
        /// Its name.
        #[serde(default)]
        name: String,
    },
    /// Flush.
    Flush,
    /// Sync.
    Sync,
    /// CopyFail (node-postgres has no COPY FROM source).
    CopyFail {
        /// The reason sent.
        message: String,
    },
}

/// A parameter value.
#[derive(Debug)]
pub enum PgValue {
    /// Text format.
    Text(String),
    /// Binary format (a Buffer).
    Bytes(Vec<u8>),
}

/// An open connection, owned by the driver.
pub trait PgSession {
    /// Writes `request`'s messages (in call order: writes queue behind each other).
    fn send(&self, request: PgRequest) -> LocalBoxFuture<'static, Result<(), PgFailure>>;
    /// Reads what the server sends next: at least one event.
    fn read(&self) -> LocalBoxFuture<'static, PgBatch>;
    /// Closes the socket without a goodbye.
    fn destroy(&self);
}

/// A connection that is up: the session, the backend's process id and cancellation key, and
/// the notices sent while it started.
pub type PgStarted = (Rc<dyn PgSession>, i32, i32, Vec<PgEvent>);

/// Opens connections for the ops; installed by the runtime in the `OpState`.
pub trait PgDriver {
    /// Connects, negotiates TLS, authenticates and waits for the first ReadyForQuery.
    fn connect(
        &self,
        options: PgConnectOptions,
    ) -> LocalBoxFuture<'static, Result<PgStarted, PgFailure>>;
}

/// The driver handle stored in the `OpState`.
#[derive(Clone)]
pub struct PgDriverHandle(pub Rc<dyn PgDriver>);

/// Open connections of a run.
#[derive(Default)]
struct Sessions {
    next: u32,
    open: HashMap<u32, Rc<dyn PgSession>>,
}

fn session(state: &Rc<RefCell<OpState>>, rid: u32) -> Option<Rc<dyn PgSession>> {
    state
        .borrow()
        .try_borrow::<Sessions>()
        .and_then(|s| s.open.get(&rid).cloned())
}

/// What connecting gave: the connection, or the failure (its `kind` tells them apart).
#[derive(Debug, Serialize)]
#[serde(untagged)]
pub enum PgConnected {
    /// The connection is up.
    Up(PgHello),
    /// It could not be made.
    Failed(PgFailure),
}

/// Connects; resolves with the handle and the backend's identity, or with the failure.
#[op2]
#[serde]
pub async fn op_pg_connect(
    state: Rc<RefCell<OpState>>,
    #[serde] options: PgConnectOptions,
) -> Result<PgConnected, JsErrorBox> {
    let driver = {
        let mut st = state.borrow_mut();
        if !options.host.starts_with('/') {
            if let Some(permissions) = st.try_borrow_mut::<deno_permissions::PermissionsContainer>()
            {
                let host = options.host.trim_start_matches('[').trim_end_matches(']');
                permissions
                    .check_net(&(host, Some(options.port)), "pg.Client.connect()")
                    .map_err(|e| JsErrorBox::new("NotCapable", e.to_string()))?;
            }
        }
        st.try_borrow::<PgDriverHandle>()
            .cloned()
            .ok_or_else(|| JsErrorBox::generic("PostgreSQL is not available in this engine"))?
    };
    let (session, process_id, secret_key, events) = match driver.0.connect(options).await {
        Ok(up) => up,
        Err(failure) => return Ok(PgConnected::Failed(failure)),
    };
    let mut st = state.borrow_mut();
    if !st.has::<Sessions>() {
        st.put(Sessions::default());
    }
    let sessions = st.borrow_mut::<Sessions>();
    sessions.next += 1;
    let rid = sessions.next;
    sessions.open.insert(rid, session);
    Ok(PgConnected::Up(PgHello {
        rid,
        process_id,
        secret_key,
        events,
    }))
}

/// Sends a request; its parameter values come as a separate array (strings, buffers, `null`).
#[op2]
#[serde]
pub async fn op_pg_send(
    state: Rc<RefCell<OpState>>,
    rid: u32,
    #[serde] request: PgRequest,
    #[serde] values: Option<Vec<Option<StringOrBuffer>>>,
) -> Result<Option<PgFailure>, JsErrorBox> {
    let Some(session) = session(&state, rid) else {
        return Ok(Some(PgFailure::other("Connection is closed")));
    };
    let mut request = request;
    if let (PgRequest::Messages { values: slot, .. }, Some(values)) = (&mut request, values) {
        *slot = values
            .into_iter()
            .map(|v| {
                v.map(|v| match v {
                    StringOrBuffer::String(s) => PgValue::Text(s),
                    StringOrBuffer::Buffer(b) => PgValue::Bytes(b.to_vec()),
                })
            })
            .collect();
    }
    Ok(session.send(request).await.err())
}

/// Reads the next batch; after `End` or `Failed` the handle is closed.
#[op2]
#[serde]
pub async fn op_pg_read(state: Rc<RefCell<OpState>>, rid: u32) -> PgBatch {
    let Some(session) = session(&state, rid) else {
        return PgBatch {
            events: vec![PgEvent::End],
            ..PgBatch::default()
        };
    };
    let batch = session.read().await;
    if batch
        .events
        .iter()
        .any(|e| matches!(e, PgEvent::End | PgEvent::Failed { .. }))
    {
        if let Some(s) = state.borrow_mut().try_borrow_mut::<Sessions>() {
            s.open.remove(&rid);
        }
    }
    batch
}

/// Closes the socket at once (node-postgres' `stream.destroy()`).
#[op2(fast)]
pub fn op_pg_destroy(state: &mut OpState, rid: u32) {
    if let Some(s) = state.try_borrow_mut::<Sessions>() {
        if let Some(session) = s.open.get(&rid) {
            session.destroy();
        }
    }
}
