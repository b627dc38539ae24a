//! Business switches (the seed's degradation switches, 3.3): an operator's rule that
//! changes how one class of requests is served — degrade it to its minimal answer, refuse
//! it, keep it off Redis, force its breaker — for all clients or for some (constraints on
//! the client, a header, the symbology, the route) and a sticky percentage of them (gray
//! release). The rules live in one immutable `Switches` snapshot that every core reads
//! lock-free (`state::Shared::switches`, an `ArcSwap`); a change builds a new snapshot and
//! swaps it in (`api::switches`). Pure but for `store.rs` (the persisted file and the audit
//! log).

pub mod body;
pub mod constraint;
pub mod rollout;
pub mod store;

use crate::symbology::spec::Family;
use crate::symbology::Symbology;
use constraint::{Constraint, Context};
use crossbeam::utils::CachePadded;
use rollout::Stickiness;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

/// Most switches defined at once (each is evaluated for the requests it scopes).
pub const MAX_SWITCHES: usize = 256;

/// The route classes a switch scopes (the same names as the API keys' routes).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RouteClass {
    Generate,
    Parse,
    Decode,
    Batch,
    Label,
}

impl RouteClass {
    pub const ALL: [RouteClass; 5] =
        [RouteClass::Generate, RouteClass::Parse, RouteClass::Decode, RouteClass::Batch, RouteClass::Label];

    pub fn name(self) -> &'static str {
        match self {
            RouteClass::Generate => "generate",
            RouteClass::Parse => "parse",
            RouteClass::Decode => "decode",
            RouteClass::Batch => "batch",
            RouteClass::Label => "label",
        }
    }

    pub fn from_name(s: &str) -> Option<RouteClass> {
        RouteClass::ALL.into_iter().find(|r| r.name() == s)
    }
}

/// What a switch does to the requests it matches.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    /// The minimal answer: a generate is served from the caches only (an uncached render
    /// is `503 degraded`), a parse gets the minimal description, a decode, batch or label
    /// `503 degraded`.
    Degrade,
    /// `503` + `Retry-After` for every matched request, cached or not.
    Refuse,
    /// Served from L1 and the pool only: neither Redis nor a render.
    L1Only,
    /// Redis is neither read nor written; renders go on.
    NoL2,
    /// The class's breaker is treated as open (the degraded answer, as an open breaker).
    BreakerOpen,
    /// The class's breaker is ignored: work is admitted even while it is open.
    BreakerClosed,
    /// Decodes are refused (a `refuse` scoped to decode).
    NoDecode,
    /// Batches are refused (a `refuse` scoped to batch).
    NoBatch,
}

impl Action {
    pub const ALL: [Action; 8] = [
        Action::Degrade,
        Action::Refuse,
        Action::L1Only,
        Action::NoL2,
        Action::BreakerOpen,
        Action::BreakerClosed,
        Action::NoDecode,
        Action::NoBatch,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Action::Degrade => "degrade",
            Action::Refuse => "refuse",
            Action::L1Only => "l1-only",
            Action::NoL2 => "no-l2",
            Action::BreakerOpen => "breaker-open",
            Action::BreakerClosed => "breaker-closed",
            Action::NoDecode => "no-decode",
            Action::NoBatch => "no-batch",
        }
    }

    pub fn from_name(s: &str) -> Option<Action> {
        Action::ALL.into_iter().find(|a| a.name() == s)
    }

    /// The only route an action can touch, when it names one itself.
    fn own_route(self) -> Option<RouteClass> {
        match self {
            Action::NoDecode => Some(RouteClass::Decode),
            Action::NoBatch => Some(RouteClass::Batch),
            _ => None,
        }
    }
}

/// What a switch touches: every listed part must agree with the request.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Scope {
    pub route: Option<RouteClass>,
    pub symbology: Option<Symbology>,
    pub family: Option<Family>,
}

/// Per-core counters of the requests a switch matched (each core adds to its own line).
#[derive(Debug)]
pub struct Counts(Box<[CachePadded<AtomicU64>]>);

impl Counts {
    pub fn new(cores: usize) -> Counts {
        Counts((0..cores.max(1)).map(|_| CachePadded::new(AtomicU64::new(0))).collect())
    }

    fn add(&self, core: usize) {
        let c = &self.0[core % self.0.len()];
        c.store(c.load(Ordering::Relaxed) + 1, Ordering::Relaxed);
    }

    pub fn total(&self) -> u64 {
        self.0.iter().map(|c| c.load(Ordering::Relaxed)).sum()
    }
}

