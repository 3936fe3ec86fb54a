//! Past one process: the all-reduce between separate processes, over TCP.
//!
//! Threads share memory; processes — and machines — do not. They must send
//! each other their gradients as bytes. This is the smallest version of
//! what NCCL, Gloo or MPI do: rank 0 listens, every other rank connects
//! and sends its share's gradient and share size; rank 0 combines them
//! (chapter 14's `all_reduce_mean`) and sends the result back to every
//! rank. Over a network between machines the code is the same; only the
//! address changes.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream, ToSocketAddrs};
use std::time::Duration;

use ch07_minibatches::Gradients;
use ndarray::{Array1, Array2};

use crate::parallel::all_reduce_mean;

/// How long a rank waits for another before giving up (a crashed peer
/// must not hang the run).
pub const TIMEOUT: Duration = Duration::from_secs(60);

/// Why an all-reduce between processes failed, in one line.
#[derive(Debug, thiserror::Error)]
pub enum LinkError {
    /// The connection failed or timed out.
    #[error("all-reduce over TCP: {0}")]
    Io(#[from] std::io::Error),
    /// A message that is not a gradient of the expected shapes.
    #[error("all-reduce over TCP: {0}")]
    Message(String),
}

// ANCHOR: message
/// A gradient as bytes: the share size mₖ, then every ∂C/∂W and ∂C/∂b
/// entry in order, little-endian. Both ends know the network, so the
/// shapes need not travel.
pub fn encode(grads: &Gradients<f32>, m_k: usize) -> Vec<u8> {
    let mut bytes = (m_k as u64).to_le_bytes().to_vec();
    for (w, b) in grads.nabla_w.iter().zip(&grads.nabla_b) {
        bytes.extend(w.iter().chain(b.iter()).flat_map(|v| v.to_le_bytes()));
    }
    bytes
}

/// The gradient and share size in `bytes`, shaped like `like`.
pub fn decode(
    bytes: &[u8],
    like: &Gradients<f32>,
) -> Result<(Gradients<f32>, usize), LinkError> {
    let expected = 8 + 4 * entries(like);
    if bytes.len() != expected {
        return Err(LinkError::Message(format!(
            "a message of {} bytes, expected {expected} for this network",
            bytes.len()
        )));
    }
    let m_k = u64::from_le_bytes(bytes[..8].try_into().expect("8 bytes"));
    let mut values = bytes[8..]
        .chunks_exact(4)
        .map(|c| f32::from_le_bytes(c.try_into().expect("4 bytes")));
    let mut take = |n: usize| -> Vec<f32> { values.by_ref().take(n).collect() };
    let mut grads = Gradients {
        nabla_w: vec![],
        nabla_b: vec![],
    };
    for (w, b) in like.nabla_w.iter().zip(&like.nabla_b) {
        let w_k = Array2::from_shape_vec(w.dim(), take(w.len()));
        grads.nabla_w.push(w_k.expect("sizes checked above"));
        grads.nabla_b.push(Array1::from(take(b.len())));
    }
    Ok((grads, m_k as usize))
}
// ANCHOR_END: message

fn entries(g: &Gradients<f32>) -> usize {
    g.nabla_w.iter().map(|w| w.len()).sum::<usize>()
        + g.nabla_b.iter().map(|b| b.len()).sum::<usize>()
}

/// Sends one message: its length (8 bytes), then its bytes.
fn send(stream: &mut TcpStream, bytes: &[u8]) -> Result<(), LinkError> {
    stream.write_all(&(bytes.len() as u64).to_le_bytes())?;
    stream.write_all(bytes)?;
    Ok(())
}

/// Receives one message, refusing one longer than `limit` bytes.
fn receive(stream: &mut TcpStream, limit: usize) -> Result<Vec<u8>, LinkError> {
    let mut length = [0u8; 8];
    stream.read_exact(&mut length)?;
    let length = u64::from_le_bytes(length) as usize;
    if length > limit {
        return Err(LinkError::Message(format!(
            "a message of {length} bytes announced, at most {limit} expected"
        )));
    }
    let mut bytes = vec![0u8; length];
    stream.read_exact(&mut bytes)?;
    Ok(bytes)
}

fn with_timeouts(stream: TcpStream) -> Result<TcpStream, LinkError> {
    stream.set_read_timeout(Some(TIMEOUT))?;
    stream.set_write_timeout(Some(TIMEOUT))?;
    Ok(stream)
}

// ANCHOR: root
/// Rank 0's side of the all-reduce for `ranks` processes: accept the
/// other ranks, receive their gradients, combine all of them with its own
/// (Σₖ (mₖ/m) ∇Cₖ), send the result to each, and return it.
pub fn all_reduce_as_root(
    listener: &TcpListener,
    ranks: usize,
    own: (Gradients<f32>, usize),
) -> Result<Gradients<f32>, LinkError> {
    let limit = 8 + 4 * entries(&own.0);
    let mut peers = Vec::new();
    let mut parts = vec![own];
    for _ in 1..ranks {
        let (stream, _) = listener.accept()?;
        let mut stream = with_timeouts(stream)?;
        let bytes = receive(&mut stream, limit)?;
        parts.push(decode(&bytes, &parts[0].0)?);
        peers.push(stream);
    }
    let m = parts.iter().map(|(_, m_k)| m_k).sum();
    let total = all_reduce_mean(&parts, m);
    let message = encode(&total, m);
    for stream in &mut peers {
        send(stream, &message)?;
    }
    Ok(total)
}

/// Any other rank's side: connect to rank 0 at `address`, send this
/// rank's gradient and share size, receive the combined gradient.
pub fn all_reduce_as_worker(
    address: impl ToSocketAddrs,
    own: (Gradients<f32>, usize),
) -> Result<Gradients<f32>, LinkError> {
    let mut stream = with_timeouts(TcpStream::connect(address)?)?;
    send(&mut stream, &encode(&own.0, own.1))?;
    let bytes = receive(&mut stream, 8 + 4 * entries(&own.0))?;
    Ok(decode(&bytes, &own.0)?.0)
}
// ANCHOR_END: root
