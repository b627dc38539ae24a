//! How a request meets the business switches (`crate::switch`): the fields a switch's
//! constraints and stickiness read — `client` (the API key's id for a keyed request, else
//! the client's address behind `--trusted-proxies`), `address`, `key` (the key's id),
//! `tag:NAME` (`true` when the key has that tag, `false` when not), `route`, `symbology`,
//! `family`, `header:NAME` — and the decision for one request. With no switch defined
//! this is one snapshot load; cache hits consult it only while a `refuse` could apply.

use super::error::ApiError;
use super::ConnCtx;
use crate::http::head::Head;
use crate::switch::constraint::Context;
use crate::switch::{Asked, Decision, RouteClass};
use crate::symbology::Symbology;
use std::borrow::Cow;
use std::net::IpAddr;

/// Seconds a refused client is told to wait.
pub const REFUSED_RETRY_S: u64 = 5;

/// A request's fields, read lazily: a header is looked up only when a switch asks.
struct Fields<'a, 'h> {
    route: RouteClass,
    sym: Option<Symbology>,
    client: Option<IpAddr>,
    /// The API key the request presented, when it is one of the file's.
    key: Option<std::sync::Arc<crate::keys::Key>>,
    head: &'a Head<'h>,
}

impl Context for Fields<'_, '_> {
    fn field(&self, name: &str) -> Option<Cow<'_, str>> {
        let v: Cow<'_, str> = match name {
            "client" => match &self.key {
                Some(k) => Cow::Borrowed(k.id.as_str()),
                None => Cow::Owned(self.client?.to_string()),
            },
            "address" => Cow::Owned(self.client?.to_string()),
            "key" => Cow::Borrowed(self.key.as_ref()?.id.as_str()),
            "route" => Cow::Borrowed(self.route.name()),
            "symbology" => Cow::Borrowed(self.sym?.name()),
            "family" => Cow::Borrowed(self.sym?.spec().family.name()),
            _ if name.starts_with("tag:") => {
                let tag = &name[4..];
                Cow::Borrowed(if self.key.as_ref()?.tags.iter().any(|t| t == tag) { "true" } else { "false" })
            }
            _ => {
                let h = name.strip_prefix("header:")?;
                Cow::Borrowed(std::str::from_utf8(self.head.field(h)?).ok()?)
            }
        };
        (!v.is_empty()).then_some(v)
    }
}

/// The switches' decision for this request (counted on the core's line of each match).
pub fn decide(ctx: &ConnCtx, head: &Head<'_>, route: RouteClass, sym: Option<Symbology>) -> Decision {
    let sw = ctx.shared.switches();
    if sw.is_empty() {
        return Decision::default();
    }
    let fields = Fields { route, sym, client: ctx.client(head), key: super::keyed::known(ctx, head), head };
    sw.decide(&Asked { route, symbology: sym, fields: &fields }, ctx.local.index)
}

/// The answer for a request that a switch refuses or degrades outright, or `None` when it
/// is served (perhaps changed: a generate from the caches only, a parse's minimal answer,
/// a breaker forced — those are applied where the work is done).
pub fn refusal(d: &Decision, route: RouteClass) -> Option<ApiError> {
    let e = &d.effect;
    if e.refuse {
        return Some(ApiError::Switched { retry_after: REFUSED_RETRY_S });
    }
    // A decode, batch or label has no cached or minimal answer: degraded is a 503. A
    // batch has no breaker of its own, so one forced open degrades it too.
    let degraded = match route {
        RouteClass::Decode | RouteClass::Label => e.degrade,
        RouteClass::Batch => e.degrade || e.breaker_open == Some(true),
        RouteClass::Generate | RouteClass::Parse => false,
    };
    degraded.then(|| ApiError::Degraded { class: route.name(), why: SWITCHED, retry_after: 1 })
}

/// Why a switched request was degraded.
pub const SWITCHED: &str = "switched to its minimal answer by the operators";