/// One stored switch.
#[derive(Debug)]
pub struct Switch {
    /// `[a-z0-9-]{1,64}`.
    pub name: String,
    pub action: Action,
    pub scope: Scope,
    /// All must hold (the `match` object's parts and its Unleash-style `constraints`).
    pub constraints: Vec<Constraint>,
    /// 0–100: the share of matched clients, bucketed by `stickiness` within `group`.
    pub percent: u8,
    pub stickiness: Stickiness,
    /// The rollout's group id (Unleash's `groupId`): the switch's name unless given.
    pub group: String,
    /// Unix seconds after which the switch is removed (`expires_in_s` when stored).
    pub expires_at: Option<u64>,
    pub reason: String,
    /// Unix seconds of the last change, and who made it (the admin token's id).
    pub updated_at: u64,
    pub updated_by: String,
    /// The JSON form it was stored with (answers and the persisted file).
    pub wire: serde_json::Value,
    /// Requests matched since the switch was first defined (kept across updates).
    pub matched: Arc<Counts>,
}

/// A request as switches see it: its route class, its symbology, and its fields.
pub struct Asked<'a> {
    pub route: RouteClass,
    pub symbology: Option<Symbology>,
    pub fields: &'a dyn Context,
}

/// How matched switches change a request's service; the default changes nothing.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Effect {
    pub refuse: bool,
    pub degrade: bool,
    pub no_l2: bool,
    /// `Some(true)`: the breaker is treated as open; `Some(false)`: ignored.
    pub breaker_open: Option<bool>,
}

impl Effect {
    pub fn none(&self) -> bool {
        *self == Effect::default()
    }

    fn add(&mut self, a: Action) {
        match a {
            Action::Degrade => self.degrade = true,
            Action::Refuse | Action::NoDecode | Action::NoBatch => self.refuse = true,
            Action::L1Only => {
                self.degrade = true;
                self.no_l2 = true;
            }
            Action::NoL2 => self.no_l2 = true,
            // Open wins over closed when both match.
            Action::BreakerOpen => self.breaker_open = Some(true),
            Action::BreakerClosed => self.breaker_open = Some(self.breaker_open.unwrap_or(false)),
        }
    }
}

/// A request's decision: the effect and the first switch that matched (for the log).
#[derive(Clone, Debug, Default)]
pub struct Decision {
    pub effect: Effect,
    pub first: Option<Arc<Switch>>,
}

impl Switch {
    fn scoped(&self, a: &Asked<'_>) -> bool {
        let route = self.action.own_route().or(self.scope.route);
        route.is_none_or(|r| r == a.route)
            && self.scope.symbology.is_none_or(|s| a.symbology == Some(s))
            && self.scope.family.is_none_or(|f| a.symbology.is_some_and(|s| s.spec().family == f))
    }

    /// Whether the switch applies to `a`: in scope, every constraint holds, in the rollout.
    pub fn applies(&self, a: &Asked<'_>) -> bool {
        self.scoped(a)
            && self.constraints.iter().all(|c| c.holds(a.fields))
            && rollout::within(self.percent, a.fields.field(&self.stickiness.field()).as_deref(), &self.group)
    }
}

/// The switches in force: one immutable snapshot, swapped whole on every change.
#[derive(Debug, Default)]
pub struct Switches {
    pub list: Vec<Arc<Switch>>,
    /// Whether any switch can refuse a generate request (then cache hits are checked too;
    /// otherwise the hit path never looks at the switches).
    pub touches_hits: bool,
    /// The earliest expiry, for the tick that removes expired switches.
    pub next_expiry: Option<u64>,
}

impl Switches {
    pub fn new(mut list: Vec<Arc<Switch>>) -> Switches {
        list.sort_by(|a, b| a.name.cmp(&b.name));
        let touches_hits =
            list.iter().any(|s| s.action == Action::Refuse && s.scope.route.is_none_or(|r| r == RouteClass::Generate));
        let next_expiry = list.iter().filter_map(|s| s.expires_at).min();
        Switches { list, touches_hits, next_expiry }
    }

    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    pub fn get(&self, name: &str) -> Option<&Arc<Switch>> {
        self.list.iter().find(|s| s.name == name)
    }

    /// The combined effect of every switch that applies to `a`, counted on `core`.
    pub fn decide(&self, a: &Asked<'_>, core: usize) -> Decision {
        let mut d = Decision::default();
        for s in &self.list {
            if s.applies(a) {
                s.matched.add(core);
                d.effect.add(s.action);
                if d.first.is_none() {
                    d.first = Some(s.clone());
                }
            }
        }
        d
    }

    /// The switches after `now` (unix seconds) with the expired ones removed, and those.
    pub fn without_expired(&self, now: u64) -> (Vec<Arc<Switch>>, Vec<Arc<Switch>>) {
        self.list.iter().cloned().partition(|s| s.expires_at.is_none_or(|t| t > now))
    }

