//! The one gate in front of guarded work (a render, a decode, a parse, a Redis call): all
//! admission policy in one place. `Gate::heavy` checks the client's rate, the class's
//! breaker and the memory watermark; `Gate::light` the breaker alone. Either gives a
//! `Permit`, and the permit is how the outcome reaches the breaker: `done` records it,
//! `cancel` says the work never ran (a full queue, a spent budget: not the worker failing),
//! and a permit dropped without either counts as a failure — so no call site can forget to
//! record. Pure policy: no IO, no metrics; the caller turns a `Refused` into its answer.

use super::breaker::Admit;
use super::clients::ClientLimiter;
use super::{Breakers, Class, Memory};
use std::cell::RefCell;
use std::net::IpAddr;
use std::rc::Rc;
use std::time::{Duration, Instant};

/// Why guarded work was refused before it started.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refused {
    /// The client started more cold work than `--client-rate` allows; next token in `retry`.
    ClientRate { retry: Duration },
    /// The class's breaker is open; it half-opens in `retry`.
    Open { class: Class, retry: Duration },
    /// The process is above its memory watermark.
    Memory { class: Class },
}

/// One core's admission state, borrowed for a decision.
pub struct Gate<'a> {
    pub breakers: &'a Rc<RefCell<Breakers>>,
    pub clients: &'a RefCell<ClientLimiter>,
    pub memory: &'a Memory,
    /// An operator's switch on the breaker of this request's class: `Some(true)` refuses as
    /// an open breaker would, `Some(false)` admits whatever the breaker's state (outcomes
    /// are still recorded).
    pub force: Option<bool>,
}

impl Gate<'_> {
    /// Before CPU-heavy work of `class` for `client`: its rate, the breaker, the watermark.
    pub fn heavy(&self, class: Class, client: Option<IpAddr>) -> Result<Permit, Refused> {
        if let Some(ip) = client {
            self.clients.borrow_mut().admit(ip, Instant::now()).map_err(|retry| Refused::ClientRate { retry })?;
        }
        if self.memory.over() {
            // Checked before the breaker: a refusal must not spend a half-open probe.
            return Err(Refused::Memory { class });
        }
        self.light(class)
    }

    /// Whether `client` is within its rate, without spending a token: answering
    /// `Expect: 100-continue` before the body that would start the work is sent.
    pub fn peek_client(&self, client: IpAddr) -> Result<(), Refused> {
        self.clients.borrow().would_admit(client, Instant::now()).map_err(|retry| Refused::ClientRate { retry })
    }

    /// Before light work of `class` (a parse, a Redis call): the breaker alone.
    pub fn light(&self, class: Class) -> Result<Permit, Refused> {
        match self.force {
            Some(true) => Err(Refused::Open { class, retry: Duration::from_secs(1) }),
            Some(false) => Ok(Permit { breakers: self.breakers.clone(), class, started: Instant::now(), open: true }),
            None => light(self.breakers, class),
        }
    }

    /// The gate with an operator's switch on the breaker (`force`).
    pub fn forced(self, force: Option<bool>) -> Self {
        Gate { force, ..self }
    }
}

/// The breaker alone, for callers that hold only the breakers (the L2 bench).
pub fn light(breakers: &Rc<RefCell<Breakers>>, class: Class) -> Result<Permit, Refused> {
    let now = Instant::now();
    match breakers.borrow_mut().get(class).admit(now) {
        Admit::No(retry) => Err(Refused::Open { class, retry }),
        _ => Ok(Permit { breakers: breakers.clone(), class, started: now, open: true }),
    }
}

/// Leave to run one call of a class; its outcome goes to the class's breaker.
#[must_use = "record the outcome with done(), or cancel() when the work never ran"]
pub struct Permit {
    breakers: Rc<RefCell<Breakers>>,
    class: Class,
    started: Instant,
    open: bool,
}

impl Permit {
    /// Records a call that took `took` and succeeded or not; true when the breaker changed state.
    pub fn done(mut self, took: Duration, ok: bool) -> bool {
        self.open = false;
        self.breakers.borrow_mut().get(self.class).record(Instant::now(), took, ok)
    }

    /// Records a call timed from the permit to now.
    pub fn done_now(self, ok: bool) -> bool {
        let took = self.started.elapsed();
        self.done(took, ok)
    }

    /// The work never ran (refused downstream for reasons not the worker's): nothing recorded.
    pub fn cancel(mut self) {
        self.open = false;
    }
}

impl Drop for Permit {
    fn drop(&mut self) {
        if self.open {
            // Neither done nor cancelled (an early return, a panic unwinding): a failure.
            let took = self.started.elapsed();
            self.breakers.borrow_mut().get(self.class).record(Instant::now(), took, false);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::breaker::State;
    use super::super::BreakerConfig;
    use super::*;

    fn parts() -> (Rc<RefCell<Breakers>>, RefCell<ClientLimiter>, Memory) {
        let mut c = BreakerConfig::default();
        c.base.consecutive = 2;
        (
            Rc::new(RefCell::new(Breakers::new(&c, Instant::now()))),
            RefCell::new(ClientLimiter::new(1, 1, 16)),
            Memory::new(0),
        )
    }

    #[test]
    fn a_forgotten_permit_counts_as_a_failure() {
        let (b, c, m) = parts();
        let g = Gate { breakers: &b, clients: &c, memory: &m, force: None };
        for _ in 0..2 {
            let _p = g.light(Class::Parse).unwrap();
        }
        assert_eq!(b.borrow_mut().get(Class::Parse).state(), State::Open);
        assert!(matches!(g.light(Class::Parse), Err(Refused::Open { class: Class::Parse, .. })));
        // Cancelled and successful permits do not open a breaker.
        for _ in 0..5 {
            g.light(Class::Qr).unwrap().cancel();
            assert!(!g.light(Class::Qr).unwrap().done(Duration::from_micros(10), true));
        }
        assert_eq!(b.borrow_mut().get(Class::Qr).state(), State::Closed);
        // A switch forces the open breaker closed, or a closed one open.
        let closed = Gate { breakers: &b, clients: &c, memory: &m, force: Some(false) };
        closed.light(Class::Parse).unwrap().cancel();
        let open = Gate { breakers: &b, clients: &c, memory: &m, force: Some(true) };
        assert!(matches!(open.light(Class::Qr), Err(Refused::Open { class: Class::Qr, .. })));
    }

    #[test]
    fn heavy_checks_the_client_and_memory_first() {
        let (b, c, _) = parts();
        let over = Memory::new(1);
        let g = Gate { breakers: &b, clients: &c, memory: &over, force: None };
        let ip = IpAddr::from([10, 0, 0, 1]);
        assert_eq!(g.heavy(Class::Linear, Some(ip)).err(), Some(Refused::Memory { class: Class::Linear }));
        assert!(matches!(g.heavy(Class::Linear, Some(ip)), Err(Refused::ClientRate { .. })));
        assert_eq!(b.borrow_mut().get(Class::Linear).state(), State::Closed, "no probe or failure spent");
    }
}
