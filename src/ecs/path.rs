//! A location inside an input document, printed two ways: dotted for people
//! (`containerDefinitions[1].image`) and as a JSON pointer for the machine-readable report.

use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
enum Segment {
    Key(String),
    Index(usize),
}

#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) struct JsonPath(Vec<Segment>);

impl JsonPath {
    pub(crate) fn root() -> Self {
        JsonPath(Vec::new())
    }

    pub(crate) fn key(&self, key: &str) -> Self {
        let mut next = self.clone();
        next.0.push(Segment::Key(key.to_string()));
        next
    }

    pub(crate) fn index(&self, index: usize) -> Self {
        let mut next = self.clone();
        next.0.push(Segment::Index(index));
        next
    }

    pub(crate) fn depth(&self) -> usize {
        self.0.len()
    }

    /// The same path with every key after the first `skip` segments renamed by `rename`.
    pub(crate) fn rename_keys_after(
        &self,
        skip: usize,
        rename: impl Fn(&str) -> String,
    ) -> JsonPath {
        JsonPath(
            self.0
                .iter()
                .enumerate()
                .map(|(i, s)| match s {
                    Segment::Key(k) if i >= skip => Segment::Key(rename(k)),
                    other => other.clone(),
                })
                .collect(),
        )
    }

    /// `containerDefinitions[1].portMappings[0].containerPort`; the root is `(top level)`.
    pub(crate) fn dotted(&self) -> String {
        if self.0.is_empty() {
            return "(top level)".to_string();
        }
        let mut out = String::new();
        for segment in &self.0 {
            match segment {
                Segment::Key(key) => {
                    if !out.is_empty() {
                        out.push('.');
                    }
                    out.push_str(key);
                }
                Segment::Index(i) => {
                    out.push('[');
                    out.push_str(&i.to_string());
                    out.push(']');
                }
            }
        }
        out
    }

    /// RFC 6901 pointer: `/containerDefinitions/1/portMappings/0/containerPort`.
    pub(crate) fn pointer(&self) -> String {
        let mut out = String::new();
        for segment in &self.0 {
            out.push('/');
            match segment {
                Segment::Key(key) => out.push_str(&key.replace('~', "~0").replace('/', "~1")),
                Segment::Index(i) => out.push_str(&i.to_string()),
            }
        }
        out
    }
}

impl fmt::Display for JsonPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.dotted())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prints_dotted_and_pointer_forms() {
        let p = JsonPath::root()
            .key("containerDefinitions")
            .index(1)
            .key("portMappings")
            .index(0)
            .key("containerPort");
        assert_eq!(
            p.dotted(),
            "containerDefinitions[1].portMappings[0].containerPort"
        );
        assert_eq!(
            p.pointer(),
            "/containerDefinitions/1/portMappings/0/containerPort"
        );
    }

    #[test]
    fn escapes_pointer_specials() {
        let p = JsonPath::root().key("dockerLabels").key("a/b~c");
        assert_eq!(p.pointer(), "/dockerLabels/a~1b~0c");
        assert_eq!(JsonPath::root().dotted(), "(top level)");
    }
}
