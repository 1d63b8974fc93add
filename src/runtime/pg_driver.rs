//! The PostgreSQL driver behind the `pg` ops ([`PgDriver`]): a socket (TCP, TLS through rustls,
//! or a Unix socket), the startup and authentication exchange (cleartext, MD5, SCRAM-SHA-256),
//! then frontend messages out and backend messages in, framed and encoded by
//! `postgres-protocol` (the protocol crate of rust-postgres).
//!
//! Not tokio-postgres' `Client`: it always asks for results in binary format and keeps the
//! RowDescription's size and modifier to itself, while node-postgres' results are built from the
//! text format and show every field of the description. The connection logic here is small:
//! one writer (requests queue on an async mutex, in call order) and one reader that turns
//! messages into [`PgEvent`]s in batches, so a large result never sits whole in Rust.

use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::BytesMut;
use deno_core::futures::future::LocalBoxFuture;
use deno_core::futures::FutureExt;
use fallible_iterator::FallibleIterator;
use postgres_protocol::authentication::sasl::{ChannelBinding, ScramSha256};
use postgres_protocol::message::backend::Message;
use postgres_protocol::message::frontend;
use postgres_protocol::IsNull;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, ReadHalf, WriteHalf};
use tokio::sync::Notify;

use crate::ops::pg::{
    PgBatch, PgConnectOptions, PgDriver, PgEvent, PgFailure, PgField, PgMessage, PgRequest,
    PgSession, PgStarted, PgTls, PgValue,
};

/// A batch closes after this many rows or this many bytes of cell text.
const BATCH_ROWS: usize = 2048;
const BATCH_BYTES: usize = 1 << 20;
/// Room made in the read buffer before each socket read.
const READ_AHEAD: usize = 64 * 1024;

/// Sockets the driver reads and writes.
trait Io: AsyncRead + AsyncWrite + Unpin {}
impl<T: AsyncRead + AsyncWrite + Unpin> Io for T {}

type Stream = Box<dyn Io>;

/// The driver installed in each run's `OpState`.
pub struct TokioPgDriver;

impl PgDriver for TokioPgDriver {
    fn connect(
        &self,
        options: PgConnectOptions,
    ) -> LocalBoxFuture<'static, Result<PgStarted, PgFailure>> {
        async move {
            let (stream, buf, pid, key, events) = start(&options).await?;
            let (read, write) = tokio::io::split(stream);
            let session: Rc<dyn PgSession> = Rc::new(Session {
                reader: Rc::new(RefCell::new(Some(Reader { io: read, buf }))),
                writer: Rc::new(tokio::sync::Mutex::new(Some(write))),
                destroyed: Rc::new(Notify::new()),
                terminated: Rc::new(Notify::new()),
                gone: Rc::new(Cell::new(false)),
            });
            Ok((session, pid, key, events))
        }
        .boxed_local()
    }
}

/// The read side: the socket half and what was read but not yet parsed.
struct Reader {
    io: ReadHalf<Stream>,
    buf: BytesMut,
}

/// One open connection.
struct Session {
    /// Taken by the read in progress, put back when its batch is complete.
    reader: Rc<RefCell<Option<Reader>>>,
    /// `None` once the connection was terminated or destroyed.
    writer: Rc<tokio::sync::Mutex<Option<WriteHalf<Stream>>>>,
    /// Wakes a pending read when the connection is destroyed.
    destroyed: Rc<Notify>,
    /// Told when Terminate was sent: the read gives up on the server's goodbye after a while.
    terminated: Rc<Notify>,
    /// The reader saw the end.
    gone: Rc<Cell<bool>>,
}

