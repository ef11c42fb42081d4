//! Keys written twice in one JSON object. The JSON reader keeps the last, as the AWS CLI does;
//! this pass finds where that happened so the report can say so, instead of one of the two
//! values vanishing without a word.

use std::collections::HashSet;
use std::fmt;

use serde::de::{DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};

/// JSON pointers of every key that appears a second time in its object.
pub(crate) fn duplicate_keys(text: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut de = serde_json::Deserializer::from_str(text);
    // The text already parsed once; an error here cannot happen, and would only mean no list.
    let _ = Walk {
        pointer: String::new(),
        found: &mut found,
    }
    .deserialize(&mut de);
    found
}

struct Walk<'a> {
    pointer: String,
    found: &'a mut Vec<String>,
}

fn escape(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}

impl<'de> DeserializeSeed<'de> for Walk<'_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Walk<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let mut seen = HashSet::new();
        while let Some(key) = map.next_key::<String>()? {
            let pointer = format!("{}/{}", self.pointer, escape(&key));
            if !seen.insert(key) {
                self.found.push(pointer.clone());
            }
            map.next_value_seed(Walk {
                pointer,
                found: self.found,
            })?;
        }
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let mut i = 0;
        while seq
            .next_element_seed(Walk {
                pointer: format!("{}/{i}", self.pointer),
                found: self.found,
            })?
            .is_some()
        {
            i += 1;
        }
        Ok(())
    }

    fn visit_bool<E>(self, _: bool) -> Result<(), E> {
        Ok(())
    }
    fn visit_i64<E>(self, _: i64) -> Result<(), E> {
        Ok(())
    }
    fn visit_u64<E>(self, _: u64) -> Result<(), E> {
        Ok(())
    }
    fn visit_f64<E>(self, _: f64) -> Result<(), E> {
        Ok(())
    }
    fn visit_str<E>(self, _: &str) -> Result<(), E> {
        Ok(())
    }
    fn visit_unit<E>(self) -> Result<(), E> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_second_key_is_found_with_its_pointer() {
        let text = r#"{"family": "a", "family": "b", "containerDefinitions": [{"name": "x"}, {"name": "y", "image": "i", "name": "z"}], "a/b": 1, "a/b": 2}"#;
        assert_eq!(
            duplicate_keys(text),
            ["/family", "/containerDefinitions/1/name", "/a~1b"]
        );
        assert!(duplicate_keys(r#"{"a": {"a": {"a": 1}}}"#).is_empty());
    }
}
