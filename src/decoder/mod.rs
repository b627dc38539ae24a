//! The decode worker processes: zxing-cpp is C++, so it runs outside the server's address
//! space. A decode takes an idle worker (or starts one), writes the image down its stdin,
//! and waits for the answer on its stdout until the deadline. A worker that dies — segfault,
//! abort, panic, its memory limit — or outlives the deadline (killed) costs that one
//! request: the pool counts it, reaps it, and starts a fresh one for the next decode.
//! Blocking: called from the decode threads (`workers.rs`), never from an event loop.

pub mod child;
pub mod wire;

use crate::reader::{DecodeError, Reading};
use std::io::{self, Read, Write};
use std::os::fd::AsRawFd;
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::PathBuf;
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::Instant;

/// How the pool starts its workers.
#[derive(Clone, Debug)]
pub struct WorkerSpec {
    /// The `barcoded` binary (the server's own by default).
    pub exe: PathBuf,
    /// Each worker's data-segment limit in MiB.
    pub memory_mib: u64,
}

/// Why a decode got no answer.
#[derive(Debug)]
pub enum Failure {
    /// The worker ended without answering (a signal, an abort, a panic, its memory limit).
    Died(String),
    /// The worker outlived the deadline and was killed.
    Timeout,
    /// No worker could be started.
    Spawn(io::Error),
}

/// Counters for `/metrics`.
#[derive(Default)]
pub struct Stats {
    pub started: AtomicU64,
    /// Workers started in place of one that died or was killed.
    pub restarts: AtomicU64,
    pub died: AtomicU64,
    pub killed: AtomicU64,
    pub spawn_failed: AtomicU64,
    /// Decodes answered from the L1 (a repeated upload), counted by `api/decode.rs`.
    pub cache_hits: AtomicU64,
}

/// The pool of decode worker processes.
pub struct Decoders {
    spec: WorkerSpec,
    idle: Mutex<Vec<Worker>>,
    pub stats: Stats,
}

/// One running worker and its pipes.
struct Worker {
    child: Child,
    stdin: ChildStdin,
    stdout: ChildStdout,
}

impl Drop for Worker {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Decoders {
    pub fn new(spec: WorkerSpec) -> Decoders {
        Decoders { spec, idle: Mutex::new(Vec::new()), stats: Stats::default() }
    }

    /// Starts `n` workers ahead of the first decodes.
    pub fn warm(&self, n: usize) {
        for _ in 0..n {
            match self.spawn() {
                Ok(w) => self.idle.lock().unwrap_or_else(|e| e.into_inner()).push(w),
                Err(_) => return,
            }
        }
    }

    /// Worker processes alive and idle.
    pub fn idle(&self) -> usize {
        self.idle.lock().map(|v| v.len()).unwrap_or(0)
    }

    /// Does `job` in a worker, answering by `deadline`. A worker found dead before it
    /// was given the image (it died idle) is replaced without failing the request.
    pub fn decode(&self, job: &wire::Request, deadline: Instant) -> Result<Result<Reading, DecodeError>, Failure> {
        let frame = wire::request(job);
        let mut attempt = 0;
        loop {
            attempt += 1;
            let mut w = self.take()?;
            if let Err(e) = w.stdin.write_all(&frame).and_then(|_| w.stdin.flush()) {
                // It died before it had the image: not this request's doing; its
                // replacement (started by `lost`) gets the image.
                self.lost(&self.stats.died);
                if attempt > 1 {
                    return Err(Failure::Died(e.to_string()));
                }
                continue;
            }
            return match answer(&mut w, deadline) {
                Ok(answer) => {
                    self.idle.lock().unwrap_or_else(|e| e.into_inner()).push(w);
                    Ok(answer)
                }
                Err(Wait::Timeout) => {
                    self.lost(&self.stats.killed);
                    drop(w);
                    Err(Failure::Timeout)
                }
                Err(Wait::Closed(e)) => {
                    self.lost(&self.stats.died);
                    let _ = w.child.kill();
                    let how = match w.child.wait() {
                        Ok(s) if s.signal().is_some() => format!("signal {}", s.signal().unwrap_or(0)),
                        Ok(s) => format!("exit status {}", s.code().unwrap_or(-1)),
                        Err(_) => e.to_string(),
                    };
                    Err(Failure::Died(how))
                }
            };
        }
    }

    /// An idle worker that is still alive, or a new one.
    fn take(&self) -> Result<Worker, Failure> {
        loop {
            let Some(mut w) = self.idle.lock().unwrap_or_else(|e| e.into_inner()).pop() else { break };
            match w.child.try_wait() {
                Ok(None) => return Ok(w),
                _ => {
                    self.lost(&self.stats.died);
                }
            }
        }
        self.spawn().map_err(Failure::Spawn)
    }

    /// Counts a worker lost and starts its replacement at once, so the pool stays warm.
    fn lost(&self, counter: &AtomicU64) {
        counter.fetch_add(1, Ordering::Relaxed);
        if let Ok(w) = self.spawn() {
            self.stats.restarts.fetch_add(1, Ordering::Relaxed);
            self.idle.lock().unwrap_or_else(|e| e.into_inner()).push(w);
        }
    }

