//! One client thread: its monoio runtime and its connections. Each connection writes a
//! batch of `pipeline` requests in one write, reads and checks every response (status,
//! Content-Length framing, a sample of bodies) and records latency in the thread's
//! histogram. With a rate, requests follow a schedule and latency counts from the
//! scheduled time.

use crate::cli::Driver;
use crate::report::Stats;
use crate::workload::{Rng, Workload};
use monoio::buf::IoBufMut;
use monoio::io::{AsyncReadRent, AsyncWriteRentExt};
use monoio::net::TcpStream;
use std::cell::RefCell;
use std::net::SocketAddr;
use std::rc::Rc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

pub struct ThreadConfig {
    pub thread: usize,
    pub connections: usize,
    pub pipeline: usize,
    pub rate: Option<f64>,
    pub deadline: Instant,
    pub addr: SocketAddr,
    pub host: String,
    pub driver: Driver,
    pub verify_every: u64,
}

pub fn run_thread(
    cfg: ThreadConfig,
    w: Arc<Workload>,
    progress: Arc<AtomicU64>,
    stop: Arc<AtomicBool>,
) -> Result<Stats, String> {
    let driver = cfg.driver;
    let fut = async move {
        let stats = Rc::new(RefCell::new(Stats::new()));
        let cfg = Rc::new(cfg);
        let mut tasks = Vec::new();
        for c in 0..cfg.connections {
            let (cfg, w, stats, progress, stop) =
                (cfg.clone(), w.clone(), stats.clone(), progress.clone(), stop.clone());
            tasks.push(monoio::spawn(async move {
                let id = (cfg.thread * 100_000 + c) as u64;
                drive(&cfg, &w, id, &stats, &progress, &stop).await
            }));
        }
        for t in tasks {
            t.await;
        }
        Rc::try_unwrap(stats).map(|s| s.into_inner()).unwrap_or_else(|rc| rc.borrow().clone())
    };
    run_on(driver, fut)
}

fn run_on<F: std::future::Future<Output = Stats>>(driver: Driver, fut: F) -> Result<Stats, String> {
    let err = |e: std::io::Error| format!("--driver: cannot start runtime: {e}");
    match driver {
        Driver::Auto => monoio::RuntimeBuilder::<monoio::FusionDriver>::new()
            .enable_timer()
            .build()
            .map(|mut rt| rt.block_on(fut))
            .map_err(err),
        Driver::Uring => monoio::RuntimeBuilder::<monoio::IoUringDriver>::new()
            .enable_timer()
            .build()
            .map(|mut rt| rt.block_on(fut))
            .map_err(err),
        Driver::Epoll => monoio::RuntimeBuilder::<monoio::LegacyDriver>::new()
            .enable_timer()
            .build()
            .map(|mut rt| rt.block_on(fut))
            .map_err(err),
    }
}

/// Longest a read may wait past the deadline before the connection counts as timed out.
const GRACE: Duration = Duration::from_secs(2);

