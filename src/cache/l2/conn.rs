//! One connection to one Redis node: RESP commands written and replies read on the core's
//! own monoio `TcpStream`, packed and parsed by the `redis` crate. A reply's announced
//! length is checked before it is read (`MAX_VALUE`). `L2Error` is what any call can fail
//! with.

use monoio::io::{AsyncReadRent, AsyncWriteRentExt};
use monoio::net::TcpStream;
use redis::Value;
use std::cell::Cell;
use std::rc::Rc;

/// Largest value accepted from Redis or written to it.
pub const MAX_VALUE: usize = 4 * 1024 * 1024;

/// Why an L2 call did not answer.
#[derive(Debug, PartialEq, Eq)]
pub enum L2Error {
    /// No idle connection (one is being opened in the background), or no slot map yet:
    /// not Redis's fault.
    NoConnection,
    /// The cluster node serving the key has its breaker open: its slots render locally.
    NodeOpen,
    Timeout,
    Io(String),
    /// An error reply: its code (`MOVED`, `CLUSTERDOWN`, `ERR`, …) and the rest of it.
    Server {
        code: String,
        details: String,
    },
    Protocol(String),
}

/// One open connection; counted (in its node's `open`) while it lives.
pub struct Conn {
    stream: TcpStream,
    buf: Vec<u8>,
    open: Rc<Cell<usize>>,
}

impl Drop for Conn {
    fn drop(&mut self) {
        self.open.set(self.open.get() - 1);
    }
}

/// The length a bulk reply announces, when the buffer starts with one (checked before
/// reading the rest, so a huge announcement costs nothing).
fn bulk_len(buf: &[u8]) -> Option<i64> {
    let rest = buf.strip_prefix(b"$")?;
    let end = rest.iter().position(|&b| b == b'\r')?;
    std::str::from_utf8(&rest[..end]).ok()?.parse().ok()
}

/// Longest status, error or integer line accepted.
const MAX_LINE: usize = 64 * 1024;

/// Whether the buffer may hold a whole reply, so that parsing it is worth its cost: a bulk
/// string once its announced length has arrived, anything else once the bytes read last
/// (from `fresh` on) hold a line end, as every reply ends with one. Parsing on every read
/// instead made a long reply cost its length squared.
fn may_be_whole(buf: &[u8], fresh: usize) -> bool {
    if let (Some(n), Some(head)) = (bulk_len(buf), buf.iter().position(|&b| b == b'\n')) {
        if let Ok(n) = usize::try_from(n) {
            return buf.len() >= head + 1 + n + 2;
        }
    }
    buf[fresh.min(buf.len())..].contains(&b'\n')
}

impl Conn {
    /// A connection on `stream`, counted in `open` from now until dropped.
    pub fn new(stream: TcpStream, open: Rc<Cell<usize>>) -> Conn {
        let _ = stream.set_nodelay(true);
        open.set(open.get() + 1);
        Conn { stream, buf: Vec::with_capacity(4096), open }
    }

    /// Sends one packed command and reads its reply. An error reply is `L2Error::Server`
    /// (the connection stays usable); an IO or protocol error leaves it unusable.
    pub async fn call(&mut self, cmd: Vec<u8>) -> Result<Value, L2Error> {
        let (r, _) = self.stream.write_all(cmd).await;
        r.map_err(|e| L2Error::Io(e.to_string()))?;
        self.buf.clear();
        let mut fresh = 0;
        loop {
            if !self.buf.is_empty() {
                if bulk_len(&self.buf).is_some_and(|n| n > MAX_VALUE as i64) {
                    return Err(L2Error::Protocol(format!("value larger than {MAX_VALUE} bytes")));
                }
                if matches!(self.buf[0], b'+' | b'-' | b':')
                    && self.buf.len() >= MAX_LINE
                    && !self.buf[..MAX_LINE].contains(&b'\n')
                {
                    return Err(L2Error::Protocol(format!("a reply line longer than {MAX_LINE} bytes")));
                }
            }
            if !self.buf.is_empty() && may_be_whole(&self.buf, fresh) {
                match redis::parse_redis_value(&self.buf) {
                    Ok(Value::ServerError(e)) => {
                        return Err(L2Error::Server {
                            code: e.code().to_string(),
                            details: e.details().unwrap_or_default().to_string(),
                        })
                    }
                    Ok(v) => return Ok(v),
                    Err(e) if e.is_io_error() => {}
                    Err(e) => return Err(L2Error::Protocol(e.to_string())),
                }
            }
            if self.buf.len() > MAX_VALUE + 64 {
                return Err(L2Error::Protocol("reply too long".into()));
            }
            let mut buf = std::mem::take(&mut self.buf);
            let len = buf.len();
            fresh = len;
            buf.reserve(16 * 1024);
            let (r, slice) = self.stream.read(monoio::buf::IoBufMut::slice_mut(buf, len..)).await;
            self.buf = slice.into_inner();
            match r {
                Ok(0) => return Err(L2Error::Io("connection closed".into())),
                Ok(_) => {}
                Err(e) => return Err(L2Error::Io(e.to_string())),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reply_is_parsed_once_it_may_be_whole() {
        assert!(!may_be_whole(b"$5\r\nhel", 0));
        assert!(!may_be_whole(b"$5\r\nhello\r", 0));
        assert!(may_be_whole(b"$5\r\nhello\r\n", 0));
        assert!(may_be_whole(b"$-1\r\n", 0));
        assert!(!may_be_whole(b"+OK", 0));
        assert!(may_be_whole(b"+OK\r\n", 0));
        // A line end in bytes already looked at does not count again.
        assert!(!may_be_whole(b"*2\r\n:1\r\n:", 9));
        assert!(may_be_whole(b"*2\r\n:1\r\n:2\r\n", 9));
    }

    #[test]
    fn bulk_announcements() {
        assert_eq!(bulk_len(b"$5\r\nhello\r\n"), Some(5));
        assert_eq!(bulk_len(b"$99999999999\r"), Some(99999999999));
        assert_eq!(bulk_len(b"$-1\r\n"), Some(-1));
        assert_eq!(bulk_len(b"+OK\r\n"), None);
        assert_eq!(bulk_len(b"$12"), None);
    }
}