    /// The pool's lines for `/metrics`.
    pub fn metrics(&self, out: &mut String) {
        use std::fmt::Write;
        let st = &self.stats;
        let counters = [
            ("barcoded_decoder_started_total", "Decode worker processes started.", &st.started),
            (
                "barcoded_decoder_restarts_total",
                "Decode workers started in place of one that died or was killed.",
                &st.restarts,
            ),
            (
                "barcoded_decoder_crashes_total",
                "Decode workers that died (signal, abort, panic, memory limit).",
                &st.died,
            ),
            ("barcoded_decoder_killed_total", "Decode workers killed at the decode budget.", &st.killed),
            ("barcoded_decoder_spawn_failures_total", "Decode workers that could not be started.", &st.spawn_failed),
            (
                "barcoded_decode_cache_hits_total",
                "Decodes answered from the L1 (the same upload again).",
                &st.cache_hits,
            ),
        ];
        for (name, help, v) in counters {
            let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} counter\n{name} {}", v.load(Ordering::Relaxed));
        }
        let _ = writeln!(
            out,
            "# HELP barcoded_decoder_idle Decode worker processes alive and idle.\n# TYPE barcoded_decoder_idle gauge\nbarcoded_decoder_idle {}",
            self.idle()
        );
    }

    fn spawn(&self) -> io::Result<Worker> {
        let mut cmd = Command::new(&self.spec.exe);
        // SAFETY: between fork and exec only async-signal-safe system calls. The worker
        // must not inherit the server's other descriptors: io_uring accepts sockets without
        // `CLOEXEC`, and a connection held open by a worker would never reach its client's
        // EOF after the server closed it.
        unsafe {
            cmd.pre_exec(|| {
                close_from(3);
                Ok(())
            });
        }
        let r = cmd
            .arg("--decode-worker")
            .arg(self.spec.memory_mib.to_string())
            // mimalloc reserves address space 1 GiB at a time, which a data limit counts:
            // small steps keep the limit about what is really used.
            .env("MIMALLOC_ARENA_RESERVE", "16M")
            // A failed allocation ends the worker with one line, as a panic does: a
            // backtrace (printed when the server runs with RUST_BACKTRACE set) takes
            // seconds to resolve in a debug build while the request waits for the crash.
            .env("RUST_BACKTRACE", "0")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn();
        let mut child = match r {
            Ok(c) => c,
            Err(e) => {
                self.stats.spawn_failed.fetch_add(1, Ordering::Relaxed);
                return Err(e);
            }
        };
        self.stats.started.fetch_add(1, Ordering::Relaxed);
        let (Some(stdin), Some(stdout)) = (child.stdin.take(), child.stdout.take()) else {
            let _ = child.kill();
            let _ = child.wait();
            return Err(io::Error::other("worker pipes missing"));
        };
        Ok(Worker { child, stdin, stdout })
    }
}

/// Closes every descriptor from `first` up (`close_range`, or one by one on kernels
/// before 5.9). Async-signal-safe: called between fork and exec.
fn close_from(first: u32) {
    // SAFETY: plain system calls on this (child) process's own descriptors.
    unsafe {
        if libc::syscall(libc::SYS_close_range, first, u32::MAX, 0) != 0 {
            let max = match libc::sysconf(libc::_SC_OPEN_MAX) {
                n if n > 0 => n.min(1 << 20) as i32,
                _ => 4096,
            };
            for fd in first as i32..max {
                libc::close(fd);
            }
        }
    }
}

enum Wait {
    Timeout,
    Closed(io::Error),
}

/// Reads the answer to the request just written, giving up at `deadline`.
fn answer(w: &mut Worker, deadline: Instant) -> Result<Result<Reading, DecodeError>, Wait> {
    let mut prefix = [0u8; 4];
    read_until(&mut w.stdout, &mut prefix, deadline)?;
    let n = wire::answer_len(prefix).map_err(Wait::Closed)?;
    let mut json = vec![0u8; n];
    read_until(&mut w.stdout, &mut json, deadline)?;
    wire::parse_answer(&json).map_err(Wait::Closed)
}

/// Fills `buf` from the pipe, polling so that the deadline holds.
fn read_until(r: &mut ChildStdout, buf: &mut [u8], deadline: Instant) -> Result<(), Wait> {
    let mut at = 0;
    while at < buf.len() {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(Wait::Timeout);
        }
        let mut pfd = libc::pollfd { fd: r.as_raw_fd(), events: libc::POLLIN, revents: 0 };
        let ms = left.as_millis().clamp(1, i32::MAX as u128) as i32;
        // SAFETY: one valid pollfd for the duration of the call.
        let n = unsafe { libc::poll(&mut pfd, 1, ms) };
        if n < 0 {
            let e = io::Error::last_os_error();
            if e.kind() == io::ErrorKind::Interrupted {
                continue;
            }
            return Err(Wait::Closed(e));
        }
        if n == 0 {
            continue;
        }
        match r.read(&mut buf[at..]) {
            Ok(0) => {
                return Err(Wait::Closed(io::Error::new(io::ErrorKind::UnexpectedEof, "worker closed its output")))
            }
            Ok(k) => at += k,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(Wait::Closed(e)),
        }
    }
    Ok(())
}
