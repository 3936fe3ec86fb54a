//! Past one process: the all-reduce between separate processes, over TCP.
//!
//! Threads share memory; processes — and machines — do not. They must send
//! each other their gradients as bytes. This is the smallest version of
//! what NCCL, Gloo or MPI do: rank 0 listens, every other rank connects,
//! proves it belongs to the run with the run's secret, and sends its
//! share's gradient and share size; rank 0 combines them (chapter 14's
//! `all_reduce_mean`) and sends the result back to every rank. Over a
//! network between machines the code is the same; only the address
//! changes.
//!
//! Nothing a peer sends is trusted: a connection without the secret is
//! dropped before any gradient moves, every length and count is checked
//! (sums too, for overflow), a gradient with a NaN or an infinity is
//! refused, and every wait has a deadline — a rank that never connects
//! or goes silent is an error that says so, not a hang.

use std::io::{ErrorKind, Read, Write};
use std::net::{TcpListener, TcpStream, ToSocketAddrs};
use std::time::{Duration, Instant};

use ch07_minibatches::Gradients;
use ch12_sequences::language::Language;
use ch13_transformer::gpt::Gpt;
use ndarray::{Array1, Array2};

use crate::parallel::{all_reduce_mean, gpt_mean};

/// How long a rank waits for another before giving up (a crashed peer
/// must not hang the run).
pub const TIMEOUT: Duration = Duration::from_secs(60);

/// How long rank 0 waits for a new connection to prove itself: a silent
/// stranger must not hold the door.
const HANDSHAKE: Duration = Duration::from_secs(5);

/// The environment variable that carries the run's secret to a rank the
/// run starts (the environment, unlike the command line, is not readable
/// by other users).
pub const SECRET_VARIABLE: &str = "CH14_ALLREDUCE_SECRET";

/// The largest share size a rank may declare: far above any minibatch.
const MAX_SHARE: u64 = 1 << 32;

/// Why an all-reduce between processes failed, in one line.
#[derive(Debug, thiserror::Error)]
pub enum LinkError {
    /// The connection failed.
    #[error("all-reduce over TCP: {0}")]
    Io(#[from] std::io::Error),
    /// A peer did not answer in time.
    #[error("all-reduce over TCP: {0}")]
    Timeout(String),
    /// A message that is not a gradient of the expected shapes, or a
    /// peer that is not one of the run's ranks.
    #[error("all-reduce over TCP: {0}")]
    Message(String),
}

/// What the ranks of one run share: the secret each rank proves before any
/// gradient moves, and how long a rank waits for another.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Link {
    /// 32 bytes no one outside the run knows.
    pub secret: [u8; 32],
    /// The longest wait for another rank.
    pub timeout: Duration,
}

impl Link {
    /// A new run's link: a fresh secret from the operating system's
    /// randomness (the keys of std's `RandomState`), and [`TIMEOUT`].
    pub fn fresh() -> Link {
        use std::hash::{BuildHasher, Hasher};
        let state = std::collections::hash_map::RandomState::new();
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        let mut secret = [0u8; 32];
        for (i, chunk) in secret.chunks_mut(8).enumerate() {
            let mut hasher = state.build_hasher();
            hasher.write_usize(i);
            hasher.write_u128(nanos);
            hasher.write_u32(std::process::id());
            chunk.copy_from_slice(&hasher.finish().to_le_bytes());
        }
        Link {
            secret,
            timeout: TIMEOUT,
        }
    }

    /// The secret as [`SECRET_VARIABLE`] carries it: 64 hex digits.
    pub fn secret_hex(&self) -> String {
        self.secret.iter().map(|b| format!("{b:02x}")).collect()
    }