impl PgSession for Session {
    fn send(&self, request: PgRequest) -> LocalBoxFuture<'static, Result<(), PgFailure>> {
        let encoded = encode(request);
        let writer = self.writer.clone();
        let terminated = self.terminated.clone();
        let gone = self.gone.clone();
        async move {
            let (bytes, terminate) = encoded?;
            let mut guard = writer.lock().await;
            let Some(io) = guard.as_mut() else {
                return Err(PgFailure::other("Connection terminated"));
            };
            let written = async {
                io.write_all(&bytes).await?;
                io.flush().await
            }
            .await;
            if terminate {
                if let Some(mut io) = guard.take() {
                    let _ = io.shutdown().await;
                }
                // the server closes its side after Terminate; the reader stops waiting for
                // that after a while
                if !gone.get() {
                    terminated.notify_one();
                }
            }
            written.map_err(|e| net_failure(&e, "write"))
        }
        .boxed_local()
    }

    fn read(&self) -> LocalBoxFuture<'static, PgBatch> {
        let slot = self.reader.clone();
        let taken = slot.borrow_mut().take();
        let destroyed = self.destroyed.clone();
        let terminated = self.terminated.clone();
        let gone = self.gone.clone();
        async move {
            let Some(mut reader) = taken else {
                // a second read while one is pending: nothing to read here
                return PgBatch {
                    events: vec![PgEvent::Failed {
                        failure: PgFailure::other("the connection is already being read"),
                    }],
                    ..PgBatch::default()
                };
            };
            let batch = read_batch(&mut reader, &destroyed, &terminated).await;
            let over = batch
                .events
                .iter()
                .any(|e| matches!(e, PgEvent::End | PgEvent::Failed { .. }));
            if over {
                gone.set(true);
            } else {
                *slot.borrow_mut() = Some(reader);
            }
            batch
        }
        .boxed_local()
    }

    fn destroy(&self) {
        self.destroyed.notify_one();
        if let Ok(mut guard) = self.writer.try_lock() {
            guard.take();
        }
    }
}

/// Reads until a batch is worth handing over: a ReadyForQuery, enough rows, or everything the
/// socket had so far.
async fn read_batch(reader: &mut Reader, destroyed: &Notify, terminated: &Notify) -> PgBatch {
    let mut batch = PgBatch::default();
    let mut rows = 0u32;
    let mut bytes = 0usize;
    let flush = |batch: &mut PgBatch, rows: &mut u32| {
        if *rows > 0 {
            batch.events.push(PgEvent::Rows { count: *rows });
            *rows = 0;
        }
    };
    loop {
        loop {
            let message = match Message::parse(&mut reader.buf) {
                Ok(Some(message)) => message,
                Ok(None) => break,
                Err(e) => {
                    flush(&mut batch, &mut rows);
                    batch.events.push(PgEvent::Failed {
                        failure: PgFailure::other(format!("received invalid response: {e}")),
                    });
                    return batch;
                }
            };
            if let Message::DataRow(body) = &message {
                let data = body.buffer();
                let mut cells = Vec::new();
                let mut ranges = body.ranges();
                while let Ok(Some(range)) = ranges.next() {
                    // binary-format cells too are decoded as UTF-8, as node-postgres' parser
                    // does (its binary parsers then see the re-encoded bytes)
                    cells.push(range.map(|r| {
                        bytes += r.len();
                        text(&data[r])
                    }));
                }
                batch.push_row(cells.iter().map(|c| c.as_deref()));
                rows += 1;
                if batch.row_count >= BATCH_ROWS || bytes >= BATCH_BYTES {
                    flush(&mut batch, &mut rows);
                    return batch;
                }
                continue;
            }
            flush(&mut batch, &mut rows);
            let ready = matches!(message, Message::ReadyForQuery(_));
            if let Some(event) = event_of(message) {
                batch.events.push(event);
            }
            if ready {
                return batch;
            }
        }
        if rows > 0 || !batch.events.is_empty() {
            // What the socket already holds joins this batch (without waiting for more): a big
            // result then crosses to JavaScript in a few large batches, not one per socket read.
            reader.buf.reserve(READ_AHEAD);
            match reader.io.read_buf(&mut reader.buf).now_or_never() {
                Some(Ok(n)) if n > 0 => continue,
                Some(Ok(_)) => {
                    flush(&mut batch, &mut rows);
                    batch.events.push(PgEvent::End);
                }
                Some(Err(e)) => {
                    flush(&mut batch, &mut rows);
                    batch.events.push(PgEvent::Failed {
                        failure: net_failure(&e, "read"),
                    });
                }
                None => flush(&mut batch, &mut rows),
            }
            return batch;
        }
        reader.buf.reserve(READ_AHEAD);
        let read = tokio::select! {
            read = reader.io.read_buf(&mut reader.buf) => read,
            _ = destroyed.notified() => Ok(0),
            _ = async {
                terminated.notified().await;
                tokio::time::sleep(Duration::from_secs(5)).await;
            } => Ok(0),
        };
        match read {
            Ok(0) => {
                batch.events.push(PgEvent::End);
                return batch;
            }
            Ok(_) => {}
            Err(e) => {
                batch.events.push(PgEvent::Failed {
                    failure: net_failure(&e, "read"),
                });
                return batch;
            }
        }
    }
}

