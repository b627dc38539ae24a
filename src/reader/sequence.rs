//! Structured append: the parts of one message found in one image, joined in index order
//! when every part is there (the parts stay results of their own as well).

use super::Found;

/// A message joined from its structured-append parts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    pub format: String,
    pub id: String,
    pub count: i32,
    pub text: String,
}

/// The messages whose every part is among `found`.
pub fn messages(found: &[Found]) -> Vec<Message> {
    let mut groups: Vec<(&Found, Vec<(i32, &str)>)> = Vec::new();
    for f in found {
        let Some(s) = &f.sequence else { continue };
        let same = |g: &&mut (&Found, Vec<(i32, &str)>)| {
            g.0.format == f.format && g.0.sequence.as_ref().is_some_and(|t| t.id == s.id && t.count == s.count)
        };
        match groups.iter_mut().find(same) {
            Some(g) => g.1.push((s.index, &f.text)),
            None => groups.push((f, vec![(s.index, &f.text)])),
        }
    }
    groups
        .into_iter()
        .filter_map(|(first, mut parts)| {
            let s = first.sequence.as_ref()?;
            parts.sort_by_key(|p| p.0);
            parts.dedup_by_key(|p| p.0);
            let whole = parts.len() as i32 == s.count && parts.iter().enumerate().all(|(i, p)| p.0 == i as i32);
            whole.then(|| Message {
                format: first.format.clone(),
                id: s.id.clone(),
                count: s.count,
                text: parts.iter().map(|p| p.1).collect(),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reader::Sequence;

    fn part(index: i32, count: i32, id: &str, text: &str) -> Found {
        Found { sequence: Some(Sequence { index, count, id: id.into() }), ..Found::plain("qr", text) }
    }

    #[test]
    fn whole_messages_are_joined_in_order_and_partial_ones_are_not() {
        let found = [part(2, 3, "7", "C"), part(0, 3, "7", "A"), part(1, 3, "7", "B"), part(0, 2, "9", "X")];
        let m = messages(&found);
        assert_eq!(m, [Message { format: "qr".into(), id: "7".into(), count: 3, text: "ABC".into() }]);
        assert!(messages(&found[..2]).is_empty());
    }
}
