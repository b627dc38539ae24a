//! A small blocking HTTP/1.1 client for the comparison: one kept connection per server,
//! requests one at a time, `Content-Length` and chunked bodies, reconnect on a closed
//! connection, and the same reader for an answer already in memory (`Answer::parse`).
//! Compared answers are few; simplicity beats throughput here.

use std::io::{BufRead, BufReader, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

/// One answer: status, headers (names lower-cased), body.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Answer {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Answer {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }

    /// Reads one whole answer from `raw` (status line, headers, body).
    pub fn parse(raw: &[u8], head_only: bool) -> Result<Answer, String> {
        read_answer(&mut std::io::Cursor::new(raw), head_only)
    }
}

/// One request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Request {
    pub method: String,
    pub target: String,
    pub body: Vec<u8>,
}

/// A server under comparison.
pub struct Server {
    addr: SocketAddr,
    host: String,
    conn: Option<BufReader<TcpStream>>,
}

/// Largest body read (a batch or a sheet can be large; anything bigger is an error).
const MAX_BODY: usize = 64 << 20;

impl Server {
    /// A server at `addr`, named `host` in the requests' `Host`.
    pub fn new(addr: SocketAddr, host: String) -> Server {
        Server { addr, host, conn: None }
    }

    /// Sends `r` and reads the answer, reconnecting once if the kept connection was closed.
    pub fn send(&mut self, r: &Request) -> Result<Answer, String> {
        match self.try_send(r) {
            Ok(a) => Ok(a),
            Err(_) => {
                self.conn = None;
                self.try_send(r)
            }
        }
    }

    fn try_send(&mut self, r: &Request) -> Result<Answer, String> {
        if self.conn.is_none() {
            let s = TcpStream::connect_timeout(&self.addr, Duration::from_secs(5)).map_err(|e| e.to_string())?;
            s.set_read_timeout(Some(Duration::from_secs(30))).map_err(|e| e.to_string())?;
            let _ = s.set_nodelay(true);
            self.conn = Some(BufReader::new(s));
        }
        let conn = self.conn.as_mut().ok_or("no connection")?;
        let mut head = format!("{} {} HTTP/1.1\r\nHost: {}\r\n", r.method, r.target, self.host);
        if !r.body.is_empty() || r.method == "POST" || r.method == "PUT" {
            head.push_str(&format!("Content-Length: {}\r\n", r.body.len()));
        }
        head.push_str("\r\n");
        let mut raw = head.into_bytes();
        raw.extend_from_slice(&r.body);
        conn.get_mut().write_all(&raw).map_err(|e| e.to_string())?;
        let a = read_answer(conn, r.method == "HEAD")?;
        if a.header("connection").is_some_and(|v| v.eq_ignore_ascii_case("close")) {
            self.conn = None;
        }
        Ok(a)
    }
}

fn read_answer(r: &mut impl BufRead, head_only: bool) -> Result<Answer, String> {
    let mut line = String::new();
    if r.read_line(&mut line).map_err(|e| e.to_string())? == 0 {
        return Err("connection closed".into());
    }
    let status: u16 =
        line.split(' ').nth(1).and_then(|s| s.parse().ok()).ok_or_else(|| format!("status line {line:?}"))?;
    let mut headers = Vec::new();
    loop {
        let mut h = String::new();
        r.read_line(&mut h).map_err(|e| e.to_string())?;
        let h = h.trim_end();
        if h.is_empty() {
            break;
        }
        let (k, v) = h.split_once(':').ok_or_else(|| format!("header {h:?}"))?;
        headers.push((k.trim().to_ascii_lowercase(), v.trim().to_string()));
    }
    let mut a = Answer { status, headers, body: Vec::new() };
    if head_only || status == 304 || status / 100 == 1 {
        return Ok(a);
    }
    if a.header("transfer-encoding").is_some_and(|v| v.eq_ignore_ascii_case("chunked")) {
        loop {
            let mut size = String::new();
            r.read_line(&mut size).map_err(|e| e.to_string())?;
            let n =
                usize::from_str_radix(size.trim().split(';').next().unwrap_or(""), 16).map_err(|e| e.to_string())?;
            if n == 0 {
                let mut end = String::new();
                r.read_line(&mut end).map_err(|e| e.to_string())?;
                return Ok(a);
            }
            if a.body.len() + n > MAX_BODY {
                return Err("body over 64 MiB".into());
            }
            let at = a.body.len();
            a.body.resize(at + n + 2, 0);
            r.read_exact(&mut a.body[at..]).map_err(|e| e.to_string())?;
            a.body.truncate(at + n);
        }
    }
    let len: usize = a.header("content-length").and_then(|v| v.parse().ok()).unwrap_or(0);
    if len > MAX_BODY {
        return Err("body over 64 MiB".into());
    }
    a.body.resize(len, 0);
    r.read_exact(&mut a.body).map_err(|e| e.to_string())?;
    Ok(a)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_in_memory_are_read_as_from_a_socket() {
        let raw = b"HTTP/1.1 200 OK\r\nETag: \"e1\"\r\nContent-Length: 3\r\nDate: x\r\n\r\nabc";
        let a = Answer::parse(raw, false).unwrap();
        assert_eq!((a.status, a.header("etag"), a.body.as_slice()), (200, Some("\"e1\""), &b"abc"[..]));
        let chunked =
            b"HTTP/1.1 503 Service Unavailable\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nab\r\n1\r\nc\r\n0\r\n\r\n";
        let a = Answer::parse(chunked, false).unwrap();
        assert_eq!((a.status, a.body.as_slice()), (503, &b"abc"[..]));
        assert!(Answer::parse(b"ab\r\n1\r\nc\r\n", false).is_err(), "the tail of an answer is not one");
        assert!(Answer::parse(b"HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\nabc", false).is_err(), "cut short");
    }
}