/// Cell text as node-postgres decodes it (UTF-8, invalid sequences replaced).
fn text(bytes: &[u8]) -> std::borrow::Cow<'_, str> {
    String::from_utf8_lossy(bytes)
}

/// Field code and value pairs of an ErrorResponse/NoticeResponse, and the message's length.
fn error_fields(
    mut fields: postgres_protocol::message::backend::ErrorFields<'_>,
) -> (Vec<(String, String)>, u32) {
    let mut out = Vec::new();
    let mut length = 4 + 1;
    while let Ok(Some(field)) = fields.next() {
        length += 2 + field.value_bytes().len();
        out.push((
            char::from(field.type_()).to_string(),
            text(field.value_bytes()).into_owned(),
        ));
    }
    (out, length as u32)
}

/// The event a backend message is for the bridge (`None`: nothing it acts on).
fn event_of(message: Message) -> Option<PgEvent> {
    Some(match message {
        Message::RowDescription(body) => {
            let mut fields = Vec::new();
            let mut iter = body.fields();
            while let Ok(Some(f)) = iter.next() {
                fields.push(PgField {
                    name: f.name().to_string(),
                    table_id: f.table_oid(),
                    column_id: f.column_id(),
                    data_type_id: f.type_oid(),
                    data_type_size: f.type_size(),
                    data_type_modifier: f.type_modifier(),
                    format: if f.format() == 0 { "text" } else { "binary" },
                });
            }
            PgEvent::Fields { fields }
        }
        Message::CommandComplete(body) => PgEvent::Complete {
            text: body.tag().map(str::to_string).unwrap_or_default(),
        },
        Message::EmptyQueryResponse => PgEvent::Empty,
        Message::ParseComplete => PgEvent::ParseComplete,
        Message::NoData => PgEvent::NoData,
        Message::PortalSuspended => PgEvent::Suspended,
        Message::ErrorResponse(body) => {
            let (fields, length) = error_fields(body.fields());
            PgEvent::Error { fields, length }
        }
        Message::NoticeResponse(body) => {
            let (fields, length) = error_fields(body.fields());
            PgEvent::Notice { fields, length }
        }
        Message::NotificationResponse(body) => {
            let channel = body.channel().unwrap_or_default().to_string();
            let payload = body.message().unwrap_or_default().to_string();
            let length = (4 + 4 + channel.len() + 1 + payload.len() + 1) as u32;
            PgEvent::Notification {
                process_id: body.process_id(),
                channel,
                payload,
                length,
            }
        }
        Message::CopyInResponse(_) => PgEvent::CopyIn,
        Message::ReadyForQuery(body) => PgEvent::Ready {
            status: char::from(body.status()).to_string(),
        },
        _ => return None,
    })
}