    /// Prometheus lines: each switch's state and its matched count.
    pub fn metrics(&self, out: &mut String) {
        use std::fmt::Write;
        out.push_str("# HELP barcoded_switch_active A business switch in force (1), by name and action.\n");
        out.push_str("# TYPE barcoded_switch_active gauge\n");
        for s in &self.list {
            let _ = writeln!(
                out,
                "barcoded_switch_active{{name=\"{}\",action=\"{}\",percent=\"{}\"}} 1",
                s.name,
                s.action.name(),
                s.percent
            );
        }
        out.push_str("# HELP barcoded_switch_matched_total Requests a business switch applied to.\n");
        out.push_str("# TYPE barcoded_switch_matched_total counter\n");
        for s in &self.list {
            let _ = writeln!(out, "barcoded_switch_matched_total{{name=\"{}\"}} {}", s.name, s.matched.total());
        }
    }
}

/// A switch's name: `[a-z0-9-]{1,64}`.
pub fn valid_name(s: &str) -> bool {
    (1..=64).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// An HTTP header name (an RFC 9110 token), at most 64 bytes.
pub fn valid_header_name(s: &str) -> bool {
    (1..=64).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::borrow::Cow;

    struct Fields(&'static str, Option<&'static str>);

    impl Context for Fields {
        fn field(&self, name: &str) -> Option<Cow<'_, str>> {
            match name {
                "client" => Some(Cow::Borrowed(self.0)),
                "header:X-Channel" => self.1.map(Cow::Borrowed),
                _ => None,
            }
        }
    }

    fn sw(name: &str, json: &str) -> Arc<Switch> {
        Arc::new(body::parse(name, json.as_bytes(), body::Stamp::test()).unwrap())
    }

    fn asked<'a>(route: RouteClass, sym: &str, f: &'a Fields) -> Asked<'a> {
        Asked { route, symbology: Symbology::from_name(sym.as_bytes()), fields: f }
    }

    #[test]
    fn scope_constraints_and_effects() {
        let all = Switches::new(vec![
            sw(
                "dm-app",
                r#"{"action":"degrade","scope":{"route":"generate","symbology":"datamatrix"},"match":{"header":{"X-Channel":["app"]}}}"#,
            ),
            sw("no-dec", r#"{"action":"no-decode"}"#),
            sw("qr-l2", r#"{"action":"no-l2","scope":{"family":"qr"}}"#),
        ]);
        assert!(!all.touches_hits);
        let app = Fields("10.0.0.1", Some("app"));
        let web = Fields("10.0.0.1", Some("web"));
        let d = all.decide(&asked(RouteClass::Generate, "datamatrix", &app), 0);
        assert_eq!(d.effect, Effect { degrade: true, ..Effect::default() });
        assert_eq!(d.first.unwrap().name, "dm-app");
        assert!(all.decide(&asked(RouteClass::Generate, "datamatrix", &web), 0).effect.none());
        assert!(all.decide(&asked(RouteClass::Generate, "ean13", &app), 0).effect.none());
        assert!(all.decide(&asked(RouteClass::Parse, "datamatrix", &app), 0).effect.none());
        let d = all.decide(&Asked { route: RouteClass::Decode, symbology: None, fields: &web }, 1);
        assert!(d.effect.refuse);
        let d = all.decide(&asked(RouteClass::Generate, "microqr", &web), 0);
        assert_eq!(d.effect, Effect { no_l2: true, ..Effect::default() });
        assert_eq!(all.get("dm-app").unwrap().matched.total(), 1);
        assert_eq!(all.get("no-dec").unwrap().matched.total(), 1);
    }

    #[test]
    fn refusals_reach_hits_and_expiry_is_tracked() {
        let s = Switches::new(vec![
            sw("r", r#"{"action":"refuse","scope":{"symbology":"qr"},"expires_in_s":60}"#),
            sw("b", r#"{"action":"breaker-closed"}"#),
            sw("a", r#"{"action":"breaker-open","scope":{"route":"parse"}}"#),
        ]);
        assert!(s.touches_hits);
        assert_eq!(s.list.iter().map(|s| s.name.as_str()).collect::<Vec<_>>(), ["a", "b", "r"]);
        let now = body::Stamp::test().now;
        assert_eq!(s.next_expiry, Some(now + 60));
        let (kept, gone) = s.without_expired(now + 61);
        assert_eq!((kept.len(), gone[0].name.as_str()), (2, "r"));
        let f = Fields("1.2.3.4", None);
        assert_eq!(s.decide(&asked(RouteClass::Parse, "qr", &f), 0).effect.breaker_open, Some(true));
        assert_eq!(s.decide(&asked(RouteClass::Generate, "ean13", &f), 0).effect.breaker_open, Some(false));
    }

    #[test]
    fn names() {
        assert!(valid_name("dm-app-10"));
        assert!(!valid_name("DM"));
        assert!(!valid_name(""));
        assert!(!valid_name(&"a".repeat(65)));
        for a in Action::ALL {
            assert_eq!(Action::from_name(a.name()), Some(a));
        }
        for r in RouteClass::ALL {
            assert_eq!(RouteClass::from_name(r.name()), Some(r));
        }
    }
}
