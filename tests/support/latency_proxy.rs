//! A small HTTP/1.1 proxy in front of the local AWS that holds every request for a fixed
//! delay, so a benchmark can count round trips (wall time / delay), and can answer a
//! share of requests with a fault instead of forwarding them, shaped as each service
//! throttles: query APIs (CloudFormation: `POST /`) alternate `Throttling` (400) and a
//! bare 503; JSON APIs (Secrets Manager, KMS: `POST /` with `X-Amz-Target`) answer
//! `ThrottlingException` as JSON (400); S3 (REST) answers 503 `SlowDown` (no body for
//! HEAD, as S3 does).
//! Every request's signing key id and service (from its SigV4 `Authorization` header)
//! is recorded, so a test can tell which credentials signed which calls.
//! Loopback only; each forwarded request uses a fresh upstream connection, and the
//! client connection is closed after each response.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

pub struct LatencyProxy {
    pub endpoint: String,
    /// Requests seen (read by the round-trip benchmarks).
    #[allow(dead_code)]
    pub requests: Arc<AtomicUsize>,
    /// Requests answered with an injected fault (read by fault-injection tests).
    #[allow(dead_code)]
    pub faults: Arc<AtomicUsize>,
    /// (access key id, service) of every request, in arrival order.
    #[allow(dead_code)]
    pub signatures: Signatures,
    task: tokio::task::JoinHandle<()>,
}

/// (access key id, service) of each signed request.
pub type Signatures = Arc<Mutex<Vec<(String, String)>>>;

#[derive(Clone, Copy)]
pub struct Faults {
    /// Share of requests answered with an error instead of being forwarded (0.0-1.0).
    pub rate: f64,
    pub seed: u64,
}

impl LatencyProxy {
    pub async fn start(upstream: SocketAddr, delay: Duration, faults: Option<Faults>) -> LatencyProxy {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let endpoint = format!("http://{}", listener.local_addr().unwrap());
        let requests = Arc::new(AtomicUsize::new(0));
        let fault_count = Arc::new(AtomicUsize::new(0));
        let rng = Arc::new(AtomicU64::new(faults.map_or(1, |f| f.seed.max(1))));
        let signatures = Arc::new(Mutex::new(Vec::new()));
        let (r, f, s) = (requests.clone(), fault_count.clone(), signatures.clone());
        let task = tokio::spawn(async move {
            loop {
                let Ok((client, _)) = listener.accept().await else { return };
                let (r, f, s, rng) = (r.clone(), f.clone(), s.clone(), rng.clone());
                tokio::spawn(async move {
                    let _ = serve(client, upstream, delay, faults, (r, f, s), rng).await;
                });
            }
        });
        LatencyProxy { endpoint, requests, faults: fault_count, signatures, task }
    }
}