/// The bytes of a request; `true` when it ends the connection.
fn encode(request: PgRequest) -> Result<(BytesMut, bool), PgFailure> {
    use bytes::BufMut;
    let mut buf = BytesMut::new();
    let io = |e: std::io::Error| PgFailure::other(e.to_string());
    let kind = |k: &str| k.bytes().next().unwrap_or(b'P');
    let (messages, values) = match request {
        PgRequest::Terminate => {
            frontend::terminate(&mut buf);
            return Ok((buf, true));
        }
        PgRequest::Messages { messages, values } => (messages, values),
    };
    for message in messages {
        match message {
            PgMessage::Query { text } => frontend::query(&text, &mut buf).map_err(io)?,
            PgMessage::Parse { name, text, types } => {
                frontend::parse(&name, &text, types, &mut buf).map_err(io)?
            }
            PgMessage::Bind {
                portal,
                statement,
                binary,
            } => {
                let formats: Vec<i16> = values
                    .iter()
                    .map(|v| i16::from(matches!(v, Some(PgValue::Bytes(_)))))
                    .collect();
                frontend::bind(
                    &portal,
                    &statement,
                    formats,
                    values.iter(),
                    |value, buf| {
                        Ok(match value {
                            None => IsNull::Yes,
                            Some(PgValue::Text(s)) => {
                                buf.put_slice(s.as_bytes());
                                IsNull::No
                            }
                            Some(PgValue::Bytes(b)) => {
                                buf.put_slice(b);
                                IsNull::No
                            }
                        })
                    },
                    [i16::from(binary)],
                    &mut buf,
                )
                .map_err(|e| match e {
                    frontend::BindError::Conversion(e) => PgFailure::other(e.to_string()),
                    frontend::BindError::Serialization(e) => io(e),
                })?;
            }
            PgMessage::Describe { kind: k, name } => {
                frontend::describe(kind(&k), &name, &mut buf).map_err(io)?
            }
            PgMessage::Execute { portal, rows } => {
                frontend::execute(&portal, rows as i32, &mut buf).map_err(io)?
            }
            PgMessage::Close { kind: k, name } => {
                frontend::close(kind(&k), &name, &mut buf).map_err(io)?
            }
            PgMessage::Flush => frontend::flush(&mut buf),
            PgMessage::Sync => frontend::sync(&mut buf),
            PgMessage::CopyFail { message } => {
                frontend::copy_fail(&message, &mut buf).map_err(io)?
            }
        }
    }
    Ok((buf, false))
}

/// Node's code for a socket failure (`connect ECONNREFUSED …` is worded by the bridge).
fn net_failure(e: &std::io::Error, syscall: &str) -> PgFailure {
    use std::io::ErrorKind::*;
    let code = match e.kind() {
        ConnectionRefused => "ECONNREFUSED",
        ConnectionReset | ConnectionAborted => "ECONNRESET",
        BrokenPipe => "EPIPE",
        TimedOut => "ETIMEDOUT",
        NotFound if syscall == "connect" => "ENOENT",
        _ => {
            let text = e.to_string().to_lowercase();
            if text.contains("lookup") || text.contains("name or service not known") {
                "ENOTFOUND"
            } else if text.contains("temporary failure in name resolution") {
                "EAI_AGAIN"
            } else {
                return PgFailure::Net {
                    code: "ESOCKET".into(),
                    message: e.to_string(),
                };
            }
        }
    };
    PgFailure::Net {
        code: code.into(),
        message: format!("{syscall} {code}"),
    }
}

/// Reads one backend message during startup (`None`: the server closed the connection).
async fn next_message(io: &mut Stream, buf: &mut BytesMut) -> Result<Option<Message>, PgFailure> {
    loop {
        if let Some(message) = Message::parse(buf)
            .map_err(|e| PgFailure::other(format!("received invalid response: {e}")))?
        {
            return Ok(Some(message));
        }
        let n = io
            .read_buf(buf)
            .await
            .map_err(|e| net_failure(&e, "read"))?;
        if n == 0 {
            return Ok(None);
        }
    }
}

async fn write(io: &mut Stream, buf: &mut BytesMut) -> Result<(), PgFailure> {
    io.write_all(buf)
        .await
        .map_err(|e| net_failure(&e, "write"))?;
    io.flush().await.map_err(|e| net_failure(&e, "write"))?;
    buf.clear();
    Ok(())
}

type Started = (Stream, BytesMut, i32, i32, Vec<PgEvent>);

/// Connects and authenticates (within `connect_timeout_ms`, node-postgres'
/// `connectionTimeoutMillis`, when set).
async fn start(options: &PgConnectOptions) -> Result<Started, PgFailure> {
    match options.connect_timeout_ms.filter(|ms| *ms > 0) {
        Some(ms) => tokio::time::timeout(Duration::from_millis(ms), handshake(options))
            .await
            .unwrap_or_else(|_| Err(PgFailure::other("timeout expired"))),
        None => handshake(options).await,
    }
}

