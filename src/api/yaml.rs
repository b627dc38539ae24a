//! A JSON value written as YAML (block style, every string double-quoted with JSON's
//! escapes, which YAML's double-quoted scalars share): `/openapi.yaml`.

use serde_json::Value;

/// `v` as a YAML document.
pub fn write(v: &Value) -> String {
    let mut out = String::new();
    block(v, 0, &mut out);
    out
}

fn scalar(v: &Value) -> String {
    match v {
        Value::Array(a) if a.is_empty() => "[]".into(),
        Value::Object(o) if o.is_empty() => "{}".into(),
        // JSON's text of a string, number, boolean or null is YAML's too.
        other => serde_json::to_string(other).unwrap_or_default(),
    }
}

fn is_block(v: &Value) -> bool {
    matches!(v, Value::Array(a) if !a.is_empty()) || matches!(v, Value::Object(o) if !o.is_empty())
}

/// Writes `v`'s members (an object's or an array's) at `indent`; a scalar alone.
fn block(v: &Value, indent: usize, out: &mut String) {
    let pad = " ".repeat(indent);
    match v {
        Value::Object(o) if !o.is_empty() => {
            for (k, item) in o {
                out.push_str(&pad);
                out.push_str(&scalar(&Value::String(k.clone())));
                out.push(':');
                member(item, indent, out);
            }
        }
        Value::Array(a) if !a.is_empty() => {
            for item in a {
                out.push_str(&pad);
                out.push('-');
                member(item, indent, out);
            }
        }
        other => {
            out.push_str(&pad);
            out.push_str(&scalar(other));
            out.push('\n');
        }
    }
}

/// What follows a key or a dash: a scalar on the line, or a block below it.
fn member(item: &Value, indent: usize, out: &mut String) {
    if is_block(item) {
        out.push('\n');
        block(item, indent + 2, out);
    } else {
        out.push(' ');
        out.push_str(&scalar(item));
        out.push('\n');
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn nested_values_and_escapes() {
        let v = json!({"a": [1, {"b": "x\"y\n"}, []], "c": {}, "d": null, "e:f": true});
        assert_eq!(
            write(&v),
            "\"a\":\n  - 1\n  -\n    \"b\": \"x\\\"y\\n\"\n  - []\n\"c\": {}\n\"d\": null\n\"e:f\": true\n"
        );
    }
}
