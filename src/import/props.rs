//! Front matter values of any shape, read into the JSON values a note's properties hold.
//!
//! [`Prop`] deserializes whatever a YAML or JSON reader gives (scalars, lists, maps, tagged
//! values, integers beyond 64 bits) into a [`serde_json::Value`], keeping the order of map keys
//! and refusing only what YAML itself calls invalid: a key given twice. Keys that are not
//! text (`1: x`, `{{date}}` in a template) become their text. Numbers JSON cannot hold (`.inf`,
//! `.nan`, integers beyond 64 bits) are kept as text. TOML front matter is read by the `toml`
//! crate into its own values first ([`from_toml`]): its dates become their text.

use std::fmt;

use serde::Deserialize;
use serde::de::{self, Deserializer, EnumAccess, MapAccess, SeqAccess, VariantAccess, Visitor};
use serde_json::{Map, Number, Value};

/// A front matter value as JSON.
pub(super) struct Prop(pub Value);

/// A mapping of front matter: keys in their order.
pub(super) struct Props(pub Map<String, Value>);

impl<'de> Deserialize<'de> for Prop {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(AnyValue).map(Prop)
    }
}

impl<'de> Deserialize<'de> for Props {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        match deserializer.deserialize_any(AnyValue)? {
            Value::Object(map) => Ok(Props(map)),
            // An empty front matter (`---` then `---`) is an empty mapping.
            Value::Null => Ok(Props(Map::new())),
            other => Err(de::Error::custom(format!(
                "front matter must be a mapping of keys to values, not {}",
                what(&other)
            ))),
        }
    }
}

/// What kind of value `v` is, for messages.
pub(super) fn what(v: &Value) -> &'static str {
    match v {
        Value::Null => "an empty value",
        Value::Bool(_) => "true or false",
        Value::Number(_) => "a number",
        Value::String(_) => "a text",
        Value::Array(_) => "a list",
        Value::Object(_) => "a map",
    }
}

struct AnyValue;

impl<'de> Visitor<'de> for AnyValue {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_i128<E>(self, v: i128) -> Result<Value, E> {
        Ok(i64::try_from(v).map_or_else(|_| Value::String(v.to_string()), Value::from))
    }
    fn visit_u128<E>(self, v: u128) -> Result<Value, E> {
        Ok(u64::try_from(v).map_or_else(|_| Value::String(v.to_string()), Value::from))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(Number::from_f64(v).map_or_else(|| Value::String(float_text(v)), Value::Number))
    }
    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }
    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }
    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(AnyValue)
    }
    fn visit_newtype_struct<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(AnyValue)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(64));
        while let Some(Prop(item)) = seq.next_element()? {
            items.push(item);
        }
        Ok(Value::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut out = Map::new();
        while let Some(Prop(key)) = map.next_key()? {
            let key = key_text(key);
            let Prop(value) = map.next_value()?;
            if out.contains_key(&key) {
                return Err(de::Error::custom(format!(
                    "the key {} is given twice",
                    crate::model::quote(&key)
                )));
            }
            out.insert(key, value);
        }
        Ok(Value::Object(out))
    }

    /// A tagged value (`!mytag value`): its value.
    fn visit_enum<A: EnumAccess<'de>>(self, data: A) -> Result<Value, A::Error> {
        let (_, variant) = data.variant::<Prop>()?;
        variant.newtype_variant::<Prop>().map(|p| p.0)
    }
}

/// `.inf`, `-.inf`, `.nan`, as YAML writes them.
fn float_text(v: f64) -> String {
    if v.is_nan() {
        ".nan".into()
    } else if v > 0.0 {
        ".inf".into()
    } else {
        "-.inf".into()
    }
}

/// A key as text: a text as it is, a number or `true` as written, anything else as JSON.
fn key_text(key: Value) -> String {
    match key {
        Value::String(s) => s,
        Value::Null => String::new(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        other => other.to_string(),
    }
}

/// A TOML table as JSON: dates and times as their text, everything else as is.
pub(super) fn from_toml(table: toml::Table) -> Map<String, Value> {
    table.into_iter().map(|(k, v)| (k, toml_value(v))).collect()
}

fn toml_value(v: toml::Value) -> Value {
    match v {
        toml::Value::String(s) => Value::String(s),
        toml::Value::Integer(i) => Value::from(i),
        toml::Value::Float(f) => {
            Number::from_f64(f).map_or_else(|| Value::String(float_text(f)), Value::Number)
        }
        toml::Value::Boolean(b) => Value::Bool(b),
        toml::Value::Datetime(d) => Value::String(d.to_string()),
        toml::Value::Array(items) => Value::Array(items.into_iter().map(toml_value).collect()),
        toml::Value::Table(t) => Value::Object(from_toml(t)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn yaml(text: &str) -> Result<Value, String> {
        serde_yaml_ng::from_str::<Props>(text)
            .map(|p| Value::Object(p.0))
            .map_err(|e| e.to_string())
    }

    #[test]
    fn any_yaml_value_becomes_json_in_order() {
        let v = yaml(
            "zeta: 1\naliases: [a, b]\ndraft: false\ndate: 2017-01-01\nnested:\n  k: [1, {x: y}]\nbig: 99999999999999999999999\ninf: .inf\n1: one\ntagged: !custom value\nempty:\ndate_time: {{date}}\n",
        )
        .unwrap();
        let keys: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
        assert_eq!(
            keys,
            [
                "zeta",
                "aliases",
                "draft",
                "date",
                "nested",
                "big",
                "inf",
                "1",
                "tagged",
                "empty",
                "date_time"
            ]
        );
        assert_eq!(v["date"], "2017-01-01");
        assert_eq!(v["nested"]["k"][1]["x"], "y");
        assert_eq!(v["big"], "99999999999999999999999");
        assert_eq!(v["inf"], ".inf");
        assert_eq!(v["tagged"], "value");
        assert_eq!(v["empty"], Value::Null);
        assert_eq!(v["date_time"], serde_json::json!({"{\"date\":null}": null}));
    }

    #[test]
    fn a_key_given_twice_or_a_scalar_is_no_front_matter() {
        let e = yaml("a: 1\na: 2\n").unwrap_err();
        assert!(e.contains("the key \"a\" is given twice"), "{e}");
        let e = yaml("just text\n").unwrap_err();
        assert!(e.contains("must be a mapping"), "{e}");
        assert_eq!(yaml("").unwrap(), serde_json::json!({}));
    }

    #[test]
    fn toml_dates_become_text() {
        let table: toml::Table = "title = \"x\"\ndate = 2019-05-01T16:54:00-07:00\nlocal = 2021-03-04\n[taxonomies]\ntags = [\"a\"]\n"
            .parse()
            .unwrap();
        let v = Value::Object(from_toml(table));
        assert_eq!(v["date"], "2019-05-01T16:54:00-07:00");
        assert_eq!(v["local"], "2021-03-04");
        assert_eq!(v["taxonomies"]["tags"][0], "a");
    }
}
