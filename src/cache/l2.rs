//! The Redis L2, one client per core: RESP spoken on the core's own monoio `TcpStream`s,
//! commands packed and replies parsed by the `redis` crate (`default-features = false`).
//! Redis is never on the worst-case path: a lookup has a budget (default 2 ms) after which
//! the request renders locally; connections are opened in the background, never while a
//! request waits; the caller puts every call behind the core's Redis breaker.
//! Keys are `bc:<canonical key>`; values are `cache::value` (versioned) with a TTL.

use crate::guard::gate::Permit;
use crate::guard::{Breakers, Class};
use bytes::Bytes;
use monoio::io::{AsyncReadRent, AsyncWriteRentExt};
use monoio::net::TcpStream;
use redis::Value;
use std::cell::{Cell, RefCell};
use std::net::{SocketAddr, ToSocketAddrs};
use std::rc::Rc;
use std::time::{Duration, Instant};

/// Largest value accepted from Redis or written to it.
pub const MAX_VALUE: usize = 4 * 1024 * 1024;
/// Time a write-behind may take.
const WRITE_TIMEOUT: Duration = Duration::from_millis(100);

/// Where and how to reach Redis.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct L2Config {
    pub addr: SocketAddr,
    pub db: u32,
    pub password: Option<String>,
    /// Budget of one lookup; past it the request carries on without L2.
    pub budget: Duration,
    pub ttl: Duration,
    /// Each key's TTL is `ttl` ± up to this many percent, fixed per key, so that keys
    /// written together do not expire together (cache avalanche).
    pub ttl_jitter: u8,
    /// Time a write-behind may take.
    pub write_timeout: Duration,
    /// Connections per core.
    pub max_conns: usize,
}

impl L2Config {
    /// A blocking client for the few calls made off the serving cores (the hot list at start
    /// and from the keeper thread): `timeout` bounds connecting, each read and each write.
    pub fn blocking(&self, timeout: Duration) -> Result<redis::Connection, String> {
        use redis::IntoConnectionInfo;
        let mut settings = redis::RedisConnectionInfo::default().set_db(i64::from(self.db));
        if let Some(p) = &self.password {
            settings = settings.set_password(p);
        }
        let info = redis::ConnectionAddr::Tcp(self.addr.ip().to_string(), self.addr.port())
            .into_connection_info()
            .map_err(|e| e.to_string())?
            .set_redis_settings(settings);
        let client = redis::Client::open(info).map_err(|e| e.to_string())?;
        let c = client.get_connection_with_timeout(timeout).map_err(|e| e.to_string())?;
        c.set_read_timeout(Some(timeout)).map_err(|e| e.to_string())?;
        c.set_write_timeout(Some(timeout)).map_err(|e| e.to_string())?;
        Ok(c)
    }

    /// Parses `redis://[:password@]host:port[/db]`; the budget, TTL and connections per core
    /// come from the configuration (`--redis-budget-ms`, `--redis-ttl`, `--redis-conns`).
    pub fn from_url(url: &str, budget: Duration, ttl: Duration, max_conns: usize) -> Result<L2Config, String> {
        let rest = url.strip_prefix("redis://").ok_or_else(|| format!("{url}: expected redis://host:port[/db]"))?;
        let (auth, rest) = match rest.rsplit_once('@') {
            Some((a, r)) => (Some(a), r),
            None => (None, rest),
        };
        let password = auth.map(|a| a.split_once(':').map_or(a, |(_, p)| p).to_string()).filter(|p| !p.is_empty());
        let (hostport, db) = match rest.split_once('/') {
            Some((h, "")) => (h, 0),
            Some((h, d)) => (h, d.parse::<u32>().map_err(|_| format!("{url}: database must be a number"))?),
            None => (rest, 0),
        };
        let hostport = if hostport.contains(':') { hostport.to_string() } else { format!("{hostport}:6379") };
        let addr = hostport
            .to_socket_addrs()
            .map_err(|e| format!("{url}: {e}"))?
            .next()
            .ok_or_else(|| format!("{url}: no address"))?;
        Ok(L2Config {
            addr,
            db,
            password,
            budget,
            ttl,
            ttl_jitter: TTL_JITTER,
            write_timeout: WRITE_TIMEOUT,
            max_conns,
        })
    }
}

/// Why an L2 call did not answer.
#[derive(Debug, PartialEq, Eq)]
pub enum L2Error {
    /// No idle connection (one is being opened in the background): not Redis's fault.
    NoConnection,
    Timeout,
    Io(String),
    Protocol(String),
}

