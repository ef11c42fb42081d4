//! What the conversion runs with, besides the files: a leaf, so the pipeline's stages read it
//! without importing the configuration that builds it.

use std::fmt;

/// Everything the conversion needs besides the files.
#[derive(Debug, Clone)]
pub(crate) struct Settings {
    pub name: Option<String>,
    pub chart: crate::chart::ChartOptions,
    pub convert: crate::convert::Options,
    pub strict: bool,
    /// --keep-discovery-names: clients' values naming Cloud Map names stay as they are.
    pub keep_discovery_names: bool,
}

/// An environment's name, checked once where it is parsed: it names `values-<name>.yaml`, so it
/// is letters, digits, `-` and `_`, starting with a letter or digit, at most 40 characters.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct EnvName(String);

impl EnvName {
    pub fn parse(name: &str) -> Option<EnvName> {
        let mut chars = name.chars();
        let valid = chars.next().is_some_and(|c| c.is_ascii_alphanumeric())
            && name.len() <= 40
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
        valid.then(|| EnvName(name.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::ops::Deref for EnvName {
    type Target = str;

    fn deref(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for EnvName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn environment_names_are_safe_file_name_parts() {
        assert!(EnvName::parse("prod").is_some());
        assert!(EnvName::parse("eu-west-1_prod").is_some());
        assert!(EnvName::parse("../x").is_none());
        assert!(EnvName::parse("").is_none());
        assert!(EnvName::parse("a b").is_none());
        assert!(EnvName::parse(&"x".repeat(41)).is_none());
    }
}