    /// The link of a rank the run started: its secret from
    /// [`SECRET_VARIABLE`].
    pub fn from_environment() -> Result<Link, LinkError> {
        let hex = std::env::var(SECRET_VARIABLE).unwrap_or_default();
        let digits: Vec<u8> = hex
            .as_bytes()
            .chunks(2)
            .filter_map(|pair| {
                u8::from_str_radix(std::str::from_utf8(pair).ok()?, 16).ok()
            })
            .collect();
        let secret = <[u8; 32]>::try_from(digits.as_slice())
            .ok()
            .filter(|_| hex.len() == 64)
            .ok_or_else(|| {
                LinkError::Message(format!(
                    "a rank needs the run's secret in {SECRET_VARIABLE} (64 \
                     hex digits; the run that starts it sets it)"
                ))
            })?;
        Ok(Link {
            secret,
            timeout: TIMEOUT,
        })
    }
}

// ANCHOR: gradient
/// What the all-reduce moves: a gradient, as numbers in an order both ends
/// know (so the shapes need not travel), and how the ranks' gradients
/// combine into the whole minibatch's. Chapter 8's network's and chapter
/// 13's GPT's are two.
pub trait Gradient: Clone + Send {
    /// Every entry, in order.
    fn entries(&self) -> Vec<f32>;
    /// How many entries.
    fn count(&self) -> usize;
    /// A gradient shaped like this one holding `values` (`count` of them).
    fn with_entries(&self, values: &[f32]) -> Self;
    /// The whole minibatch's gradient from the shares': Σₖ (mₖ/m) ∇Cₖ.
    fn mean(parts: &[(Self, usize)], m: usize) -> Self;
}
// ANCHOR_END: gradient

impl Gradient for Gradients<f32> {
    fn entries(&self) -> Vec<f32> {
        let layers = self.nabla_w.iter().zip(&self.nabla_b);
        layers
            .flat_map(|(w, b)| w.iter().chain(b).copied())
            .collect()
    }

    fn count(&self) -> usize {
        self.nabla_w.iter().map(|w| w.len()).sum::<usize>()
            + self.nabla_b.iter().map(|b| b.len()).sum::<usize>()
    }

    fn with_entries(&self, values: &[f32]) -> Self {
        let mut values = values.iter().copied();
        let mut take =
            |n: usize| -> Vec<f32> { values.by_ref().take(n).collect() };
        let mut grads = Gradients {
            nabla_w: vec![],
            nabla_b: vec![],
        };
        for (w, b) in self.nabla_w.iter().zip(&self.nabla_b) {
            let w_k = Array2::from_shape_vec(w.dim(), take(w.len()));
            grads.nabla_w.push(w_k.expect("as many values as entries"));
            grads.nabla_b.push(Array1::from(take(b.len())));
        }
        grads
    }

    fn mean(parts: &[(Self, usize)], m: usize) -> Self {
        all_reduce_mean(parts, m)
    }
}

impl Gradient for Gpt<f32> {
    fn entries(&self) -> Vec<f32> {
        self.parameters().into_iter().flatten().copied().collect()
    }

    fn count(&self) -> usize {
        self.parameters().iter().map(|p| p.len()).sum()
    }

    fn with_entries(&self, values: &[f32]) -> Self {
        let mut g = self.clone();
        let mut values = values.iter().copied();
        for p in g.parameters_mut() {
            p.iter_mut()
                .for_each(|v| *v = values.next().expect("a value"));
        }
        g
    }

    fn mean(parts: &[(Self, usize)], m: usize) -> Self {
        gpt_mean(parts, m)
    }
}

// ANCHOR: message
/// A gradient as bytes: the share size mₖ, then every entry in order,
/// little-endian. Both ends know the model, so the shapes need not travel.
pub fn encode<G: Gradient>(grads: &G, m_k: usize) -> Vec<u8> {
    let mut bytes = (m_k as u64).to_le_bytes().to_vec();
    bytes.extend(grads.entries().iter().flat_map(|v| v.to_le_bytes()));
    bytes
}