async fn handshake(options: &PgConnectOptions) -> Result<Started, PgFailure> {
    let mut io: Stream = if options.host.starts_with('/') {
        let path = format!("{}/.s.PGSQL.{}", options.host, options.port);
        Box::new(
            tokio::net::UnixStream::connect(&path)
                .await
                .map_err(|e| net_failure(&e, "connect"))?,
        )
    } else {
        let host = options.host.trim_start_matches('[').trim_end_matches(']');
        let tcp = tokio::net::TcpStream::connect((host, options.port))
            .await
            .map_err(|e| net_failure(&e, "connect"))?;
        let _ = tcp.set_nodelay(true);
        Box::new(tcp)
    };
    let mut buf = BytesMut::new();
    if let Some(tls) = &options.tls {
        frontend::ssl_request(&mut buf);
        write(&mut io, &mut buf).await?;
        let mut answer = [0u8; 1];
        io.read_exact(&mut answer)
            .await
            .map_err(|e| net_failure(&e, "read"))?;
        match answer[0] {
            b'S' => io = secure(io, &options.host, tls).await?,
            b'N' => {
                return Err(PgFailure::other(
                    "The server does not support SSL connections",
                ))
            }
            _ => {
                return Err(PgFailure::other(
                    "There was an error establishing an SSL connection",
                ))
            }
        }
    }
    let mut params: Vec<(&str, &str)> = options
        .params
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    params.push(("client_encoding", "UTF8"));
    frontend::startup_message(params, &mut buf).map_err(|e| PgFailure::other(e.to_string()))?;
    write(&mut io, &mut buf).await?;

    let user = options
        .params
        .iter()
        .find(|(k, _)| k == "user")
        .map(|(_, v)| v.clone())
        .unwrap_or_default();
    let password = || {
        options
            .password
            .clone()
            .ok_or_else(|| PgFailure::other("client password must be a string"))
    };
    let mut input = BytesMut::new();
    let mut scram: Option<ScramSha256> = None;
    let (mut pid, mut key) = (0, 0);
    let mut events = Vec::new();
    loop {
        let Some(message) = next_message(&mut io, &mut input).await? else {
            return Err(PgFailure::other("Connection terminated unexpectedly"));
        };
        match message {
            Message::AuthenticationOk | Message::ParameterStatus(_) => {}
            Message::AuthenticationCleartextPassword => {
                frontend::password_message(password()?.as_bytes(), &mut buf)
                    .map_err(|e| PgFailure::other(e.to_string()))?;
                write(&mut io, &mut buf).await?;
            }
            Message::AuthenticationMd5Password(body) => {
                let hash = postgres_protocol::authentication::md5_hash(
                    user.as_bytes(),
                    password()?.as_bytes(),
                    body.salt(),
                );
                frontend::password_message(hash.as_bytes(), &mut buf)
                    .map_err(|e| PgFailure::other(e.to_string()))?;
                write(&mut io, &mut buf).await?;
            }
            Message::AuthenticationSasl(body) => {
                let mut offered = false;
                let mut mechanisms = body.mechanisms();
                while let Ok(Some(m)) = mechanisms.next() {
                    offered |= m == "SCRAM-SHA-256";
                }
                if !offered {
                    return Err(PgFailure::other(
                        "SASL: Only mechanism SCRAM-SHA-256 is currently supported",
                    ));
                }
                let password = options.password.clone().ok_or_else(|| {
                    PgFailure::other(
                        "SASL: SCRAM-SERVER-FIRST-MESSAGE: client password must be a string",
                    )
                })?;
                let session = ScramSha256::new(password.as_bytes(), ChannelBinding::unsupported());
                frontend::sasl_initial_response("SCRAM-SHA-256", session.message(), &mut buf)
                    .map_err(|e| PgFailure::other(e.to_string()))?;
                write(&mut io, &mut buf).await?;
                scram = Some(session);
            }
            Message::AuthenticationSaslContinue(body) => {
                let session = scram
                    .as_mut()
                    .ok_or_else(|| PgFailure::other("SASL: unexpected continue message"))?;
                session.update(body.data()).map_err(|e| {
                    PgFailure::other(format!("SASL: SCRAM-SERVER-FIRST-MESSAGE: {e}"))
                })?;
                frontend::sasl_response(session.message(), &mut buf)
                    .map_err(|e| PgFailure::other(e.to_string()))?;
                write(&mut io, &mut buf).await?;
            }
            Message::AuthenticationSaslFinal(body) => {
                let session = scram
                    .as_mut()
                    .ok_or_else(|| PgFailure::other("SASL: unexpected final message"))?;
                session.finish(body.data()).map_err(|_| {
                    PgFailure::other(
                        "SASL: SCRAM-SERVER-FINAL-MESSAGE: server signature does not match",
                    )
                })?;
            }
            Message::BackendKeyData(body) => {
                pid = body.process_id();
                key = body.secret_key();
            }
            Message::ErrorResponse(body) => {
                let (fields, length) = error_fields(body.fields());
                return Err(PgFailure::Server { fields, length });
            }
            message @ Message::NoticeResponse(_) => events.extend(event_of(message)),
            Message::ReadyForQuery(_) => return Ok((io, input, pid, key, events)),
            _ => {
                return Err(PgFailure::other(
                    "Unsupported authentication method requested by the server",
                ))
            }
        }
    }
}

