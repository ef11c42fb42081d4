//! `.helmignore` rules as Helm applies them (`pkg/ignore`): gitignore-like lines matched with
//! Go's `filepath.Match`, `!` to keep, a trailing `/` for directories only, a leading `/` to
//! anchor at the chart root, and a pattern without `/` matching the base name.

use crate::error::ArchiveProblem;

#[derive(Debug, Clone)]
struct Rule {
    pattern: String,
    negate: bool,
    dir_only: bool,
    /// Matched against the whole relative path rather than the base name.
    full_path: bool,
}

#[derive(Debug, Clone)]
pub(crate) struct Rules(Vec<Rule>);

impl Rules {
    /// Parses a `.helmignore`; Helm's built-in rule (hidden files under templates/) comes first.
    pub(crate) fn parse(text: &str) -> Result<Rules, ArchiveProblem> {
        let mut rules = Vec::new();
        for line in std::iter::once("templates/.?*").chain(text.lines()) {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            if line.contains("**") {
                return Err(ArchiveProblem::HelmIgnoreDoubleStar(line.to_string()));
            }
            let (negate, rest) = match line.strip_prefix('!') {
                Some(rest) => (true, rest),
                None => (false, line),
            };
            let (dir_only, rest) = match rest.strip_suffix('/') {
                Some(rest) => (true, rest),
                None => (false, rest),
            };
            let (anchored, rest) = match rest.strip_prefix('/') {
                Some(rest) => (true, rest),
                None => (false, rest),
            };
            if rest.is_empty() {
                continue;
            }
            rules.push(Rule {
                pattern: rest.to_string(),
                negate,
                dir_only,
                full_path: anchored || rest.contains('/'),
            });
        }
        Ok(Rules(rules))
    }

    /// True when `path` (relative, `/`-separated) is left out of the package.
    pub(crate) fn ignored(&self, path: &str, is_dir: bool) -> bool {
        let base = path.rsplit('/').next().unwrap_or(path);
        for rule in &self.0 {
            if rule.dir_only && !is_dir {
                continue;
            }
            let subject = if rule.full_path { path } else { base };
            if glob(&rule.pattern, subject) {
                return !rule.negate;
            }
        }
        false
    }
}

/// Go's `filepath.Match`: `*` and `?` never cross a `/`; `[...]` classes with ranges and `^`.
pub(crate) fn glob(pattern: &str, name: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let n: Vec<char> = name.chars().collect();
    fn class(p: &[char], c: char) -> Option<(bool, usize)> {
        // Returns (matched, length of the class in the pattern).
        let mut i = 1;
        let negated = p.get(1) == Some(&'^');
        if negated {
            i += 1;
        }
        let mut matched = false;
        let mut first = true;
        while i < p.len() && (first || p[i] != ']') {
            first = false;
            let mut lo = p[i];
            if lo == '\\' {
                i += 1;
                lo = *p.get(i)?;
            }
            let mut hi = lo;
            if p.get(i + 1) == Some(&'-') && p.get(i + 2).is_some_and(|c| *c != ']') {
                hi = p[i + 2];
                if hi == '\\' {
                    hi = *p.get(i + 3)?;
                    i += 1;
                }
                i += 2;
            }
            if lo <= c && c <= hi {
                matched = true;
            }
            i += 1;
        }
        if i >= p.len() {
            return None;
        }
        Some((matched != negated, i + 1))
    }
    fn go(p: &[char], n: &[char]) -> bool {
        if p.is_empty() {
            return n.is_empty();
        }
        match p[0] {
            '*' => (0..=n.len())
                .take_while(|&k| k == 0 || n[k - 1] != '/')
                .any(|k| go(&p[1..], &n[k..])),
            '?' => !n.is_empty() && n[0] != '/' && go(&p[1..], &n[1..]),
            '[' => match (n.first(), class(p, *n.first().unwrap_or(&'\0'))) {
                (Some(c), Some((true, len))) if *c != '/' => go(&p[len..], &n[1..]),
                _ => false,
            },
            '\\' if p.len() > 1 => !n.is_empty() && n[0] == p[1] && go(&p[2..], &n[1..]),
            c => !n.is_empty() && n[0] == c && go(&p[1..], &n[1..]),
        }
    }
    go(&p, &n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_glob_semantics() {
        assert!(glob("*.bak", "a.bak"));
        assert!(!glob("*.bak", "dir/a.bak"));
        assert!(glob("sub/drop.txt", "sub/drop.txt"));
        assert!(glob("a?c", "abc"));
        assert!(!glob("a?c", "a/c"));
        assert!(glob("[a-c]x", "bx"));
        assert!(!glob("[^a-c]x", "bx"));
        assert!(glob(".?*", ".hidden"));
        assert!(!glob(".?*", "."));
    }

    #[test]
    fn rules_as_helm_applies_them() {
        let rules =
            Rules::parse("# comment\n*.bak\ndocs/\n/root-only.txt\nsub/drop.txt\n!keep.bak\n")
                .unwrap();
        assert!(rules.ignored("x/y.bak", false));
        assert!(rules.ignored("docs", true));
        assert!(!rules.ignored("docs", false));
        assert!(rules.ignored("root-only.txt", false));
        assert!(!rules.ignored("a/root-only.txt", false));
        assert!(rules.ignored("sub/drop.txt", false));
        assert!(rules.ignored("templates/.hidden.yaml", false));
        assert!(!rules.ignored("templates/visible.yaml", false));
        assert!(!rules.ignored("README.md", false));
        // First matching rule wins, as in Helm: *.bak comes before !keep.bak.
        assert!(rules.ignored("keep.bak", false));
        assert!(Rules::parse("a/**/b").is_err());
    }
}