/// The gradient and share size in `bytes`, shaped like `like`.
pub fn decode<G: Gradient>(
    bytes: &[u8],
    like: &G,
) -> Result<(G, usize), LinkError> {
    let expected = 8 + 4 * like.count();
    if bytes.len() != expected {
        return Err(LinkError::Message(format!(
            "a message of {} bytes, expected {expected} for this model",
            bytes.len()
        )));
    }
    let m_k = u64::from_le_bytes(bytes[..8].try_into().expect("8 bytes"));
    if !(1..=MAX_SHARE).contains(&m_k) {
        return Err(LinkError::Message(format!(
            "a share of {m_k} samples declared (1 to {MAX_SHARE} expected)"
        )));
    }
    let values: Vec<f32> = bytes[8..]
        .chunks_exact(4)
        .map(|c| f32::from_le_bytes(c.try_into().expect("4 bytes")))
        .collect();
    if !values.iter().all(|v| v.is_finite()) {
        return Err(LinkError::Message(
            "a gradient with a NaN or an infinity in it".to_string(),
        ));
    }
    Ok((like.with_entries(&values), m_k as usize))
}
// ANCHOR_END: message

/// The bytes one rank's gradient takes on the wire: the 8-byte length,
/// the 8-byte share size, 4 bytes per entry.
pub fn message_bytes<G: Gradient>(g: &G) -> u64 {
    16 + 4 * g.count() as u64
}

/// What an all-reduce moved for one rank, counted at the socket.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Traffic {
    /// Bytes this rank wrote (a worker's secret included).
    pub sent: u64,
    /// Bytes it read (the secrets rank 0 checks included).
    pub received: u64,
}

/// Sends one message: its length (8 bytes), then its bytes; counted.
fn send(
    stream: &mut TcpStream,
    bytes: &[u8],
    traffic: &mut Traffic,
) -> Result<(), LinkError> {
    stream.write_all(&(bytes.len() as u64).to_le_bytes())?;
    stream.write_all(bytes)?;
    traffic.sent += 8 + bytes.len() as u64;
    Ok(())
}

/// Receives one message, `what`, refusing one longer than `limit` bytes;
/// a read that times out says what it was waiting for.
fn receive(
    stream: &mut TcpStream,
    limit: usize,
    what: &str,
    traffic: &mut Traffic,
) -> Result<Vec<u8>, LinkError> {
    let after = stream_timeout(stream);
    let waited = |e: std::io::Error| match e.kind() {
        ErrorKind::WouldBlock | ErrorKind::TimedOut => {
            LinkError::Timeout(format!("no {what} within {after} s"))
        }
        ErrorKind::UnexpectedEof => LinkError::Message(format!(
            "the connection closed before {what} arrived"
        )),
        _ => LinkError::Io(e),
    };
    let mut length = [0u8; 8];
    stream.read_exact(&mut length).map_err(waited)?;
    let length = u64::from_le_bytes(length);
    if length > limit as u64 {
        return Err(LinkError::Message(format!(
            "{what}: {length} bytes announced, at most {limit} expected"
        )));
    }
    let mut bytes = vec![0u8; length as usize];
    stream.read_exact(&mut bytes).map_err(waited)?;
    traffic.received += 8 + length;
    Ok(bytes)
}

/// A stream's read time limit, in whole seconds, for messages.
fn stream_timeout(stream: &TcpStream) -> u64 {
    stream
        .read_timeout()
        .ok()
        .flatten()
        .map_or(0, |t| t.as_secs_f64().round() as u64)
}

fn with_timeouts(
    stream: TcpStream,
    timeout: Duration,
) -> Result<TcpStream, LinkError> {
    stream.set_nonblocking(false)?;
    stream.set_read_timeout(Some(timeout))?;
    stream.set_write_timeout(Some(timeout))?;
    Ok(stream)
}

/// Whether two secrets are equal, looking at every byte whatever the
/// first difference (so the time taken does not tell where it is).
fn same_secret(a: &[u8], b: &[u8; 32]) -> bool {
    a.len() == 32 && a.iter().zip(b).fold(0, |d, (x, y)| d | (x ^ y)) == 0
}

