//! Test-only fault injection (cargo feature `fault-injection`, never in a release build
//! unless asked for): a slow or failing renderer and a slow or panicking parser, switched at run time by
//! the tests through `Shared::faults`. Without the feature `Faults` is empty and the hooks
//! compile to nothing. The hooks take the switches, not the shared state, so this module
//! imports nothing of the crate.

#[cfg(feature = "fault-injection")]
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

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
