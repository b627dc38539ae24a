//! Test-only fault injection (cargo feature `fault-injection`, never in a release build
//! unless asked for): a slow or failing renderer and a slow parser, switched at run time by
//! the tests through `Shared::faults`. Without the feature the hooks compile to nothing.

#[cfg(feature = "fault-injection")]
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

/// The switches.
#[cfg(feature = "fault-injection")]
#[derive(Default)]
pub struct Faults {
    /// Every render sleeps this many milliseconds first (blocking its core, as a
    /// pathological render would).
    pub render_delay_ms: AtomicU64,
    /// Every render fails.
    pub render_fail: AtomicBool,
    /// Every parse sleeps this many milliseconds first.
    pub parse_delay_ms: AtomicU64,
}

/// The injected render failure.
#[derive(Debug)]
pub struct RenderFault;

/// Called before a render; `Err` makes the render fail.
#[cfg(feature = "fault-injection")]
pub fn before_render(s: &crate::state::Shared) -> Result<(), RenderFault> {
    let ms = s.faults.render_delay_ms.load(Ordering::Relaxed);
    if ms > 0 {
        std::thread::sleep(std::time::Duration::from_millis(ms));
    }
    if s.faults.render_fail.load(Ordering::Relaxed) {
        return Err(RenderFault);
    }
    Ok(())
}

#[cfg(not(feature = "fault-injection"))]
#[inline(always)]
pub fn before_render(_: &crate::state::Shared) -> Result<(), RenderFault> {
    Ok(())
}

/// Called before a parse.
#[cfg(feature = "fault-injection")]
pub fn before_parse(s: &crate::state::Shared) {
    let ms = s.faults.parse_delay_ms.load(Ordering::Relaxed);
    if ms > 0 {
        std::thread::sleep(std::time::Duration::from_millis(ms));
    }
}

#[cfg(not(feature = "fault-injection"))]
#[inline(always)]
pub fn before_parse(_: &crate::state::Shared) {}