/// Rank 0 accepts `count` other ranks before `link.timeout` runs out;
/// each must send the run's secret first, within a few seconds. A
/// connection without it is dropped (and counted) and the wait goes on.
fn accept_ranks(
    listener: &TcpListener,
    count: usize,
    link: &Link,
    traffic: &mut Traffic,
) -> Result<Vec<TcpStream>, LinkError> {
    let deadline = Instant::now() + link.timeout;
    let mut ranks = Vec::new();
    let mut refused = 0;
    listener.set_nonblocking(true)?;
    while ranks.len() < count {
        match listener.accept() {
            Ok((stream, _)) => {
                let mut stream = with_timeouts(stream, HANDSHAKE)?;
                let proof = receive(&mut stream, 32, "secret", traffic);
                if proof.is_ok_and(|p| same_secret(&p, &link.secret)) {
                    ranks.push(with_timeouts(stream, link.timeout)?);
                } else {
                    refused += 1;
                }
            }
            Err(e) if e.kind() == ErrorKind::WouldBlock => {
                if Instant::now() >= deadline {
                    listener.set_nonblocking(false)?;
                    return Err(LinkError::Timeout(format!(
                        "rank 0 waited {} s and {} of {count} other ranks \
                         connected{}",
                        link.timeout.as_secs(),
                        ranks.len(),
                        match refused {
                            0 => String::new(),
                            n => format!(
                                " ({n} connection(s) without the run's \
                                 secret refused)"
                            ),
                        }
                    )));
                }
                std::thread::sleep(Duration::from_millis(5));
            }
            Err(e) => return Err(e.into()),
        }
    }
    listener.set_nonblocking(false)?;
    Ok(ranks)
}

/// m = Σₖ mₖ, refused if it does not fit.
fn total_share<G>(parts: &[(G, usize)]) -> Result<usize, LinkError> {
    parts.iter().try_fold(0usize, |m, (_, m_k)| {
        m.checked_add(*m_k).ok_or_else(|| {
            LinkError::Message("the shares' sizes overflow".to_string())
        })
    })
}

// ANCHOR: root
/// Rank 0's side of the all-reduce for `ranks` processes: accept the
/// other ranks (each proves it knows the run's secret), receive their
/// gradients, combine all of them with its own (Σₖ (mₖ/m) ∇Cₖ), send the
/// result to each, and return it with the bytes that moved.
pub fn all_reduce_as_root<G: Gradient>(
    listener: &TcpListener,
    ranks: usize,
    own: (G, usize),
    link: &Link,
) -> Result<(G, Traffic), LinkError> {
    let limit = 8 + 4 * own.0.count();
    let mut traffic = Traffic::default();
    let mut peers = accept_ranks(listener, ranks - 1, link, &mut traffic)?;
    let mut parts = vec![own];
    for (k, stream) in peers.iter_mut().enumerate() {
        let what = format!("gradient from rank {}", k + 1);
        let bytes = receive(stream, limit, &what, &mut traffic)?;
        parts.push(decode(&bytes, &parts[0].0)?);
    }
    let m = total_share(&parts)?;
    let total = G::mean(&parts, m);
    let message = encode(&total, m);
    for stream in &mut peers {
        send(stream, &message, &mut traffic)?;
    }
    Ok((total, traffic))
}

/// Any other rank's side: connect to rank 0 at `address`, prove the run's
/// secret, send this rank's gradient and share size, receive the combined
/// gradient.
pub fn all_reduce_as_worker<G: Gradient>(
    address: impl ToSocketAddrs,
    own: (G, usize),
    link: &Link,
) -> Result<(G, Traffic), LinkError> {
    let mut traffic = Traffic::default();
    let stream = TcpStream::connect(address)?;
    let mut stream = with_timeouts(stream, link.timeout)?;
    send(&mut stream, &link.secret, &mut traffic)?;
    send(&mut stream, &encode(&own.0, own.1), &mut traffic)?;
    let limit = 8 + 4 * own.0.count();
    let what = "combined gradient from rank 0";
    let bytes = receive(&mut stream, limit, what, &mut traffic)?;
    Ok((decode(&bytes, &own.0)?.0, traffic))
}
// ANCHOR_END: root