/// One parsed response at the front of the read buffer.
struct Parsed {
    len: usize,
    status: u16,
    body_at: usize,
    kind: BodyKind,
    /// `Connection: close`: the server closes after this answer.
    close: bool,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum BodyKind {
    Png,
    Svg,
    Other,
}

enum ParseOutcome {
    Done(Parsed),
    NeedMore,
    Bad,
}

fn parse_response(buf: &[u8]) -> ParseOutcome {
    let mut headers = [httparse::EMPTY_HEADER; 32];
    let mut r = httparse::Response::new(&mut headers);
    let head = match r.parse(buf) {
        Ok(httparse::Status::Complete(n)) => n,
        Ok(httparse::Status::Partial) => return ParseOutcome::NeedMore,
        Err(_) => return ParseOutcome::Bad,
    };
    let status = r.code.unwrap_or(0);
    let mut len: Option<usize> = None;
    let mut kind = BodyKind::Other;
    let mut close = false;
    for h in r.headers.iter() {
        if h.name.eq_ignore_ascii_case("content-length") {
            len = std::str::from_utf8(h.value).ok().and_then(|v| v.trim().parse().ok());
        } else if h.name.eq_ignore_ascii_case("content-type") {
            kind = match h.value {
                b"image/png" => BodyKind::Png,
                b"image/svg+xml" => BodyKind::Svg,
                _ => BodyKind::Other,
            };
        } else if h.name.eq_ignore_ascii_case("connection") {
            close = h.value.split(|&b| b == b',').any(|t| t.trim_ascii().eq_ignore_ascii_case(b"close"));
        } else if h.name.eq_ignore_ascii_case("transfer-encoding") {
            return ParseOutcome::Bad;
        }
    }
    let body = match (len, status) {
        (Some(l), _) => l,
        (None, 204 | 304) => 0,
        (None, _) => return ParseOutcome::Bad,
    };
    if buf.len() < head + body {
        return ParseOutcome::NeedMore;
    }
    ParseOutcome::Done(Parsed { len: head + body, status, body_at: head, kind, close })
}

async fn drive(
    cfg: &ThreadConfig,
    w: &Workload,
    id: u64,
    stats: &RefCell<Stats>,
    progress: &AtomicU64,
    stop: &AtomicBool,
) {
    let mut rng = Rng::new(id + 1);
    let mut seq = 0u64;
    let mut wbuf: Vec<u8> = Vec::with_capacity(256 * cfg.pipeline);
    let mut rbuf: Vec<u8> = Vec::with_capacity(16 * 1024);
    let interval = cfg.rate.map(|r| Duration::from_secs_f64(1.0 / r.max(1e-9)));
    // Spread the first sends of an open loop over one interval so connections do not fire together.
    let mut next_send = Instant::now() + interval.map_or(Duration::ZERO, |iv| iv.mul_f64((id % 97) as f64 / 97.0));
    let mut verify = 0u64;
    'connect: while Instant::now() < cfg.deadline && !stop.load(Ordering::Relaxed) {
        let mut stream = match TcpStream::connect(cfg.addr).await {
            Ok(s) => s,
            Err(_) => {
                stats.borrow_mut().errors.connect += 1;
                monoio::time::sleep(Duration::from_millis(10)).await;
                continue;
            }
        };
        let _ = stream.set_nodelay(true);
        rbuf.clear();
        loop {
            let now = Instant::now();
            if now >= cfg.deadline {
                break 'connect;
            }
            let intended = match interval {
                Some(iv) => {
                    if next_send > now {
                        monoio::time::sleep(next_send - now).await;
                    }
                    let t = next_send;
                    next_send += iv;
                    t
                }
                None => now,
            };
            wbuf.clear();
            for _ in 0..cfg.pipeline {
                w.request(&mut rng, seq, id, &cfg.host, &mut wbuf);
                seq += 1;
            }
            let (r, b) = stream.write_all(wbuf).await;
            wbuf = b;
            if let Err(e) = r {
                stats.borrow_mut().errors.count_io(&e, cfg.pipeline as u64);
                continue 'connect;
            }
            let mut done = 0;
            while done < cfg.pipeline {
                match parse_response(&rbuf) {
                    ParseOutcome::Done(p) => {
                        let mut st = stats.borrow_mut();
                        st.record(p.status, p.len, intended.elapsed());
                        if p.status == 200 && cfg.verify_every > 0 {
                            verify += 1;
                            if verify % cfg.verify_every == 0 {
                                let body = &rbuf[p.body_at..p.len];
                                let ok = match p.kind {
                                    BodyKind::Png => body.starts_with(b"\x89PNG\r\n\x1a\n"),
                                    BodyKind::Svg => body.starts_with(b"<svg"),
                                    BodyKind::Other => true,
                                };
                                if !ok {
                                    st.errors.bad_body += 1;
                                }
                            }
                        }
                        rbuf.drain(..p.len);
                        done += 1;
                        if p.close {
                            // The requests pipelined behind it went unanswered.
                            st.errors.closed += (cfg.pipeline - done) as u64;
                            st.server_closes += 1;
                            drop(st);
                            progress.fetch_add(done as u64, Ordering::Relaxed);
                            continue 'connect;
                        }
                        drop(st);
                    }
                    ParseOutcome::Bad => {
                        stats.borrow_mut().errors.framing += 1;
                        continue 'connect;
                    }
                    ParseOutcome::NeedMore => {
                        if rbuf.capacity() - rbuf.len() < 4096 {
                            rbuf.reserve(rbuf.capacity().max(16 * 1024));
                        }
                        let len = rbuf.len();
                        let wait = (cfg.deadline + GRACE).saturating_duration_since(Instant::now());
                        match monoio::time::timeout(wait, stream.read(rbuf.slice_mut(len..))).await {
                            Ok((Ok(n), b)) if n > 0 => rbuf = b.into_inner(),
                            Ok((r, b)) => {
                                rbuf = b.into_inner();
                                let unanswered = (cfg.pipeline - done) as u64;
                                match r {
                                    Ok(_) => stats.borrow_mut().errors.closed += unanswered,
                                    Err(e) => stats.borrow_mut().errors.count_io(&e, unanswered),
                                }
                                continue 'connect;
                            }
                            Err(_) => {
                                stats.borrow_mut().errors.timeout += 1;
                                break 'connect;
                            }
                        }
                    }
                }
            }
            progress.fetch_add(cfg.pipeline as u64, Ordering::Relaxed);
        }
    }
}
