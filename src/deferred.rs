//! A value a template states only as a placeholder: `${Fn::ImportValue:…}`, a parameter without
//! a default, an attribute known after deploy. Typed fields (numbers, lists) hold it as such, so
//! the chart carries the placeholder, flagged, where the number or list goes, instead of the
//! conversion failing or a plausible value being made up.

/// A typed value, or the placeholder text standing for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Deferred<T> {
    Known(T),
    Placeholder(String),
}

impl<T> Deferred<T> {
    pub(crate) fn known(&self) -> Option<&T> {
        match self {
            Deferred::Known(value) => Some(value),
            Deferred::Placeholder(_) => None,
        }
    }

    pub(crate) fn placeholder(&self) -> Option<&str> {
        match self {
            Deferred::Known(_) => None,
            Deferred::Placeholder(text) => Some(text),
        }
    }

    pub(crate) fn map<U>(self, f: impl FnOnce(T) -> U) -> Deferred<U> {
        match self {
            Deferred::Known(value) => Deferred::Known(f(value)),
            Deferred::Placeholder(text) => Deferred::Placeholder(text),
        }
    }
}

impl<T: std::fmt::Display> std::fmt::Display for Deferred<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Deferred::Known(value) => value.fmt(f),
            Deferred::Placeholder(text) => f.write_str(text),
        }
    }
}

/// Whether `text` is one `${…}` placeholder and nothing else (nested `${…}` inside allowed):
/// the shape the CloudFormation evaluator and `${VAR}` templating give a value they cannot know.
pub(crate) fn is_whole_placeholder(text: &str) -> bool {
    let Some(inner) = text.strip_prefix("${").and_then(|t| t.strip_suffix('}')) else {
        return false;
    };
    let mut depth = 0usize;
    for c in inner.chars() {
        match c {
            '{' => depth += 1,
            '}' if depth == 0 => return false,
            '}' => depth -= 1,
            _ => {}
        }
    }
    depth == 0 && !inner.is_empty()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_single_whole_placeholder_counts() {
        assert!(is_whole_placeholder("${Port}"));
        assert!(is_whole_placeholder(
            "${Fn::ImportValue:${AWS::StackName}-port}"
        ));
        assert!(!is_whole_placeholder("${A}-${B}"));
        assert!(!is_whole_placeholder("8080"));
        assert!(!is_whole_placeholder("${}"));
        assert!(!is_whole_placeholder("x${A}"));
        assert!(!is_whole_placeholder("${A}}"));
    }
}