/// One open connection; counted while it lives.
struct Conn {
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

impl Conn {
    async fn call(&mut self, cmd: Vec<u8>) -> Result<Value, L2Error> {
        let (r, _) = self.stream.write_all(cmd).await;
        r.map_err(|e| L2Error::Io(e.to_string()))?;
        self.buf.clear();
        loop {
            if !self.buf.is_empty() {
                if bulk_len(&self.buf).is_some_and(|n| n > MAX_VALUE as i64) {
                    return Err(L2Error::Protocol(format!("value larger than {MAX_VALUE} bytes")));
                }
                match redis::parse_redis_value(&self.buf) {
                    Ok(Value::ServerError(e)) => return Err(L2Error::Protocol(format!("{e:?}"))),
                    Ok(v) => return Ok(v),
                    Err(e) if e.is_io_error() => {}
                    Err(e) => return Err(L2Error::Protocol(e.to_string())),
                }
            }
            if self.buf.len() > MAX_VALUE + 64 {
                return Err(L2Error::Protocol("reply too long".into()));
            }
            let buf = std::mem::take(&mut self.buf);
            let len = buf.len();
            let mut buf = buf;
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

/// One core's Redis client.
pub struct L2 {
    cfg: L2Config,
    idle: RefCell<Vec<Conn>>,
    open: Rc<Cell<usize>>,
    connecting: Cell<bool>,
    breakers: Rc<RefCell<Breakers>>,
}

impl L2 {
    pub fn new(cfg: L2Config, breakers: Rc<RefCell<Breakers>>) -> Rc<L2> {
        Rc::new(L2 {
            cfg,
            idle: RefCell::new(Vec::new()),
            open: Rc::new(Cell::new(0)),
            connecting: Cell::new(false),
            breakers,
        })
    }

    pub fn config(&self) -> &L2Config {
        &self.cfg
    }

    /// A background connection attempt failed: no request was admitted for it, so there is
    /// no permit; the failure still counts against Redis.
    fn record(&self, started: Instant, ok: bool) {
        let now = Instant::now();
        self.breakers.borrow_mut().get(Class::Redis).record(now, now - started, ok);
    }

    /// Opens one connection in the background (at most one attempt at a time).
    fn connect_in_background(self: &Rc<Self>) {
        if self.connecting.get() || self.open.get() >= self.cfg.max_conns {
            return;
        }
        self.connecting.set(true);
        let me = self.clone();
        monoio::spawn(async move {
            let started = Instant::now();
            let r = monoio::time::timeout(Duration::from_millis(500), me.connect()).await;
            me.connecting.set(false);
            match r {
                // A paused Redis still completes TCP handshakes: only a lookup proves health,
                // so a connection counts for nothing and only its failure counts.
                Ok(Ok(c)) => me.idle.borrow_mut().push(c),
                Ok(Err(e)) => {
                    me.record(started, false);
                    crate::log::error("redis_connect", format_args!("{}: {e:?}", me.cfg.addr));
                }
                Err(_) => {
                    me.record(started, false);
                    crate::log::error("redis_connect", format_args!("{}: timed out", me.cfg.addr));
                }
            }
        });
    }

    async fn connect(&self) -> Result<Conn, L2Error> {
        let stream = TcpStream::connect(self.cfg.addr).await.map_err(|e| L2Error::Io(e.to_string()))?;
        let _ = stream.set_nodelay(true);
        self.open.set(self.open.get() + 1);
        let mut c = Conn { stream, buf: Vec::with_capacity(4096), open: self.open.clone() };
        if let Some(p) = &self.cfg.password {
            c.call(redis::cmd("AUTH").arg(p).get_packed_command()).await?;
        }
        if self.cfg.db != 0 {
            c.call(redis::cmd("SELECT").arg(self.cfg.db).get_packed_command()).await?;
        }
        Ok(c)
    }

    fn checkout(self: &Rc<Self>) -> Option<Conn> {
        let c = self.idle.borrow_mut().pop();
        if c.is_none() || self.idle.borrow().is_empty() {
            self.connect_in_background();
        }
        c
    }

    /// Looks `key` up within the budget, under the Redis breaker's `permit` (from the gate):
    /// the lookup's outcome is recorded on it; without a connection nothing was asked.
    pub async fn get(self: &Rc<Self>, key: &[u8], permit: Permit) -> Result<Option<Bytes>, L2Error> {
        let Some(mut c) = self.checkout() else {
            permit.cancel();
            return Err(L2Error::NoConnection);
        };
        let started = Instant::now();
        let cmd = redis::cmd("GET").arg([b"bc:", key].concat()).get_packed_command();
        let r = match monoio::time::timeout(self.cfg.budget, c.call(cmd)).await {
            // On timeout the connection is dropped with its unread reply.
            Err(_) => Err(L2Error::Timeout),
            Ok(Ok(v)) => {
                self.idle.borrow_mut().push(c);
                match v {
                    Value::Nil => Ok(None),
                    Value::BulkString(b) => Ok(Some(Bytes::from(b))),
                    other => Err(L2Error::Protocol(format!("GET answered {other:?}"))),
                }
            }
            Ok(Err(e)) => Err(e),
        };
        permit.done(started.elapsed(), r.is_ok());
        r
    }

    /// Writes `value` under `key` with the TTL, in the background; false when dropped
    /// (no idle connection or the value is too large).
    pub fn set_behind(self: &Rc<Self>, key: &[u8], value: Vec<u8>) -> bool {
        if value.len() > MAX_VALUE {
            return false;
        }
        // While the breaker is not closed, writes would only pile onto a failing Redis.
        if self.breakers.borrow_mut().get(Class::Redis).state() != crate::guard::breaker::State::Closed {
            return false;
        }
        let Some(mut c) = self.checkout() else { return false };
        let cmd = redis::cmd("SET")
            .arg([b"bc:", key].concat())
            .arg(value)
            .arg("EX")
            .arg(jittered_ttl(self.cfg.ttl.as_secs(), self.cfg.ttl_jitter, key))
            .get_packed_command();
        let me = self.clone();
        monoio::spawn(async move {
            match monoio::time::timeout(me.cfg.write_timeout, c.call(cmd)).await {
                Ok(Ok(_)) => me.idle.borrow_mut().push(c),
                Ok(Err(e)) => crate::log::error("redis_write", format_args!("{e:?}")),
                Err(_) => crate::log::error("redis_write", format_args!("timed out")),
            }
        });
        true
    }
}

/// The default TTL jitter: ±10 %.
pub const TTL_JITTER: u8 = 10;

/// `ttl` seconds ± up to `jitter` percent (at most 90), the factor taken from the key's hash (the same
/// key always gets the same TTL; keys written together are spread over the range), at
/// least one second.
pub fn jittered_ttl(ttl: u64, jitter: u8, key: &[u8]) -> u64 {
    // FNV-1a, then a finaliser so that keys differing in one byte land far apart.
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in key {
        h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
    }
    h ^= h >> 33;
    h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
    h ^= h >> 33;
    let unit = (h >> 11) as f64 / (1u64 << 53) as f64; // [0, 1)
    let factor = 1.0 + f64::from(jitter.min(90)) / 100.0 * (2.0 * unit - 1.0);
    ((ttl as f64 * factor).round() as u64).max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ttls_spread_within_the_jitter_and_stay_per_key() {
        let ttls: Vec<u64> = (0..2000).map(|i| jittered_ttl(900, 10, format!("ean13|{i}|png").as_bytes())).collect();
        assert!(ttls.iter().all(|&t| (810..=990).contains(&t)), "{:?}", (ttls.iter().min(), ttls.iter().max()));
        // Spread over the whole range: each tenth of it gets about a tenth of the keys.
        for bucket in 0..10 {
            let lo = 810 + bucket * 18;
            let n = ttls.iter().filter(|&&t| t >= lo && t < lo + 18).count();
            assert!((140..=260).contains(&n), "bucket {bucket}: {n}");
        }
        assert_eq!(jittered_ttl(900, 10, b"k"), jittered_ttl(900, 10, b"k"));
        assert_eq!(jittered_ttl(900, 0, b"k"), 900);
        assert_eq!(jittered_ttl(1, 50, b"k"), 1);
        assert_eq!(jittered_ttl(0, 10, b"k"), 1);
    }

    const MS: Duration = Duration::from_millis(1);

    #[test]
    fn urls() {
        let c = L2Config::from_url("redis://127.0.0.1:6390/2", MS, MS, 1).unwrap();
        assert_eq!((c.addr.port(), c.db, c.password.clone()), (6390, 2, None));
        let c = L2Config::from_url("redis://:s3cret@127.0.0.1", MS, MS, 1).unwrap();
        assert_eq!((c.addr.port(), c.db, c.password.as_deref()), (6379, 0, Some("s3cret")));
        assert!(L2Config::from_url("http://x", MS, MS, 1).is_err());
        assert!(L2Config::from_url("redis://127.0.0.1:1/x", MS, MS, 1).is_err());
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
