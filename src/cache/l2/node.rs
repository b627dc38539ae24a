//! One Redis node as one core sees it: its idle connections, opened in the background
//! (never while a request waits), set up (`AUTH`, `SELECT`, `READONLY`) before first use,
//! and the breaker its failures count against — the core's Redis breaker for a single
//! Redis, the node's own in a cluster (one sick node costs its own slots only).

use super::conn::{Conn, L2Error};
use crate::guard::breaker::{Admit, Breaker, State};
use crate::guard::{Breakers, Class};
use monoio::net::TcpStream;
use std::cell::{Cell, RefCell};
use std::net::SocketAddr;
use std::rc::Rc;
use std::time::{Duration, Instant};

/// Time a background connection attempt may take.
const CONNECT_TIMEOUT: Duration = Duration::from_millis(500);

/// What a new connection sends before its first command.
#[derive(Clone, Debug, Default)]
pub struct Setup {
    pub password: Option<String>,
    pub db: u32,
    /// Reads from a replica (`READONLY`), in a cluster with replica reads.
    pub readonly: bool,
}

/// Where a node's failures count.
pub enum Health {
    /// The core's Redis breaker (one Redis: the node is the L2).
    Core(Rc<RefCell<Breakers>>),
    /// The node's own breaker (a cluster's node), with the core breaker's thresholds.
    Own(Box<RefCell<Breaker>>),
}

/// One node's connections on one core.
pub struct Node {
    pub addr: SocketAddr,
    setup: Setup,
    max_conns: usize,
    idle: RefCell<Vec<Conn>>,
    open: Rc<Cell<usize>>,
    connecting: Cell<bool>,
    pub health: Health,
}

impl Node {
    pub fn new(addr: SocketAddr, setup: Setup, max_conns: usize, health: Health) -> Rc<Node> {
        Rc::new(Node {
            addr,
            setup,
            max_conns: max_conns.max(1),
            idle: RefCell::new(Vec::new()),
            open: Rc::new(Cell::new(0)),
            connecting: Cell::new(false),
            health,
        })
    }

    /// Records a call's outcome against the node's breaker (its own in a cluster; the
    /// core's Redis breaker records through the request's permit instead).
    pub fn record(&self, started: Instant, ok: bool) -> bool {
        match &self.health {
            Health::Own(b) => {
                let now = Instant::now();
                b.borrow_mut().record(now, now - started, ok)
            }
            Health::Core(_) => false,
        }
    }

    /// Whether a call to the node may go ahead (its own breaker; always, for a single Redis
    /// whose breaker the request's gate asked already).
    pub fn admit(&self) -> bool {
        match &self.health {
            Health::Own(b) => !matches!(b.borrow_mut().admit(Instant::now()), Admit::No(_)),
            Health::Core(_) => true,
        }
    }

    /// The node's breaker state (a single Redis: the core's Redis breaker).
    pub fn state(&self) -> State {
        match &self.health {
            Health::Own(b) => b.borrow().state(),
            Health::Core(b) => b.borrow_mut().get(Class::Redis).state(),
        }
    }

    /// A failure not tied to a request (a background connection attempt): counts against
    /// the node's breaker, or the core's Redis breaker.
    fn record_background(&self, started: Instant) {
        let now = Instant::now();
        match &self.health {
            Health::Own(b) => {
                b.borrow_mut().record(now, now - started, false);
            }
            Health::Core(b) => {
                b.borrow_mut().get(Class::Redis).record(now, now - started, false);
            }
        }
    }

    /// An idle connection, opening another in the background when none is left.
    pub fn checkout(self: &Rc<Self>) -> Option<Conn> {
        let c = self.idle.borrow_mut().pop();
        if c.is_none() || self.idle.borrow().is_empty() {
            self.connect_in_background();
        }
        c
    }

    /// Gives back a connection whose last reply was read whole.
    pub fn checkin(&self, c: Conn) {
        self.idle.borrow_mut().push(c);
    }

    /// Connections open now.
    pub fn open(&self) -> usize {
        self.open.get()
    }

    /// Opens one connection in the background (at most one attempt at a time).
    pub fn connect_in_background(self: &Rc<Self>) {
        if self.connecting.get() || self.open.get() >= self.max_conns {
            return;
        }
        self.connecting.set(true);
        let me = self.clone();
        monoio::spawn(async move {
            let started = Instant::now();
            let r = monoio::time::timeout(CONNECT_TIMEOUT, me.connect()).await;
            me.connecting.set(false);
            match r {
                // A paused Redis still completes TCP handshakes: only a lookup proves health,
                // so a connection counts for nothing and only its failure counts.
                Ok(Ok(c)) => me.checkin(c),
                Ok(Err(e)) => {
                    me.record_background(started);
                    crate::log::error("redis_connect", format_args!("{}: {e:?}", me.addr));
                }
                Err(_) => {
                    me.record_background(started);
                    crate::log::error("redis_connect", format_args!("{}: timed out", me.addr));
                }
            }
        });
    }

    /// A new connection, set up; not pooled (the caller keeps or drops it).
    pub async fn connect(&self) -> Result<Conn, L2Error> {
        let stream = TcpStream::connect(self.addr).await.map_err(|e| L2Error::Io(e.to_string()))?;
        let mut c = Conn::new(stream, self.open.clone());
        if let Some(p) = &self.setup.password {
            c.call(redis::cmd("AUTH").arg(p).get_packed_command()).await?;
        }
        if self.setup.db != 0 {
            c.call(redis::cmd("SELECT").arg(self.setup.db).get_packed_command()).await?;
        }
        if self.setup.readonly {
            c.call(redis::cmd("READONLY").get_packed_command()).await?;
        }
        Ok(c)
    }
}
