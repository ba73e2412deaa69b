//! What a guest writes to stderr, kept as a short tail. A Rust guest that panics prints
//! its panic message there before it traps; the trap alone says only "unreachable", so
//! the message is what tells an operator or builder what went wrong.

use parking_lot::Mutex;
use std::collections::VecDeque;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use tokio::io::AsyncWrite;
use wasmtime_wasi::cli::{IsTerminal, StdoutStream};

/// Bytes kept: enough for a panic message, small enough that a chatty guest costs nothing.
const TAIL_BYTES: usize = 4096;

/// The last [`TAIL_BYTES`] a guest wrote to stderr.
#[derive(Clone, Default)]
pub(crate) struct GuestStderr {
    tail: Arc<Mutex<VecDeque<u8>>>,
}

impl GuestStderr {
    fn push(&self, bytes: &[u8]) {
        let mut tail = self.tail.lock();
        let keep = bytes.len().min(TAIL_BYTES);
        tail.extend(&bytes[bytes.len() - keep..]);
        let excess = tail.len().saturating_sub(TAIL_BYTES);
        tail.drain(..excess);
    }

    /// The last panic message, on one line, without Rust's backtrace hint.
    pub(crate) fn panic_message(&self) -> Option<String> {
        let text = String::from_utf8_lossy(self.tail.lock().make_contiguous()).into_owned();
        let start = text.rfind("panicked at ")?;
        let message: Vec<&str> = text[start..]
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with("note: run with `RUST_BACKTRACE"))
            .collect();
        Some(message.join(" "))
    }

    /// Clears the tail, so a message belongs to the call that printed it.
    pub(crate) fn clear(&self) {
        self.tail.lock().clear();
    }
}

impl IsTerminal for GuestStderr {
    fn is_terminal(&self) -> bool {
        false
    }
}

impl StdoutStream for GuestStderr {
    fn async_stream(&self) -> Box<dyn AsyncWrite + Send + Sync> {
        Box::new(self.clone())
    }
}

impl AsyncWrite for GuestStderr {
    fn poll_write(self: Pin<&mut Self>, _: &mut Context<'_>, buf: &[u8]) -> Poll<std::io::Result<usize>> {
        self.push(buf);
        Poll::Ready(Ok(buf.len()))
    }

    fn poll_flush(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Poll::Ready(Ok(()))
    }

    fn poll_shutdown(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Poll::Ready(Ok(()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_the_last_panic_message_on_one_line() {
        let stderr = GuestStderr::default();
        stderr.push(b"some earlier chatter\n");
        stderr.push(b"\nthread '<unnamed>' panicked at src/lib.rs:37:9:\nboom: 42\nnote: run with `RUST_BACKTRACE=1` environment variable to display a backtrace\n");
        assert_eq!(stderr.panic_message().unwrap(), "panicked at src/lib.rs:37:9: boom: 42");
        stderr.clear();
        assert_eq!(stderr.panic_message(), None);
    }

    #[test]
    fn the_tail_is_bounded() {
        let stderr = GuestStderr::default();
        for _ in 0..1000 {
            stderr.push(&[b'x'; 100]);
        }
        stderr.push(b"panicked at a.rs:1:1:\nlast\n");
        assert_eq!(stderr.tail.lock().len(), TAIL_BYTES);
        assert_eq!(stderr.panic_message().unwrap(), "panicked at a.rs:1:1: last");
    }
}