impl Drop for LatencyProxy {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// xorshift64: a deterministic fault sequence for a given seed.
fn next(rng: &AtomicU64) -> f64 {
    let mut x = rng.load(Ordering::Relaxed);
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    rng.store(x, Ordering::Relaxed);
    (x % 10_000) as f64 / 10_000.0
}

async fn serve(
    mut client: TcpStream,
    upstream: SocketAddr,
    delay: Duration,
    faults: Option<Faults>,
    (requests, fault_count, signatures): (Arc<AtomicUsize>, Arc<AtomicUsize>, Signatures),
    rng: Arc<AtomicU64>,
) -> std::io::Result<()> {
    let request = read_message(&mut client).await?;
    if request.is_empty() {
        return Ok(());
    }
    requests.fetch_add(1, Ordering::SeqCst);
    if let Some(signed) = signature(&request) {
        signatures.lock().unwrap().push(signed);
    }
    tokio::time::sleep(delay).await;
    if let Some(f) = faults
        && next(&rng) < f.rate
    {
        let n = fault_count.fetch_add(1, Ordering::SeqCst);
        let line = String::from_utf8_lossy(&request[..find(&request, b"\r\n").unwrap_or(0)]).into_owned();
        let response = if !line.starts_with("POST / ") {
            let body = if line.starts_with("HEAD ") {
                ""
            } else {
                "<Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>"
            };
            format!(
                "HTTP/1.1 503 Slow Down\r\nContent-Type: application/xml\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            )
        } else if n.is_multiple_of(2) && has_header(&request, "x-amz-target") {
            let body = r#"{"__type":"ThrottlingException","message":"Rate exceeded"}"#;
            format!(
                "HTTP/1.1 400 Bad Request\r\nContent-Type: application/x-amz-json-1.1\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            )
        } else if n.is_multiple_of(2) {
            let body = "<ErrorResponse><Error><Type>Sender</Type><Code>Throttling</Code><Message>Rate exceeded</Message></Error><RequestId>proxy</RequestId></ErrorResponse>";
            format!(
                "HTTP/1.1 400 Bad Request\r\nContent-Type: text/xml\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            )
        } else {
            "HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".to_owned()
        };
        client.write_all(response.as_bytes()).await?;
        return client.shutdown().await;
    }
    let mut up = TcpStream::connect(upstream).await?;
    up.write_all(&force_close(&request)).await?;
    let mut response = Vec::new();
    up.read_to_end(&mut response).await?;
    client.write_all(&response).await?;
    client.shutdown().await
}

/// The key id and service of a SigV4 `Authorization` header:
/// `AWS4-HMAC-SHA256 Credential=AKID/20261202/eu-central-1/sts/aws4_request, …`.
fn signature(request: &[u8]) -> Option<(String, String)> {
    let head_end = find(request, b"\r\n\r\n").unwrap_or(request.len());
    let head = String::from_utf8_lossy(&request[..head_end]);
    let auth = head.lines().find(|l| l.to_ascii_lowercase().starts_with("authorization:"))?;
    let scope = auth.split("Credential=").nth(1)?.split(',').next()?;
    let parts: Vec<&str> = scope.split('/').collect();
    (parts.len() == 5).then(|| (parts[0].to_owned(), parts[3].to_owned()))
}

/// Whether the request's head carries the header (name in lower case).
fn has_header(request: &[u8], name: &str) -> bool {
    let head_end = find(request, b"\r\n\r\n").unwrap_or(request.len());
    String::from_utf8_lossy(&request[..head_end])
        .lines()
        .any(|l| l.to_ascii_lowercase().starts_with(&format!("{name}:")))
}

/// Reads one HTTP request: head, then `Content-Length` bytes of body.
async fn read_message(stream: &mut TcpStream) -> std::io::Result<Vec<u8>> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 8192];
    let head_end = loop {
        if let Some(i) = find(&buf, b"\r\n\r\n") {
            break i + 4;
        }
        let n = stream.read(&mut chunk).await?;
        if n == 0 {
            return Ok(buf);
        }
        buf.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).to_ascii_lowercase();
    let length: usize =
        head.lines().find_map(|l| l.strip_prefix("content-length:")).and_then(|v| v.trim().parse().ok()).unwrap_or(0);
    while buf.len() < head_end + length {
        let n = stream.read(&mut chunk).await?;
        if n == 0 {
            break;
        }
        buf.extend_from_slice(&chunk[..n]);
    }
    Ok(buf)
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// Asks the upstream to close after answering, so its response ends at EOF.
fn force_close(request: &[u8]) -> Vec<u8> {
    let head_end = find(request, b"\r\n\r\n").map_or(request.len(), |i| i + 2);
    let head = String::from_utf8_lossy(&request[..head_end]);
    let mut out: String = head
        .lines()
        .filter(|l| !l.to_ascii_lowercase().starts_with("connection:"))
        .map(|l| format!("{l}\r\n"))
        .collect();
    out.push_str("Connection: close\r\n");
    let mut bytes = out.into_bytes();
    bytes.extend_from_slice(&request[head_end..]);
    bytes
}
