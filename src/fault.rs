//! Test-only fault injection (cargo feature `fault-injection`, never in a release build
//! unless asked for): a slow or failing renderer, a slow or panicking parser and a decode
//! worker process that segfaults, aborts, spins or allocates without end, switched at run time by
//! the tests through `Shared::faults`. Without the feature `Faults` is empty and the hooks
//! compile to nothing. The hooks take the switches, not the shared state, so this module
//! imports nothing of the crate.

#[cfg(feature = "fault-injection")]
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicU8, Ordering};

/// The switches.
#[cfg(feature = "fault-injection")]
#[derive(Default)]
pub struct Faults {
    /// Every render sleeps this many milliseconds first (blocking its core, as a
    /// pathological render would).
    pub render_delay_ms: AtomicU64,
    /// When non-zero, the delay applies only to renders whose breaker class's bit
    /// (`1 << class index`) is set: latency in one family.
    pub render_delay_classes: AtomicU64,
    /// Every render fails.
    pub render_fail: AtomicBool,
    /// Every parse sleeps this many milliseconds first.
    pub parse_delay_ms: AtomicU64,
    /// Every parse panics (on the connection's core, where parses run: a bug there).
    pub parse_panic: AtomicBool,
    /// What the next decodes' worker process does before decoding (`DecodeFault`).
    pub decode_fault: AtomicU8,
}

/// No switches without the feature.
#[cfg(not(feature = "fault-injection"))]
#[derive(Default)]
pub struct Faults;

/// Called on the render thread before a render: sleeps, and fails the render the way a
/// renderer bug would (an unwind the render thread catches, without the panic hook's
/// message: `resume_unwind`).
#[cfg(feature = "fault-injection")]
pub fn before_render(f: &Faults, class: usize) {
    let ms = f.render_delay_ms.load(Ordering::Relaxed);
    let only = f.render_delay_classes.load(Ordering::Relaxed);
    if ms > 0 && (only == 0 || only & (1 << class) != 0) {
        std::thread::sleep(std::time::Duration::from_millis(ms));
    }
    if f.render_fail.load(Ordering::Relaxed) {
        std::panic::resume_unwind(Box::new("injected render failure"));
    }
}

#[cfg(not(feature = "fault-injection"))]
#[inline(always)]
pub fn before_render(_: &Faults, _: usize) {}

/// Called before a parse.
#[cfg(feature = "fault-injection")]
pub fn before_parse(f: &Faults) {
    let ms = f.parse_delay_ms.load(Ordering::Relaxed);
    if ms > 0 {
        std::thread::sleep(std::time::Duration::from_millis(ms));
    }
    if f.parse_panic.load(Ordering::Relaxed) {
        panic!("injected parse panic");
    }
}

#[cfg(not(feature = "fault-injection"))]
#[inline(always)]
pub fn before_parse(_: &Faults) {}

/// What a decode worker process does before it decodes, when the tests ask (the request
/// frame carries the byte; without the feature it is always `None`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum DecodeFault {
    None = 0,
    Segfault = 1,
    Abort = 2,
    Spin = 3,
    Allocate = 4,
    Panic = 5,
}

/// The fault the next decode request carries.
#[cfg(feature = "fault-injection")]
pub fn decode_fault(f: &Faults) -> u8 {
    f.decode_fault.load(Ordering::Relaxed)
}

#[cfg(not(feature = "fault-injection"))]
#[inline(always)]
pub fn decode_fault(_: &Faults) -> u8 {
    DecodeFault::None as u8
}

/// In the worker process, before a decode: the fault the request carries.
#[cfg(feature = "fault-injection")]
pub fn in_decode_worker(fault: u8) {
    match fault {
        1 => {
            // SAFETY: a signal on ourselves with its default action (the runtime's own
            // stack-overflow handler would otherwise take it), which ends the process as a
            // wild pointer in native code would.
            unsafe {
                libc::signal(libc::SIGSEGV, libc::SIG_DFL);
                libc::raise(libc::SIGSEGV);
            }
        }
        2 => std::process::abort(),
        3 => loop {
            std::hint::spin_loop();
        },
        4 => {
            // Far beyond the worker's memory limit, touched page by page.
            let mut v: Vec<Vec<u8>> = Vec::new();
            loop {
                v.push(vec![1u8; 64 << 20]);
                std::hint::black_box(&v);
            }
        }
        5 => panic!("injected decode worker panic"),
        _ => {}
    }
}

#[cfg(not(feature = "fault-injection"))]
#[inline(always)]
pub fn in_decode_worker(_: u8) {}