/// The TLS handshake after the server agreed to SSLRequest.
async fn secure(io: Stream, host: &str, tls: &PgTls) -> Result<Stream, PgFailure> {
    let leaf: Arc<Mutex<Option<Vec<u8>>>> = Arc::default();
    let options = crate::ops::http::TlsOptions {
        ca: tls.ca.clone(),
        cert: tls.cert.clone(),
        key: tls.key.clone(),
        reject_unauthorized: Some(tls.reject_unauthorized),
    };
    let config =
        super::http_client::tls_config_seeing_leaf(&options, leaf.clone()).map_err(|e| {
            PgFailure::Net {
                code: e.code.into(),
                message: e.message,
            }
        })?;
    let name = tls.servername.clone().unwrap_or_else(|| {
        host.trim_start_matches('[')
            .trim_end_matches(']')
            .to_string()
    });
    let server_name = rustls::pki_types::ServerName::try_from(name.clone())
        .map_err(|e| PgFailure::other(format!("invalid servername {name}: {e}")))?;
    let connector = tokio_rustls::TlsConnector::from(Arc::new(config));
    match connector.connect(server_name, io).await {
        Ok(stream) => Ok(Box::new(stream)),
        Err(e) => {
            let mut text = e.to_string();
            let mut source = std::error::Error::source(&e);
            while let Some(s) = source {
                text.push_str(": ");
                text.push_str(&s.to_string());
                source = s.source();
            }
            match super::http_client::tls_failure_text(&text) {
                Some(("ERR_TLS_CERT_ALTNAME_INVALID", message)) => {
                    let names = leaf
                        .lock()
                        .ok()
                        .and_then(|l| l.clone())
                        .map(|der| super::http_client::subject_alt_names(&der))
                        .unwrap_or_default();
                    Err(PgFailure::Net {
                        code: "ERR_TLS_CERT_ALTNAME_INVALID".into(),
                        message: format!("{message}: {}", altname_reason(&name, &names)),
                    })
                }
                Some((code, message)) => Err(PgFailure::Net {
                    code: code.into(),
                    message: message.into(),
                }),
                None => Err(PgFailure::Net {
                    code: "ECONNRESET".into(),
                    message: text,
                }),
            }
        }
    }
}

/// Node's reason for a name the certificate does not carry (`tls.checkServerIdentity`), from the
/// certificate's subject alternative names in OpenSSL's wording (`DNS:x`, `IP Address:y`).
fn altname_reason(name: &str, names: &[String]) -> String {
    if name.parse::<std::net::IpAddr>().is_ok() {
        let ips: Vec<&str> = names
            .iter()
            .filter_map(|n| n.strip_prefix("IP Address:"))
            .collect();
        format!("IP: {name} is not in the cert's list: {}", ips.join(", "))
    } else {
        format!(
            "Host: {name}. is not in the cert's altnames: {}",
            names.join(", ")
        )
    }
}
